import { Rng } from "@rl3/core";
import { BernoulliBandit, GridWorld, type TabularTask, type TaskFamily, VecMetaEnv, taskFamily } from "@rl3/envs";
import { describe, expect, it } from "vitest";
import { encodedSize } from "./observation-encoder.js";
import { rl2Wrapper, rl3Wrapper } from "./observation-wrapper.js";

function fixedFamily(task: TabularTask, domain: TaskFamily["domain"]): TaskFamily {
  return { name: `fixed-${domain}`, domain, numStates: task.numStates, numActions: task.numActions, observationSize: task.observationSize, taskHorizon: task.taskHorizon, parameters: {}, sample: () => task };
}

const close = (actual: Float32Array, expected: number[]) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, index) => expect(actual[index], `entry ${index}`).toBeCloseTo(value, 5));
};

describe("observation sizes (§2.1)", () => {
  it("are RL² 11/19/11 and RL³ 28/36/28 for bandits/MDPs/gridworlds", () => {
    const families = ["bandits", "mdps", "grid11"].map((name) => taskFamily(name));
    expect(families.map((family) => encodedSize(family, "rl2"))).toEqual([11, 19, 11]);
    expect(families.map((family) => encodedSize(family, "rl3"))).toEqual([28, 36, 28]);
  });
});

describe("encoded vectors of a scripted bandit trajectory, by hand", () => {
  // One pull of arm 2 paying 1. With α = 0.1 over 2 states and K = 1 sweep: Q(0, 2) = (1 + 0.1)/(1 + 0.2) · 1.
  const q = 1.1 / 1.2;
  const family = fixedFamily(new BernoulliBandit([1, 1, 1, 1, 1]), "bandits");
  const run = (wrap: (env: VecMetaEnv) => ReturnType<typeof rl3Wrapper>) => {
    const wrapper = wrap(new VecMetaEnv(family, { numEnvs: 1, horizon: 4, seed: 1 }));
    const first = wrapper.reset().observation.slice();
    const second = wrapper.step([2]).observation.slice();
    return { first, second };
  };

  it("rlc, fresh: advantages (Q − V)/1, V/1, zero std-errors, counts/10", () => {
    const { first, second } = run((env) => rl3Wrapper(env));
    close(first, [0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    close(second, [0, 0, 1, 0, 0, 1, 0, 0.25, 0, 1, 0, -q, -q, 0, -q, -q, q, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0, 0]);
  });

  it("rlc, stale: the reference code shows the start state's never-refreshed cache (zeros); counts stay fresh", () => {
    const { second } = run((env) => rl3Wrapper(env, { qCache: "stale" }));
    close(second, [0, 0, 1, 0, 0, 1, 0, 0.25, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 0, 0]);
  });

  it("v4: no state for bandits, raw Q/1, counts/100, τ/TH and t/H last", () => {
    const { second } = run((env) => rl3Wrapper(env, { encoding: "v4" }));
    close(second, [0, 0, 1, 0, 0, 1, 0, 0, 0, q, 0, 0, 0, 0, 0.01, 0, 0, 0, 0.25]);
  });

  it("RL²: the same trajectory without the estimator blocks", () => {
    const { second } = run((env) => rl2Wrapper(env));
    close(second, [0, 0, 1, 0, 0, 1, 0, 0.25, 0, 1, 0]);
  });
});

describe("encoded vectors of a scripted gridworld trajectory, by hand", () => {
  // "S G" with no slip: East from S (−1) to the middle cell, then East into G (+100, inner reset).
  const grid = GridWorld.fromAscii(["S G"], { slipProbability: 0 });
  const family = fixedFamily(grid, "gridworld");

  it("RL²: previous action and raw reward, flags, t/H, τ/TH with TH = H, (row/n, col/n)", () => {
    const wrapper = rl2Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 5, seed: 1 }));
    close(wrapper.reset().observation, [0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1 / 3]);
    close(wrapper.step([2]).observation, [0, 0, 1, 0, 0, -1, 0, 0.2, 0.2, 1, 2 / 3]);
    // Entering G ends the inner episode: the agent is back at S with τ = 0; the start flag stays 0.
    close(wrapper.step([2]).observation, [0, 0, 1, 0, 0, 100, 0, 0.4, 0, 1, 1 / 3]);
  });

  it("RL³ (rlc, fresh): Q of the observed state from the Laplace model (α 0.01, γ 0.95, K = H = 5)", () => {
    const wrapper = rl3Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 5, seed: 1 }));
    wrapper.reset();
    const observation = wrapper.step([2]).observation;
    // Known states {S, middle}. The middle cell is untried: every action goes uniformly to the 2 known states with
    // reward 0, so all its Q are equal: advantages 0. Dense reference VI over the 2 known states, 5 sweeps:
    const gamma = 0.95;
    let vS = 0;
    let vM = 0;
    for (let sweep = 0; sweep < 5; sweep++) {
      const untried = gamma * (vS + vM) / 2;
      const east = (1.01 / 1.02) * (-1 + gamma * vM) + (0.01 / 1.02) * (0 + gamma * vS);
      [vS, vM] = [Math.max(untried, east), untried];
    }
    close(observation.subarray(11), [0, 0, 0, 0, 0, vM / 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    close(observation.subarray(0, 11), [0, 0, 1, 0, 0, -1, 0, 0.2, 0.2, 1, 2 / 3]);
    // After a second step the start state's Q is fresh, not the stale cache: V(S) shows.
    const back = wrapper.step([2]).observation;
    expect(back[9]).toBeCloseTo(1, 6);
    expect(back[10]).toBeCloseTo(1 / 3, 6);
    expect(back[25]).toBeCloseTo(0.1, 6); // N(S, East) / 10: counts start at entry 23
  });

  it("rejects RL³-coarse outside gridworlds", () => {
    expect(() => rl3Wrapper(new VecMetaEnv(taskFamily("mdps"), { numEnvs: 1, horizon: 5, seed: 1 }), { coarse: true })).toThrow(/^method must be/);
  });

  it("is deterministic", () => {
    const run = () => {
      const wrapper = rl3Wrapper(new VecMetaEnv(taskFamily("mdps"), { numEnvs: 2, horizon: 20, seed: 4 }));
      wrapper.reset();
      const rng = new Rng(5);
      let last = new Float32Array(0);
      for (let t = 0; t < 20; t++) last = wrapper.step([rng.int(5), rng.int(5)]).observation.slice();
      return Array.from(last);
    };
    expect(run()).toEqual(run());
  });
});
