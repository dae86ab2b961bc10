import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileFormatError, type ModelKind, Rng, createModelSpec } from "@rl3/core";
import * as tf from "@tensorflow/tfjs-core";
import { createModel, initBackend } from "@rl3/models";
import { type OnnxTypes, onnx } from "./proto.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphBuilder } from "./graph-builder.js";
import { exportOnnx, readPolicyMetadata } from "./index.js";
import { OnnxPolicy } from "./node.js";

const KINDS: ModelKind[] = ["transformer", "gru", "markov"];
const BATCH = 3;
const TIME = 64;
const INPUT = 7;

function spec(kind: ModelKind) {
  return createModelSpec({
    kind,
    inputSize: INPUT,
    outputSize: 5,
    maxSequenceLength: TIME,
    ...(kind === "transformer" ? { dModel: 16, embedSize: 24, heads: 4, feedForwardSize: 32 } : { dModel: 16, embedSize: 12 }),
  });
}

function inputs(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: BATCH * TIME * INPUT }, () => rng.normal());
}

// Debian's python3-onnx installs for the system interpreter, which may not be the first python3 on PATH.
const python = ["python3", "/usr/bin/python3"].find((candidate) => spawnSync(candidate, ["-c", "import onnx"], { stdio: "ignore" }).status === 0);
const pythonOnnx = python !== undefined;

describe("@rl3/onnx", () => {
  let directory: string;
  beforeAll(async () => {
    await initBackend("wasm");
    directory = mkdtempSync(join(tmpdir(), "rl3-onnx-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  describe.each(KINDS)("%s", (kind) => {
    const model = () => createModel(spec(kind), { seed: 5 });

    it("sequence graph equals tfjs over 64 steps (max |Δ| ≤ 1e-4)", async () => {
      const network = model();
      const data = inputs(1);
      const expected = network.forward(tf.tensor3d(data, [BATCH, TIME, INPUT])).dataSync();
      const policy = await OnnxPolicy.load(exportOnnx(network.spec, network.getWeights(), { graph: "sequence" }));
      const actual = await policy.runSequence(data, BATCH, TIME);
      let worst = 0;
      for (let index = 0; index < expected.length; index++) worst = Math.max(worst, Math.abs(expected[index]! - actual[index]!));
      expect(worst).toBeLessThanOrEqual(1e-4);
    });

    it("step graph equals tfjs step by step over 64 steps (max |Δ| ≤ 1e-4), greedy = argmax", async () => {
      const network = model();
      const data = inputs(2);
      const expected = network.forward(tf.tensor3d(data, [BATCH, TIME, INPUT])).arraySync();
      const policy = await OnnxPolicy.load(exportOnnx(network.spec, network.getWeights(), { graph: "step", metadata: { family: "mdps", horizon: TIME } }));
      policy.reset(BATCH);
      let worst = 0;
      for (let step = 0; step < TIME; step++) {
        const observation = new Float32Array(BATCH * INPUT);
        for (let env = 0; env < BATCH; env++) observation.set(data.subarray((env * TIME + step) * INPUT, (env * TIME + step + 1) * INPUT), env * INPUT);
        const { actions, logits } = await policy.act(observation, { greedy: true });
        for (let env = 0; env < BATCH; env++) {
          const row = expected[env]![step]!;
          row.forEach((value, output) => (worst = Math.max(worst, Math.abs(value - logits[env * 5 + output]!))));
          expect(actions[env]).toBe(row.indexOf(Math.max(...row)));
        }
      }
      expect(worst).toBeLessThanOrEqual(1e-4);
    });

    it.skipIf(!pythonOnnx)("passes onnx.checker.check_model (both graphs)", () => {
      for (const graph of ["step", "sequence"] as const) {
        const path = join(directory, `${kind}-${graph}.onnx`);
        const network = model();
        writeFileSync(path, exportOnnx(network.spec, network.getWeights(), { graph }));
        const output = execFileSync(python!, ["-c", `import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True); print("ok")`, path], { encoding: "utf8" });
        expect(output.trim()).toBe("ok");
      }
    });
  });

  it.runIf(!pythonOnnx)("reports why the ONNX checker test is skipped", () => {
    console.warn("skipped: python3-onnx is not installed (apt-get install python3-onnx); .ci/run installs it");
    expect(pythonOnnx).toBe(false);
  });

  it("samples actions from softmax(logits) when not greedy", async () => {
    const network = createModel(spec("markov"), { seed: 1 });
    const policy = await OnnxPolicy.load(exportOnnx(network.spec, network.getWeights(), { graph: "step" }));
    policy.reset(1);
    const observation = new Float32Array(INPUT).fill(0.5);
    const rng = new Rng(3);
    const counts = new Array<number>(5).fill(0);
    let logits: ArrayLike<number> = new Float32Array(5);
    for (let draw = 0; draw < 4000; draw++) {
      const result = await policy.act(observation, { greedy: false, rng });
      counts[result.actions[0]!]!++;
      logits = result.logits;
    }
    const exp = Array.from(logits, (value) => Math.exp(value));
    const total = exp.reduce((a, b) => a + b, 0);
    exp.forEach((value, action) => {
      const probability = value / total;
      expect(Math.abs(counts[action]! / 4000 - probability)).toBeLessThan(4 * Math.sqrt((probability * (1 - probability)) / 4000) + 1e-9);
    });
  });

  it("writes self-describing metadata", () => {
    const network = createModel(spec("gru"), { seed: 1 });
    const bytes = exportOnnx(network.spec, network.getWeights(), { graph: "step", metadata: { family: "grid13", horizon: 350, encoder: { method: "rl3", qDenominator: 10 } } });
    const metadata = readPolicyMetadata(bytes);
    expect(metadata).toMatchObject({ format: "rl3-policy", formatVersion: 1, graph: "step", family: "grid13", horizon: 350, encoder: { method: "rl3", qDenominator: 10 } });
    expect(metadata.spec.kind).toBe("gru");
    expect(metadata.packageVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  describe("bad files get an Rl3Error that says what is wrong", () => {
    const bytes = () => {
      const network = createModel(spec("markov"), { seed: 1 });
      return exportOnnx(network.spec, network.getWeights(), { graph: "step" });
    };

    it("corrupt", async () => {
      const rng = new Rng(1);
      const garbage = Uint8Array.from({ length: 500 }, () => rng.int(256));
      await expect(OnnxPolicy.load(garbage)).rejects.toThrow(FileFormatError);
    });

    it("truncated", async () => {
      const whole = bytes();
      await expect(OnnxPolicy.load(whole.subarray(0, Math.floor(whole.length / 2)))).rejects.toThrow(/truncated or corrupt|no graph|not a readable/);
    });

    it("foreign (valid ONNX without rl3 metadata)", async () => {
      const builder = new GraphBuilder();
      builder.input("x", [1]);
      builder.op("Identity", ["x"], undefined, "y");
      builder.output("y", [1]);
      const foreign = builder.encode({ opset: 17, producerVersion: "1", metadata: {}, graphName: "foreign" });
      await expect(OnnxPolicy.load(foreign)).rejects.toThrow(/not an rl3 policy: it has no "rl3" metadata/);
    });

    it("version-incompatible", async () => {
      const model = onnx.ModelProto.decode(bytes());
      const entry = model.metadataProps.find((property) => property.key === "rl3")!;
      entry.value = JSON.stringify({ ...JSON.parse(entry.value!), formatVersion: 99, packageVersion: "9.0.0" });
      const newer = onnx.ModelProto.encode(model).finish();
      await expect(OnnxPolicy.load(newer)).rejects.toThrow(/policy format version 99 \(written by rl3 9\.0\.0\) is not supported/);
    });

    it("missing file", async () => {
      await expect(OnnxPolicy.load(join(directory, "nope.onnx"))).rejects.toThrow(/nope\.onnx: cannot read the policy file/);
    });

    it("wrong observation size and act before reset", async () => {
      const policy = await OnnxPolicy.load(bytes());
      await expect(policy.act(new Float32Array(INPUT))).rejects.toThrow(/reset\(batchSize\)/);
      policy.reset(2);
      await expect(policy.act(new Float32Array(INPUT))).rejects.toThrow(/^observations\.length must be 14/);
    });
  });
});
