import { FileFormatError } from "@rl3/core";
import { type TrainConfig, parseTrainConfig } from "./config.js";

/** The `__metadata__` a PPO checkpoint carries beside its tensors (safetensors: every value a string). */
export const CHECKPOINT_FORMAT = "rl3-checkpoint";
export const CHECKPOINT_VERSION = 1;
const REQUIRED_ENTRIES = ["format", "version", "iteration", "config", "slots"] as const;
const ROLES = ["actor", "critic"] as const;

export interface CheckpointHeader {
  config: TrainConfig;
  /** Completed PPO iterations. */
  iteration: number;
  /** Adam slots stored per network (0, 1, or 1 + 2 × its weight count). */
  slots: Record<(typeof ROLES)[number], number>;
  /** The best greedy validation return so far (runs with `validateEvery` > 0); its actor is stored as best/actor/…. */
  bestValidation?: { iteration: number; mean: number; stderr: number };
}

/**
 * Validates a checkpoint's metadata before anything is trained on it: every entry present, the format and version
 * known, the iteration a plain integer ≥ 0 (not "2.5", "1e3" or ""), the slot counts small integers, and the
 * stored config valid. Each failure is a `FileFormatError` saying which entry is wrong.
 */
export function readCheckpointHeader(metadata: Record<string, string>, path: string | undefined, customFamily?: string): CheckpointHeader {
  const missing = REQUIRED_ENTRIES.filter((key) => typeof metadata[key] !== "string");
  if (missing.length > 0) throw new FileFormatError(`not an rl3 checkpoint: its header lacks ${missing.join(", ")}`, { path });
  if (metadata.format !== CHECKPOINT_FORMAT || metadata.version !== String(CHECKPOINT_VERSION)) {
    throw new FileFormatError(`not an rl3 checkpoint of version ${CHECKPOINT_VERSION} (format ${metadata.format}, version ${metadata.version})`, { path });
  }
  const iterationText = metadata.iteration!;
  const iteration = Number(iterationText);
  if (!/^(0|[1-9][0-9]*)$/u.test(iterationText) || !Number.isSafeInteger(iteration)) {
    throw new FileFormatError(`its iteration counter is ${JSON.stringify(iterationText)}, not an integer ≥ 0`, { path });
  }
  let config: TrainConfig;
  try {
    config = parseTrainConfig(JSON.parse(metadata.config!), customFamily);
  } catch (error) {
    throw new FileFormatError(`its stored config is unreadable: ${(error as Error).message}`, { path, cause: error });
  }
  let stored: unknown;
  try {
    stored = JSON.parse(metadata.slots!);
  } catch (error) {
    throw new FileFormatError(`its optimizer slot counts are not JSON: ${(error as Error).message}`, { path, cause: error });
  }
  const slots = {} as CheckpointHeader["slots"];
  for (const role of ROLES) {
    const count = (stored as Record<string, unknown> | null)?.[role] ?? 0;
    // Adam keeps 1 + 2 × (weights of the network) slots; far fewer than 10⁶ for any model rl3 builds.
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0 || count > 1_000_000) {
      throw new FileFormatError(`its ${role} optimizer slot count is ${JSON.stringify(count)}, not an integer in [0, 1000000]`, { path });
    }
    slots[role] = count;
  }
  if (metadata.bestValidation === undefined) return { config, iteration, slots };
  return { config, iteration, slots, bestValidation: readBestValidation(metadata.bestValidation, iteration, path) };
}

function readBestValidation(text: string, iteration: number, path: string | undefined): NonNullable<CheckpointHeader["bestValidation"]> {
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch (error) {
    throw new FileFormatError(`its bestValidation entry is not JSON: ${(error as Error).message}`, { path, cause: error });
  }
  const best = stored as Record<string, unknown> | null;
  const valid =
    typeof best === "object" &&
    best !== null &&
    Number.isSafeInteger(best.iteration) &&
    (best.iteration as number) >= 1 &&
    (best.iteration as number) <= iteration &&
    Number.isFinite(best.mean) &&
    Number.isFinite(best.stderr) &&
    (best.stderr as number) >= 0;
  if (!valid) throw new FileFormatError(`its bestValidation entry is ${text}; expected {iteration: an integer in [1, ${iteration}], mean: a finite number, stderr: a finite number ≥ 0}`, { path });
  return { iteration: best!.iteration as number, mean: best!.mean as number, stderr: best!.stderr as number };
}
