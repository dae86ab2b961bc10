// PPO training throughput with the §4.1 transformer (d 64, 2 layers, 4 heads), whole iterations: rollout through
// ONNX, GAE, 8 epochs over whole-trajectory minibatches. Runs against the built packages (tfjs gradients load
// from the @rl3/models bundle).
import { type BenchResult, atLeast, atMost, report } from "../../../scripts/bench-harness.js";
import { initBackend } from "@rl3/models";
import { PpoTrainer } from "../dist/index.js";

// Targets from issue #6: ≥ 750 env-steps/s at H = 256 (single thread); RL³/RL² wall time ≤ 1.15 on grid13.
await initBackend("wasm");
const ENVS = 8;

async function stepsPerSecond(family: string, horizon: number, method: string): Promise<number> {
  const trainer = PpoTrainer.create({
    family,
    horizon,
    method,
    iterations: 3,
    batchSize: ENVS * horizon,
    minibatchSize: (ENVS / 2) * horizon,
    learningRate: 3e-4,
    entropyCoefficient: 0.01,
    epochs: 8,
    targetKl: 1e9, // every epoch trains the actor too: the paper's worst case
    seed: 1,
  });
  await trainer.trainIteration(); // warm-up (kernel compilation, first ONNX session)
  const metrics = await trainer.trainIteration();
  trainer.dispose();
  return metrics["charts/SPS"];
}

const results: BenchResult[] = [];
const rates: Record<string, number> = {};
for (const [family, horizon] of [["mdps", 128], ["mdps", 256], ["grid13", 350]] as const) {
  for (const method of ["rl2", "rl3"]) {
    const rate = await stepsPerSecond(family, horizon, method);
    rates[`${family}-${horizon}-${method}`] = rate;
    const name = `PPO ${method} ${family} H ${horizon} (${ENVS} envs, 8 epochs)`;
    results.push(horizon === 256 ? atLeast(name, rate, "steps/s", 750) : { name, value: rate, unit: "steps/s" });
  }
}
results.push(atMost("RL³ / RL² wall time per iteration, grid13 H 350", rates["grid13-350-rl2"]! / rates["grid13-350-rl3"]!, "×", 1.15));
results.push({ name: "RL³ / RL² wall time per iteration, mdps H 128", value: rates["mdps-128-rl2"]! / rates["mdps-128-rl3"]!, unit: "×" });
report("@rl3/algorithms", results);
