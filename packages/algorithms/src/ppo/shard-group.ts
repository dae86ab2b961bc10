import { ConfigError, type TrainingEngine } from "@rl3/core";
import type { TaskFamily } from "@rl3/envs";
import type { TrainConfig } from "../config.js";
import { type EnvShard, LocalShard, shardEnvs } from "./shard.js";
import type { TrainerOptions } from "./types.js";

/**
 * The shards of a run and the layout between them and the whole batch: shard 0 in this thread on the trainer's
 * engine, the others from `remoteShards`; one call on every shard at once; the shards' env rows gathered into
 * env-major whole-batch arrays and sliced back. With one shard every array passes through untouched, which keeps
 * `workers: 1` bit-identical to the single-threaded trainer.
 */
export class ShardGroup {
  private shardSeconds = 0;

  private constructor(
    readonly shards: readonly EnvShard[],
    private readonly numEnvs: number,
  ) {}

  static async create(config: TrainConfig, family: TaskFamily, engine: TrainingEngine, remoteShards: TrainerOptions["remoteShards"]): Promise<ShardGroup> {
    const numEnvs = config.batchSize / config.horizon;
    const envs = shardEnvs(numEnvs, config.minibatchSize / config.horizon, config.workers);
    const local = new LocalShard(config, family, engine, envs[0]!);
    if (envs.length === 1) return new ShardGroup([local], numEnvs);
    if (!remoteShards) throw new ConfigError({ field: "workers", value: config.workers, expected: "1, or a trainer given remoteShards (the CLI's worker threads)" });
    return new ShardGroup([local, ...(await remoteShards(envs.slice(1)))], numEnvs);
  }

  /** Seconds spent in calls on the shards so far (the parallel part of the iterations). */
  get parallelSeconds(): number {
    return this.shardSeconds;
  }

  /** Runs one call on every shard at once. */
  async all<T>(call: (shard: EnvShard) => Promise<T>): Promise<T[]> {
    const started = performance.now();
    const results = await Promise.all(this.shards.map(call));
    this.shardSeconds += (performance.now() - started) / 1000;
    return results;
  }

  /** The shards' per-env rows of `width` values as one env-major array (rewards, values). */
  gather<T extends Float32Array | Float64Array>(parts: readonly T[], width: number): T {
    if (this.shards.length === 1) return parts[0]!;
    const whole = new (parts[0]!.constructor as new (length: number) => T)(this.numEnvs * width);
    this.shards.forEach((shard, index) => shard.envs.forEach((env, local) => whole.set(parts[index]!.subarray(local * width, (local + 1) * width), env * width)));
    return whole;
  }

  /** A shard's rows of an env-major [numEnvs × width] array. */
  slice(shard: EnvShard, whole: Float32Array, width: number): Float32Array {
    if (shard.envs.length === this.numEnvs) return whole;
    const part = new Float32Array(shard.envs.length * width);
    shard.envs.forEach((env, local) => part.set(whole.subarray(env * width, (env + 1) * width), local * width));
    return part;
  }

  async dispose(): Promise<void> {
    for (const shard of this.shards) await shard.dispose();
  }
}
