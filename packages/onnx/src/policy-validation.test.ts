import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileFormatError, InputError, type ModelKind, Rl3Error, createModelSpec, initialWeights } from "@rl3/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { damagedBytes } from "@rl3/tools/property-testing";
import { exportOnnx } from "./index.js";
import { OnnxPolicy } from "./node.js";
import { onnx } from "./proto.js";

const spec = (kind: ModelKind) =>
  createModelSpec({ kind, inputSize: 3, outputSize: 2, maxSequenceLength: 4, ...(kind === "transformer" ? { dModel: 8, embedSize: 8, heads: 2, feedForwardSize: 8 } : { dModel: 4, embedSize: 4 }) });
const policyBytes = (kind: ModelKind, graph: "step" | "sequence" = "step") => exportOnnx(spec(kind), initialWeights(spec(kind), 1), { graph });

/** The file with its rl3 metadata JSON passed through `change`. */
function withMetadata(bytes: Uint8Array, change: (metadata: Record<string, any>) => void): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const entry = model.metadataProps.find((property) => property.key === "rl3")!;
  const metadata = JSON.parse(entry.value!);
  change(metadata);
  entry.value = JSON.stringify(metadata);
  return onnx.ModelProto.encode(model).finish();
}

describe("OnnxPolicy refuses what it cannot run correctly", () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "rl3-policy-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it.each([
    ["a different inputSize", (metadata: Record<string, any>) => void (metadata.spec.inputSize = 5), /spec\.inputSize = 5 but the graph reads observations of size 3/],
    ["another kind", (metadata: Record<string, any>) => void (metadata.spec.kind = "gru"), /disagrees with its graph: the graph has inputs observations, position, past_key_0/],
    ["more layers", (metadata: Record<string, any>) => void (metadata.spec.layers += 1), /disagrees with its graph/],
    ["a step graph called sequence", (metadata: Record<string, any>) => void (metadata.graph = "sequence"), /disagrees with its graph/],
    ["a fractional size", (metadata: Record<string, any>) => void (metadata.spec.outputSize = 1.5), /spec\.outputSize = 1\.5; expected an integer ≥ 1/],
    ["heads not dividing dModel", (metadata: Record<string, any>) => void (metadata.spec.heads = 3), /spec\.heads = 3; expected an integer ≥ 1 dividing dModel \(8\)/],
  ])("metadata that disagrees with the graph (%s) is a FileFormatError when loaded", async (_name, change, message) => {
    const edited = withMetadata(policyBytes("transformer"), change);
    await expect(OnnxPolicy.load(edited)).rejects.toThrow(FileFormatError);
    await expect(OnnxPolicy.load(edited)).rejects.toThrow(message);
  });

  it.each(["transformer", "gru", "markov"] as const)("a %s policy fed NaN or ±Inf observations gets an InputError naming the index", async (kind) => {
    const policy = await OnnxPolicy.load(policyBytes(kind));
    policy.reset(2);
    await expect(policy.act(Float32Array.of(0, 1, 0, 0, Number.NaN, 0))).rejects.toThrow(/^observations\[4\] must be a finite number; got NaN$/);
    await expect(policy.act([Number.POSITIVE_INFINITY, 0, 0, 0, 0, 0])).rejects.toThrow(InputError);
    await expect(policy.act(new Float32Array(6))).resolves.toBeDefined(); // a refused step does not advance the state
    await policy.release();
  });

  it("a sequence longer than H, or of the wrong length, is an InputError, not an onnxruntime error", async () => {
    const policy = await OnnxPolicy.load(policyBytes("transformer", "sequence"));
    await expect(policy.runSequence(new Float32Array(5 * 3), 1, 5)).rejects.toThrow(/^time must be at most 4, the policy's maximum sequence length/);
    await expect(policy.runSequence(new Float32Array(7), 1, 2)).rejects.toThrow(/^observations\.length must be 6/);
    policy.reset(1);
    for (let step = 0; step < 4; step++) await policy.act(new Float32Array(3));
    await expect(policy.act(new Float32Array(3))).rejects.toThrow(/maximum sequence length; call reset/);
    await policy.release();
  });

  it("fuzz: flipped or truncated bytes of a policy file give a typed error or a policy whose greedy actions are valid, and never touch the file", async () => {
    const original = policyBytes("gru");
    const path = join(directory, "policy.onnx");
    await fc.assert(
      fc.asyncProperty(
        damagedBytes(original, 3),
        async (damaged) => {
          writeFileSync(path, damaged);
          try {
            const policy = await OnnxPolicy.load(path);
            policy.reset(1);
            const { actions } = await policy.act(new Float32Array(policy.observationSize));
            expect(actions[0]).toBeGreaterThanOrEqual(0);
            expect(actions[0]).toBeLessThan(policy.numActions);
            await policy.release();
          } catch (error) {
            expect(error).toBeInstanceOf(Rl3Error);
          }
          expect(new Uint8Array(readFileSync(path))).toEqual(damaged);
        },
      ),
      { numRuns: 60 },
    );
  }, 30_000);
});
