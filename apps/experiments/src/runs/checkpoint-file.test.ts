import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PpoTrainer, type TrainConfigInput } from "@rl3/algorithms";
import { FileFormatError, InputError } from "@rl3/core";
import { afterAll, describe, expect, it } from "vitest";
import { resumeTrainer, saveCheckpoint } from "./checkpoint-file.js";
import { ENGINES } from "./engines.js";

const tiny: TrainConfigInput = {
  family: "mdps",
  horizon: 10,
  method: "rl3",
  model: { kind: "transformer", dModel: 8, embedSize: 8, layers: 1, heads: 2, feedForwardSize: 8 },
  iterations: 2,
  batchSize: 40,
  minibatchSize: 20,
  learningRate: 1e-3,
  entropyCoefficient: 0.01,
};

describe("checkpoint files", () => {
  const directory = mkdtempSync(join(tmpdir(), "rl3-checkpoint-file-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("hold exactly the trainer's bytes, and resume to the same state", async () => {
    const trainer = PpoTrainer.create(tiny, { engines: ENGINES });
    await trainer.trainIteration();
    const path = join(directory, "checkpoint.safetensors");
    saveCheckpoint(trainer, path);
    expect(new Uint8Array(readFileSync(path))).toEqual(trainer.checkpoint());
    const resumed = await resumeTrainer(path, undefined, { engines: ENGINES });
    expect(resumed.iteration).toBe(1);
    expect(resumed.weights("critic")).toEqual(trainer.weights("critic"));
    await trainer.dispose();
  });

  it("name the path when it cannot be written or read, and leave nothing behind", async () => {
    const trainer = PpoTrainer.create(tiny, { engines: ENGINES });
    const unwritable = join(directory, "missing-directory", "checkpoint.safetensors");
    expect(() => saveCheckpoint(trainer, unwritable)).toThrow(InputError);
    expect(() => saveCheckpoint(trainer, unwritable)).toThrow(/^path must be a writable file path \(ENOENT\); got ".*missing-directory\/checkpoint\.safetensors"$/);
    await expect(resumeTrainer(join(directory, "missing.safetensors"), undefined, { engines: ENGINES })).rejects.toThrow(FileFormatError);
    await expect(resumeTrainer(join(directory, "missing.safetensors"), undefined, { engines: ENGINES })).rejects.toThrow(/cannot read the checkpoint \(ENOENT\)/);
  });
});
