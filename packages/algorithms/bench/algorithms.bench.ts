// Training speed, onnx engine vs the tfjs-wasm reference, measured side by side in one run (issue 11):
// 1. one forward + backward of the PPO actor loss per minibatch (16 trajectories × T 256), quick and §4.1 model;
// 2. whole PPO iterations (rollout + GAE + every epoch) of the quick presets, quick and §4.1 transformer;
// 3. 1 vs 2 intra-op threads. Every epoch trains the actor (targetKl 1e9: the worst case, and stable to time).
// Runs against the built packages.
import { type BenchResult, atLeast, atMost, report } from "@rl3/tools/bench-harness";
import { Rng, createModelSpec, initialWeights, type ModelSpecOptions } from "@rl3/core";
import { TfjsTrainingEngine, initBackend } from "@rl3/models";
import { OnnxTrainingEngine } from "@rl3/onnx/node";
import { type EngineName, type Method, PpoTrainer, defaultTrainConfig } from "../dist/index.js";

await initBackend("wasm");
const QUICK = { kind: "transformer", dModel: 32, embedSize: 64, layers: 1, heads: 2, feedForwardSize: 64 } as const;
const PAPER = { kind: "transformer" } as const;
const results: BenchResult[] = [];
/** The library brings no runtime: the benchmark gives the trainer both. */
const ENGINES = { onnx: OnnxTrainingEngine.create, tfjs: (options: Parameters<typeof TfjsTrainingEngine.create>[0]) => TfjsTrainingEngine.create({ ...options, device: undefined }) };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** ms per actor-loss forward + backward for a minibatch of 16 × 256 (RL³ gridworld input, 28 wide). */
async function lossStepMs(engine: "onnx" | "tfjs", model: Omit<ModelSpecOptions, "inputSize" | "outputSize" | "maxSequenceLength">, threads = 1, repeats = 5): Promise<number> {
  const [count, time] = [16, 256];
  const actor = createModelSpec({ ...model, inputSize: 28, outputSize: 5, maxSequenceLength: time });
  const critic = createModelSpec({ ...model, inputSize: 28, outputSize: 1, maxSequenceLength: time + 1 });
  const options = { actor, critic, clipRange: 0.2, valueCoefficient: 0.5, threads };
  const trainer = engine === "onnx" ? await OnnxTrainingEngine.create(options) : await TfjsTrainingEngine.create(options);
  const rng = new Rng(1);
  const batch = {
    observations: Float32Array.from({ length: count * time * 28 }, () => rng.normal()),
    actions: Int32Array.from({ length: count * time }, () => rng.int(5)),
    oldLogProbabilities: new Float32Array(count * time).fill(Math.log(0.2)),
    advantages: Float32Array.from({ length: count * time }, () => rng.normal()),
    count,
    time,
    entropyCoefficient: 0.01,
  };
  const weights = initialWeights(actor, 1);
  await trainer.policyStep(weights, batch); // warm-up: session / kernels
  const times: number[] = [];
  for (let index = 0; index < repeats; index++) {
    const start = performance.now();
    await trainer.policyStep(weights, batch);
    times.push(performance.now() - start);
  }
  await trainer.dispose();
  return median(times);
}

for (const [label, model, tfjsRepeats] of [["quick (d 32, 1 layer)", QUICK, 3], ["§4.1 (d 64, 2 layers, 4 heads)", PAPER, 2]] as const) {
  const onnx = await lossStepMs("onnx", model);
  const onnx2 = await lossStepMs("onnx", model, 2);
  const tfjs = await lossStepMs("tfjs", model, 1, tfjsRepeats);
  results.push({ name: `actor loss fwd+bwd, 16 × 256, ${label}: onnx, 1 thread`, value: onnx, unit: "ms" });
  results.push({ name: `  …onnx, 2 threads`, value: onnx2, unit: "ms" });
  results.push({ name: `  …tfjs-wasm`, value: tfjs, unit: "ms" });
  results.push(atLeast(`  …speed-up onnx (1 thread) over tfjs-wasm`, tfjs / onnx, "×", 10));
}

/** env-steps/s of whole iterations of a quick preset (best of 2 after a warm-up iteration). */
async function iterationRate(family: string, horizon: number, method: Method, engine: EngineName, model: typeof QUICK | typeof PAPER, threads = 1, measured = 2): Promise<number> {
  const trainer = PpoTrainer.create({ ...defaultTrainConfig(family, horizon, method, "quick"), model, engine, threads, targetKl: 1e9, seed: 1 }, { engines: ENGINES });
  await trainer.trainIteration();
  let best = 0;
  for (let index = 0; index < measured; index++) best = Math.max(best, (await trainer.trainIteration())["charts/SPS"]);
  await trainer.dispose();
  return best;
}

const rates: Record<string, number> = {};
const targets: Record<string, number> = { "mdps-100-rl3-onnx-quick": 3000, "grid13-350-rl3-onnx-quick": 2000, "mdps-100-rl3-onnx-paper": 800 };
for (const [family, horizon] of [["mdps", 100], ["grid13", 350]] as const) {
  for (const [modelName, model] of [["quick", QUICK], ["paper", PAPER]] as const) {
    for (const method of ["rl2", "rl3"] as const) {
      for (const engine of ["onnx", "tfjs"] as const) {
        // tfjs-wasm with the §4.1 model on grid13 takes minutes per iteration: measured once, RL³ only.
        if (engine === "tfjs" && family === "grid13" && (modelName === "paper" || method === "rl2")) continue;
        const key = `${family}-${horizon}-${method}-${engine}-${modelName}`;
        const rate = await iterationRate(family, horizon, method, engine, model, 1, engine === "tfjs" ? 1 : 2);
        rates[key] = rate;
        const name = `PPO iteration ${family}-${horizon} ${method}, ${modelName} model, ${engine}`;
        results.push(targets[key] ? atLeast(name, rate, "steps/s", targets[key]!) : { name, value: rate, unit: "steps/s" });
      }
    }
  }
}
results.push({ name: "PPO iteration mdps-100 rl3, paper model, onnx, 2 threads", value: await iterationRate("mdps", 100, "rl3", "onnx", PAPER, 2), unit: "steps/s" });
results.push(atMost("RL³ / RL² time per iteration, grid13-350 quick, onnx", rates["grid13-350-rl2-onnx-quick"]! / rates["grid13-350-rl3-onnx-quick"]!, "×", 1.1));
results.push(atMost("RL³ / RL² time per iteration, mdps-100 quick, onnx", rates["mdps-100-rl2-onnx-quick"]! / rates["mdps-100-rl3-onnx-quick"]!, "×", 1.1));
report("@rl3/algorithms", results);
