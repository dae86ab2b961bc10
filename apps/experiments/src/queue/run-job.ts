import { createHash } from "node:crypto";
import { METHODS, SCALES, type TrainConfig, parseTrainConfig } from "@rl3/algorithms";
import { ConfigError, UnknownNameError } from "@rl3/core";
import { PRESET_NAMES } from "../presets.js";
import { JobRefusedError } from "./errors.js";
import { versionDifferences } from "./version.js";

export { KEY_PREFIX, QUEUE_NAME } from "./keys.js";

/**
 * A queued training run: data only. The worker validates it with the CLI's own config schema, so a job can ask
 * for a training run and nothing else.
 */
export interface RunJobData {
  kind: "rl3-train";
  /** `rl3Versions()` of the submitter. */
  versions: Record<string, string>;
  /** Human label, e.g. "bandits-100 rl3 s1". */
  label: string;
  preset: string;
  scale: string;
  /** The fully resolved config (`parseTrainConfig` output), exactly what a local `rl3 train` would use. */
  config: TrainConfig;
}

/** What a worker reports while a run trains (BullMQ job progress). */
export interface RunProgress {
  iteration: number;
  iterations: number;
  sps: number;
  etaSeconds: number | null;
  episodicReturn: number;
  worker: string;
  /** Iteration this attempt started from (0: from scratch; > 0: resumed from a checkpoint). */
  resumedFrom: number;
}

/** What a finished job returns (kept in Redis with the job). */
export interface RunResult {
  iterations: number;
  envSteps: number;
  finalReturn: number | null;
  worker: string;
  seconds: number;
}

/**
 * The job id of a run: readable (preset, method, seed) plus a hash of everything that decides its results, so a
 * re-submitted sweep maps onto the same jobs (BullMQ ignores an add whose id exists) and a changed config does not.
 * Engine settings (engine, device, threads) do not change results, but they are part of the config the worker
 * runs, so they are hashed too.
 */
export function runJobId(data: Pick<RunJobData, "preset" | "scale" | "config">): string {
  const hash = createHash("sha256").update(JSON.stringify({ preset: data.preset, scale: data.scale, config: data.config })).digest("hex").slice(0, 12);
  return `${data.preset}-${data.config.method}-s${data.config.seed}-${hash}`;
}

const DATA_KEYS = new Set(["kind", "versions", "label", "preset", "scale", "config"]);

/**
 * Checks a job's data on the worker before anything runs: the shape, the rl3 versions (a different version could
 * give different numbers) and the config through `parseTrainConfig`. Throws `JobRefusedError` or `ConfigError`.
 */
export function validateRunJob(data: unknown, localVersions: Record<string, string>): RunJobData {
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new JobRefusedError("the job's data is not an object; it was not submitted by rl3 reproduce --queue");
  const record = data as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((key) => !DATA_KEYS.has(key));
  if (unknownKey !== undefined) throw new ConfigError({ field: `job.${unknownKey}`, value: record[unknownKey], expected: "no such key (a job holds kind, versions, label, preset, scale and config only)" });
  if (record.kind !== "rl3-train") throw new ConfigError({ field: "job.kind", value: record.kind, expected: '"rl3-train"' });
  const versions = record.versions;
  if (typeof versions !== "object" || versions === null || !Object.values(versions).every((value) => typeof value === "string")) {
    throw new ConfigError({ field: "job.versions", value: versions, expected: "the submitter's package versions ({ name: version })" });
  }
  const differences = versionDifferences(versions as Record<string, string>, localVersions);
  if (differences.length > 0) {
    throw new JobRefusedError(`refused: the job was submitted by another rl3 version (${differences.join("; ")}); run a worker of the submitter's version, or re-submit the sweep from this one`);
  }
  if (typeof record.label !== "string" || record.label.length > 200) throw new ConfigError({ field: "job.label", value: record.label, expected: "a string of at most 200 characters" });
  if (typeof record.preset !== "string" || !PRESET_NAMES.includes(record.preset)) throw new ConfigError({ field: "job.preset", value: record.preset, expected: `one of ${PRESET_NAMES.join(", ")}` });
  if (!(SCALES as readonly unknown[]).includes(record.scale)) throw new ConfigError({ field: "job.scale", value: record.scale, expected: `one of ${SCALES.join(", ")}` });
  let config: TrainConfig;
  try {
    config = parseTrainConfig(record.config);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError({ field: `job.config.${error.field}`, value: error.value, expected: error.expected });
    // An unknown setting: the job carries something that is not a training-run field.
    if (error instanceof UnknownNameError) throw new ConfigError({ field: `job.config.${error.given}`, value: "(present)", expected: `no such key (the settings are ${error.known.join(", ")})` });
    throw error;
  }
  if (!(METHODS as readonly string[]).includes(config.method)) throw new ConfigError({ field: "job.config.method", value: config.method, expected: METHODS.join(", ") });
  return { kind: "rl3-train", versions: versions as Record<string, string>, label: record.label, preset: record.preset, scale: record.scale as string, config };
}
