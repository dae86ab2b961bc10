import { Rl3Error, Rng } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { typedErrorOrValid } from "@rl3/tools/property-testing";
import { BernoulliBandit, banditFamily } from "./bandit.js";
import { GridWorld } from "./gridworld/gridworld.js";
import { generateGrid } from "./gridworld/generator.js";
import { ENV_LIMITS } from "./limits.js";
import { MetaEnv } from "./meta-env.js";
import { VecMetaEnv } from "./vec-meta-env.js";
import { oracleReturn } from "./oracle.js";
import { RandomMdp, randomMdpFamily } from "./random-mdp.js";

// "Typed error or valid result, never NaN, never a hang" for every public constructor: each generator mixes
// ordinary values with the edges a user can type (0, negatives, fractions, NaN, ±Inf, 1e9, 1e300).
const edgeNumber = fc.oneof(
  fc.constantFrom(0, -1, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e9, 1e300, -1e300, Number.MAX_SAFE_INTEGER),
  fc.double({ noNaN: false }),
);
const size = fc.oneof(fc.integer({ min: -2, max: 12 }), edgeNumber);

describe("environment constructors: typed error or valid result", () => {
  it("BernoulliBandit and banditFamily", () => {
    fc.assert(
      fc.property(fc.array(edgeNumber, { maxLength: 8 }), size, (probabilities, arms) => {
        typedErrorOrValid(Rl3Error, () => new BernoulliBandit(probabilities), (bandit) => {
          const { reward } = bandit.sampleStep(0, 0, new Rng(1));
          expect(reward === 0 || reward === 1).toBe(true);
          expect(Number.isFinite(oracleReturn(bandit, 5))).toBe(true);
        });
        typedErrorOrValid(Rl3Error, () => banditFamily({ arms }), (family) => expect(family.sample(new Rng(2)).numActions).toBe(arms));
      }),
      { numRuns: 200 },
    );
  });

  it("randomMdpFamily and RandomMdp with arbitrary sizes and parameters", () => {
    fc.assert(
      fc.property(size, size, edgeNumber, edgeNumber, size, (numStates, numActions, alpha, rewardNoise, taskHorizon) => {
        typedErrorOrValid(Rl3Error, () => randomMdpFamily({ numStates, numActions, alpha, rewardNoise, taskHorizon }).sample(new Rng(3)), (task) => {
          expect(Number.isFinite(oracleReturn(task, 12))).toBe(true);
          expect(Number.isFinite(task.sampleStep(task.startState, 0, new Rng(4)).reward)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(size, size, fc.array(edgeNumber, { maxLength: 20 }), fc.array(edgeNumber, { maxLength: 6 }), (numStates, numActions, transitions, meanRewards) => {
        typedErrorOrValid(Rl3Error, () => new RandomMdp({ numStates, numActions, transitions, meanRewards }), (task) => {
          expect(Number.isFinite(task.sampleStep(0, 0, new Rng(5)).reward)).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("GridWorld from arbitrary tile codes and sizes, and from arbitrary ASCII", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 30 }), size, size, (tiles, rows, columns) => {
        typedErrorOrValid(Rl3Error, () => new GridWorld(tiles, rows, columns), (grid) => {
          for (let state = 0; state < grid.numStates; state++) {
            for (let action = 0; action < 5; action++) {
              const probabilities = grid.transitionProbs(state, action);
              expect(Math.abs(probabilities.reduce((sum, p) => sum + p, 0) - 1)).toBeLessThan(1e-9);
              expect(Number.isFinite(grid.meanReward(state, action, state))).toBe(true);
            }
          }
        });
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom(" ", "S", "G", "X", "O", "W", "!", "?", "s"), maxLength: 5 }), { maxLength: 5 }), (lines) => {
        typedErrorOrValid(Rl3Error, () => GridWorld.fromAscii(lines), (grid) => expect(grid.render().split("\n")).toHaveLength(grid.rows + 2));
      }),
      { numRuns: 300 },
    );
  });

  it("the limits are refused before anything is allocated", () => {
    expect(() => banditFamily({ arms: 1e9 })).toThrow(/^arms must be an integer in \[1, 10000\]; got 1000000000$/);
    expect(() => randomMdpFamily({ numStates: 1e5 })).toThrow(/^numStates must be an integer in \[1, 1000\]; got 100000$/);
    expect(() => randomMdpFamily({ numStates: 1000, numActions: 100 })).toThrow(/^numStates must be at most 316 with 100 actions \(S · A · S ≤ 10000000\)/);
    expect(() => new GridWorld(new Uint8Array(0), 1e6, 1e6)).toThrow(/^rows must be an integer in \[1, 1000\]/);
    expect(() => new GridWorld(new Uint8Array(0), 1000, 1000)).toThrow(new RegExp(`^rows × columns must be at most ${ENV_LIMITS.gridCells} cells`));
    expect(() => new GridWorld(Uint8Array.of(1, 9), 1, 2)).toThrow(/^tiles\[1\] must be a tile code in \[0, 6\]/);
    const started = performance.now();
    expect(() => new MetaEnv(banditFamily(), { horizon: 1e12 })).toThrow(/^horizon must be an integer in \[1, 10000000\]/);
    expect(() => new VecMetaEnv(banditFamily(), { numEnvs: 1e9, horizon: 10 })).toThrow(/^numEnvs must be an integer in \[1, 65536\]/);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe("the grid generator fails fast on settings that can never pass its rejection test", () => {
  const base = { size: 13, obstacleSets: 0, obstacleLength: 1, waterSets: 0, waterLength: 1, dangers: 0, minGoalManhattan: 2, slipProbability: 0.2 };
  it("a goal too far for the 100-step value to reach 50 is refused up front, before any attempt", () => {
    const started = performance.now();
    expect(() => generateGrid({ ...base, size: 101, minGoalManhattan: 60 }, new Rng(1))).toThrow(/^minGoalManhattan must be at most 51: a goal farther away can never/);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it("settings that pass validation but never a layout stop after a bounded number of attempts with a ConfigError", () => {
    // Always-slippery water everywhere: the agent cannot steer, so no layout reaches the required value.
    const started = performance.now();
    expect(() => generateGrid({ ...base, size: 31, waterSets: 961, waterLength: 16, minGoalManhattan: 30 }, new Rng(2))).toThrow(/none did in 416 attempts/);
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 20_000);

  it("fuzz: arbitrary generator settings give a typed error or a grid that passed the test", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 15 }), fc.integer({ min: -1, max: 40 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 30 }), fc.double({ min: -0.5, max: 1.5, noNaN: true }), (gridSize, minGoalManhattan, dangers, obstacleSets, slipProbability) => {
        typedErrorOrValid(Rl3Error, () => generateGrid({ ...base, size: gridSize, minGoalManhattan, dangers, obstacleSets, slipProbability }, new Rng(gridSize)), (grid) => expect(grid.rows).toBe(gridSize));
      }),
      { numRuns: 25 },
    );
  }, 20_000);
});
