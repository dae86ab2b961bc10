/** Gridworld tiles (§6.3). Codes are internal; the characters are the public, rendered form. */
export const Tile = {
  Free: 0,
  Start: 1,
  Wet: 2,
  Warning: 3,
  Danger: 4,
  Goal: 5,
  Obstacle: 6,
} as const;
export type Tile = (typeof Tile)[keyof typeof Tile];

export const TILE_CHARACTERS = [" ", "S", "W", "!", "X", "G", "O"] as const;

/** The reward for *entering* each tile, including staying on it (§6.3); obstacles are never entered. */
export const TILE_ENTER_REWARD: readonly number[] = [-1, -1, -2, -10, -100, 100, 0];

/** Entering these ends the inner episode. */
export function isTerminalTile(tile: number): boolean {
  return tile === Tile.Goal || tile === Tile.Danger;
}

export function tileFromCharacter(character: string): Tile | undefined {
  const index = (TILE_CHARACTERS as readonly string[]).indexOf(character);
  return index < 0 ? undefined : (index as Tile);
}

/** Actions (§6.3): NOOP, N, E, S, W. Row deltas and column deltas; N decreases the row. */
export const GridAction = { Noop: 0, North: 1, East: 2, South: 3, West: 4 } as const;
export const ACTION_ROW_DELTA = [0, -1, 0, 1, 0] as const;
export const ACTION_COLUMN_DELTA = [0, 0, 1, 0, -1] as const;
/** The two directions perpendicular to each move (a slip goes to one of them with equal probability). */
export const PERPENDICULAR: readonly (readonly [number, number])[] = [
  [0, 0],
  [2, 4],
  [1, 3],
  [2, 4],
  [1, 3],
];
