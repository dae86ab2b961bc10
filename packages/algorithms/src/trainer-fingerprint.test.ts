import type { NamedWeights } from "@rl3/core";
import { describe, expect, it } from "vitest";
import type { TrainConfigInput } from "./config.js";
import { PpoTrainer } from "./ppo/trainer.js";
import { tinyMdpsRun, withTrainerSandbox, createTrainer } from "../test/fixtures.js";

/**
 * Bit-for-bit canaries of the trainer: FNV-1a hashes of every weight and every metric after two iterations, recorded
 * from the single-threaded trainer of main 3acb90f (with a090728's transition-token encoder; before the engine seam
 * and the worker threads). Runs in
 * results/ were trained by that trainer and are resumed by this one, so `--workers 1` must reproduce it exactly:
 * a changed hash means the redesign changed the numbers, not a flaky test (the same seed is bit-identical, tested).
 */
function fnv1a(hash: number, bytes: Uint8Array): number {
  let h = hash;
  for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

function fingerprint(weights: readonly NamedWeights[], metrics: readonly Record<string, number | undefined>[]): string {
  let hash = 0x811c9dc5;
  for (const set of weights) {
    for (const name of Object.keys(set).sort()) hash = fnv1a(hash, new Uint8Array(Float32Array.from(set[name]!.data).buffer));
  }
  const numbers = metrics.flatMap((row) =>
    Object.keys(row)
      .filter((key) => !key.startsWith("time/") && key !== "charts/SPS")
      .sort()
      .map((key) => row[key] ?? Number.NaN),
  );
  hash = fnv1a(hash, new Uint8Array(Float64Array.from(numbers).buffer));
  return hash.toString(16).padStart(8, "0");
}

async function twoIterations(config: TrainConfigInput): Promise<string> {
  const trainer = createTrainer(config);
  const metrics = [await trainer.trainIteration(), await trainer.trainIteration()];
  const result = fingerprint([trainer.weights("actor"), trainer.weights("critic")], metrics as unknown as Record<string, number>[]);
  await trainer.dispose();
  return result;
}

const grid: TrainConfigInput = {
  ...tinyMdpsRun,
  family: "grid13",
  horizon: 20,
  method: "rl2-transition",
  batchSize: 80,
  minibatchSize: 40,
  valueScale: 100,
  validateEvery: 1,
  validationEpisodes: 2,
};

describe("the trainer, bit for bit against the single-threaded trainer of 3acb90f", () => {
  withTrainerSandbox("rl3-fingerprint-");

  it("RL³ on MDPs (onnx engine)", async () => {
    expect(await twoIterations(tinyMdpsRun)).toBe("91b8979d");
  });

  it("RL²-transition on 13×13 gridworlds with a scaled critic and greedy validation (onnx engine)", async () => {
    expect(await twoIterations(grid)).toBe("90e23a88");
  });

  it("RL³ on MDPs (tfjs engine, which acts on tfjs too)", async () => {
    expect(await twoIterations({ ...tinyMdpsRun, engine: "tfjs" })).toBe("d3f7f2a1");
  });
});
