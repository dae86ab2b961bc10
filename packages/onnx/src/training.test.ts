import { Rng, createModelSpec, initialWeights, type ModelSpec, type NamedWeights, type PolicyBatch, type ValueBatch } from "@rl3/core";
import { TfjsTrainingEngine, initBackend } from "@rl3/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnnxTrainingEngine } from "./training/onnx-engine.js";

/** Gradients of both engines on the same weights and minibatch (issue: max |Δ| ≤ 1e-4 × the tensor's max |g|). */
const CASES: { label: string; spec: Parameters<typeof createModelSpec>[0]; count: number; time: number }[] = [
  { label: "transformer quick (d 32, 1 layer, 2 heads)", spec: { kind: "transformer", inputSize: 28, outputSize: 5, maxSequenceLength: 40, dModel: 32, embedSize: 64, layers: 1, heads: 2, feedForwardSize: 64 }, count: 3, time: 24 },
  { label: "transformer paper (d 64, 2 layers, 4 heads, GELU)", spec: { kind: "transformer", inputSize: 36, outputSize: 5, maxSequenceLength: 64, dModel: 64, embedSize: 256, layers: 2, heads: 4, feedForwardSize: 256 }, count: 2, time: 48 },
  { label: "transformer relu", spec: { kind: "transformer", inputSize: 11, outputSize: 5, maxSequenceLength: 16, dModel: 16, embedSize: 32, layers: 2, heads: 4, feedForwardSize: 32, activation: "relu" }, count: 2, time: 12 },
  { label: "gru quick", spec: { kind: "gru", inputSize: 19, outputSize: 5, maxSequenceLength: 40, dModel: 32, embedSize: 16 }, count: 3, time: 20 },
  { label: "gru paper (256 hidden)", spec: { kind: "gru", inputSize: 36, outputSize: 5, maxSequenceLength: 64, dModel: 256, embedSize: 64 }, count: 2, time: 40 },
  { label: "markov", spec: { kind: "markov", inputSize: 28, outputSize: 5, maxSequenceLength: 30, dModel: 64, layers: 2 }, count: 3, time: 20 },
];

function randomArray(rng: Rng, length: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, () => scale * rng.normal());
}

function maxAbs(data: ArrayLike<number>): number {
  let max = 0;
  for (let index = 0; index < data.length; index++) max = Math.max(max, Math.abs(data[index]!));
  return max;
}

function expectGradientsClose(spec: ModelSpec, actual: NamedWeights, expected: NamedWeights): void {
  for (const { name } of spec.weights) {
    const scale = maxAbs(expected[name]!.data);
    let worst = 0;
    for (let index = 0; index < expected[name]!.data.length; index++) worst = Math.max(worst, Math.abs(actual[name]!.data[index]! - expected[name]!.data[index]!));
    expect(worst, `${name}: max |Δ| ${worst} vs max |g| ${scale}`).toBeLessThanOrEqual(1e-4 * scale + 1e-12);
  }
}

describe("onnx training engine equals the tfjs reference", () => {
  beforeAll(async () => {
    await initBackend("cpu");
  });

  describe.each(CASES)("$label", ({ spec: options, count, time }) => {
    const actor = createModelSpec(options);
    const critic = createModelSpec({ ...options, outputSize: 1, maxSequenceLength: options.maxSequenceLength + 1 });
    const engineOptions = { actor, critic, clipRange: 0.2, valueCoefficient: 0.5 };
    let onnx: OnnxTrainingEngine;
    let tfjs: TfjsTrainingEngine;
    beforeAll(async () => {
      onnx = await OnnxTrainingEngine.create(engineOptions);
      tfjs = await TfjsTrainingEngine.create(engineOptions);
    });
    afterAll(async () => {
      await onnx.dispose();
      await tfjs.dispose();
    });

    it("policy loss, diagnostics and gradients", async () => {
      const rng = new Rng(7);
      const weights = initialWeights(actor, 3);
      const observations = randomArray(rng, count * time * actor.inputSize);
      const logits = await tfjs.forward("actor", weights, observations, count, time);
      const fromOnnx = await onnx.forward("actor", weights, observations, count, time);
      expect(maxAbs(fromOnnx.map((value, index) => value - logits[index]!))).toBeLessThan(1e-4);
      const actions = Int32Array.from({ length: count * time }, () => rng.int(actor.outputSize));
      // Old log-probabilities near the current ones, so that some ratios are clipped and some are not.
      const oldLogProbabilities = Float32Array.from(actions, (action, step) => {
        const row = logits.subarray(step * actor.outputSize, (step + 1) * actor.outputSize);
        const max = Math.max(...row);
        const logSum = Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0)) + max;
        return row[action]! - logSum + 0.3 * rng.normal();
      });
      const batch: PolicyBatch = { observations, actions, oldLogProbabilities, advantages: randomArray(rng, count * time), count, time, entropyCoefficient: 0.04 };
      const [a, b] = [await onnx.policyStep(weights, batch), await tfjs.policyStep(weights, batch)];
      for (const key of ["loss", "policyLoss", "entropy", "approxKl", "clipFraction"] as const) expect(Math.abs(a[key] - b[key]), key).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[key])));
      expect(b.clipFraction).toBeGreaterThan(0);
      expectGradientsClose(actor, a.gradients, b.gradients);
    });

    it("value loss and gradients", async () => {
      const rng = new Rng(11);
      const weights = initialWeights(critic, 5);
      const batch: ValueBatch = { observations: randomArray(rng, count * (time + 1) * critic.inputSize), targets: randomArray(rng, count * time, 20), count, time };
      const [a, b] = [await onnx.valueStep(weights, batch), await tfjs.valueStep(weights, batch)];
      expect(Math.abs(a.valueLoss - b.valueLoss)).toBeLessThan(1e-5 * Math.max(1, b.valueLoss));
      expectGradientsClose(critic, a.gradients, b.gradients);
    });
  });
});
