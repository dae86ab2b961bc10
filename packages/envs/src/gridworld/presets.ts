import type { GridParameters } from "./generator.js";

/** §6.3 canonical parameters: 11 obstacle sets of length 3, 5 water sets of length 2, 2 dangers, goal ≥ 8 away, slip 0.2. */
const CANONICAL: Omit<GridParameters, "size"> = {
  obstacleSets: 11,
  obstacleLength: 3,
  waterSets: 5,
  waterLength: 2,
  dangers: 2,
  minGoalManhattan: 8,
  slipProbability: 0.2,
};

const GRID13: GridParameters = { size: 13, ...CANONICAL };

/**
 * Every gridworld preset: the two training sizes, the five 13×13 OOD variants of §6.3 (each changes exactly one
 * parameter of `grid13`), and the presets the reference code defines but the paper does not use.
 */
export const GRID_PRESETS = {
  grid11: { size: 11, ...CANONICAL },
  grid13: GRID13,
  "grid13:dense": { ...GRID13, obstacleLength: 4 },
  "grid13:deterministic": { ...GRID13, slipProbability: 0 },
  "grid13:watery": { ...GRID13, waterSets: 8 },
  "grid13:dangerous": { ...GRID13, dangers: 4 },
  "grid13:corner": { ...GRID13, minGoalManhattan: 12 },
  "grid11:deterministic": { size: 11, ...CANONICAL, slipProbability: 0 },
  grid15: { size: 15, obstacleSets: 15, obstacleLength: 4, waterSets: 6, waterLength: 3, dangers: 3, minGoalManhattan: 8, slipProbability: 0.2 },
} as const satisfies Record<string, GridParameters>;

export type GridPresetName = keyof typeof GRID_PRESETS;
