import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileFormatError, InputError, Rl3Error, StateError, createModelSpec, initialWeights } from "@rl3/core";
import * as tf from "@tensorflow/tfjs-core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { edgeNumber, hostile, mostly, typedOrValid } from "@rl3/tools/hostile-values";
import { initBackend } from "./backend.js";
import { ActorCritic, createModel } from "./create-model.js";
import { decodeSafetensors, encodeSafetensors, loadWeights, saveWeights } from "./safetensors.js";

// Issue 31: every public function of @rl3/models, given anything, throws an Rl3Error or returns finite outputs.
const kinds = ["transformer", "gru", "markov"] as const;
const specOf = (kind: (typeof kinds)[number]) => createModelSpec({ kind, inputSize: 3, outputSize: 2, maxSequenceLength: 4, dModel: 4, embedSize: 4, layers: 1, heads: 2, feedForwardSize: 4 });

beforeAll(async () => {
  await initBackend("cpu");
});

describe("@rl3/models public API on hostile input", () => {
  it("createModel and ActorCritic.create with hostile specs, seeds, weights and options", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), hostile, mostly(fc.integer({ min: -5, max: 5 })), fc.option(fc.tuple(fc.nat({ max: 3 }), edgeNumber)), async (kind, other, seed, damage) => {
        const spec = specOf(kind);
        const weights = initialWeights(spec, 1);
        if (damage) weights[spec.weights[damage[0]]!.name]!.data[0] = damage[1];
        await typedOrValid(Rl3Error, () => createModel(spec, { seed: seed as number }), (model) => model.dispose());
        await typedOrValid(Rl3Error, () => createModel(spec, { weights }), (model) => model.dispose());
        await typedOrValid(Rl3Error, () => createModel(other as never), (model) => model.dispose());
        await typedOrValid(Rl3Error, () => createModel(spec, other as never), (model) => model.dispose());
        await typedOrValid(Rl3Error, () => ActorCritic.create({ kind, inputSize: 3, numActions: 2, horizon: seed as number, seed: 1, sizes: { dModel: 4, embedSize: 4, layers: 1, heads: 2, feedForwardSize: 4 } }), (agent) => agent.dispose());
        await typedOrValid(Rl3Error, () => ActorCritic.create(other as never), (agent) => agent.dispose());
      }),
      { numRuns: 60 },
    );
  });

  it("forward, step, initialState and setWeights with hostile tensors, states and batch sizes", async () => {
    const values = fc.array(edgeNumber, { minLength: 1, maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), values, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }), mostly(fc.integer({ min: 1, max: 3 })), hostile, async (kind, data, batch, time, batchSize, other) => {
        const model = createModel(specOf(kind), { seed: 1 });
        const width = Math.max(1, Math.floor(data.length / (batch * time)));
        const flat = Array.from({ length: batch * time * width }, (_, index) => data[index % data.length]!);
        const inputs3 = tf.tensor3d(flat, [batch, time, width]);
        const inputs2 = tf.tensor2d(flat.slice(0, batch * width), [batch, width]);
        const finiteOut = (tensor: tf.Tensor) => {
          expect(Array.from(tensor.dataSync()).every(Number.isFinite)).toBe(true);
          tensor.dispose();
        };
        await typedOrValid(Rl3Error, () => model.forward(inputs3), finiteOut);
        await typedOrValid(Rl3Error, () => model.forward(other as never), finiteOut);
        await typedOrValid(Rl3Error, () => model.initialState(batchSize as number), async (state) => {
          await typedOrValid(Rl3Error, () => model.step(inputs2, state), (result) => finiteOut(result.output));
        });
        await typedOrValid(Rl3Error, () => model.step(inputs2, other as never), (result) => finiteOut(result.output));
        await typedOrValid(Rl3Error, () => model.setWeights(other as never));
        model.dispose();
        inputs3.dispose();
        inputs2.dispose();
      }),
      { numRuns: 80 },
    );
  });

  it("a disposed model refuses to compute instead of returning zeros", () => {
    for (const kind of kinds) {
      const model = createModel(specOf(kind), { seed: 1 });
      model.dispose();
      const inputs = tf.ones([1, 2, 3]) as tf.Tensor3D;
      expect(() => model.forward(inputs)).toThrow(StateError);
      expect(() => model.getWeights()).toThrow(StateError);
      inputs.dispose();
    }
  });

  it("safetensors: encode refuses NaN and shape/data mismatches; decode refuses overlapping tensors and NaN; anything else is typed", async () => {
    const weights = { a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [1], data: Float32Array.of(3) } };
    expect(() => encodeSafetensors({ a: { shape: [3], data: Float32Array.of(1, 2) } })).toThrow(/^weights\.a\.data must be a Float32Array of 3 elements/);
    expect(() => encodeSafetensors({ a: { shape: [1], data: Float32Array.of(Number.NaN) } })).toThrow(/^weights\.a\.data\[0\] must be a finite number/);
    const bytes = encodeSafetensors(weights);
    // Point b at a's bytes: a file a careless writer (or an attacker) could produce; both tensors would alias.
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    const edited = header.replace('"data_offsets":[8,12]', '"data_offsets":[4, 8]');
    expect(edited).not.toBe(header);
    const overlapping = bytes.slice();
    overlapping.set(new TextEncoder().encode(edited), 8);
    expect(() => decodeSafetensors(overlapping)).toThrow(/tensors a \[0, 8\] and b \[4, 8\] overlap/);
    const nan = bytes.slice();
    new DataView(nan.buffer).setFloat32(nan.length - 4, Number.NaN, true);
    expect(() => decodeSafetensors(nan)).toThrow(FileFormatError);
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (a, b) => {
        await typedOrValid(Rl3Error, () => encodeSafetensors(a as never, b as never).length);
        await typedOrValid(Rl3Error, () => Object.keys(decodeSafetensors(a as never).weights).length);
        // Only non-strings here: a random string is a real path, and writing it would litter the working directory.
        if (typeof a !== "string") await typedOrValid(Rl3Error, () => saveWeights(a as never, weights));
        await typedOrValid(Rl3Error, async () => Object.keys((await loadWeights(a as never)).weights).length);
      }),
      { numRuns: 150 },
    );
    await expect(saveWeights("", weights)).rejects.toThrow(InputError);
    const directory = mkdtempSync(join(tmpdir(), "rl3-weights-"));
    try {
      await expect(saveWeights(join(directory, "missing", "w.safetensors"), weights)).rejects.toThrow(InputError);
      await saveWeights(join(directory, "w.safetensors"), weights);
      expect(Object.keys((await loadWeights(join(directory, "w.safetensors"))).weights)).toEqual(["a", "b"]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
