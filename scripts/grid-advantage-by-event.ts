/**
 * Diagnostic (docs/method.md, "Gridworlds"): what PPO's advantages say about each kind of step. Resumes a training
 * checkpoint, collects one rollout the way its next iteration would (the training streams of iteration `stream`,
 * default 999, so never the test tasks), computes the critic's values and GAE with the run's own settings, and
 * prints, per reward received × NOOP-or-move, the step count, the mean raw and minibatch-normalised advantage, the
 * critic's value before and after the step, and the λ-return target. A flat critic shows as one V for every row;
 * the '!' trap as many `r=-10 noop` steps.
 *
 *   pnpm build && pnpm exec tsx scripts/grid-advantage-by-event.ts RUN/checkpoint.safetensors [stream]
 */
import { readFileSync } from "node:fs";
import { PpoTrainer } from "@rl3/algorithms";
import { OnnxTrainingEngine } from "@rl3/onnx/node";

const path = process.argv[2];
if (!path) throw new Error("checkpoint: missing; expected the path of a run's checkpoint.safetensors");
const stream = Number(process.argv[3] ?? 999);
if (!Number.isInteger(stream) || stream < 0) throw new Error(`stream: got "${process.argv[3]}", expected a non-negative integer`);

const trainer = PpoTrainer.fromCheckpoint(new Uint8Array(readFileSync(path)), undefined, { engines: { onnx: OnnxTrainingEngine.create }, source: path });
const { config, numEnvs } = trainer;
const { horizon } = config;
const rollout = await trainer.collectRollout(stream);
// Values and advantages exactly as the trainer's update computes them.
const { values, advantages, returns, normalizedAdvantages: normalized } = await trainer.rolloutStatistics(rollout);

const groups = new Map<string, { steps: number; advantage: number; normalized: number; value: number; next: number; target: number }>();
for (let env = 0; env < numEnvs; env++) {
  for (let t = 0; t < horizon; t++) {
    const step = env * horizon + t;
    const key = `r=${rollout.rewards[step]} ${rollout.actions[step] === 0 ? "noop" : "move"}`;
    const group = groups.get(key) ?? { steps: 0, advantage: 0, normalized: 0, value: 0, next: 0, target: 0 };
    group.steps++;
    group.advantage += advantages[step]!;
    group.normalized += normalized[step]!;
    group.value += values[env * (horizon + 1) + t]!;
    group.next += values[env * (horizon + 1) + t + 1]!;
    group.target += returns[step]!;
    groups.set(key, group);
  }
}
console.log(`${config.method} ${config.family}, iteration ${trainer.iteration}: rollout return ${rollout.meanReturn.toFixed(1)} over ${numEnvs} meta-episodes`);
console.log("step kind        steps   A        A normalised  V(x_t)   V(x_t+1)  λ-return");
for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  const mean = (total: number, digits = 1) => (total / group.steps).toFixed(digits);
  console.log(`${key.padEnd(16)} ${String(group.steps).padEnd(7)} ${mean(group.advantage, 2).padEnd(8)} ${mean(group.normalized, 3).padEnd(13)} ${mean(group.value).padEnd(8)} ${mean(group.next).padEnd(9)} ${mean(group.target)}`);
}
await trainer.dispose();
