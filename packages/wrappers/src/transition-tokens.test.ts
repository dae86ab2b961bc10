import { BernoulliBandit, GridWorld, RandomMdp, type TabularTask, type TaskFamily, VecMetaEnv, taskFamily } from "@rl3/envs";
import { describe, expect, it } from "vitest";
import { encodedSize } from "./observation-encoder.js";
import { rl2Wrapper, rl3Wrapper } from "./observation-wrapper.js";

// Transition tokens (rl3's addition, docs/method.md): RL²'s §2.1 inputs, then the previous state and an inner-reset
// flag. Every expected vector below is written out by hand from the scripted trajectory.

function fixedFamily(task: TabularTask, domain: TaskFamily["domain"]): TaskFamily {
  return { name: `fixed-${domain}`, domain, numStates: task.numStates, numActions: task.numActions, observationSize: task.observationSize, taskHorizon: task.taskHorizon, parameters: {}, sample: () => task };
}

const close = (actual: Float32Array, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, index) => expect(actual[index], `entry ${index}`).toBeCloseTo(value, 5));
};

describe("transition-token sizes", () => {
  it("add the state block and one flag: RL²-transition 14/30/14, RL³-transition 31/47/31 for bandits/MDPs/gridworlds", () => {
    const families = ["bandits", "mdps", "grid11"].map((name) => taskFamily(name));
    expect(families.map((family) => encodedSize(family, "rl2-transition"))).toEqual([14, 30, 14]);
    expect(families.map((family) => encodedSize(family, "rl3-transition"))).toEqual([31, 47, 31]);
    // v4 drops the bandit state, and with it the previous state: only the flag is added.
    expect(encodedSize(taskFamily("bandits"), "rl2-transition", "v4")).toBe(encodedSize(taskFamily("bandits"), "rl2", "v4") + 1);
  });
});

describe("RL²-transition on a scripted gridworld trajectory", () => {
  // "S G" with no slip: East from S (−1) to the middle cell, then East into G (+100, inner reset), then East again.
  const grid = GridWorld.fromAscii(["S G"], { slipProbability: 0 });
  const family = fixedFamily(grid, "gridworld");
  const S = [1, 1 / 3];
  const M = [1, 2 / 3];

  it("carries the previous (row/n, col/n) with the reward earned there, zeros at the start, and flags the inner reset", () => {
    const wrapper = rl2Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 5, seed: 1 }), { transition: true });
    expect(wrapper.observationSize).toBe(14);
    // t = 0: no transition yet: previous state zeros, flag 0 (the start flag marks the meta-episode's start).
    close(wrapper.reset().observation, [0, 0, 0, 0, 0, 0, 1, 0, 0, ...S, 0, 0, 0]);
    // S --East, −1--> middle.
    close(wrapper.step([2]).observation, [0, 0, 1, 0, 0, -1, 0, 0.2, 0.2, ...M, ...S, 0]);
    // middle --East, +100--> G, which ends the inner episode: s_t is S again, the +100 is joined with the middle cell
    // it was earned from, and the inner-reset flag says s_t does not follow from it.
    close(wrapper.step([2]).observation, [0, 0, 1, 0, 0, 100, 0, 0.4, 0, ...S, ...M, 1]);
    // The flag lasts one step.
    close(wrapper.step([2]).observation, [0, 0, 1, 0, 0, -1, 0, 0.6, 0.2, ...M, ...S, 0]);
  });

  it("equals RL²'s vector with the transition block removed, step for step", () => {
    const plain = rl2Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 5, seed: 1 }));
    const transition = rl2Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 5, seed: 1 }), { transition: true });
    const strip = (vector: Float32Array) => Array.from(vector.subarray(0, 11));
    expect(strip(transition.reset().observation)).toEqual(Array.from(plain.reset().observation));
    for (const action of [2, 0, 2, 2]) expect(strip(transition.step([action]).observation)).toEqual(Array.from(plain.step([action]).observation));
  });
});

describe("RL²-transition on a scripted random MDP", () => {
  // Two states, deterministic: any action from 0 leads to 1 and pays 1, any action from 1 leads to 0 and pays 0.
  // Task horizon 2: every second step ends the inner episode and restarts at state 0.
  // T[s][a][s'] and R̄(s, a), flattened row-major; no reward noise.
  const transitions = [0, 1, 0, 1, 1, 0, 1, 0];
  const meanRewards = [1, 1, 0, 0];
  const mdp = new RandomMdp({ transitions, meanRewards, numStates: 2, numActions: 2, rewardNoise: 0, startState: 0, taskHorizon: 2 });
  const family = fixedFamily(mdp, "mdps");

  it("one-hot previous state, carried across the reset at τ = TH", () => {
    const wrapper = rl2Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 4, seed: 3 }), { transition: true });
    // [prev action (2) | prev reward | start | t/H | τ/TH | state (2) | previous state (2) | reset flag]
    close(wrapper.reset().observation, [0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
    close(wrapper.step([1]).observation, [0, 1, 1, 0, 0.25, 0.5, 0, 1, 1, 0, 0]);
    close(wrapper.step([0]).observation, [1, 0, 0, 0, 0.5, 0, 1, 0, 0, 1, 1]);
  });
});

describe("RL³-transition", () => {
  it("is RL²-transition's vector followed by RL³'s estimator blocks, on the same bandit pulls", () => {
    const family = fixedFamily(new BernoulliBandit([1, 1, 1, 1, 1]), "bandits");
    const make = (wrap: (env: VecMetaEnv) => ReturnType<typeof rl3Wrapper>) => wrap(new VecMetaEnv(family, { numEnvs: 1, horizon: 4, seed: 1 }));
    const rl3 = make((env) => rl3Wrapper(env));
    const rl3t = make((env) => rl3Wrapper(env, { transition: true }));
    const rl2t = make((env) => rl2Wrapper(env, { transition: true }));
    const check = (a: Float32Array, b: Float32Array, c: Float32Array) => {
      expect(Array.from(b.subarray(0, 14))).toEqual(Array.from(c));
      expect(Array.from(b.subarray(14))).toEqual(Array.from(a.subarray(11)));
    };
    check(rl3.reset().observation, rl3t.reset().observation, rl2t.reset().observation);
    for (const arm of [2, 2, 4]) check(rl3.step([arm]).observation, rl3t.step([arm]).observation, rl2t.step([arm]).observation);
  });

  it("has no coarse variant", () => {
    const family = taskFamily("grid13");
    expect(() => rl3Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 5, seed: 1 }), { coarse: true, transition: true })).toThrow(/^transition must be false/);
  });
});
