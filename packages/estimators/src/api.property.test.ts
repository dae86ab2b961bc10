import { Rl3Error, Rng } from "@rl3/core";
import { GRID_PRESETS, GridWorld, gridFamily, taskFamily } from "@rl3/envs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edgeNumber, hostile, mostly, typedOrValid } from "@rl3/tools/hostile-values";
import { bellmanSystemOfTask } from "./bellman-system.js";
import { CoarseAbstraction } from "./coarse-abstraction.js";
import { createEstimator, estimatorDefaults } from "./defaults.js";
import { ModelBasedEstimator } from "./model-based-estimator.js";
import { QLearningEstimator } from "./q-learning-estimator.js";
import { valueIteration } from "./solve.js";
import { TabularModel } from "./tabular-model.js";
import { ValueIterationWorkspace, runValueIteration } from "./value-iteration.js";

// Issue 31: every public function of @rl3/estimators, given anything, throws an Rl3Error or returns a finite
// result; sweeps are bounded by ESTIMATOR_LIMITS, and the hostile sizes here stay small so nothing runs long.
const grid = GridWorld.fromAscii(["XXXXX", "X S X", "X  GX", "XXXXX"]);
const families = fc.constantFrom<unknown>(taskFamily("bandits"), taskFamily("mdps"), gridFamily(GRID_PRESETS.grid11));
const call = <R,>(fn: (...args: never[]) => R, args: unknown[]) => (): R => fn(...(args as never[]));
const viOptions = fc.record({ gamma: mostly(fc.double({ min: 0.1, max: 1 })), maxSweeps: mostly(fc.integer({ min: 1, max: 50 })), tolerance: mostly(fc.double({ min: 0, max: 1 })) }, { requiredKeys: [] });

describe("@rl3/estimators public API on hostile input", () => {
  it("estimatorDefaults and createEstimator with hostile families and options", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(families), fc.record({ horizon: mostly(fc.integer({ min: 1, max: 30 })), coarse: mostly(fc.boolean()) }, { requiredKeys: [] }), async (family, options) => {
        await typedOrValid(Rl3Error, call(estimatorDefaults, [family, options]));
        await typedOrValid(Rl3Error, call(createEstimator, [family, options]), (estimator) => expect(Array.from((estimator as ModelBasedEstimator).qValues(0)).every(Number.isFinite)).toBe(true));
      }),
      { numRuns: 150 },
    );
    const square = { ...taskFamily("mdps"), domain: "gridworld" as const, numStates: 10 };
    expect(() => estimatorDefaults(square, { horizon: 5, coarse: true })).toThrow(/^family\.numStates must be n × n/);
    expect(estimatorDefaults(square, { horizon: 5 }).maxStates).toBe(10);
  });

  it("estimator and model constructors with hostile options, and their methods with hostile arguments", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.constantFrom("update", "qValues", "visitCounts"), fc.array(mostly(fc.integer({ min: 0, max: 3 })), { maxLength: 5 }), hostile, async (options, method, args, out) => {
        await typedOrValid(Rl3Error, () => new ModelBasedEstimator(options as never));
        await typedOrValid(Rl3Error, () => new QLearningEstimator(options as never));
        await typedOrValid(Rl3Error, () => new TabularModel(options as never));
        for (const estimator of [new ModelBasedEstimator({ maxStates: 4, numActions: 2, maxSweeps: 5 }), new QLearningEstimator({ maxStates: 4, numActions: 2 })]) {
          const full = method === "update" ? args : [args[0], out];
          await typedOrValid(Rl3Error, () => (estimator as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!.apply(estimator, full));
          expect(Array.from(estimator.qValues(0)).every(Number.isFinite)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("valueIteration, runValueIteration and bellmanSystemOfTask with hostile sources and options", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(fc.constantFrom<unknown>(grid, taskFamily("mdps").sample(new Rng(1)))), viOptions, hostile, async (source, options, other) => {
        await typedOrValid(Rl3Error, () => valueIteration(source as never, options as never).q);
        await typedOrValid(Rl3Error, () => valueIteration(other as never, options as never).q);
        await typedOrValid(Rl3Error, () => runValueIteration(other as never, options as never, new ValueIterationWorkspace()).q);
        await typedOrValid(Rl3Error, () => bellmanSystemOfTask(other as never).constant);
      }),
      { numRuns: 200 },
    );
  });

  it("CoarseAbstraction: hostile options, radii, features and states", async () => {
    await fc.assert(
      fc.asyncProperty(fc.record({ maxStates: mostly(fc.integer({ min: 1, max: 9 })), radius: mostly(fc.double({ min: 0.01, max: 1 })), clusterSize: mostly(fc.integer({ min: 1, max: 3 })) }, { requiredKeys: [] }), fc.func(mostly(fc.array(edgeNumber, { minLength: 2, maxLength: 2 }))), fc.array(mostly(fc.integer({ min: 0, max: 9 })), { maxLength: 6 }), hostile, async (options, features, states, size) => {
        await typedOrValid(Rl3Error, () => CoarseAbstraction.radiusForGrid(size as number));
        await typedOrValid(Rl3Error, () => new CoarseAbstraction({ ...options, features } as never), async (abstraction) => {
          for (const state of states) await typedOrValid(Rl3Error, () => abstraction.assign(state as number));
        });
        await typedOrValid(Rl3Error, () => new CoarseAbstraction(size as never));
      }),
      { numRuns: 200 },
    );
    expect(() => CoarseAbstraction.radiusForGrid(0)).toThrow(/^size must be an integer in \[1, /);
  });
});
