import { type BenchResult, atLeast, atMost, measureTime, report } from "@rl3/tools/bench-harness";
import { Rng, createModelSpec } from "@rl3/core";
import * as tf from "@tensorflow/tfjs-core";
import { createModel, initBackend } from "@rl3/models";
import { exportOnnx } from "../src/index.js";
import { OnnxPolicy } from "../src/node.js";

// Targets from issue #5: ORT ≥ 5× faster than tfjs-wasm on a B 16 × T 256 forward; export + session ≤ 30 ms.
const INPUT = 28;
const TIME = 256;
await initBackend("wasm");
const spec = createModelSpec({ kind: "transformer", inputSize: INPUT, outputSize: 5, maxSequenceLength: TIME });
const model = createModel(spec, { seed: 1 });
const weights = model.getWeights();
const rng = new Rng(2);
const data = Float32Array.from({ length: 16 * TIME * INPUT }, () => rng.normal());

const exportMs = await measureTime(async () => (await OnnxPolicy.load(exportOnnx(spec, weights, { graph: "step" }))).release(), 9);

const sequencePolicy = await OnnxPolicy.load(exportOnnx(spec, weights, { graph: "sequence" }));
const ortForwardMs = await measureTime(() => sequencePolicy.runSequence(data, 16, TIME), 5);
const input = tf.tensor3d(data, [16, TIME, INPUT]);
const tfjsForwardMs = await measureTime(() => model.forward(input).dataSync(), 3);

async function stepMs(batch: number): Promise<number> {
  const policy = await OnnxPolicy.load(exportOnnx(spec, weights, { graph: "step" }));
  const observation = new Float32Array(batch * INPUT).fill(0.1);
  policy.reset(batch);
  for (let step = 0; step < 8; step++) await policy.act(observation);
  policy.reset(batch);
  const start = performance.now();
  for (let step = 0; step < TIME; step++) await policy.act(observation);
  return (performance.now() - start) / TIME;
}
const ort16 = await stepMs(16);
const ort1 = await stepMs(1);

async function tfjsStepMs(batch: number): Promise<number> {
  let state = model.initialState(batch);
  const observation = tf.zeros([batch, INPUT]) as tf.Tensor2D;
  const start = performance.now();
  for (let step = 0; step < TIME; step++) {
    const result = model.step(observation, state);
    result.output.dataSync();
    result.output.dispose();
    for (const tensor of state.tensors) tensor.dispose();
    state = result.state;
  }
  return (performance.now() - start) / TIME;
}
const tfjs16 = await tfjsStepMs(16);

const results: BenchResult[] = [
  atMost("export + InferenceSession.create (§4.1 transformer)", exportMs, "ms", 30),
  { name: "ORT forward B 16 × T 256", value: ortForwardMs, unit: "ms" },
  { name: "tfjs-wasm forward B 16 × T 256", value: tfjsForwardMs, unit: "ms" },
  atLeast("ORT speed-up over tfjs-wasm (forward)", tfjsForwardMs / ortForwardMs, "×", 5),
  { name: "ORT KV-cache step, 16 envs (mean over 256 steps)", value: ort16, unit: "ms" },
  { name: "ORT KV-cache step, 1 env (mean over 256 steps)", value: ort1, unit: "ms" },
  { name: "tfjs-wasm KV-cache step, 16 envs", value: tfjs16, unit: "ms" },
];
report("@rl3/onnx", results);
