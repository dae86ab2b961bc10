import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type IterationMetrics, type TrainConfig, parseTrainConfig } from "@rl3/algorithms";
import { FileFormatError, InputError } from "@rl3/core";
import { makeDirectory } from "./directories.js";

/**
 * A training run's directory: config.json (fully resolved), metrics.csv and metrics.jsonl (one row per
 * iteration), checkpoint.safetensors, policy.onnx (the final actor), best-policy.onnx (with `validateEvery`: the
 * actor of the best greedy validation return), eval.json and plots.
 */
export const RUN_FILES = {
  config: "config.json",
  metricsCsv: "metrics.csv",
  metricsJsonl: "metrics.jsonl",
  checkpoint: "checkpoint.safetensors",
  policy: "policy.onnx",
  bestPolicy: "best-policy.onnx",
  evaluation: "eval.json",
} as const;

export interface RunInfo {
  preset?: string;
  scale?: string;
  config: TrainConfig;
}

/**
 * Writes a file atomically: a crash leaves either the old or the new content, never half of one. A path that cannot
 * be written is an `InputError` naming it (not a raw ENOENT about the temporary file), and no temporary file stays.
 */
export function writeAtomic(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new InputError({ field: "path", value: path, expected: `a writable file path (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
  }
}

export function createRunDir(directory: string, info: RunInfo): void {
  makeDirectory(directory, "--out");
  if (existsSync(join(directory, RUN_FILES.config))) {
    throw new FileFormatError("already holds a run (config.json exists); use --resume to continue it or choose another --out", { path: directory });
  }
  writeRunInfo(directory, info);
}

/** Writes a run directory's config.json (atomically): on creation, and when a resume changes a resumable setting. */
export function writeRunInfo(directory: string, info: RunInfo): void {
  writeAtomic(join(directory, RUN_FILES.config), `${JSON.stringify(info, null, 2)}\n`);
}

/** Reads a run directory's config.json; anything that is not a run directory gets a clear error. */
export function readRunInfo(directory: string): RunInfo {
  const path = join(directory, RUN_FILES.config);
  if (!existsSync(path)) throw new FileFormatError(`is not an rl3 run directory (no ${RUN_FILES.config})`, { path: directory });
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as RunInfo | null;
    if (typeof info !== "object" || info === null || Array.isArray(info)) throw new Error("not a JSON object");
    for (const key of ["preset", "scale"] as const) {
      if (info[key] !== undefined && typeof info[key] !== "string") throw new Error(`${key} is ${JSON.stringify(info[key])}, not a string`);
    }
    // The stored config is validated like a new one: a damaged value must not be trained on or plotted.
    return { ...info, config: parseTrainConfig(info.config) };
  } catch (error) {
    throw new FileFormatError(`config.json is damaged: ${(error as Error).message}`, { path, cause: error });
  }
}

const CSV_COLUMNS: (keyof IterationMetrics)[] = [
  "iteration",
  "charts/env_steps",
  "charts/episodic_return",
  "charts/SPS",
  "losses/policy_loss",
  "losses/value_loss",
  "losses/entropy",
  "losses/approx_kl",
  "losses/clipfrac",
  "losses/explained_variance",
  "charts/actor_epochs",
  "charts/entropy_coefficient",
  "time/rollout_seconds",
  "time/update_seconds",
  // Empty on iterations that did not validate.
  "eval/validation_return",
  "eval/validation_stderr",
];

/** Appends one iteration to metrics.csv and metrics.jsonl; on resume, rows past the checkpoint are dropped first. */
export class MetricsLog {
  private readonly csvPath: string;
  private readonly jsonlPath: string;

  constructor(directory: string, resumeFromIteration?: number) {
    this.csvPath = join(directory, RUN_FILES.metricsCsv);
    this.jsonlPath = join(directory, RUN_FILES.metricsJsonl);
    if (resumeFromIteration !== undefined && existsSync(this.jsonlPath)) {
      // Iterations after the checkpoint were lost with the process; their rows would be duplicated.
      const kept = readMetrics(directory).filter((row) => row.iteration <= resumeFromIteration);
      writeAtomic(this.jsonlPath, kept.map((row) => `${JSON.stringify(row)}\n`).join(""));
      writeAtomic(this.csvPath, `${CSV_COLUMNS.join(",")}\n${kept.map((row) => CSV_COLUMNS.map((column) => row[column]).join(",")).join("\n")}${kept.length ? "\n" : ""}`);
    } else if (!existsSync(this.csvPath)) {
      writeFileSync(this.csvPath, `${CSV_COLUMNS.join(",")}\n`);
    }
  }

  append(metrics: IterationMetrics): void {
    appendFileSync(this.jsonlPath, `${JSON.stringify(metrics)}\n`);
    appendFileSync(this.csvPath, `${CSV_COLUMNS.map((column) => metrics[column]).join(",")}\n`);
  }
}

/**
 * The rows of metrics.jsonl. A last line that does not parse is skipped (a kill cut it mid-write); any other line
 * that is not a metrics row (an object with an integer iteration above the previous row's and a finite
 * env-step count) means the file is damaged: a `FileFormatError` naming the line, before anything uses it.
 */
export function readMetrics(directory: string): IterationMetrics[] {
  const path = join(directory, RUN_FILES.metricsJsonl);
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n");
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.trim() === "") last--;
  const rows: IterationMetrics[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      if (index === last) break;
      throw new FileFormatError(`line ${index + 1} is not JSON (${(error as Error).message}); the file is damaged`, { path, cause: error });
    }
    const record = row as Partial<Record<keyof IterationMetrics, unknown>> | null;
    const previous = rows.at(-1)?.iteration ?? 0;
    const iteration = record?.iteration;
    const steps = record?.["charts/env_steps"];
    if (typeof record !== "object" || record === null || Array.isArray(record) || typeof iteration !== "number" || !Number.isSafeInteger(iteration) || iteration <= previous || typeof steps !== "number" || !Number.isFinite(steps) || steps < 0) {
      throw new FileFormatError(`line ${index + 1} is not a metrics row after iteration ${previous} (expected an object with an integer iteration > ${previous} and a finite charts/env_steps ≥ 0); the file is damaged`, { path });
    }
    rows.push(record as IterationMetrics);
  }
  return rows;
}

/** Adds (or replaces) one test family's evaluation in a run's eval.json, atomically; an unreadable file restarts empty. */
export function recordEvaluation(directory: string, family: string, summary: object): void {
  const path = join(directory, RUN_FILES.evaluation);
  let existing: Record<string, unknown> = {};
  try {
    existing = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
  } catch {
    existing = {};
  }
  writeAtomic(path, `${JSON.stringify({ ...existing, [family]: summary }, null, 2)}\n`);
}

/** Where a run directory stands: nothing there yet, started (continue with `--resume`), or all iterations done. */
export type RunState = { state: "new" } | { state: "unfinished"; iteration: number; iterations: number } | { state: "finished"; iterations: number };

/**
 * The state of the run `reproduce` wants in `directory`. A directory holding a different run (another preset,
 * scale, method or seed) is an error, never overwritten: re-running a command must not lose what it produced.
 */
export function runState(directory: string, expected: { preset: string; scale: string; method: string; seed: number }): RunState {
  if (!existsSync(join(directory, RUN_FILES.config))) return { state: "new" };
  const info = readRunInfo(directory);
  const found = { preset: info.preset, scale: info.scale, method: info.config.method, seed: info.config.seed };
  for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
    if (found[key] !== expected[key]) {
      throw new FileFormatError(`holds a run with ${key} ${JSON.stringify(found[key])}, not ${JSON.stringify(expected[key])}; move it away or choose another --out`, { path: directory });
    }
  }
  const iteration = readMetrics(directory).at(-1)?.iteration ?? 0;
  const iterations = info.config.iterations;
  if (iteration >= iterations && existsSync(join(directory, RUN_FILES.policy))) return { state: "finished", iterations };
  return { state: "unfinished", iteration, iterations };
}

/** A family's stored evaluation in a run's eval.json, if it was made on the same test tasks after the policy was last written. */
export function storedEvaluation<T extends { episodes: number; seed: number; horizon: number }>(directory: string, family: string, wanted: { episodes: number; seed: number; horizon: number }): T | undefined {
  const path = join(directory, RUN_FILES.evaluation);
  const policy = join(directory, RUN_FILES.policy);
  if (!existsSync(path) || !existsSync(policy) || statSync(path).mtimeMs < statSync(policy).mtimeMs) return undefined;
  try {
    const stored = (JSON.parse(readFileSync(path, "utf8")) as Record<string, T>)[family];
    if (stored && stored.episodes === wanted.episodes && stored.seed === wanted.seed && stored.horizon === wanted.horizon && Array.isArray((stored as { returns?: unknown }).returns)) return stored;
  } catch {
    // unreadable: evaluate again
  }
  return undefined;
}
