import { Rl3Error, Rng } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chiSquareOfSampling, rowSums } from "../test/helpers.js";
import { BernoulliBandit, banditFamily } from "./bandit.js";
import { oracleReturn } from "./oracle.js";

describe("BernoulliBandit", () => {
  it("is the 2-state MDP of §6.1: every pull moves to the absorbing state", () => {
    const bandit = new BernoulliBandit([0.2, 0.7, 0.5]);
    expect(bandit.numStates).toBe(2);
    expect(bandit.taskHorizon).toBe(1);
    expect(Array.from(bandit.transitionProbs(0, 1))).toEqual([0, 1]);
    expect(bandit.isAbsorbing(1)).toBe(true);
    const step = bandit.sampleStep(0, 1, new Rng(1));
    expect(step.nextState).toBe(1);
    expect(step.terminal).toBe(true);
    expect(Array.from(bandit.observation(0))).toEqual([1, 0]);
  });

  it("pays 1 with probability p (within 4 s.e. over 100k pulls)", () => {
    const bandit = new BernoulliBandit([0.3]);
    const rng = new Rng(2);
    let total = 0;
    for (let pull = 0; pull < 100_000; pull++) total += bandit.sampleStep(0, 0, rng).reward;
    expect(Math.abs(total / 100_000 - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / 100_000));
    expect(bandit.meanReward(0, 0, 1)).toBeCloseTo(0.3, 12);
  });

  it("treats OOD probabilities outside [0, 1] as always / never paying", () => {
    const bandit = new BernoulliBandit([1.4, -0.3]);
    const rng = new Rng(3);
    for (let pull = 0; pull < 1000; pull++) {
      expect(bandit.sampleStep(0, 0, rng).reward).toBe(1);
      expect(bandit.sampleStep(0, 1, rng).reward).toBe(0);
    }
    expect(bandit.meanReward(0, 0, 1)).toBe(1);
    expect(bandit.meanReward(0, 1, 1)).toBe(0);
  });

  it("oracleReturn is H · max p", () => {
    expect(oracleReturn(new BernoulliBandit([0.2, 0.7, 0.5]), 10)).toBeCloseTo(7, 12);
    expect(oracleReturn(new BernoulliBandit([0.9, 0.1]), 100)).toBeCloseTo(90, 10);
    expect(oracleReturn(new BernoulliBandit([1.3, -0.2]), 500)).toBeCloseTo(500, 9);
  });

  it("samples next states matching transitionProbs (chi-square)", () => {
    const result = chiSquareOfSampling(new BernoulliBandit([0.5, 0.5]), 0, 1, 10_000, 4);
    expect(result.statistic).toBeLessThanOrEqual(result.critical);
  });

  it("families draw p ~ U(0,1) in distribution and N(0.5, 0.5) out of it", () => {
    const rng = new Rng(5);
    const inDistribution = banditFamily().sample(rng) as BernoulliBandit;
    expect(inDistribution.numActions).toBe(5);
    let outside = 0;
    const ood = banditFamily({ prior: "normal" });
    for (let task = 0; task < 200; task++) {
      const probabilities = (ood.sample(rng) as BernoulliBandit).successProbabilities;
      outside += probabilities.filter((p) => p < 0 || p > 1).length;
    }
    // P(|N(0.5, 0.5) − 0.5| > 0.5) ≈ 0.317: about 317 of 1000 arms.
    expect(outside).toBeGreaterThan(250);
    expect(outside).toBeLessThan(390);
  });

  it("has rows summing to 1 for any probabilities (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 3, noNaN: true }), { minLength: 1, maxLength: 8 }), (probabilities) => {
        for (const sum of rowSums(new BernoulliBandit(probabilities))) expect(sum).toBeCloseTo(1, 12);
      }),
    );
  });

  it("rejects bad input with an Rl3Error naming the field", () => {
    expect(() => new BernoulliBandit([])).toThrow(/^successProbabilities.length must be between 1 and 10000 arms; got 0$/);
    expect(() => new BernoulliBandit([0.5, Number.NaN])).toThrow(/successProbabilities\[1\] must be a finite number/);
    const bandit = new BernoulliBandit([0.5]);
    expect(() => bandit.sampleStep(0, 1, new Rng(1))).toThrow(Rl3Error);
    expect(() => bandit.sampleStep(0, 1, new Rng(1))).toThrow(/^action must be an integer in \[0, 0\]; got 1/);
    expect(() => banditFamily({ arms: 0 })).toThrow(/^arms must be/);
  });
});
