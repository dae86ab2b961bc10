// Shared by the trainer's test files: outside src/, so it never reaches dist and may import runtimes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFile, writeFile } from "node:fs/promises";
import { TfjsTrainingEngine, initBackend } from "@rl3/models";
import { OnnxPolicy, OnnxTrainingEngine } from "@rl3/onnx/node";
import { PolicyAgent, type PolicyAgentOptions } from "@rl3/wrappers";
import { afterAll, beforeAll } from "vitest";
import type { TrainConfig, TrainConfigInput } from "../src/config.js";
import { type EngineFactories, PpoTrainer, type TrainerOptions } from "../src/ppo/trainer.js";

/** The runtimes the tests train with (the library itself imports none: callers bring them). */
export const TEST_ENGINES: EngineFactories = {
  onnx: (options) => OnnxTrainingEngine.create(options),
  tfjs: (options) => TfjsTrainingEngine.create({ ...options, device: undefined }),
};

/** `PpoTrainer.create` with the test engines. */
export function createTrainer(config: TrainConfigInput | TrainConfig, options: Partial<TrainerOptions> = {}): PpoTrainer {
  return PpoTrainer.create(config, { engines: TEST_ENGINES, ...options });
}

/** The trainer's checkpoint bytes in a file (the app writes them atomically; a test needs no more). */
export async function saveCheckpoint(trainer: PpoTrainer, path: string): Promise<void> {
  await writeFile(path, trainer.checkpoint());
}

/** `PpoTrainer.fromCheckpoint` on a file's bytes, with the test engines. */
export async function resumeTrainer(path: string, config?: TrainConfigInput | TrainConfig, options: Partial<TrainerOptions> = {}): Promise<PpoTrainer> {
  return PpoTrainer.fromCheckpoint(new Uint8Array(await readFile(path)), config, { engines: TEST_ENGINES, source: path, ...options });
}

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

/** An exported policy acting through its own encoder on onnxruntime-node (what `rl3 eval` runs). */
export async function loadPolicyAgent(bytes: Uint8Array, options: PolicyAgentOptions = {}): Promise<PolicyAgent> {
  return new PolicyAgent(await OnnxPolicy.load(bytes), options);
}
