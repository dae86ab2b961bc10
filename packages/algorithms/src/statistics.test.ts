import { InputError, Rng } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateScores, bootstrapInterval, interquartileMean, mean, pairedBootstrap, probabilityOfImprovement, standardError, stratifiedBootstrap } from "./statistics.js";

function normalSample(count: number, seed: number, center = 0, spread = 1): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => rng.normal(center, spread));
}

/** How far an interval is from the analytic one, in units of the analytic half-width. */
function offBy(interval: { low: number; high: number }, center: number, halfWidth: number): number {
  return Math.max(Math.abs(interval.low - (center - halfWidth)), Math.abs(interval.high - (center + halfWidth))) / halfWidth;
}

describe("interquartileMean", () => {
  it("drops ⌊n/4⌋ values at each end (scipy.stats.trim_mean(x, 0.25))", () => {
    expect(interquartileMean([1, 2, 3, 4, 5, 6, 7, 8])).toBe(4.5);
    expect(interquartileMean([100, -50, 3, 4, 1, 2, 7, 8])).toBe(4); // middle of -50 1 [2 3 4 7] 8 100
    expect(interquartileMean([0, 1, 2, 3, 4, 5, 6, 7, 8, 1000])).toBe(4.5); // n = 10: two off each end
    expect(interquartileMean([5, 9, 1])).toBe(5); // n < 4: nothing to trim
  });

  it("equals the mean of the sorted middle for any input, ties included (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }), (values) => {
        const sorted = [...values].sort((x, y) => x - y);
        const cut = Math.floor(values.length / 4);
        expect(interquartileMean(values)).toBeCloseTo(mean(sorted.slice(cut, values.length - cut)), 10);
      }),
      { numRuns: 300 },
    );
  });
});

describe("bootstrapInterval", () => {
  it("matches the analytic normal interval of the mean on a large normal sample", () => {
    const sample = normalSample(5000, 1, 10, 2);
    const interval = bootstrapInterval(sample, { resamples: 4000 });
    expect(interval.estimate).toBe(mean(sample));
    // 1.96 s.e.; the percentile endpoints of 4000 resamples sit within ~2% of it (1 s.d.), so 8% is a 4 s.d. bound.
    expect(offBy(interval, mean(sample), 1.959964 * standardError(sample))).toBeLessThan(0.08);
    // The quartiles of the resamples are noisier relative to their half-width (1 s.d. ≈ 3%).
    const narrow = bootstrapInterval(sample, { resamples: 4000, confidence: 0.5 });
    expect(offBy(narrow, mean(sample), 0.67449 * standardError(sample))).toBeLessThan(0.12);
  });

  it("is seeded: the same inputs give the same interval, another seed a slightly different one", () => {
    const sample = normalSample(300, 2);
    expect(bootstrapInterval(sample, { seed: 5 })).toEqual(bootstrapInterval(sample, { seed: 5 }));
    const other = bootstrapInterval(sample, { seed: 6 });
    expect(other).not.toEqual(bootstrapInterval(sample, { seed: 5 }));
    expect(offBy(other, mean(sample), 1.96 * standardError(sample))).toBeLessThan(0.15);
  });

  it("takes any statistic", () => {
    const interval = bootstrapInterval([1, 2, 3, 4, 5, 6, 7, 8], { statistic: interquartileMean });
    expect(interval.estimate).toBe(4.5);
    expect(interval.low).toBeLessThan(4.5);
    expect(interval.high).toBeGreaterThan(4.5);
  });

  it("rejects fewer than 2 tasks and bad options, naming them", () => {
    expect(() => bootstrapInterval([3])).toThrow(/^tasks must be at least 2 tasks .*; got 1$/);
    expect(() => bootstrapInterval([1, 2], { resamples: 0 })).toThrow(/^resamples must be an integer in \[1, 100000\]/);
    expect(() => bootstrapInterval([1, 2], { confidence: 95 })).toThrow(/^confidence must be a number in \(0, 1\)/);
    expect(() => bootstrapInterval([1, Number.NaN])).toThrow(InputError);
  });
});

describe("pairedBootstrap", () => {
  it("cancels what the tasks share: a constant difference has a zero-width interval, unlike the unpaired one", () => {
    const a = normalSample(500, 3, 50, 20);
    const b = a.map((value) => value - 3);
    const paired = pairedBootstrap(a, b);
    expect(paired.tasks).toBe(500);
    for (const value of [paired.difference.estimate, paired.difference.low, paired.difference.high]) expect(value).toBeCloseTo(3, 9);
    // Unpaired, the same two samples give ±1.96 √2 · 20/√500 ≈ ±2.5.
    expect(1.96 * Math.hypot(standardError(a), standardError(b))).toBeGreaterThan(2);
  });

  it("matches the analytic interval of the mean difference, and the ratio of means", () => {
    const base = normalSample(4000, 4, 100, 30);
    const noise = normalSample(4000, 5, 2, 5);
    const a = base.map((value, index) => value + noise[index]!);
    const paired = pairedBootstrap(a, base, { resamples: 4000 });
    expect(offBy(paired.difference, mean(noise), 1.959964 * standardError(noise))).toBeLessThan(0.08);
    const doubled = pairedBootstrap(base.map((value) => 2 * value), base);
    expect(doubled.ratio!.low).toBeCloseTo(2, 9);
    expect(doubled.ratio!.high).toBeCloseTo(2, 9);
  });

  it("leaves out the ratio when b's mean can be ≤ 0, and rejects unpaired input", () => {
    expect(pairedBootstrap([1, 2, 3], [-1, 0.5, 0.4]).ratio).toBeUndefined();
    expect(() => pairedBootstrap([1, 2, 3], [1, 2])).toThrow(/^b\.length must be 3 \(a\.length\)/);
    expect(() => pairedBootstrap([1], [2])).toThrow(/^tasks must be at least 2/);
  });
});

describe("stratifiedBootstrap and aggregateScores (seeds × tasks)", () => {
  it("resamples whole seeds: with a strong seed effect the interval is the analytic one over seed means", () => {
    // 400 runs whose returns share a per-run offset μ ~ N(0, 1) on all 20 tasks, plus small task noise.
    const offsets = normalSample(400, 6);
    const noise = new Rng(7);
    const scores = offsets.map((offset) => Array.from({ length: 20 }, () => offset + noise.normal(0, 0.1)));
    const rowMeans = scores.map((row) => mean(row));
    const aggregate = aggregateScores(scores, { resamples: 4000 });
    expect(aggregate).toMatchObject({ seeds: 400, tasks: 20, seedsResampled: true });
    expect(aggregate.mean.estimate).toBeCloseTo(mean(rowMeans), 12);
    // Resampling seeds within each task instead would shrink this interval by about √20.
    expect(offBy(aggregate.mean, mean(rowMeans), 1.959964 * standardError(rowMeans))).toBeLessThan(0.1);
  });

  it("with one seed, covers tasks only and says so; the normalised score uses the oracle of the drawn tasks", () => {
    const returns = normalSample(3000, 8, 60, 10);
    const oracle = returns.map((value) => value * 2);
    const aggregate = aggregateScores([returns], { oracle, resamples: 4000 });
    expect(aggregate.seedsResampled).toBe(false);
    expect(offBy(aggregate.mean, mean(returns), 1.959964 * standardError(returns))).toBeLessThan(0.08);
    expect(aggregate.normalized!.estimate).toBeCloseTo(0.5, 12);
    expect(aggregate.normalized!.low).toBeCloseTo(0.5, 12);
    expect(aggregate.normalized!.high).toBeCloseTo(0.5, 12);
    expect(aggregate.iqm.estimate).toBe(interquartileMean(returns));
    expect(aggregate.iqm.low).toBeLessThan(aggregate.iqm.estimate);
  });

  it("gives the statistic every group's resample and the tasks drawn, the data first", () => {
    const calls: number[][] = [];
    const interval = stratifiedBootstrap(
      [[[1, 2, 3]], [[10, 20, 30], [40, 50, 60]]],
      (samples, tasks) => {
        calls.push([samples[0]!.seeds, samples[1]!.seeds, tasks.length]);
        return samples[1]!.values.reduce((sum, value) => sum + value, 0);
      },
      { resamples: 50 },
    );
    expect(interval.estimate).toBe(210);
    expect(calls).toHaveLength(51);
    expect(new Set(calls.map((call) => call.join()))).toEqual(new Set(["1,2,3"]));
  });

  it("rejects rows of different lengths and fewer than 2 tasks", () => {
    expect(() => aggregateScores([[1, 2, 3], [1, 2]])).toThrow(/^scores\[0\]\[1\]\.length must be 3/);
    expect(() => aggregateScores([[1], [2]])).toThrow(/^tasks must be at least 2/);
    expect(() => aggregateScores([[1, 2]], { oracle: [1] })).toThrow(/^oracle\.length must be 2/);
  });
});

describe("probabilityOfImprovement", () => {
  it("is the Mann–Whitney statistic per task, averaged over tasks (ties count half)", () => {
    expect(probabilityOfImprovement([[1, 2, 3]], [[0, 2, 4]]).estimate).toBe(0.5); // 1, ½, 0
    expect(probabilityOfImprovement([[1, 5], [3, 5]], [[2, 4]]).estimate).toBe(0.75); // task 0: ½, task 1: 1
    expect(probabilityOfImprovement([[2, 3, 4]], [[1, 2, 3]]).estimate).toBe(1);
  });

  it("has an interval around 0.5 for two draws of the same agent, and above 0.5 for a better one", () => {
    const same = probabilityOfImprovement([normalSample(400, 9)], [normalSample(400, 10)]);
    expect(same.low).toBeLessThan(0.5);
    expect(same.high).toBeGreaterThan(0.5);
    const better = probabilityOfImprovement([normalSample(400, 11, 0.5)], [normalSample(400, 12)]);
    expect(better.low).toBeGreaterThan(0.55);
    expect(() => probabilityOfImprovement([[1, 2]], [[1, 2, 3]])).toThrow(/^scores\[1\]\[0\]\.length must be 2/);
  });
});
