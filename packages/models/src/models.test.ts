import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileFormatError, InputError, type ModelKind, createModelSpec } from "@rl3/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomInputs, smallSpec } from "../test/fixtures.js";
import * as tf from "@tensorflow/tfjs-core";
import { ActorCritic, createModel, decodeSafetensors, disposeState, encodeSafetensors, initBackend, loadWeights, saveWeights } from "./index.js";

const KINDS: ModelKind[] = ["transformer", "gru", "markov"];

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let index = 0; index < a.length; index++) worst = Math.max(worst, Math.abs(a[index]! - b[index]!));
  return worst;
}

describe("@rl3/models", () => {
  let directory: string;
  beforeAll(async () => {
    await initBackend("wasm");
    directory = mkdtempSync(join(tmpdir(), "rl3-models-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.each(KINDS)("%s: step-by-step outputs equal the full-sequence forward (max |Δ| ≤ 1e-5)", (kind) => {
    const model = createModel(smallSpec(kind), { seed: 1 });
    const batch = 3;
    const time = 20;
    const inputs = randomInputs(batch, time, 7, 2);
    const full = model.forward(inputs).arraySync();
    let state = model.initialState(batch);
    let worst = 0;
    for (let step = 0; step < time; step++) {
      const stepInput = tf.tidy(() => tf.reshape(tf.slice(inputs, [0, step, 0], [batch, 1, 7]), [batch, 7]) as tf.Tensor2D);
      const { output, state: next } = model.step(stepInput, state);
      disposeState(state);
      state = next;
      const values = output.arraySync();
      for (let env = 0; env < batch; env++) worst = Math.max(worst, maxAbsDifference(values[env]!, full[env]![step]!));
      output.dispose();
      stepInput.dispose();
    }
    disposeState(state);
    expect(worst).toBeLessThanOrEqual(1e-5);
    model.dispose();
  });

  it("is causal: outputs at t do not depend on inputs after t", () => {
    const model = createModel(smallSpec("transformer"), { seed: 3 });
    const inputs = randomInputs(1, 10, 7, 4);
    const changed = tf.concat([tf.slice(inputs, [0, 0, 0], [1, 6, 7]), randomInputs(1, 4, 7, 5)], 1) as tf.Tensor3D;
    const before = model.forward(inputs).arraySync()[0]!;
    const after = model.forward(changed).arraySync()[0]!;
    for (let step = 0; step < 6; step++) expect(maxAbsDifference(before[step]!, after[step]!)).toBeLessThan(1e-6);
    expect(maxAbsDifference(before[7]!, after[7]!)).toBeGreaterThan(1e-4);
  });

  it("the same seed gives the same weights and outputs", () => {
    const first = createModel(smallSpec("transformer"), { seed: 9 });
    const second = createModel(smallSpec("transformer"), { seed: 9 });
    const inputs = randomInputs(2, 5, 7, 1);
    expect(first.forward(inputs).dataSync()).toEqual(second.forward(inputs).dataSync());
    expect(createModel(smallSpec("transformer"), { seed: 10 }).getWeights()["head.kernel"]!.data).not.toEqual(first.getWeights()["head.kernel"]!.data);
  });

  it.each(KINDS)("%s: save/load round-trip (safetensors) gives identical outputs", async (kind) => {
    const model = createModel(smallSpec(kind), { seed: 6 });
    const path = join(directory, `${kind}.safetensors`);
    await saveWeights(path, model.getWeights(), { kind });
    const loaded = await loadWeights(path);
    expect(loaded.metadata).toEqual({ kind });
    const copy = createModel(smallSpec(kind), { weights: loaded.weights });
    const inputs = randomInputs(2, 8, 7, 7);
    expect(copy.forward(inputs).dataSync()).toEqual(model.forward(inputs).dataSync());
  });

  it("setWeights replaces every weight", () => {
    const source = createModel(smallSpec("gru"), { seed: 1 });
    const target = createModel(smallSpec("gru"), { seed: 2 });
    target.setWeights(source.getWeights());
    const inputs = randomInputs(1, 4, 7, 3);
    expect(target.forward(inputs).dataSync()).toEqual(source.forward(inputs).dataSync());
  });

  it("rejects damaged weight files and mismatched weights", async () => {
    const bytes = encodeSafetensors(createModel(smallSpec("markov"), { seed: 1 }).getWeights());
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 10))).toThrow(FileFormatError);
    expect(() => decodeSafetensors(bytes.subarray(0, 4))).toThrow(/too short/);
    const path = join(directory, "garbage.safetensors");
    writeFileSync(path, "definitely not weights");
    await expect(loadWeights(path)).rejects.toThrow(/garbage\.safetensors: not a valid safetensors file/);
    await expect(loadWeights(join(directory, "missing.safetensors"))).rejects.toThrow(/missing\.safetensors: cannot read the weights file \(ENOENT\)/);
    await expect(saveWeights(join(directory, "no-such-directory", "w.safetensors"), {})).rejects.toThrow(/^path must be a writable file path \(ENOENT\)/);
    const model = createModel(smallSpec("markov"), { seed: 1 });
    const weights = { ...model.getWeights() };
    delete (weights as Record<string, unknown>)["head.bias"];
    expect(() => model.setWeights(weights)).toThrow(/^weights\.head\.bias must be a tensor of shape \[3\]/);
  });

  it("rejects inputs of the wrong size or sequences longer than the positions", () => {
    const model = createModel(smallSpec("transformer", 8), { seed: 1 });
    expect(() => model.forward(randomInputs(1, 4, 6, 1))).toThrow(InputError);
    expect(() => model.forward(randomInputs(1, 9, 7, 1))).toThrow(/^sequence length must be ≤ 8/);
    expect(() => createModelSpec({ kind: "lstm" as never, inputSize: 1, outputSize: 1, maxSequenceLength: 1 })).toThrow(/^kind must be/);
    expect(() => createModelSpec({ kind: "transformer", inputSize: 1, outputSize: 1, maxSequenceLength: 1, heads: 3 })).toThrow(/^heads must be a divisor/);
  });

  it("ActorCritic: separate networks, critic one position longer", () => {
    const agent = ActorCritic.create({ kind: "transformer", inputSize: 28, numActions: 5, horizon: 10, seed: 1 });
    expect(agent.actor.spec.outputSize).toBe(5);
    expect(agent.critic.spec.outputSize).toBe(1);
    expect(agent.critic.spec.maxSequenceLength).toBe(11);
    expect(agent.actor.variables.some((variable) => agent.critic.variables.includes(variable))).toBe(false);
    expect(agent.actor.getWeights()["embed1.kernel"]!.data).not.toEqual(agent.critic.getWeights()["embed1.kernel"]!.data);
    agent.dispose();
  });
});

describe("gradients", () => {
  it("match finite differences on a tiny transformer (cpu, float32)", async () => {
    await initBackend("cpu");
    const spec = createModelSpec({ kind: "transformer", inputSize: 3, outputSize: 2, maxSequenceLength: 6, dModel: 8, embedSize: 8, heads: 2, feedForwardSize: 8 });
    const model = createModel(spec, { seed: 11 });
    const inputs = randomInputs(2, 5, 3, 12);
    const probe = randomInputs(2, 5, 2, 13);
    const loss = () => tf.sum(tf.mul(model.forward(inputs), probe)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, model.variables as tf.Variable[]);
    // Small enough that ReLU kinks are rarely crossed, large enough for float32 round-off on a loss of O(10).
    const epsilon = 1e-3;
    let checked = 0;
    for (const [index, variable] of model.variables.entries()) {
      const gradient = grads[variable.name]!.dataSync();
      const original = variable.dataSync().slice();
      for (const element of [0, Math.floor(original.length / 2)]) {
        const perturbed = (delta: number) => {
          const values = original.slice();
          values[element]! += delta;
          variable.assign(tf.tensor(values, variable.shape));
          return loss().dataSync()[0]!;
        };
        const numeric = (perturbed(epsilon) - perturbed(-epsilon)) / (2 * epsilon);
        variable.assign(tf.tensor(original, variable.shape));
        expect(Math.abs(numeric - gradient[element]!), `${spec.weights[index]!.name}[${element}]`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
        checked++;
      }
    }
    expect(checked).toBe(2 * spec.weights.length);
    await initBackend("wasm");
  });
});
