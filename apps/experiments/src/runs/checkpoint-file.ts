import { readFile } from "node:fs/promises";
import { PpoTrainer, type TrainConfig, type TrainConfigInput, type TrainerOptions } from "@rl3/algorithms";
import { FileFormatError } from "@rl3/core";
import { writeAtomic } from "../run-dir.js";

/**
 * Checkpoint files: the trainer gives and takes bytes (`PpoTrainer.checkpoint`, `PpoTrainer.fromCheckpoint`); where
 * they live is the app's business. Writes are atomic (temporary file, then rename), so a kill at any moment leaves
 * the previous checkpoint or the new one, never half of one.
 */
export function saveCheckpoint(trainer: PpoTrainer, path: string): void {
  writeAtomic(path, trainer.checkpoint());
}

/** Continues a run from its checkpoint file; an unreadable file is a `FileFormatError` naming it, and is left as it is. */
export async function resumeTrainer(path: string, config: TrainConfigInput | TrainConfig | undefined, options: TrainerOptions): Promise<PpoTrainer> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileFormatError(`cannot read the checkpoint (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { path, cause: error });
  }
  return PpoTrainer.fromCheckpoint(bytes, config, { ...options, source: path });
}
