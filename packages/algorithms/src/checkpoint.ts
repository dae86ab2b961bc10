import { ConfigError, FileFormatError, type ModelSpec, sameShape, type NamedWeights, type WeightTensor, decodeSafetensors, encodeSafetensors } from "@rl3/core";
import { type TrainConfig, type TrainConfigInput, parseTrainConfig } from "./config.js";

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

/** Where a checkpoint keeps the actor that scored the best validation return. */
export const BEST_ACTOR_PREFIX = "best/actor/";

/** Settings that may change between a checkpoint and its resumption (everything else must match). */
const RESUMABLE_CHANGES = new Set(["iterations", "checkpointEvery", "engine", "device", "threads", "validateEvery", "validationEpisodes", "workers"]);

/** What a checkpoint holds: a trainer's whole state. */
export interface TrainerState {
  config: TrainConfig;
  iteration: number;
  parameters: Readonly<Record<(typeof ROLES)[number], NamedWeights>>;
  optimizerSlots: Readonly<Record<(typeof ROLES)[number], readonly WeightTensor[]>>;
  best?: { iteration: number; mean: number; stderr: number; actor: NamedWeights } | undefined;
}

/** A trainer's state as safetensors bytes: tensors under actor/, critic/, optimizer/<role>/<i>, best/actor/. */
export function encodeCheckpoint(state: TrainerState): Uint8Array {
  const tensors: Record<string, WeightTensor> = {};
  const slots: Record<string, number> = {};
  for (const role of ROLES) {
    for (const [name, tensor] of Object.entries(state.parameters[role])) tensors[`${role}/${name}`] = tensor;
    const saved = state.optimizerSlots[role];
    slots[role] = saved.length;
    saved.forEach((slot, index) => {
      tensors[`optimizer/${role}/${index}`] = slot;
    });
  }
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, version: String(CHECKPOINT_VERSION), iteration: String(state.iteration), config: JSON.stringify(state.config), slots: JSON.stringify(slots) };
  if (state.best) {
    const { actor, ...best } = state.best;
    for (const [name, tensor] of Object.entries(actor)) tensors[`${BEST_ACTOR_PREFIX}${name}`] = tensor;
    metadata.bestValidation = JSON.stringify(best);
  }
  return encodeSafetensors(tensors, metadata);
}

/** A checked checkpoint: its header, and its networks and optimizer state read against the specs they must fit. */
export interface DecodedCheckpoint extends CheckpointHeader {
  /** The weights stored under `prefix`, checked against `spec` (shapes, finiteness), as fresh arrays. */
  network(prefix: string, spec: ModelSpec): Record<string, WeightTensor>;
  optimizerSlots(role: (typeof ROLES)[number]): WeightTensor[];
}

export function decodeCheckpoint(bytes: Uint8Array, path: string | undefined, customFamily?: string): DecodedCheckpoint {
  const { weights, metadata } = decodeSafetensors(bytes, path);
  const header = readCheckpointHeader(metadata, path, customFamily);
  return {
    ...header,
    network(prefix, spec) {
      const result: Record<string, WeightTensor> = {};
      for (const { name, shape } of spec.weights) {
        const tensor = weights[`${prefix}${name}`];
        if (tensor === undefined || !sameShape(tensor.shape, shape)) throw new FileFormatError(`weight ${prefix}${name} is ${tensor ? `of shape [${tensor.shape.join(", ")}]` : "missing"}; expected [${shape.join(", ")}]`, { path });
        if (!tensor.data.every(Number.isFinite)) throw new FileFormatError(`weight ${prefix}${name} holds non-finite values`, { path });
        result[name] = { shape: [...shape], data: Float32Array.from(tensor.data) };
      }
      return result;
    },
    optimizerSlots(role) {
      return Array.from({ length: header.slots[role] }, (_, index) => {
        const tensor = weights[`optimizer/${role}/${index}`];
        if (!tensor) throw new FileFormatError(`optimizer state optimizer/${role}/${index} is missing`, { path });
        return tensor;
      });
    },
  };
}

/**
 * The config a resumed run trains with: the saved one, or `requested` where it differs only in settings that may
 * change on resume. Anything else is a `ConfigError` (the file is sound; the request differs from it).
 */
export function resumedConfig(saved: TrainConfig, requested: TrainConfigInput | TrainConfig | undefined, path: string | undefined, customFamily?: string): TrainConfig {
  const wanted = requested === undefined ? saved : parseTrainConfig(requested, customFamily);
  for (const key of Object.keys(saved) as (keyof TrainConfig)[]) {
    if (RESUMABLE_CHANGES.has(key)) continue;
    if (JSON.stringify(saved[key]) !== JSON.stringify(wanted[key])) {
      throw new ConfigError({
        field: key,
        value: wanted[key],
        expected: `${JSON.stringify(saved[key])}, the value of the run that wrote ${path ?? "the checkpoint"} (only ${[...RESUMABLE_CHANGES].join(", ")} may change on resume)`,
      });
    }
  }
  return wanted;
}
