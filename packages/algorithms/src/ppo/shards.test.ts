import { taskFamily } from "@rl3/envs";
import { OnnxTrainingEngine } from "@rl3/onnx/node";
import { describe, expect, it } from "vitest";
import { type TrainConfigInput, parseTrainConfig } from "../config.js";
import { tinyMdpsRun, withTrainerSandbox, createTrainer } from "../../test/fixtures.js";
import { type EnvShard, LocalShard, combineSteps, shardEnvs } from "./shard.js";
import { PpoTrainer } from "./trainer.js";

/** A trainer whose extra shards are LocalShards in this thread, each on an engine of its own (what worker threads do). */
function shardedTrainer(input: TrainConfigInput, workers: number): PpoTrainer {
  const config = parseTrainConfig({ ...input, workers });
  let trainer: PpoTrainer | undefined;
  trainer = createTrainer(config, {
    remoteShards: async (envs) =>
      Promise.all(envs.map(async (owned): Promise<EnvShard> => new LocalShard(config, taskFamily(config.family), await OnnxTrainingEngine.create(trainer!.engineOptions()), owned))),
  });
  return trainer;
}

// Relative above 1, absolute below: the policy loss of normalised advantages sits near 0 (−mean(A) = 0 at ρ = 1), where
// a relative difference measures nothing but its own rounding.
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1);

describe("env shards", () => {
  withTrainerSandbox("rl3-shards-");

  it("split every minibatch evenly, and own every env exactly once", () => {
    // 8 envs, minibatches of 4: each shard gets 2 envs of each minibatch.
    expect(shardEnvs(8, 4, 2)).toEqual([
      [0, 1, 4, 5],
      [2, 3, 6, 7],
    ]);
    // Minibatches of 2 envs, 3 shards: envs go round the shards, every shard owns one.
    expect(shardEnvs(4, 2, 3)).toEqual([[0, 3], [1], [2]]);
    for (const [envs, per, shards] of [[16, 4, 3], [12, 12, 5], [9, 3, 9]] as const) {
      const owned = shardEnvs(envs, per, shards).flat().sort((a, b) => a - b);
      expect(owned).toEqual(Array.from({ length: envs }, (_, env) => env));
    }
    expect(() => shardEnvs(4, 2, 5)).toThrow(/^workers must be an integer in \[1, 4\]/);
    expect(() => shardEnvs(4, 2, 0)).toThrow(/^workers must be/);
    expect(() => shardEnvs(4, 2, 1.5)).toThrow(/^workers must be/);
  });

  it("combine to the whole minibatch's step: weighted by steps, one part unchanged", () => {
    const part = (steps: number, loss: number, gradient: number) => ({
      steps,
      policy: { loss, policyLoss: loss, entropy: 1, approxKl: 0, clipFraction: 0, gradients: { w: { shape: [1], data: Float32Array.of(gradient) } } },
      value: { valueLoss: 2 * loss, gradients: { v: { shape: [1], data: Float32Array.of(-gradient) } } },
    });
    const only = part(10, 1, 3);
    expect(combineSteps([only])).toBe(only);
    const both = combineSteps([part(10, 1, 3), part(30, 2, 7)]);
    expect(both.steps).toBe(40);
    expect(both.policy!.loss).toBeCloseTo(0.25 * 1 + 0.75 * 2, 12);
    expect(both.value.valueLoss).toBeCloseTo(0.25 * 2 + 0.75 * 4, 12);
    expect(both.policy!.gradients.w!.data[0]).toBeCloseTo(0.25 * 3 + 0.75 * 7, 6);
    expect(both.value.gradients.v!.data[0]).toBeCloseTo(-(0.25 * 3 + 0.75 * 7), 6);
  });

  it("2 shards: the same rollout, losses to 1e-5 relative on one iteration, weights to 1e-4 after one update", async () => {
    const config = { ...tinyMdpsRun, batchSize: 80, minibatchSize: 80, epochs: 1 }; // one minibatch, one epoch: one Adam step
    const one = shardedTrainer(config, 1);
    const two = shardedTrainer(config, 2);
    const [a, b] = [await one.trainIteration(), await two.trainIteration()];
    // Env i draws from (seed, iteration, i) in any shard: the returns of the first rollout are exactly equal.
    expect(b["charts/episodic_return"]).toBe(a["charts/episodic_return"]);
    for (const key of ["losses/policy_loss", "losses/value_loss", "losses/entropy", "losses/approx_kl", "losses/explained_variance"] as const) {
      expect(relative(b[key], a[key]), key).toBeLessThan(1e-5);
    }
    for (const role of ["actor", "critic"] as const) {
      for (const [name, tensor] of Object.entries(one.weights(role))) {
        const other = two.weights(role)[name]!.data;
        let worst = 0;
        tensor.data.forEach((value, index) => (worst = Math.max(worst, Math.abs(value - other[index]!))));
        expect(worst, `${role} ${name}`).toBeLessThan(1e-4);
      }
    }
    await one.dispose();
    await two.dispose();
  });

  it("the same seed and number of shards reproduce bit for bit", async () => {
    const run = async () => {
      const trainer = shardedTrainer(tinyMdpsRun, 2);
      const rows = [await trainer.trainIteration(), await trainer.trainIteration()];
      const weights = Array.from(trainer.weights("actor")["head.kernel"]!.data);
      await trainer.dispose();
      return { losses: rows.map((row) => [row["losses/policy_loss"], row["losses/value_loss"]]), weights };
    };
    expect(await run()).toEqual(await run());
  });

  it("more workers than a trainer can shard is a ConfigError naming workers", async () => {
    const trainer = createTrainer({ ...tinyMdpsRun, workers: 2 });
    await expect(trainer.trainIteration()).rejects.toThrow(/^workers must be 1, or a trainer given remoteShards/);
    expect(() => shardedTrainer(tinyMdpsRun, 5)).toThrow(/^workers must be at most one per env: an integer in \[1, 4\]; got 5$/);
  });
});
