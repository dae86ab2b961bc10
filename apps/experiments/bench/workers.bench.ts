// One run on every core (issue 32): whole PPO iterations (rollout + GAE + every epoch, actor in every epoch:
// targetKl 1e9, the worst case and stable to time) with 1 and 2 worker threads, side by side in one run, for
// mdps-128 quick, grid13-350 at its preset, and the §4.1 model on mdps-128. Also what stays serial per iteration
// (the trainer's own share: GAE, Adam, gradient sums), which bounds the speed-up past 2 cores. Runs the built
// shard worker (pnpm build first; `pnpm bench` does).
import { availableParallelism } from "node:os";
import { PpoTrainer, type TrainConfigInput, defaultTrainConfig } from "@rl3/algorithms";
import { initBackend } from "@rl3/models";
import { type BenchResult, atLeast, report } from "@rl3/tools/bench-harness";
import { ENGINES } from "../src/runs/engines.js";
import { threadShards } from "../src/runs/thread-shards.js";

await initBackend("wasm");
const PAPER_MODEL = { kind: "transformer" } as const;
const results: BenchResult[] = [];

/** Seconds per iteration (median of `measured` after a warm-up iteration), and the trainer's serial share. */
async function secondsPerIteration(config: TrainConfigInput, workers: number, measured: number): Promise<{ seconds: number; serial: number }> {
  let trainer: PpoTrainer | undefined;
  trainer = PpoTrainer.create({ ...config, workers, targetKl: 1e9, seed: 1 }, { engines: ENGINES, remoteShards: threadShards(() => trainer!, "wasm") });
  await trainer.trainIteration();
  const times: number[] = [];
  for (let index = 0; index < measured; index++) {
    const started = performance.now();
    await trainer.trainIteration();
    times.push((performance.now() - started) / 1000);
  }
  const serial = trainer.serialSeconds / (measured + 1);
  await trainer.dispose();
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)]!, serial };
}

const settings: [string, TrainConfigInput, number, number][] = [
  ["mdps-128 quick", defaultTrainConfig("mdps", 128, "rl3", "quick"), 1.5, 5],
  ["grid13-350 (its preset: §4.1 model, §5.3 batch)", defaultTrainConfig("grid13", 350, "rl3", "standard"), 1.7, 2],
  ["mdps-128, §4.1 model", { ...defaultTrainConfig("mdps", 128, "rl3", "quick"), model: PAPER_MODEL }, 1.7, 3],
];
for (const [label, config, target, measured] of settings) {
  const one = await secondsPerIteration(config, 1, measured);
  const two = await secondsPerIteration(config, 2, measured);
  results.push({ name: `PPO iteration ${label}, rl3, onnx: 1 worker`, value: one.seconds, unit: "s" });
  results.push({ name: `  …2 workers`, value: two.seconds, unit: "s" });
  results.push(atLeast(`  …speed-up with 2 workers`, one.seconds / two.seconds, "×", target));
  results.push({ name: `  …serial share of an iteration with 2 workers (trainer thread alone)`, value: (100 * two.serial) / two.seconds, unit: "%" });
}
results.push({ name: "cores on this machine (more than 2 workers was not measured here)", value: availableParallelism(), unit: "cores" });
report("experiments: worker threads", results);
