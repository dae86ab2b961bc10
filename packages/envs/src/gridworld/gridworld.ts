import { InputError, requireInRange, requireIndex, requireInteger, type Rng } from "@rl3/core";
import { requireOutput, requireRng } from "../checks.js";
import { ENV_LIMITS } from "../limits.js";
import type { StepSample, TabularTask } from "../tabular-task.js";
import { TransitionTable } from "../transition-table.js";
import {
  ACTION_COLUMN_DELTA,
  ACTION_ROW_DELTA,
  GridAction,
  PERPENDICULAR,
  TILE_CHARACTERS,
  TILE_ENTER_REWARD,
  Tile,
  isTerminalTile,
  tileFromCharacter,
} from "./tiles.js";

export interface GridDynamics {
  /** Slip probability when acting from 'S', ' ' or '!' (§6.3: 0.2; DETERMINISTIC: 0). */
  slipProbability?: number;
  /** Slip probability when acting from 'W' (§6.3: 1, always sideways). */
  wetSlipProbability?: number;
}

/**
 * A gridworld task (§6.3). States are cells, numbered row-major; the agent starts on the 'S' tile. The reward of a
 * step is the enter-reward of the tile the agent ends on, also when a wall, an obstacle or NOOP keeps it in place.
 * Acting from a tile with slip probability p moves as intended w.p. 1 − p and to each perpendicular side w.p. p/2.
 * 'G' and 'X' are absorbing (self-loop, reward 0) and end the inner episode. There is no inner time limit (TH = H).
 */
export class GridWorld implements TabularTask {
  readonly domain = "gridworld" as const;
  readonly rows: number;
  readonly columns: number;
  readonly numStates: number;
  readonly numActions = 5;
  readonly startState: number;
  readonly taskHorizon = Number.POSITIVE_INFINITY;
  readonly observationSize = 2;
  readonly slipProbability: number;
  readonly wetSlipProbability: number;
  /** Tile code of every cell, row-major. */
  readonly tiles: Uint8Array;
  private readonly table: TransitionTable;

  constructor(tiles: Uint8Array, rows: number, columns: number, dynamics: GridDynamics = {}) {
    requireInteger("rows", rows, 1, ENV_LIMITS.gridSide);
    requireInteger("columns", columns, 1, ENV_LIMITS.gridSide);
    if (rows * columns > ENV_LIMITS.gridCells) {
      throw new InputError({ field: "rows × columns", value: rows * columns, expected: `at most ${ENV_LIMITS.gridCells} cells` });
    }
    if (!(tiles instanceof Uint8Array)) throw new InputError({ field: "tiles", value: tiles, expected: "a Uint8Array of tile codes" });
    if (tiles.length !== rows * columns) {
      throw new InputError({ field: "tiles.length", value: tiles.length, expected: `${rows * columns} (rows × columns)` });
    }
    // An unknown code has no enter-reward and no dynamics: it would turn into NaN rewards downstream.
    const unknown = tiles.findIndex((tile) => tile >= TILE_CHARACTERS.length);
    if (unknown >= 0) {
      throw new InputError({ field: `tiles[${unknown}]`, value: tiles[unknown], expected: `a tile code in [0, ${TILE_CHARACTERS.length - 1}] (${TILE_CHARACTERS.map((c) => `'${c}'`).join(", ")})` });
    }
    this.rows = rows;
    this.columns = columns;
    this.numStates = rows * columns;
    this.tiles = tiles;
    this.slipProbability = requireInRange("slipProbability", dynamics.slipProbability ?? 0.2, 0, 1);
    this.wetSlipProbability = requireInRange("wetSlipProbability", dynamics.wetSlipProbability ?? 1, 0, 1);
    const starts = [...tiles.keys()].filter((cell) => tiles[cell] === Tile.Start);
    if (starts.length !== 1) {
      throw new InputError({ field: "tiles", value: `${starts.length} start tiles`, expected: "exactly one 'S' tile" });
    }
    this.startState = starts[0]!;
    this.table = this.buildTable();
  }

  /** A grid from ASCII rows, e.g. `GridWorld.fromAscii(["S G", "O!X"])`; all rows must have the same length. */
  static fromAscii(lines: readonly string[], dynamics: GridDynamics = {}): GridWorld {
    if (!Array.isArray(lines) || !lines.every((line) => typeof line === "string")) throw new InputError({ field: "lines", value: lines, expected: "an array of strings" });
    const rows = lines.length;
    const columns = lines[0]?.length ?? 0;
    if (rows === 0 || columns === 0) throw new InputError({ field: "lines", value: lines, expected: "a non-empty grid" });
    const tiles = new Uint8Array(rows * columns);
    lines.forEach((line, row) => {
      if (line.length !== columns) {
        throw new InputError({ field: `lines[${row}].length`, value: line.length, expected: `${columns} (the width of row 0)` });
      }
      for (let column = 0; column < columns; column++) {
        const tile = tileFromCharacter(line[column]!);
        if (tile === undefined) {
          throw new InputError({ field: `lines[${row}][${column}]`, value: line[column], expected: `one of ${TILE_CHARACTERS.map((c) => `'${c}'`).join(", ")}` });
        }
        tiles[row * columns + column] = tile;
      }
    });
    return new GridWorld(tiles, rows, columns, dynamics);
  }

  cellOf(row: number, column: number): number {
    return row * this.columns + column;
  }

  tileAt(row: number, column: number): Tile {
    return this.tiles[this.cellOf(row, column)] as Tile;
  }

  sampleStep(state: number, action: number, rng: Rng, out: StepSample = { nextState: 0, reward: 0, terminal: false }): StepSample {
    requireIndex("state", state, this.numStates);
    requireIndex("action", action, 5);
    requireRng("rng", rng);
    const table = this.table;
    const entry = table.sampleEntry(state, action, rng.float());
    const nextState = table.nextState[entry]!;
    out.nextState = nextState;
    out.reward = table.meanReward[entry]!;
    out.terminal = table.absorbing[nextState] === 1;
    return out;
  }

  transitionProbs(state: number, action: number): Float64Array {
    requireIndex("state", state, this.numStates);
    requireIndex("action", action, 5);
    return this.table.denseRow(state, action);
  }

  meanReward(state: number, action: number, nextState: number): number {
    requireIndex("state", state, this.numStates);
    requireIndex("action", action, 5);
    requireIndex("nextState", nextState, this.numStates);
    return this.table.rewardOf(state, action, nextState);
  }

  /** (row/rows, column/columns) with 1-based row and column, so both lie in (0, 1] (§2.1). */
  observation(state: number, out = new Float64Array(2), offset = 0): Float64Array {
    requireIndex("state", state, this.numStates);
    requireOutput(out, offset, this.observationSize);
    out[offset] = (Math.floor(state / this.columns) + 1) / this.rows;
    out[offset + 1] = ((state % this.columns) + 1) / this.columns;
    return out;
  }

  isAbsorbing(state: number): boolean {
    requireIndex("state", state, this.numStates);
    return isTerminalTile(this.tiles[state]!);
  }

  transitionTable(): TransitionTable {
    return this.table;
  }

  /** The grid as ASCII inside a frame, one text line per row. */
  render(): string {
    const border = `+${"-".repeat(this.columns)}+`;
    const lines = [border];
    for (let row = 0; row < this.rows; row++) {
      let line = "|";
      for (let column = 0; column < this.columns; column++) line += TILE_CHARACTERS[this.tileAt(row, column)];
      lines.push(`${line}|`);
    }
    lines.push(border);
    return lines.join("\n");
  }

  private slipOf(tile: number): number {
    if (tile === Tile.Wet) return this.wetSlipProbability;
    if (tile === Tile.Free || tile === Tile.Start || tile === Tile.Warning) return this.slipProbability;
    return 0;
  }

  /** Where a move in `direction` from `cell` ends: walls and obstacles keep the agent in place. */
  private destination(cell: number, direction: number): number {
    const row = Math.floor(cell / this.columns) + ACTION_ROW_DELTA[direction as 0]!;
    const column = (cell % this.columns) + ACTION_COLUMN_DELTA[direction as 0]!;
    if (row < 0 || row >= this.rows || column < 0 || column >= this.columns) return cell;
    const target = row * this.columns + column;
    return this.tiles[target] === Tile.Obstacle ? cell : target;
  }

  private buildTable(): TransitionTable {
    const absorbing = Uint8Array.from(this.tiles, (tile) => (isTerminalTile(tile) ? 1 : 0));
    return TransitionTable.build(this.numStates, 5, absorbing, (cell, action, emit) => {
      const tile = this.tiles[cell]!;
      if (isTerminalTile(tile) || tile === Tile.Obstacle) {
        emit(cell, 1, 0);
        return;
      }
      if (action === GridAction.Noop) {
        emit(cell, 1, TILE_ENTER_REWARD[tile]!);
        return;
      }
      const slip = this.slipOf(tile);
      const outcomes: Array<[number, number]> = [
        [action, 1 - slip],
        [PERPENDICULAR[action]![0], slip / 2],
        [PERPENDICULAR[action]![1], slip / 2],
      ];
      for (const [direction, probability] of outcomes) {
        const target = this.destination(cell, direction);
        emit(target, probability, TILE_ENTER_REWARD[this.tiles[target]!]!);
      }
    });
  }
}
