// Runs against the built package: tfjs-core's gradient registrations only load through the bundle (see tsup.config.ts).
import { type BenchResult, atMost, measureTime, report } from "@rl3/tools/bench-harness";
import { Rng } from "@rl3/core";
import * as tf from "@tensorflow/tfjs-core";
import { ActorCritic, initBackend } from "../dist/index.js";

// Target from issue #5: actor + critic forward + backward + Adam for the §4.1 transformer at B 16, T 256 ≤ 2.6 s on wasm.
const BATCH = 16;
const TIME = 256;
const INPUT = 28; // RL³ on gridworlds (§2.1)

async function trainingStepSeconds(backend: "wasm" | "cpu", repeats: number): Promise<number> {
  await initBackend(backend);
  const agent = ActorCritic.create({ kind: "transformer", inputSize: INPUT, numActions: 5, horizon: TIME, seed: 1 });
  const rng = new Rng(2);
  const inputs = tf.tensor3d(Float32Array.from({ length: BATCH * TIME * INPUT }, () => rng.normal()), [BATCH, TIME, INPUT]);
  const advantages = tf.tensor3d(Float32Array.from({ length: BATCH * TIME * 5 }, () => rng.normal()), [BATCH, TIME, 5]);
  const targets = tf.tensor3d(Float32Array.from({ length: BATCH * TIME }, () => rng.normal()), [BATCH, TIME, 1]);
  const actorOptimizer = tf.train.adam(3e-4, 0.9, 0.999, 1e-7);
  const criticOptimizer = tf.train.adam(3e-4, 0.9, 0.999, 1e-7);
  const step = () => {
    // A policy-gradient-shaped actor loss (log-softmax weighted by advantages) and an MSE critic loss.
    actorOptimizer.minimize(() => tf.neg(tf.mean(tf.mul(tf.logSoftmax(agent.actor.forward(inputs)), advantages))) as tf.Scalar, false, agent.actor.variables as tf.Variable[]);
    criticOptimizer.minimize(() => tf.mean(tf.square(tf.sub(agent.critic.forward(inputs), targets))) as tf.Scalar, false, agent.critic.variables as tf.Variable[]);
  };
  const milliseconds = await measureTime(step, repeats);
  agent.dispose();
  return milliseconds / 1000;
}

const results: BenchResult[] = [atMost("train step wasm (actor + critic, B 16 × T 256)", await trainingStepSeconds("wasm", 3), "s", 2.6)];
if (process.env.RL3_BENCH_QUICK !== "1") {
  results.push({ name: "train step cpu (actor + critic, B 16 × T 256)", value: await trainingStepSeconds("cpu", 1), unit: "s" });
}
report("@rl3/models", results);
