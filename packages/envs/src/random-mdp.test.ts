import { Rl3Error, Rng } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chiSquareOfSampling, rowSums } from "../test/helpers.js";
import { oracleReturn } from "./oracle.js";
import { RandomMdp, randomMdpFamily } from "./random-mdp.js";

/** States 0, 1; action 0 in 0 stays (+1), action 1 in 0 goes to 1 (0); in 1 action 0 stays (+3), action 1 returns (0). */
function twoStateMdp(taskHorizon: number): RandomMdp {
  return new RandomMdp({
    numStates: 2,
    numActions: 2,
    transitions: [1, 0, 0, 1, 0, 1, 1, 0],
    meanRewards: [1, 0, 3, 0],
    rewardNoise: 0,
    taskHorizon,
  });
}

describe("RandomMdp", () => {
  it("samples §6.2 tasks: 10 states, 5 actions, start 0, horizon 10, rows summing to 1", () => {
    const task = randomMdpFamily().sample(new Rng(1));
    expect([task.numStates, task.numActions, task.startState, task.taskHorizon]).toEqual([10, 5, 0, 10]);
    for (const sum of rowSums(task)) expect(sum).toBeCloseTo(1, 12);
    expect(Array.from(task.observation(3))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it("samples next states matching transitionProbs (chi-square, df 9)", () => {
    const task = randomMdpFamily().sample(new Rng(2));
    for (const [state, action] of [[0, 0], [4, 3], [9, 4]] as const) {
      const result = chiSquareOfSampling(task, state, action, 100_000, 3);
      expect(result.statistic).toBeLessThanOrEqual(result.critical);
    }
  });

  it("observes R̄(s,a) plus unit normal noise", () => {
    const task = randomMdpFamily().sample(new Rng(4)) as RandomMdp;
    const rng = new Rng(5);
    let sum = 0;
    let squares = 0;
    const draws = 100_000;
    for (let draw = 0; draw < draws; draw++) {
      const reward = task.sampleStep(2, 1, rng).reward;
      sum += reward;
      squares += reward * reward;
    }
    const mean = sum / draws;
    expect(Math.abs(mean - task.meanReward(2, 1, 0))).toBeLessThan(4 / Math.sqrt(draws));
    expect(Math.abs(squares / draws - mean * mean - 1)).toBeLessThan(4 * Math.sqrt(2 / draws));
  });

  it("oracleReturn equals the hand computation, inner resets included", () => {
    // H = 3, TH = 2: (a1 → state 1, 0) (a0 stay, +3) | reset | (a0, +1) = 4; without the cut: 0 + 3 + 3 = 6.
    expect(oracleReturn(twoStateMdp(2), 3)).toBeCloseTo(4, 12);
    expect(oracleReturn(twoStateMdp(10), 3)).toBeCloseTo(6, 12);
    // H = 1: only the first step, +1.
    expect(oracleReturn(twoStateMdp(2), 1)).toBeCloseTo(1, 12);
    // H = 4, TH = 2: two full inner episodes of 3 each.
    expect(oracleReturn(twoStateMdp(2), 4)).toBeCloseTo(6, 12);
  });

  it("OOD families: Dirichlet(0.25) rows are more concentrated; uniform means lie in [0, 2]", () => {
    const rng = new Rng(6);
    const maxProbability = (alpha: number) => {
      let total = 0;
      for (let task = 0; task < 50; task++) {
        const mdp = randomMdpFamily({ alpha }).sample(rng);
        total += Math.max(...mdp.transitionProbs(0, 0));
      }
      return total / 50;
    };
    expect(maxProbability(0.25)).toBeGreaterThan(maxProbability(1) + 0.1);
    const uniform = randomMdpFamily({ meanRewardPrior: "uniform" }).sample(rng) as RandomMdp;
    for (const reward of uniform.meanRewards) expect(reward >= 0 && reward <= 2).toBe(true);
  });

  it("has valid rows for any seed and α (property)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0.05, max: 5, noNaN: true }), (seed, alpha) => {
        const task = randomMdpFamily({ alpha, numStates: 4, numActions: 2 }).sample(new Rng(seed));
        for (const sum of rowSums(task)) expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
      }),
      { numRuns: 50 },
    );
  });

  it("rejects bad input with an Rl3Error naming the field", () => {
    expect(() => randomMdpFamily({ alpha: -1 })).toThrow(/^alpha must be a finite number > 0; got -1/);
    expect(() => randomMdpFamily({ alpha: Number.POSITIVE_INFINITY })).toThrow(/^alpha must be/);
    expect(() => randomMdpFamily({ beta: Number.NaN })).toThrow(/^beta must be/);
    expect(() => randomMdpFamily({ taskHorizon: 0 })).toThrow(/^taskHorizon must be/);
    expect(() => new RandomMdp({ numStates: 2, numActions: 1, transitions: [0.5, 0.4, 0, 1], meanRewards: [0, 0] })).toThrow(
      /^transitions\[0\]\[0\] must be a row summing to 1/,
    );
    const task = twoStateMdp(2);
    expect(() => task.sampleStep(2, 0, new Rng(1))).toThrow(Rl3Error);
    expect(() => task.transitionProbs(0, -1)).toThrow(/^action must be/);
  });
});
