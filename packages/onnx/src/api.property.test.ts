import { FileFormatError, InputError, type ModelKind, Rl3Error, Rng, createModelSpec, initialWeights } from "@rl3/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeNumber, hostile, mostly, typedOrValid } from "@rl3/tools/hostile-values";
import { exportOnnx, readPolicyMetadata } from "./index.js";
import { OnnxPolicy } from "./node.js";
import { onnx } from "./proto.js";

// Issue 31: every public function of @rl3/onnx, given anything, throws an Rl3Error or returns finite values.
const kinds: ModelKind[] = ["transformer", "gru", "markov"];
const spec = (kind: ModelKind, maxSequenceLength = 4) =>
  createModelSpec({ kind, inputSize: 3, outputSize: 2, maxSequenceLength, ...(kind === "transformer" ? { dModel: 8, embedSize: 8, heads: 2, feedForwardSize: 8 } : { dModel: 4, embedSize: 4 }) });
const call = <R,>(fn: (...args: never[]) => R, args: unknown[]) => (): R => fn(...(args as never[]));

describe("@rl3/onnx public API on hostile input", () => {
  const policies = new Map<ModelKind, OnnxPolicy>();
  beforeAll(async () => {
    for (const kind of kinds) policies.set(kind, await OnnxPolicy.load(exportOnnx(spec(kind), initialWeights(spec(kind), 1), { graph: "step" })));
  });
  afterAll(async () => {
    for (const policy of policies.values()) await policy.release();
  });

  it("exportOnnx: hostile specs, weights, options and metadata; NaN weights and circular metadata are InputErrors", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), hostile, mostly(fc.constantFrom("step", "sequence")), fc.option(fc.tuple(fc.nat({ max: 3 }), edgeNumber)), async (kind, other, graph, damage) => {
        const weights = initialWeights(spec(kind), 1);
        if (damage) weights[spec(kind).weights[damage[0]]!.name]!.data[0] = damage[1];
        await typedOrValid(Rl3Error, () => exportOnnx(spec(kind), weights, { graph: graph as "step" }).length);
        await typedOrValid(Rl3Error, () => exportOnnx(other as never, weights, { graph: "step" }).length);
        await typedOrValid(Rl3Error, () => exportOnnx(spec(kind), other as never, { graph: "step" }).length);
        await typedOrValid(Rl3Error, () => exportOnnx(spec(kind), weights, other as never).length);
        await typedOrValid(Rl3Error, () => exportOnnx(spec(kind), weights, { graph: "step", metadata: other as never }).length);
      }),
      { numRuns: 60 },
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => exportOnnx(spec("markov"), initialWeights(spec("markov"), 1), { graph: "step", metadata: circular })).toThrow(/^metadata must be JSON-serialisable metadata/);
    const weights = initialWeights(spec("gru"), 1);
    weights["head.bias"]!.data[0] = Number.NaN;
    expect(() => exportOnnx(spec("gru"), weights, { graph: "step" })).toThrow(InputError);
  });

  it("metadata claiming a longer sequence than the graph's positions table is refused at load, not at step 5", async () => {
    const bytes = exportOnnx(spec("transformer", 4), initialWeights(spec("transformer", 4), 1), { graph: "step" });
    const model = onnx.ModelProto.decode(bytes);
    const entry = model.metadataProps.find((property) => property.key === "rl3")!;
    entry.value = JSON.stringify({ ...JSON.parse(entry.value!), spec: spec("transformer", 8) });
    const edited = onnx.ModelProto.encode(model).finish();
    expect(() => readPolicyMetadata(edited)).toThrow(/its metadata says positions has shape \[8, 8\] but the graph's is \[4, 8\]/);
    await expect(OnnxPolicy.load(edited)).rejects.toThrow(FileFormatError);
    const nullMetadata = onnx.ModelProto.decode(bytes);
    nullMetadata.metadataProps.find((property) => property.key === "rl3")!.value = "null";
    expect(() => readPolicyMetadata(onnx.ModelProto.encode(nullMetadata).finish())).toThrow(FileFormatError);
  });

  it("readPolicyMetadata and OnnxPolicy.load on hostile bytes", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.uint8Array({ maxLength: 64 }), async (other, bytes) => {
        await typedOrValid(Rl3Error, () => readPolicyMetadata(other as never).graph);
        await typedOrValid(Rl3Error, () => readPolicyMetadata(bytes).graph);
        await typedOrValid(Rl3Error, async () => (await OnnxPolicy.load(other as never)).numActions);
      }),
      { numRuns: 100 },
    );
  });

  it("PolicyRunner reset/forward/act/runSequence with hostile batch sizes, observations and options", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), mostly(fc.integer({ min: 1, max: 3 })), fc.array(edgeNumber, { maxLength: 10 }), hostile, fc.constantFrom<unknown>({ greedy: true }, { greedy: false, rng: new Rng(1) }, { greedy: false }), async (kind, batch, observations, other, options) => {
        const policy = policies.get(kind)!;
        await typedOrValid(Rl3Error, () => policy.reset(batch as number));
        await typedOrValid(Rl3Error, () => policy.forward(observations));
        await typedOrValid(Rl3Error, () => policy.forward(other as never));
        await typedOrValid(Rl3Error, async () => Array.from((await policy.act(observations, options as never)).actions));
        await typedOrValid(Rl3Error, async () => Array.from((await policy.act(observations, other as never)).actions));
        await typedOrValid(Rl3Error, call(policy.runSequence.bind(policy), [other, batch, 1]));
      }),
      { numRuns: 100 },
    );
  });
});
