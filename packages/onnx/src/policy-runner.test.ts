import { InputError, Rng, createModelSpec, elementCount, type NamedWeights } from "@rl3/core";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import * as root from "./index.js";
import { OnnxPolicy, nodeRuntime } from "./node.js";
import { PolicyRunner } from "./policy-runner.js";

function policyBytes(): Uint8Array {
  const spec = createModelSpec({ kind: "transformer", inputSize: 4, outputSize: 3, maxSequenceLength: 8, dModel: 8, embedSize: 8, layers: 1, heads: 2, feedForwardSize: 8 });
  const rng = new Rng(2);
  const weights: NamedWeights = Object.fromEntries(spec.weights.map(({ name, shape }) => [name, { shape, data: Float32Array.from({ length: elementCount(shape) }, () => rng.normal(0, 0.5)) }]));
  return root.exportOnnx(spec, weights, { graph: "step", metadata: { family: "test" } });
}

describe("PolicyRunner", () => {
  it("runs on an injected runtime exactly as OnnxPolicy does on onnxruntime-node", async () => {
    const bytes = policyBytes();
    const injected = await PolicyRunner.create(bytes, ort);
    const node = await OnnxPolicy.load(bytes);
    injected.reset(2);
    node.reset(2);
    const rng = new Rng(3);
    for (let step = 0; step < 5; step++) {
      const observations = Float32Array.from({ length: 8 }, () => rng.normal());
      expect(await injected.forward(observations)).toEqual(await node.forward(observations));
    }
    expect(nodeRuntime.Tensor).toBe(ort.Tensor);
    await injected.release();
    await node.release();
  });

  it("has no onnxruntime-node name on the root: those live behind @rl3/onnx/node only", () => {
    expect("OnnxPolicy" in root).toBe(false);
    expect("OnnxTrainingEngine" in root).toBe(false);
    expect(Array.from(root.softmaxRow([0, Math.log(3)], 0, 2, new Float64Array(2)))[1]).toBeCloseTo(0.75, 12);
  });

  it("refuses what is not policy bytes before opening a session", async () => {
    await expect(PolicyRunner.create("policy.onnx" as unknown as Uint8Array, ort)).rejects.toThrow(InputError);
    await expect(PolicyRunner.create(new TextEncoder().encode("not onnx"), ort, { path: "dropped.onnx" })).rejects.toThrow(/dropped\.onnx|not a readable ONNX file|no graph/);
  });
});
