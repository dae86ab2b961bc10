import { realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ENV_LIMITS } from "@rl3/envs";
import { UsageError } from "./errors.js";

/**
 * Limits of the CLI's numeric flags, checked when the command line is parsed, before anything is read, allocated or
 * trained: a typo such as `--episodes 1000000000` is a usage error naming the limit, not minutes of work followed by
 * V8 running out of heap. They sit far above anything the paper or the presets use.
 */
export const CLI_LIMITS = {
  /** Test tasks of one evaluation (`--episodes`): every task keeps its return (and the oracle's) in memory and in eval.json. */
  episodes: 1_000_000,
  /** Meta-episode budget H (`--horizon`): the environments' own limit. */
  horizon: ENV_LIMITS.horizon,
  /** Seeds (`--seed`, `--bootstrap-seed`): any integer a double holds exactly. */
  seed: Number.MAX_SAFE_INTEGER,
  /** PPO iterations of the demo (`--iterations`); the paper's longest run has 20,000. */
  iterations: 1_000_000,
  /** Seeds per method of `rl3 reproduce` (`--seeds`): each one is a training run per preset and method. */
  seeds: 1_000,
  /** Bootstrap resamples (`--resamples`): each holds one value per statistic. */
  resamples: 1_000_000,
  /** onnx intra-op threads (`--threads`) and worker threads (`--workers`): the training config's own limits. */
  threads: 64,
  workers: 256,
} as const;

/** A decimal number as people type it ("12", "+3", "1e3", "5.0"); no blanks, hex, "Infinity" or "NaN". */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/iu;

/**
 * Parser of an integer flag in [min, max]. `Number(" ")` and `Number("")` are 0, so the text itself is checked
 * first: `--seed " "` must be an error, not seed 0. Errors are `UsageError`s (exit code 2) naming flag, value and range.
 */
export function integerFlag(name: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = DECIMAL.test(value) ? Number(value) : Number.NaN;
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) throw new UsageError(name, value, `an integer in [${min}, ${max}]`);
    return parsed;
  };
}

/**
 * Parser of a path flag: an empty or blank path resolves to the working directory (`--out ""` used to write the run
 * there), and a NUL byte makes every fs call throw a raw TypeError; both are usage errors at parse time.
 */
export function pathFlag(name: string) {
  return (value: string): string => {
    if (value.trim() === "") throw new UsageError(name, value, "a non-empty path");
    if (value.includes("\0")) throw new UsageError(name, value, "a path without NUL bytes");
    return value;
  };
}

/** `pathFlag` for a variadic flag (`--runs A B …`): commander calls it once per value with the values so far. */
export function pathsFlag(name: string) {
  const check = pathFlag(name);
  return (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), check(value)];
}

/** Parser of a free-text flag (a name, a command, a URL): not empty or blank. */
export function textFlag(name: string) {
  return (value: string): string => {
    if (value.trim() === "") throw new UsageError(name, value, "a non-empty value");
    return value;
  };
}

/**
 * Refuses the same run directory given twice (also through another spelling or a symlink): it would count as two
 * seeds of one experiment. `rl3 compare` refuses it through its seeds; plot and zoo add through this.
 */
export function requireDistinctRuns(field: string, directories: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const directory of directories) {
    let key = resolve(directory);
    try {
      key = realpathSync(key);
    } catch {
      // missing: reading the run reports it with its path
    }
    const first = seen.get(key);
    if (first !== undefined) throw new UsageError(field, directory, `distinct run directories (${JSON.stringify(directory)} is the same run as ${JSON.stringify(first)}; the same run given twice would count as two seeds)`);
    seen.set(key, directory);
  }
}

/**
 * An output file flag (`--out` of plot, compare and export) whose directory does not exist: refused before any
 * work (plots used to render first and then fail on a "path" that is not the flag's name).
 */
export function requireOutputDirectory(field: string, file: string): void {
  const directory = dirname(resolve(file));
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    // missing: refused below
  }
  if (!isDirectory) throw new UsageError(field, file, `a file path in an existing directory (${directory} is not one)`);
}
