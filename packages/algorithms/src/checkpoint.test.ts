import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileFormatError, InputError, Rl3Error } from "@rl3/core";
import { decodeSafetensors, encodeSafetensors } from "@rl3/models";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTrainer, resumeTrainer, saveCheckpoint } from "../test/fixtures.js";
import { damagedBytes } from "@rl3/tools/property-testing";
import type { TrainConfigInput } from "./config.js";
import { PpoTrainer } from "./ppo/trainer.js";

const tiny: TrainConfigInput = {
  family: "bandits",
  horizon: 10,
  method: "rl2",
  model: { kind: "markov", dModel: 4 },
  iterations: 3,
  batchSize: 20,
  minibatchSize: 10,
  learningRate: 1e-3,
  entropyCoefficient: 0.01,
  epochs: 1,
  seed: 1,
};

describe("checkpoints read back are validated before training continues", () => {
  let directory: string;
  let original: Uint8Array;
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "rl3-checkpoint-"));
    const trainer = createTrainer(tiny);
    await trainer.trainIteration();
    const path = join(directory, "good.safetensors");
    await saveCheckpoint(trainer, path);
    await trainer.dispose();
    original = new Uint8Array(readFileSync(path));
  }, 60_000);
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  /** The checkpoint re-encoded after `change` edits its tensors or metadata. */
  function edited(change: (file: ReturnType<typeof decodeSafetensors>) => void): Uint8Array {
    const file = decodeSafetensors(original);
    change(file);
    // encodeSafetensors refuses non-finite values (issue 31), so a damaged file is written with 0 in their place
    // and the bytes patched afterwards, the way a disk or a foreign writer would leave them.
    const damaged: [string, number, number][] = [];
    for (const [name, tensor] of Object.entries(file.weights)) {
      tensor.data.forEach((value, index) => {
        if (!Number.isFinite(value)) {
          damaged.push([name, index, value]);
          tensor.data[index] = 0;
        }
      });
    }
    const bytes = encodeSafetensors(file.weights, file.metadata);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { data_offsets: [number, number] }>;
    for (const [name, index, value] of damaged) view.setFloat32(8 + headerLength + header[name]!.data_offsets[0] + 4 * index, value, true);
    return bytes;
  }

  async function expectRejected(bytes: Uint8Array, message: RegExp): Promise<void> {
    const path = join(directory, `case-${Math.random().toString(36).slice(2)}.safetensors`);
    writeFileSync(path, bytes);
    await expect(resumeTrainer(path)).rejects.toThrow(FileFormatError);
    await expect(resumeTrainer(path)).rejects.toThrow(message);
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes); // the file is left as it was
  }

  it("accepts the file as written", async () => {
    const path = join(directory, "good.safetensors");
    const trainer = await resumeTrainer(path);
    expect(trainer.iteration).toBe(1);
  });

  it.each([
    ["NaN in Adam's first moment", (file: ReturnType<typeof decodeSafetensors>) => void (file.weights["optimizer/actor/1"]!.data[0] = Number.NaN), /tensor optimizer\/actor\/1 holds NaN at index 0; weights must be finite/],
    ["Infinity in a weight", (file: ReturnType<typeof decodeSafetensors>) => void (file.weights["critic/head.bias"]!.data[0] = Number.POSITIVE_INFINITY), /tensor critic\/head\.bias holds Infinity at index 0; weights must be finite/],
    ["a fractional iteration", (file: ReturnType<typeof decodeSafetensors>) => void (file.metadata.iteration = "2.5"), /iteration counter is "2\.5", not an integer ≥ 0/],
    ["an exponent iteration", (file: ReturnType<typeof decodeSafetensors>) => void (file.metadata.iteration = "1e3"), /iteration counter is "1e3"/],
    ["an empty iteration", (file: ReturnType<typeof decodeSafetensors>) => void (file.metadata.iteration = ""), /iteration counter is ""/],
    ["no slots entry", (file: ReturnType<typeof decodeSafetensors>) => void delete file.metadata.slots, /header lacks slots/],
    ["a huge slot count", (file: ReturnType<typeof decodeSafetensors>) => void (file.metadata.slots = JSON.stringify({ actor: 1e12, critic: 0 })), /actor optimizer slot count is 1000000000000/],
    ["a missing weight", (file: ReturnType<typeof decodeSafetensors>) => void delete (file.weights as Record<string, unknown>)["actor/head.bias"], /weight actor\/head\.bias is missing/],
  ])("rejects %s with a FileFormatError and leaves the file alone", async (_name, change, message) => {
    await expectRejected(edited(change), message);
  });

  it.each([
    ["a negative shape", { dtype: "F32", shape: [-1], data_offsets: [0, 0] }, /shape \[-1\]; expected an array of integers ≥ 0/],
    ["fractional offsets", { dtype: "F32", shape: [1], data_offsets: [0.5, 4.5] }, /data_offsets \[0\.5, 4\.5\]/],
    ["offsets past the end", { dtype: "F32", shape: [1], data_offsets: [1_000_000, 1_000_004] }, /run past the data/],
    ["a null entry", null, /tensor extra is null/],
  ])("rejects a header entry with %s", async (_name, entry, message) => {
    const header = JSON.stringify({ __metadata__: {}, extra: entry });
    const bytes = new Uint8Array(8 + header.length + 4);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });

  it("fuzz: any flipped or truncated bytes give a typed error or a trainer with finite weights, and never touch the file", async () => {
    const path = join(directory, "fuzzed.safetensors");
    await fc.assert(
      fc.asyncProperty(
        damagedBytes(original, 4),
        async (damaged) => {
          writeFileSync(path, damaged);
          try {
            const trainer = await resumeTrainer(path);
            expect(Number.isSafeInteger(trainer.iteration) && trainer.iteration >= 0).toBe(true);
            for (const role of ["actor", "critic"] as const) {
              for (const tensor of Object.values(trainer.weights(role))) expect(tensor.data.every(Number.isFinite)).toBe(true);
            }
          } catch (error) {
            expect(error).toBeInstanceOf(Rl3Error);
          }
          expect(new Uint8Array(readFileSync(path))).toEqual(damaged);
        },
      ),
      { numRuns: 80 },
    );
  }, 30_000);
});

describe("parseTrainConfig on arbitrary input", () => {
  it("fuzz: a ConfigError or UnknownNameError naming a field, or a config that parses to itself", async () => {
    const { parseTrainConfig } = await import("./config.js");
    const { ConfigError, UnknownNameError } = await import("@rl3/core");
    const value = fc.oneof(fc.constantFrom(0, -1, 1.5, 10, 1e9, Number.NaN, Number.POSITIVE_INFINITY, "10", true, null, [], {}), fc.anything());
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom("horizon", "batchSize", "minibatchSize", "learningRate", "iterations", "gamma", "clipRange", "model", "method", "family", "epochs", "extra", "threads"), value, { maxKeys: 4 }), (changes) => {
        try {
          const config = parseTrainConfig({ ...tiny, ...changes });
          expect(parseTrainConfig(config)).toEqual(config);
        } catch (error) {
          if (error instanceof ConfigError) {
            expect(error.message).not.toMatch(/Invalid input|Too small|Too big|Invalid option|Unrecognized key/);
            expect(error.message.startsWith(`${error.field} must be `)).toBe(true);
          } else expect(error).toBeInstanceOf(UnknownNameError);
        }
      }),
      { numRuns: 400 },
    );
  });
});
