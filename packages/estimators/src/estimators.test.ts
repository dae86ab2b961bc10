import { Rng } from "@rl3/core";
import { MetaEnv, taskFamily } from "@rl3/envs";
import { describe, expect, it } from "vitest";
import { createEstimator } from "./defaults.js";
import { ModelBasedEstimator } from "./model-based-estimator.js";
import { QLearningEstimator } from "./q-learning-estimator.js";
import type { ValueEstimator } from "./value-estimator.js";

/** Runs one meta-episode of random actions, feeding `estimator` and returning Q of each observed state. */
function runEpisode(familyName: string, horizon: number, estimator: ValueEstimator, seed: number): Float64Array[] {
  const env = new MetaEnv(taskFamily(familyName), { horizon, seed });
  const rng = new Rng(seed + 1);
  let { info } = env.reset();
  estimator.reset();
  const seen: Float64Array[] = [];
  while (!env.done) {
    const result = env.step(rng.int(5));
    const transition = result.info.transition!;
    estimator.update(transition.state, transition.action, transition.reward, transition.nextState, transition.terminal);
    info = result.info;
    seen.push(estimator.qValues(info.state).slice());
  }
  return seen;
}

describe("ModelBasedEstimator (§3)", () => {
  it("gives the same outputs for the same inputs", () => {
    for (const name of ["mdps", "grid11"]) {
      const first = runEpisode(name, 100, createEstimator(taskFamily(name), { horizon: 100 }), 3);
      const second = runEpisode(name, 100, createEstimator(taskFamily(name), { horizon: 100 }), 3);
      expect(first).toEqual(second);
    }
  });

  it("on bandits shows the K = 1 value: the smoothed mean reward of each arm", () => {
    const estimator = createEstimator(taskFamily("bandits"), { horizon: 100 });
    estimator.update(0, 2, 1, 1, true);
    estimator.update(0, 2, 0, 1, true);
    estimator.update(0, 2, 1, 1, true);
    const q = estimator.qValues(0);
    // α = 0.1 over 2 states: mass (2 + 0.1)/(3 + 0.2) lands on the pulled state, whose mean reward is 2/3.
    expect(q[2]).toBeCloseTo(((3 + 0.1) / 3.2) * (2 / 3), 12);
    expect(q[0]).toBe(0);
    expect(Array.from(estimator.visitCounts(0))).toEqual([0, 0, 3, 0, 0]);
  });

  it("persists across inner episodes and forgets on reset", () => {
    const estimator = createEstimator(taskFamily("mdps"), { horizon: 100 });
    const q = runEpisode("mdps", 100, estimator, 5);
    expect(q.at(-1)!.some((value) => value !== 0)).toBe(true);
    const counts = Array.from({ length: 10 }, (_, state) => estimator.visitCounts(state).reduce((a, b) => a + b, 0));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
    estimator.reset();
    expect(Array.from(estimator.qValues(0))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(estimator.visitCounts(0))).toEqual([0, 0, 0, 0, 0]);
  });

  it("answers zeros for a gridworld state it has not seen yet", () => {
    const estimator = createEstimator(taskFamily("grid13"), { horizon: 350 });
    expect(Array.from(estimator.qValues(84))).toEqual([0, 0, 0, 0, 0]);
  });

  it("coarse: the model runs on abstract states while counts stay per concrete state", () => {
    const estimator = createEstimator(taskFamily("grid11"), { horizon: 250, coarse: true });
    const size = 11;
    const centre = 5 * size + 5;
    estimator.update(centre, 2, -1, centre + 1, false); // east: (5,6) merges with (5,5)
    expect(estimator.abstraction!.abstractStateOf(centre)).toBe(estimator.abstraction!.abstractStateOf(centre + 1));
    expect(Array.from(estimator.qValues(centre))).toEqual(Array.from(estimator.qValues(centre + 1)));
    expect(estimator.visitCounts(centre)[2]).toBe(1);
    expect(estimator.visitCounts(centre + 1)[2]).toBe(0);
    expect(estimator.model.knownStateCount).toBe(1);
  });

  it("warm starts that keep values across new states stay within the tolerance bound of the spec's restarts", () => {
    // Both stop when a sweep changes Q by < ε, i.e. within εγ/(1−γ) of the fixed point: they differ by ≤ twice that.
    const family = taskFamily("grid13");
    const bound = (2 * 0.1 * 0.95) / (1 - 0.95);
    for (const seed of [1, 2, 3]) {
      const auto = runEpisode("grid13", 350, createEstimator(family, { horizon: 350, warmStart: "auto" }), seed);
      const always = runEpisode("grid13", 350, createEstimator(family, { horizon: 350, warmStart: "always" }), seed);
      let worst = 0;
      auto.forEach((row, step) => row.forEach((value, action) => (worst = Math.max(worst, Math.abs(value - always[step]![action]!)))));
      expect(worst).toBeLessThanOrEqual(bound);
    }
  });

  it("rejects bad options and inputs with an Rl3Error naming them", () => {
    const family = taskFamily("mdps");
    expect(() => createEstimator(family, { horizon: 100, gamma: 0 })).toThrow(/^gamma must be/);
    expect(() => createEstimator(family, { horizon: 100, gamma: 1.01 })).toThrow(/^gamma must be/);
    expect(() => createEstimator(family, { horizon: 100, tolerance: -0.1 })).toThrow(/^tolerance must be/);
    expect(() => createEstimator(family, { horizon: 100, coarse: true })).toThrow(/^coarse must be false for mdps/);
    expect(() => createEstimator(family, { horizon: 0 })).toThrow(/^horizon must be/);
    const estimator = createEstimator(family, { horizon: 100 });
    expect(() => estimator.update(10, 0, 0, 1, false)).toThrow(/^state must be an integer in \[0, 9\]; got 10/);
    expect(() => estimator.update(0, 5, 0, 1, false)).toThrow(/^action must be/);
    expect(() => estimator.update(0, 0, Number.NaN, 1, false)).toThrow(/^reward must be a finite number/);
    expect(() => estimator.qValues(-1)).toThrow(/^state must be/);
    expect(() => new ModelBasedEstimator({ numActions: 5, maxStates: 10, maxSweeps: 10, warmStart: "sometimes" as never })).toThrow(/^warmStart must be/);
  });
});

describe("QLearningEstimator", () => {
  it("converges on a two-state chain", () => {
    // s0 --a0 (r 0)--> s1 --a0 (r 1)--> terminal; a1 in either state: stay, reward 0.
    const gamma = 0.9;
    const estimator = new QLearningEstimator({ numActions: 2, maxStates: 3, learningRate: 0.1, gamma });
    const rng = new Rng(6);
    for (let step = 0; step < 20_000; step++) {
      const state = rng.int(2);
      const action = rng.int(2);
      if (action === 1) estimator.update(state, 1, 0, state, false);
      else if (state === 0) estimator.update(0, 0, 0, 1, false);
      else estimator.update(1, 0, 1, 2, true);
    }
    const q0 = estimator.qValues(0).slice(); // qValues reuses one buffer: copy before the next call
    const q1 = estimator.qValues(1);
    expect(q1[0]).toBeCloseTo(1, 3);
    expect(q1[1]).toBeCloseTo(gamma, 3);
    expect(q0[0]).toBeCloseTo(gamma, 3);
    expect(q0[1]).toBeCloseTo(gamma * gamma, 3);
  });

  it("starts optimistic when asked and rejects bad options", () => {
    const estimator = new QLearningEstimator({ numActions: 3, maxStates: 2, initialValue: 5 });
    expect(Array.from(estimator.qValues(1))).toEqual([5, 5, 5]);
    expect(() => new QLearningEstimator({ numActions: 3, maxStates: 2, learningRate: 0 })).toThrow(/^learningRate must be/);
    expect(() => new QLearningEstimator({ numActions: 3, maxStates: 2, gamma: 2 })).toThrow(/^gamma must be/);
    expect(() => estimator.update(0, 0, Number.POSITIVE_INFINITY, 1, false)).toThrow(/^reward must be/);
  });
});
