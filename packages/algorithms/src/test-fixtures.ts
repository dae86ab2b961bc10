// Shared by the trainer's test files; not exported from index.ts, so it never reaches dist.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "@rl3/models";
import { afterAll, beforeAll } from "vitest";
import type { TrainConfigInput } from "./config.js";
import type { PpoTrainer } from "./ppo/trainer.js";

/** The smallest RL³ transformer run that still exercises every part of the trainer: 4 iterations of 4 meta-episodes on H = 10 MDPs. */
export const tinyMdpsRun: TrainConfigInput = {
  family: "mdps",
  horizon: 10,
  method: "rl3",
  model: { kind: "transformer", dModel: 8, embedSize: 8, layers: 1, heads: 2, feedForwardSize: 8 },
  iterations: 4,
  batchSize: 40,
  minibatchSize: 20,
  learningRate: 1e-3,
  entropyCoefficient: 0.01,
  epochs: 2,
  seed: 3,
};

/** Trains to the configured number of iterations and returns every iteration's metrics row. */
export async function trainToEnd(trainer: PpoTrainer) {
  const rows = [];
  while (!trainer.done) rows.push(await trainer.trainIteration());
  return rows;
}

/**
 * Registers the suite's set-up: the wasm backend and a temporary directory removed afterwards.
 * Returns a getter because the directory exists only once beforeAll has run.
 */
export function withTrainerSandbox(prefix: string): () => string {
  let directory: string | undefined;
  beforeAll(async () => {
    await initBackend("wasm");
    directory = mkdtempSync(join(tmpdir(), prefix));
  });
  afterAll(() => {
    if (directory) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    if (!directory) throw new Error("the sandbox directory is created in beforeAll; read it inside a test");
    return directory;
  };
}
