import { Rl3Error, Rng } from "@rl3/core";
import { describe, expect, it } from "vitest";
import { chiSquareOfSampling, rowSums } from "../../test/helpers.js";
import { MetaEnv } from "../meta-env.js";
import { oracleReturn } from "../oracle.js";
import { GridWorld } from "./gridworld.js";
import { GridAction } from "./tiles.js";

const { Noop, North, East, South, West } = GridAction;

function probabilities(grid: GridWorld, state: number, action: number): Record<number, number> {
  const row = grid.transitionProbs(state, action);
  return Object.fromEntries([...row.entries()].filter(([, p]) => p > 0));
}

describe("GridWorld rules (§6.3) on hand-made grids", () => {
  const open = GridWorld.fromAscii(["   ", " S ", "   "]);

  it("slips 0.8 / 0.1 / 0.1 from an ordinary tile", () => {
    const centre = open.cellOf(1, 1);
    expect(probabilities(open, centre, North)).toEqual({ [open.cellOf(0, 1)]: 0.8, [open.cellOf(1, 0)]: 0.1, [open.cellOf(1, 2)]: 0.1 });
    const east = probabilities(open, centre, East);
    expect(east[open.cellOf(1, 2)]).toBeCloseTo(0.8, 12);
    expect(east[open.cellOf(0, 1)]).toBeCloseTo(0.1, 12);
    expect(east[open.cellOf(2, 1)]).toBeCloseTo(0.1, 12);
    const result = chiSquareOfSampling(open, centre, South, 100_000, 1);
    expect(result.statistic).toBeLessThanOrEqual(result.critical);
  });

  it("always slips sideways from a wet tile", () => {
    const wet = GridWorld.fromAscii(["S  ", " W ", "   "]);
    const centre = wet.cellOf(1, 1);
    expect(probabilities(wet, centre, North)).toEqual({ [wet.cellOf(1, 0)]: 0.5, [wet.cellOf(1, 2)]: 0.5 });
    expect(probabilities(wet, centre, West)).toEqual({ [wet.cellOf(0, 1)]: 0.5, [wet.cellOf(2, 1)]: 0.5 });
    const result = chiSquareOfSampling(wet, centre, East, 100_000, 2);
    expect(result.statistic).toBeLessThanOrEqual(result.critical);
  });

  it("NOOP stays and earns the current tile's enter-reward", () => {
    const grid = GridWorld.fromAscii(["S!W"]);
    expect(probabilities(grid, 0, Noop)).toEqual({ 0: 1 });
    expect(grid.meanReward(0, Noop, 0)).toBe(-1);
    expect(grid.meanReward(1, Noop, 1)).toBe(-10);
    expect(grid.meanReward(2, Noop, 2)).toBe(-2);
  });

  it("walls and obstacles keep the agent in place with that tile's reward", () => {
    const grid = GridWorld.fromAscii(["SO", "!O"], { slipProbability: 0 });
    expect(probabilities(grid, 0, East)).toEqual({ 0: 1 });
    expect(grid.meanReward(0, East, 0)).toBe(-1);
    expect(probabilities(grid, 0, North)).toEqual({ 0: 1 });
    expect(grid.meanReward(0, South, 2)).toBe(-10);
    expect(probabilities(grid, 2, West)).toEqual({ 2: 1 });
    expect(grid.meanReward(2, West, 2)).toBe(-10);
  });

  it("entering G earns +100 and X −100, both absorbing, and each ends the inner episode", () => {
    const grid = GridWorld.fromAscii(["XSG"], { slipProbability: 0 });
    expect(grid.meanReward(1, East, 2)).toBe(100);
    expect(grid.meanReward(1, West, 0)).toBe(-100);
    expect(grid.isAbsorbing(0) && grid.isAbsorbing(2)).toBe(true);
    expect(probabilities(grid, 2, West)).toEqual({ 2: 1 });
    expect(grid.meanReward(2, West, 2)).toBe(0);

    const env = new MetaEnv({ ...familyOf(grid) }, { horizon: 5, seed: 1 });
    env.reset({ task: grid });
    const goal = env.step(East);
    expect(goal.reward).toBe(100);
    expect(goal.info.transition).toMatchObject({ nextState: 2, terminal: true, episodeEnded: true });
    expect(goal.info.state).toBe(1);
    expect(goal.info.episodeStep).toBe(0);
    const danger = env.step(West);
    expect(danger.reward).toBe(-100);
    expect(danger.info.transition?.episodeEnded).toBe(true);
    expect(danger.info.state).toBe(1);
  });

  it("observes (row/n, column/n) with 1-based indices", () => {
    const grid = GridWorld.fromAscii(["   ", " S ", "   "]);
    expect(Array.from(grid.observation(grid.cellOf(0, 2)))).toEqual([1 / 3, 1]);
    expect(Array.from(grid.observation(grid.startState))).toEqual([2 / 3, 2 / 3]);
  });

  it("has transition rows summing to 1 everywhere", () => {
    const grid = GridWorld.fromAscii(["OW!X", "S  G", " WW "]);
    for (const sum of rowSums(grid)) expect(sum).toBeCloseTo(1, 12);
  });

  it("oracle: a deterministic corridor earns 99 per two steps", () => {
    const corridor = GridWorld.fromAscii(["S G"], { slipProbability: 0 });
    expect(oracleReturn(corridor, 4)).toBeCloseTo(198, 12);
    expect(oracleReturn(corridor, 5)).toBeCloseTo(197, 12);
    expect(oracleReturn(corridor, 1)).toBeCloseTo(-1, 12);
  });

  it("renders ASCII inside a frame", () => {
    expect(GridWorld.fromAscii(["S G", "O!X"]).render()).toBe("+---+\n|S G|\n|O!X|\n+---+");
  });

  it("rejects malformed grids with an Rl3Error naming the field", () => {
    expect(() => GridWorld.fromAscii(["S?"])).toThrow(/^lines\[0\]\[1\] must be one of/);
    expect(() => GridWorld.fromAscii(["S ", " "])).toThrow(/^lines\[1\]\.length must be 2/);
    expect(() => GridWorld.fromAscii(["  "])).toThrow(/exactly one 'S' tile/);
    expect(() => GridWorld.fromAscii(["S "], { slipProbability: 1.5 })).toThrow(/^slipProbability must be/);
    expect(() => open.sampleStep(0, 5, new Rng(1))).toThrow(Rl3Error);
  });
});

function familyOf(grid: GridWorld) {
  return {
    name: "hand-made",
    domain: "gridworld" as const,
    numStates: grid.numStates,
    numActions: 5,
    observationSize: 2,
    taskHorizon: Number.POSITIVE_INFINITY,
    parameters: {},
    sample: () => grid,
  };
}
