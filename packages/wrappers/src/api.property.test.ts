import { InputError, Rl3Error, Rng, UnknownNameError } from "@rl3/core";
import { GRID_PRESETS, VecMetaEnv, gridFamily, taskFamily } from "@rl3/envs";
import type { PolicyRunner } from "@rl3/onnx";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edgeNumber, hostile, mostly, typedOrValid } from "@rl3/tools/hostile-values";
import { BASELINE_NAMES, createBaseline } from "./agents.js";
import { evaluate, testTasks } from "./evaluate.js";
import { ObservationEncoder, encodedSize } from "./observation-encoder.js";
import { rl2Wrapper, rl3Wrapper } from "./observation-wrapper.js";
import { PolicyAgent } from "./policy-agent.js";
import { taskStreams, trainingStreams } from "./streams.js";
import { startTestEpisodes } from "./test-episodes.js";

// Issue 31: every public function of @rl3/wrappers, given anything, throws an Rl3Error or returns finite
// values. Episodes and horizons are drawn small (or refused by ENV_LIMITS), so no call can run long.
const cheapFamilies = fc.constantFrom<unknown>("bandits", "mdps", taskFamily("bandits"));
const call = <R,>(fn: (...args: never[]) => R, args: unknown[]) => (): R => fn(...(args as never[]));

/** A stand-in for a loaded policy file: PolicyAgent reads only its metadata, sizes and acting methods. */
function fakePolicy(family: string, method: string, observationSize: number, numActions: number): PolicyRunner {
  return {
    metadata: { encoder: { method, encoding: "rlc", qCache: "fresh", horizon: 4, family, size: observationSize } },
    observationSize,
    numActions,
    reset: () => {},
    act: async () => ({ actions: new Int32Array(1), logits: new Float32Array(numActions) }),
    forward: async () => new Float32Array(numActions),
    release: async () => {},
  } as unknown as PolicyRunner;
}

describe("@rl3/wrappers public API on hostile input", () => {
  it("createBaseline: an unknown name is an UnknownNameError, never undefined", () => {
    expect(() => createBaseline("ucb2" as never)).toThrow(UnknownNameError);
    expect(() => createBaseline("ucb2" as never)).toThrow(/did you mean "ucb1"/);
    fc.assert(fc.property(hostile, (name) => {
      try {
        expect(createBaseline(name as never)).toBeDefined();
      } catch (error) {
        expect(error).toBeInstanceOf(Rl3Error);
      }
    }));
  });

  it("evaluate, testTasks and startTestEpisodes with hostile agents, families and options", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BASELINE_NAMES), mostly(cheapFamilies), fc.record({ horizon: fc.oneof(fc.integer({ min: 1, max: 6 }), edgeNumber), episodes: fc.oneof(fc.integer({ min: 1, max: 3 }), edgeNumber), seed: mostly(fc.integer()), batchSize: mostly(fc.integer({ min: 1, max: 4 })) }), hostile, async (name, family, options, other) => {
        await typedOrValid(Rl3Error, async () => (await evaluate(createBaseline(name), { family: family as string, ...options } as never)).returns);
        await typedOrValid(Rl3Error, async () => (await evaluate(other as never, { family: "bandits", horizon: 2, episodes: 1 })).returns);
        await typedOrValid(Rl3Error, async () => (await evaluate(createBaseline("random"), other as never)).returns);
        await typedOrValid(Rl3Error, async () => (await evaluate(createBaseline("random"), { family: "bandits", horizon: 2, taskIndices: other as never })).returns);
        await typedOrValid(Rl3Error, () => testTasks(other as never, 1).length);
        await typedOrValid(Rl3Error, () => testTasks(taskFamily("bandits"), other as number).length);
        await typedOrValid(Rl3Error, async () => (await startTestEpisodes(createBaseline("random"), { family: "bandits", horizon: 2, taskIndices: other as never })).totals);
      }),
      { numRuns: 80 },
    );
    await expect(evaluate(createBaseline("random"), { family: "bandits", horizon: 2, episodes: 1e9 })).rejects.toThrow(/^episodes must be an integer in \[1, 10000\]/);
  });

  it("streams: fractional, negative or huge seeds, counts and iterations are typed errors", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (a, b) => {
        await typedOrValid(Rl3Error, () => trainingStreams(a as number, b as number).environment.float());
        await typedOrValid(Rl3Error, () => taskStreams(a as never, 2).length);
        await typedOrValid(Rl3Error, () => taskStreams(new Rng(1), b as number).length);
      }),
      { numRuns: 200 },
    );
  });

  it("ObservationEncoder and the wrappers: hostile families, sizes, options, infos and rewards", async () => {
    const family = taskFamily("bandits");
    await fc.assert(
      fc.asyncProperty(mostly(fc.constant(family)), mostly(fc.integer({ min: 1, max: 3 })), fc.record({ method: mostly(fc.constantFrom("rl2", "rl3", "rl2-transition")), horizon: mostly(fc.integer({ min: 1, max: 5 })) }), fc.array(edgeNumber, { maxLength: 3 }), hostile, async (f, numEnvs, options, rewards, other) => {
        await typedOrValid(Rl3Error, () => new ObservationEncoder(f as never, numEnvs as number, options as never).size);
        await typedOrValid(Rl3Error, () => rl2Wrapper(other as never).observationSize);
        await typedOrValid(Rl3Error, () => rl3Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 3 }), other as never).observationSize);
        for (const method of ["rl2", "rl2-transition", "rl3"] as const) {
          const env = new VecMetaEnv(family, { numEnvs: 1, horizon: 3, seed: 1 });
          const encoder = new ObservationEncoder(family, 1, { method, horizon: 3 });
          encoder.begin(env.reset().info);
          const { info } = env.step([0]);
          await typedOrValid(Rl3Error, () => encoder.advance(info, rewards));
          await typedOrValid(Rl3Error, () => encoder.advance(other as never, Float64Array.of(0)));
          await typedOrValid(Rl3Error, () => encoder.begin(other as never));
        }
      }),
      { numRuns: 100 },
    );
  });

  it("RL² and RL²-transition refuse NaN and ±Infinity rewards, as RL³ does", () => {
    const family = taskFamily("mdps");
    for (const method of ["rl2", "rl2-transition", "rl3"] as const) {
      const env = new VecMetaEnv(family, { numEnvs: 1, horizon: 3, seed: 1 });
      const encoder = new ObservationEncoder(family, 1, { method, horizon: 3 });
      encoder.begin(env.reset().info);
      const { info } = env.step([0]);
      for (const reward of [Number.NaN, Number.POSITIVE_INFINITY]) expect(() => encoder.advance(info, Float64Array.of(reward))).toThrow(/^rewards\[0\] must be a finite number/);
    }
  });

  it("learners are bounded before allocation: envs × states × actions within ESTIMATOR_LIMITS.batchEntries", () => {
    const started = performance.now();
    expect(() => new ObservationEncoder(taskFamily("grid13"), 65_536, { method: "rl3", horizon: 10 })).toThrow(/^numEnvs must be at most 59171 for grid13/);
    expect(performance.now() - started).toBeLessThan(100);
    expect(new ObservationEncoder(taskFamily("grid13"), 65_536, { method: "rl2", horizon: 10 }).size).toBe(encodedSize(taskFamily("grid13"), "rl2"));
  });

  it("a learner sized for grid11 refuses a 169-state task at begin, not steps later", () => {
    const grid11 = gridFamily(GRID_PRESETS.grid11);
    const encoder = new ObservationEncoder(grid11, 1, { method: "rl3", horizon: 20 });
    const grid13Env = new VecMetaEnv(gridFamily(GRID_PRESETS.grid13), { numEnvs: 1, horizon: 20, seed: 1 });
    expect(() => encoder.begin(grid13Env.reset().info)).toThrow(/^info\.tasks\[0\] must be a task of family grid11 \(gridworld, 121 states/);
  });

  it("cross-family safety by identity: a bandits policy is refused on grid11 and a grid11 policy on bandits, though sizes match", () => {
    const bandits = taskFamily("bandits");
    const grid11 = taskFamily("grid11");
    expect(encodedSize(bandits, "rl2")).toBe(encodedSize(grid11, "rl2"));
    const size = encodedSize(bandits, "rl2");
    expect(() => new PolicyAgent(fakePolicy("bandits", "rl2", size, 5)).checkFamily(grid11, 4)).toThrow(/^tasks must be a bandits family like bandits/);
    expect(() => new PolicyAgent(fakePolicy("grid11", "rl2", size, 5)).checkFamily(bandits, 4)).toThrow(/^tasks must be a gridworld family like grid11/);
    // OOD variants of the training family keep working.
    expect(new PolicyAgent(fakePolicy("bandits", "rl2", size, 5)).checkFamily(taskFamily("bandits:ood"), 4).size).toBe(size);
    expect(new PolicyAgent(fakePolicy("grid13", "rl2", size, 5)).checkFamily(taskFamily("grid13:dense" as never), 4).size).toBe(size);
    expect(() => new PolicyAgent(null as never)).toThrow(InputError);
  });
});
