import { ConfigError, InputError, type Rng } from "@rl3/core";
import { requireRng } from "../checks.js";
import { optimalStateValues } from "../optimal-values.js";
import { GridWorld } from "./gridworld.js";
import { Tile } from "./tiles.js";

/** Parameters of `create_grid` (§6.3) plus the slip probability of non-wet tiles. */
export interface GridParameters {
  /** Side length n of the n × n grid; odd, so that the start is the centre cell. */
  size: number;
  obstacleSets: number;
  obstacleLength: number;
  waterSets: number;
  waterLength: number;
  dangers: number;
  /** The goal is at Manhattan distance ≥ this from the centre. */
  minGoalManhattan: number;
  slipProbability: number;
}

/** §6.3 rejection test: the optimal undiscounted 100-step value from the start must lie in [50, 100]. */
export const REJECTION_LOOKAHEAD = 100;
export const REJECTION_TOLERANCE = 0.01;
export const REJECTION_VALUE_RANGE = [50, 100] as const;
/** Attempts before concluding that the parameters cannot produce an acceptable grid. */
export const MAX_GENERATION_ATTEMPTS = 2000;
/**
 * Cells × attempts the generator may evaluate before it gives up: each attempt runs a 100-sweep value iteration
 * over every cell (≈ 15 µs per cell here), so large grids get fewer attempts and a hopeless request fails within
 * about 6 s instead of minutes. Grids up to 14 × 14 (every preset) keep all MAX_GENERATION_ATTEMPTS.
 */
export const GENERATION_CELL_BUDGET = 400_000;

/** How many layouts `generateGrid` tries for an n × n grid before it reports that none passed. */
export function generationAttempts(size: number): number {
  return Math.max(1, Math.min(MAX_GENERATION_ATTEMPTS, Math.floor(GENERATION_CELL_BUDGET / (size * size))));
}

/**
 * The farthest goal distance that can pass the rejection test: reaching a goal d steps away earns 100 after at
 * least d − 1 steps costing ≥ 1 each, so the value is at most 101 − d, which must reach the lower bound.
 */
export const MAX_PASSABLE_GOAL_DISTANCE = 101 - REJECTION_VALUE_RANGE[0];

function requireCount(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError({ field, value, expected: `an integer in [${min}, ${max}]` });
  }
}

/** Checks parameters before any generation, so a hopeless request fails at once with the offending field. */
export function validateGridParameters(parameters: GridParameters): void {
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new ConfigError({ field: "gridParameters", value: parameters, expected: "an object of grid parameters (size, obstacleSets, …)" });
  }
  const { size } = parameters;
  if (!Number.isInteger(size) || size < 5 || size % 2 === 0 || size > 101) {
    throw new ConfigError({ field: "size", value: size, expected: "an odd integer in [5, 101] (the start is the centre cell)" });
  }
  requireCount("obstacleSets", parameters.obstacleSets, 0, size * size);
  requireCount("obstacleLength", parameters.obstacleLength, 1, (size + 1) / 2);
  requireCount("waterSets", parameters.waterSets, 0, size * size);
  requireCount("waterLength", parameters.waterLength, 1, (size + 1) / 2);
  // Each danger blocks its plus-shaped neighbourhood; more than ~a ninth of the interior can never fit.
  requireCount("dangers", parameters.dangers, 0, Math.floor(((size - 2) * (size - 2)) / 9));
  // The farthest cell from the centre is a corner at Manhattan distance size − 1.
  requireCount("minGoalManhattan", parameters.minGoalManhattan, 1, size - 1);
  if (parameters.minGoalManhattan > MAX_PASSABLE_GOAL_DISTANCE) {
    throw new ConfigError({
      field: "minGoalManhattan",
      value: parameters.minGoalManhattan,
      expected: `at most ${MAX_PASSABLE_GOAL_DISTANCE}: a goal farther away can never give the optimal 100-step value ≥ ${REJECTION_VALUE_RANGE[0]} the rejection test asks for`,
    });
  }
  const slip = parameters.slipProbability;
  if (typeof slip !== "number" || !(slip >= 0 && slip <= 1)) {
    throw new ConfigError({ field: "slipProbability", value: slip, expected: "a probability in [0, 1]" });
  }
}

/** Steps 2–3 of §6.3: a straight segment that starts at a random row (column) and runs toward the centre. */
function placeSegments(tiles: Uint8Array, size: number, count: number, length: number, tile: Tile, rng: Rng): void {
  const centre = (size - 1) / 2;
  for (let segment = 0; segment < count; segment++) {
    const vertical = rng.float() < 0.5;
    const start = rng.int(size);
    const direction = start === centre ? (rng.float() < 0.5 ? -1 : 1) : Math.sign(centre - start);
    const across = rng.int(size);
    for (let step = 0; step < length; step++) {
      const along = start + direction * step;
      if (along < 0 || along >= size) break;
      const cell = vertical ? along * size + across : across * size + along;
      tiles[cell] = tile;
    }
  }
}

/** One pass of steps 1–5; returns undefined when a step has no valid cell left (the attempt is then retried). */
function layOut(parameters: GridParameters, rng: Rng): Uint8Array | undefined {
  const { size } = parameters;
  const centre = (size - 1) / 2;
  const tiles = new Uint8Array(size * size).fill(Tile.Free);
  placeSegments(tiles, size, parameters.obstacleSets, parameters.obstacleLength, Tile.Obstacle, rng);
  placeSegments(tiles, size, parameters.waterSets, parameters.waterLength, Tile.Wet, rng);
  tiles[centre * size + centre] = Tile.Start;

  const goalCells: number[] = [];
  for (let cell = 0; cell < size * size; cell++) {
    const distance = Math.abs(Math.floor(cell / size) - centre) + Math.abs((cell % size) - centre);
    if (distance >= parameters.minGoalManhattan) goalCells.push(cell);
  }
  tiles[goalCells[rng.int(goalCells.length)]!] = Tile.Goal;

  const neighbours = [-size, 1, size, -1];
  for (let danger = 0; danger < parameters.dangers; danger++) {
    // Uniform over the valid interior cells = the reference's "sample until valid", without an unbounded loop.
    const candidates: number[] = [];
    for (let row = 1; row < size - 1; row++) {
      for (let column = 1; column < size - 1; column++) {
        const cell = row * size + column;
        if (tiles[cell] !== Tile.Free) continue;
        if (neighbours.every((offset) => tiles[cell + offset] === Tile.Free || tiles[cell + offset] === Tile.Obstacle)) {
          candidates.push(cell);
        }
      }
    }
    if (candidates.length === 0) return undefined;
    const cell = candidates[rng.int(candidates.length)]!;
    tiles[cell] = Tile.Danger;
    for (const offset of neighbours) tiles[cell + offset] = Tile.Warning;
  }
  return tiles;
}

/** The optimal undiscounted 100-step value from the start (§6.3 step 6). */
export function rejectionValue(grid: GridWorld): number {
  if (!(grid instanceof GridWorld)) throw new InputError({ field: "grid", value: grid, expected: "a GridWorld" });
  const values = optimalStateValues(grid.transitionTable(), {
    sweeps: REJECTION_LOOKAHEAD,
    gamma: 1,
    tolerance: REJECTION_TOLERANCE,
  });
  return values[grid.startState]!;
}

/**
 * The procedural generator of §6.3 (`create_grid`): lays out a grid and regenerates until the rejection test
 * passes. Throws a `ConfigError` for parameters that are invalid or that no attempt could satisfy.
 */
export function generateGrid(parameters: GridParameters, rng: Rng): GridWorld {
  validateGridParameters(parameters);
  requireRng("rng", rng);
  const [low, high] = REJECTION_VALUE_RANGE;
  const attempts = generationAttempts(parameters.size);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const tiles = layOut(parameters, rng);
    if (tiles === undefined) continue;
    const grid = new GridWorld(tiles, parameters.size, parameters.size, { slipProbability: parameters.slipProbability });
    const value = rejectionValue(grid);
    if (value >= low && value <= high) return grid;
  }
  throw new ConfigError({
    field: "gridParameters",
    value: parameters,
    expected:
      `parameters that can produce a grid passing the rejection test (optimal 100-step value from the start in ` +
      `[${low}, ${high}]); none did in ${attempts} attempts`,
  });
}
