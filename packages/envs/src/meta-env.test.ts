import { InputError, Rng, StateError } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { taskFamily } from "./families.js";
import { MetaEnv } from "./meta-env.js";
import { MetaEpisodeOracle, oracleReturn } from "./oracle.js";
import type { GridWorld } from "./gridworld/gridworld.js";
import { VecMetaEnv } from "./vec-meta-env.js";

describe("MetaEnv (§5.1)", () => {
  it("runs H steps of one task with inner episodes of 10 on random MDPs", () => {
    const env = new MetaEnv(taskFamily("mdps"), { horizon: 25, seed: 1 });
    const { observation, info } = env.reset();
    expect(info).toMatchObject({ state: 0, step: 0, metaTime: 0, episodeStep: 0, episodeTime: 0, startOfTask: true });
    expect(Array.from(observation)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const task = env.task;
    for (let t = 1; t <= 25; t++) {
      const result = env.step(t % 5);
      expect(env.task).toBe(task);
      expect(result.info.step).toBe(t);
      expect(result.info.metaTime).toBeCloseTo(t / 25, 12);
      expect(result.info.startOfTask).toBe(false);
      expect(result.info.episodeStep).toBe(t % 10);
      expect(result.info.episodeTime).toBeCloseTo((t % 10) / 10, 12);
      expect(result.info.transition?.episodeEnded).toBe(t % 10 === 0);
      if (t % 10 === 0) expect(result.info.state).toBe(0);
      else expect(result.info.state).toBe(result.info.transition?.nextState);
      expect(result.terminated).toBe(t === 25);
    }
    expect(() => env.step(0)).toThrow(StateError);
    expect(() => env.step(0)).toThrow(/after the meta-episode ended \(t = H = 25\)/);
    const next = env.reset();
    expect(next.info.startOfTask).toBe(true);
    expect(env.task).not.toBe(task);
  });

  it("uses TH = H for gridworlds and TH = 1 for bandits", () => {
    const grid = new MetaEnv(taskFamily("grid11"), { horizon: 250, seed: 2 });
    grid.reset();
    expect(grid.step(0).info.episodeTime).toBeCloseTo(1 / 250, 12);
    const bandit = new MetaEnv(taskFamily("bandits"), { horizon: 100, seed: 3 });
    bandit.reset();
    const pull = bandit.step(2);
    expect(pull.info).toMatchObject({ state: 0, episodeStep: 0, episodeTime: 0 });
    expect(pull.info.transition).toMatchObject({ nextState: 1, terminal: true, episodeEnded: true });
  });

  it("is deterministic per seed", () => {
    const run = (seed: number) => {
      const env = new MetaEnv(taskFamily("grid13"), { horizon: 50, seed });
      env.reset();
      const rng = new Rng(99);
      const rewards: number[] = [];
      for (let t = 0; t < 50; t++) rewards.push(env.step(rng.int(5)).reward);
      return rewards;
    };
    expect(run(4)).toEqual(run(4));
    expect(run(4)).not.toEqual(run(5));
  });

  it("rejects bad input with an Rl3Error naming the field", () => {
    expect(() => new MetaEnv(taskFamily("mdps"), { horizon: 0 })).toThrow(/^horizon must be an integer in \[1, 10000000\]; got 0/);
    expect(() => new MetaEnv(taskFamily("mdps"), { horizon: -5 })).toThrow(InputError);
    const env = new MetaEnv(taskFamily("mdps"), { horizon: 5 });
    expect(() => env.step(0)).toThrow(/before reset/);
    env.reset();
    expect(() => env.step(5)).toThrow(/^actions\[0\] must be an integer in \[0, 4\]; got 5/);
    expect(() => env.step(1.5)).toThrow(InputError);
    expect(() => env.reset({ task: taskFamily("grid11").sample(new Rng(1)) })).toThrow(/^tasks\[0\] must be a task of family mdps/);
  });
});

describe("VecMetaEnv", () => {
  it("env 0 of a vector follows the same stream as a MetaEnv with the same seed", () => {
    const vec = new VecMetaEnv(taskFamily("mdps"), { numEnvs: 3, horizon: 30, seed: 8 });
    const single = new MetaEnv(taskFamily("mdps"), { horizon: 30, seed: 8 });
    vec.reset();
    single.reset();
    for (let t = 0; t < 30; t++) {
      const action = t % 5;
      const vecResult = vec.step([action, 0, 0]);
      const singleResult = single.step(action);
      expect(vecResult.reward[0]).toBe(singleResult.reward);
      expect(vecResult.info.states[0]).toBe(singleResult.info.state);
    }
  });

  it("steps envs independently with their own tasks", () => {
    const vec = new VecMetaEnv(taskFamily("grid11"), { numEnvs: 4, horizon: 10, seed: 9 });
    const { info } = vec.reset();
    const renders = info.tasks.map((task) => (task as GridWorld).render());
    expect(new Set(renders).size).toBe(4);
    const result = vec.step([1, 2, 3, 4]);
    expect(result.observation).toHaveLength(8);
    for (let env = 0; env < 4; env++) {
      const task = result.info.tasks[env]!;
      expect(Array.from(result.observation.subarray(env * 2, env * 2 + 2))).toEqual(Array.from(task.observation(result.info.states[env]!)));
    }
  });

  it("with envRngs, env i follows envRngs[i] alone: the same trajectory in any batch, and rng ≡ its successive splits", () => {
    const family = taskFamily("grid13");
    const trajectory = (env: VecMetaEnv, index: number, steps: number) => {
      const { info } = env.reset();
      const states = [info.tasks[index]!.startState];
      for (let t = 0; t < steps; t++) states.push(env.step(Array.from({ length: env.numEnvs }, (_, other) => (t + other) % 4)).info.states[index]!);
      return { task: (info.tasks[index] as GridWorld).render(), states };
    };
    // Env 0 of a batch of three (actions (t + env) mod 4) against the same stream alone (actions t mod 4).
    const inBatch = trajectory(new VecMetaEnv(family, { numEnvs: 3, horizon: 40, envRngs: [new Rng(5), new Rng(6), new Rng(7)] }), 0, 40);
    const alone = trajectory(new VecMetaEnv(family, { numEnvs: 1, horizon: 40, envRngs: [new Rng(5)] }), 0, 40);
    expect(alone).toEqual(inBatch);
    // Env 2 sits at index 0 of another batch.
    expect(trajectory(new VecMetaEnv(family, { numEnvs: 3, horizon: 40, envRngs: [new Rng(7), new Rng(1), new Rng(2)] }), 0, 40).task).toBe(trajectory(new VecMetaEnv(family, { numEnvs: 3, horizon: 40, envRngs: [new Rng(5), new Rng(6), new Rng(7)] }), 2, 40).task);

    const root = new Rng(11);
    const splits = [root.split(), root.split()];
    expect(trajectory(new VecMetaEnv(family, { numEnvs: 2, horizon: 40, envRngs: splits }), 1, 40)).toEqual(trajectory(new VecMetaEnv(family, { numEnvs: 2, horizon: 40, rng: new Rng(11) }), 1, 40));
  });

  it("rejects envRngs of the wrong length or beside seed/rng", () => {
    const family = taskFamily("mdps");
    expect(() => new VecMetaEnv(family, { numEnvs: 3, horizon: 5, envRngs: [new Rng(1)] })).toThrow(/^envRngs\.length must be 3 \(numEnvs\); got 1$/);
    expect(() => new VecMetaEnv(family, { numEnvs: 1, horizon: 5, envRngs: [new Rng(1)], seed: 3 })).toThrow(InputError);
  });

  it("keeps its invariants for any seed and action sequence (property)", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 20, maxLength: 20 }), (seed, actions) => {
        const vec = new VecMetaEnv(taskFamily("mdps"), { numEnvs: 2, horizon: 20, seed });
        vec.reset();
        for (const [t, action] of actions.entries()) {
          const { info, terminated } = vec.step([action, 4 - action]);
          expect(terminated).toBe(t === 19);
          for (let env = 0; env < 2; env++) {
            expect(info.episodeSteps[env]).toBe((t + 1) % 10);
            expect(info.episodeTimes[env]! >= 0 && info.episodeTimes[env]! < 1).toBe(true);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe("oracleReturn", () => {
  it("matches the simulated return of the oracle's own policy (within 4 s.e.)", () => {
    for (const [name, horizon] of [["mdps", 30], ["grid11", 60]] as const) {
      const task = taskFamily(name).sample(new Rng(10));
      const oracle = new MetaEpisodeOracle(task, horizon);
      const env = new MetaEnv(taskFamily(name), { horizon, seed: 11 });
      const returns: number[] = [];
      for (let episode = 0; episode < 2000; episode++) {
        let { info } = env.reset({ task });
        let total = 0;
        for (let t = 0; t < horizon; t++) {
          const result = env.step(oracle.bestAction(info.state, info.episodeStep, horizon - t));
          total += result.reward;
          info = result.info;
        }
        returns.push(total);
      }
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      const variance = returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (returns.length - 1);
      expect(Math.abs(mean - oracle.value)).toBeLessThan(4 * Math.sqrt(variance / returns.length) + 1e-9);
    }
  });

  it("rejects a horizon ≤ 0", () => {
    const task = taskFamily("mdps").sample(new Rng(12));
    expect(() => oracleReturn(task, 0)).toThrow(/^horizon must be/);
  });
});
