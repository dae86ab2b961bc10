import { ConfigError, Rl3Error, Rng } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gridFamily } from "./family.js";
import { type GridParameters, generateGrid, rejectionValue } from "./generator.js";
import type { GridWorld } from "./gridworld.js";
import { GRID_PRESETS, type GridPresetName } from "./presets.js";
import { Tile } from "./tiles.js";

const GRIDS_PER_PRESET = 25;

/** Checks every structural promise of §6.3 that a finished grid can show. */
function expectSatisfiesParameters(grid: GridWorld, parameters: GridParameters): void {
  const { size } = parameters;
  const centre = (size - 1) / 2;
  expect(grid.rows).toBe(size);
  expect(grid.columns).toBe(size);
  expect(grid.startState).toBe(grid.cellOf(centre, centre));
  expect(grid.slipProbability).toBe(parameters.slipProbability);
  const count = (tile: Tile) => grid.tiles.filter((t) => t === tile).length;
  expect(count(Tile.Start)).toBe(1);
  expect(count(Tile.Goal)).toBe(1);
  expect(count(Tile.Danger)).toBe(parameters.dangers);
  expect(count(Tile.Wet)).toBeLessThanOrEqual(parameters.waterSets * parameters.waterLength);
  const goal = grid.tiles.indexOf(Tile.Goal);
  expect(Math.abs(Math.floor(goal / size) - centre) + Math.abs((goal % size) - centre)).toBeGreaterThanOrEqual(parameters.minGoalManhattan);
  grid.tiles.forEach((tile, cell) => {
    if (tile !== Tile.Danger) return;
    const row = Math.floor(cell / size);
    const column = cell % size;
    expect(row > 0 && row < size - 1 && column > 0 && column < size - 1).toBe(true);
    for (const neighbour of [cell - size, cell + 1, cell + size, cell - 1]) expect(grid.tiles[neighbour]).toBe(Tile.Warning);
  });
  const value = rejectionValue(grid);
  expect(value).toBeGreaterThanOrEqual(50);
  expect(value).toBeLessThanOrEqual(100);
}

describe("procedural gridworlds (§6.3)", () => {
  it.each(Object.keys(GRID_PRESETS) as GridPresetName[])("every %s grid satisfies the rejection test and its parameters", (name) => {
    const family = gridFamily(GRID_PRESETS[name], name);
    const rng = new Rng(2024);
    for (let index = 0; index < GRIDS_PER_PRESET; index++) expectSatisfiesParameters(family.sample(rng), GRID_PRESETS[name]);
  });

  it("the canonical presets are the §6.3 parameters", () => {
    const canonical = { obstacleSets: 11, obstacleLength: 3, waterSets: 5, waterLength: 2, dangers: 2, minGoalManhattan: 8, slipProbability: 0.2 };
    expect(GRID_PRESETS.grid11).toEqual({ size: 11, ...canonical });
    expect(GRID_PRESETS.grid13).toEqual({ size: 13, ...canonical });
  });

  it("corner goals sit in a corner (Manhattan 12 on 13×13)", () => {
    const grid = gridFamily(GRID_PRESETS["grid13:corner"]).sample(new Rng(3));
    const goal = grid.tiles.indexOf(Tile.Goal);
    expect([0, 12, 156, 168]).toContain(goal);
  });

  it("the same seed gives the same grids; another seed, others", () => {
    const family = gridFamily(GRID_PRESETS.grid13);
    const first = new Rng(11);
    const second = new Rng(11);
    for (let index = 0; index < 5; index++) expect(family.sample(first).render()).toBe(family.sample(second).render());
    expect(family.sample(new Rng(12)).render()).not.toBe(family.sample(new Rng(11)).render());
  });

  it("generated grids pass the rejection test for any seed (property)", () => {
    const family = gridFamily(GRID_PRESETS.grid11);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const value = rejectionValue(family.sample(new Rng(seed)));
        return value >= 50 && value <= 100;
      }),
      { numRuns: 30 },
    );
  });

  it("rejects parameters it cannot satisfy with a ConfigError naming the field", () => {
    const base = GRID_PRESETS.grid13;
    const bad: Array<[Partial<GridParameters>, RegExp]> = [
      [{ size: 12 }, /^size must be an odd integer/],
      [{ size: 3 }, /^size must be/],
      [{ size: Number.NaN }, /^size must be/],
      [{ obstacleSets: -1 }, /^obstacleSets must be/],
      [{ obstacleLength: 1.5 }, /^obstacleLength must be/],
      [{ dangers: 40 }, /^dangers must be an integer in \[0, 13\]; got 40/],
      [{ minGoalManhattan: 13 }, /^minGoalManhattan must be an integer in \[1, 12\]; got 13/],
      [{ slipProbability: -0.1 }, /^slipProbability must be a probability/],
    ];
    for (const [change, message] of bad) {
      expect(() => gridFamily({ ...base, ...change })).toThrow(ConfigError);
      expect(() => gridFamily({ ...base, ...change })).toThrow(message);
    }
  });

  it("gives up with a ConfigError when no grid can pass the rejection test", () => {
    // Valid parameters, but with slip 1 every move goes sideways: the agent random-walks, and a corner goal 8
    // steps away is never worth ≥ 50 within 100 steps.
    const impossible: GridParameters = { size: 9, obstacleSets: 0, obstacleLength: 1, waterSets: 0, waterLength: 1, dangers: 0, minGoalManhattan: 8, slipProbability: 1 };
    const error = (() => {
      try {
        generateGrid(impossible, new Rng(1));
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(Rl3Error);
    expect((error as Error).message).toMatch(/^gridParameters must be parameters that can produce a grid/);
  });
});
