import { describe, expect, it } from "vitest";
import { seedDifferenceInterval, seedMeanInterval, studentTCdf, studentTQuantile } from "./seed-intervals.js";

// Reference values from scipy.stats 1.x (t.ppf, t.cdf and a hand-computed Welch interval).
describe("Student's t", () => {
  it("matches scipy's quantiles, including fractional degrees of freedom", () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 9);
    expect(studentTQuantile(0.975, 4.5)).toBeCloseTo(2.6589123472044034, 9);
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.697260886593957, 9);
    expect(studentTQuantile(0.025, 2)).toBeCloseTo(-4.302652729749462, 9);
  });

  it("matches scipy's CDF and is symmetric", () => {
    expect(studentTCdf(-1.3, 3.7)).toBeCloseTo(0.13433336208631375, 10);
    expect(studentTCdf(1.3, 3.7) + studentTCdf(-1.3, 3.7)).toBeCloseTo(1, 14);
  });

  it("refuses a probability outside (0, 1)", () => {
    expect(() => studentTQuantile(1, 3)).toThrow(/^q must be/);
    expect(() => studentTQuantile(0.9, Number.NaN)).toThrow(/^df must be/);
  });
});

describe("seed-level intervals", () => {
  it("t-interval of three per-seed means (df 2)", () => {
    const interval = seedMeanInterval([0.71, 0.69, 0.74]);
    expect(interval.estimate).toBeCloseTo(0.7133333333, 9);
    expect(interval.low).toBeCloseTo(0.6508172385395754, 9);
    expect(interval.high).toBeCloseTo(0.7758494281270911, 9);
  });

  it("Welch interval of a difference between 3 and 2 independent seeds", () => {
    const interval = seedDifferenceInterval([0.71, 0.69, 0.74], [0.55, 0.6]);
    expect(interval.estimate).toBeCloseTo(0.1383333333333333, 12);
    expect(interval.low).toBeCloseTo(-0.010403072166649208, 8);
    expect(interval.high).toBeCloseTo(0.2870697388333158, 8);
  });

  it("needs two seeds: one run has no seed-to-seed spread to measure", () => {
    expect(() => seedMeanInterval([0.7])).toThrow(/^perSeed must be at least 2 finite per-seed values/);
    expect(() => seedDifferenceInterval([0.7, 0.8], [Number.NaN, 0.5])).toThrow(/^b must be/);
  });
});
