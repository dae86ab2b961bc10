import { Rl3Error, Rng } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edgeNumber, hostile, mostly, typedOrValid } from "@rl3/tools/hostile-values";
import { BernoulliBandit, banditFamily } from "./bandit.js";
import { TASK_FAMILY_NAMES, taskFamily } from "./families.js";
import { gridFamily } from "./gridworld/family.js";
import { generateGrid, rejectionValue, validateGridParameters } from "./gridworld/generator.js";
import { GridWorld } from "./gridworld/gridworld.js";
import { GRID_PRESETS } from "./gridworld/presets.js";
import { MetaEnv } from "./meta-env.js";
import { optimalStateValues } from "./optimal-values.js";
import { MetaEpisodeOracle, oracleReturn } from "./oracle.js";
import { RandomMdp, randomMdpFamily } from "./random-mdp.js";
import { TransitionTable } from "./transition-table.js";
import { VecMetaEnv } from "./vec-meta-env.js";

// Issue 31: every public function of @rl3/envs, given anything, throws an Rl3Error or returns a finite result,
// and never hangs (sizes are bounded by ENV_LIMITS, so a huge value is refused before it could take long).
const grid = GridWorld.fromAscii(["XXXXX", "X S X", "X  GX", "XXXXX"]);
const bandit = new BernoulliBandit([0.2, 0.8]);
const mdp = randomMdpFamily({ numStates: 3, numActions: 2 }).sample(new Rng(1));
const someTask = fc.constantFrom<unknown>(grid, bandit, mdp);
const someFamily = fc.constantFrom<unknown>(taskFamily("bandits"), taskFamily("mdps"), randomMdpFamily({ numStates: 3, numActions: 2 }));
const call = <R,>(fn: (...args: never[]) => R, args: unknown[]) => (): R => fn(...(args as never[]));

describe("@rl3/envs public API on hostile input", () => {
  it("taskFamily, banditFamily, randomMdpFamily, gridFamily and validateGridParameters", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(fc.constantFrom(...TASK_FAMILY_NAMES)), hostile, fc.record({ arms: mostly(fc.integer({ min: 1, max: 4 })), name: mostly(fc.string({ minLength: 1 })) }, { requiredKeys: [] }), async (name, options, partial) => {
        await typedOrValid(Rl3Error, call(taskFamily, [name]), (family) => expect(family.numStates).toBeGreaterThan(0));
        await typedOrValid(Rl3Error, call(banditFamily, [options]));
        await typedOrValid(Rl3Error, call(banditFamily, [partial]), (family) => expect(Number.isFinite(family.sample(new Rng(2)).transitionProbs(0, 0)[1]!)).toBe(true));
        await typedOrValid(Rl3Error, call(randomMdpFamily, [options]));
        await typedOrValid(Rl3Error, call(gridFamily, [options]));
        await typedOrValid(Rl3Error, call(validateGridParameters, [options]));
      }),
      { numRuns: 200 },
    );
    expect(() => taskFamily(42 as never)).toThrow(/^family must be a task family name/);
  });

  it("tasks: constructors and every method with hostile states, actions, rngs and outputs", async () => {
    await fc.assert(
      fc.asyncProperty(someTask, fc.constantFrom("sampleStep", "transitionProbs", "meanReward", "observation", "isAbsorbing"), fc.array(mostly(fc.integer({ min: 0, max: 4 })), { maxLength: 3 }), mostly(fc.constant(new Rng(3))), async (task, method, args, rng) => {
        const t = task as Record<string, (...a: unknown[]) => unknown>;
        const full = method === "sampleStep" ? [args[0], args[1], rng] : args;
        await typedOrValid(Rl3Error, () => t[method]!.apply(task, full), (result) => {
          if (method === "sampleStep") expect(Number.isFinite((result as { reward: number }).reward)).toBe(true);
        });
      }),
      { numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(hostile, hostile, hostile, async (a, b, c) => {
        await typedOrValid(Rl3Error, () => new BernoulliBandit(a as number[]));
        await typedOrValid(Rl3Error, () => new RandomMdp(a as never));
        await typedOrValid(Rl3Error, () => new RandomMdp({ numStates: 2, numActions: 1, transitions: b as number[], meanRewards: c as number[] }));
        await typedOrValid(Rl3Error, () => new GridWorld(a as Uint8Array, b as number, c as number));
        await typedOrValid(Rl3Error, () => GridWorld.fromAscii(a as string[]));
      }),
      { numRuns: 300 },
    );
  });

  it("oracle, optimal values, rejection value and the grid generator", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(someTask), mostly(fc.integer({ min: 1, max: 20 })), fc.record({ sweeps: edgeNumber, gamma: mostly(fc.double({ min: 0, max: 1 })), tolerance: mostly(fc.double({ min: 0, max: 1 })) }, { requiredKeys: [] }), hostile, async (task, horizon, options, other) => {
        await typedOrValid(Rl3Error, call(oracleReturn, [task, horizon]));
        await typedOrValid(Rl3Error, () => new MetaEpisodeOracle(task as never, horizon as number).bestAction(other as number, 0, 1));
        await typedOrValid(Rl3Error, call(optimalStateValues, [(task as { transitionTable?: () => unknown } | null | undefined)?.transitionTable?.() ?? task, options]), (values) => expect(values.length).toBeGreaterThan(0));
        await typedOrValid(Rl3Error, call(optimalStateValues, [other, options]));
        await typedOrValid(Rl3Error, call(rejectionValue, [other]));
        await typedOrValid(Rl3Error, call(generateGrid, [GRID_PRESETS.grid11, other]));
      }),
      { numRuns: 200 },
    );
  });

  it("TransitionTable.build with hostile sizes, flags, describers and emitted outcomes", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(fc.integer({ min: 1, max: 4 })), mostly(fc.integer({ min: 1, max: 3 })), hostile, fc.tuple(mostly(fc.integer({ min: -1, max: 4 })), edgeNumber, edgeNumber), async (numStates, numActions, other, [next, probability, reward]) => {
        const absorbing = new Uint8Array(typeof numStates === "number" && Number.isInteger(numStates) && numStates > 0 && numStates < 10 ? numStates : 1);
        await typedOrValid(Rl3Error, () => TransitionTable.build(numStates as number, numActions as number, absorbing, (_s, _a, emit) => emit(next as number, probability, reward)), (table) => {
          expect(Array.from(table.probability).every((p) => p > 0 && p <= 1)).toBe(true);
          expect(Array.from(table.meanReward).every(Number.isFinite)).toBe(true);
        });
        await typedOrValid(Rl3Error, () => TransitionTable.build(2, 1, other as never, other as never));
      }),
      { numRuns: 200 },
    );
  });

  it("optimalStateValues: NaN, negative or Infinity sweeps and a NaN gamma are refused at once, not zeros or a hang", () => {
    const table = grid.transitionTable();
    for (const sweeps of [Number.NaN, -1, Number.POSITIVE_INFINITY, 1e12]) expect(() => optimalStateValues(table, { sweeps })).toThrow(/^sweeps must be an integer in \[0, 1000000\]/);
    expect(() => optimalStateValues(table, { sweeps: 10, gamma: Number.NaN })).toThrow(/^gamma must be a number in \[0, 1\]/);
  });

  it("MetaEnv and VecMetaEnv: hostile families, options, tasks and actions", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(someFamily), fc.record({ numEnvs: mostly(fc.integer({ min: 1, max: 3 })), horizon: mostly(fc.integer({ min: 1, max: 4 })), seed: mostly(fc.integer()) }, { requiredKeys: [] }), hostile, fc.array(mostly(fc.integer({ min: 0, max: 2 })), { maxLength: 3 }), async (family, options, other, actions) => {
        await typedOrValid(Rl3Error, () => new VecMetaEnv(family as never, options as never), (env) => {
          void typedOrValid(Rl3Error, () => env.step(actions as number[]));
          env.reset();
          void typedOrValid(Rl3Error, () => env.reset({ tasks: other as never }));
          void typedOrValid(Rl3Error, () => env.step(actions as number[]), (result) => expect(Array.from(result.reward).every(Number.isFinite)).toBe(true));
        });
        await typedOrValid(Rl3Error, () => new MetaEnv(family as never, other as never));
      }),
      { numRuns: 300 },
    );
  });

  it("a task of the wrong size or domain is refused at reset, not steps later (identity, not observation size)", () => {
    const env = new VecMetaEnv(gridFamily(GRID_PRESETS.grid11), { numEnvs: 1, horizon: 5, seed: 1 });
    const grid13Task = gridFamily(GRID_PRESETS.grid13).sample(new Rng(4));
    expect(() => env.reset({ tasks: [grid13Task] })).toThrow(/^tasks\[0\] must be a task of family grid11 \(gridworld, 121 states/);
    expect(() => new VecMetaEnv(taskFamily("mdps"), { numEnvs: 1, horizon: 2 }).reset({ tasks: [bandit] })).toThrow(/^tasks\[0\] must be a task of family mdps/);
  });
});
