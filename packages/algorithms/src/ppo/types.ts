import type { TrainingEngineFactory } from "@rl3/core";
import type { TaskFamily } from "@rl3/envs";
import type { TrainConfig } from "../config.js";
import type { EnvShard } from "./shard.js";

/** CleanRL-style metrics of one PPO iteration. */
export interface IterationMetrics {
  iteration: number;
  "charts/env_steps": number;
  "charts/episodic_return": number;
  "charts/SPS": number;
  "losses/policy_loss": number;
  "losses/value_loss": number;
  "losses/entropy": number;
  "losses/approx_kl": number;
  "losses/clipfrac": number;
  "losses/explained_variance": number;
  "charts/actor_epochs": number;
  "charts/entropy_coefficient": number;
  "time/rollout_seconds": number;
  "time/update_seconds": number;
  /** Iterations that validated (`validateEvery`): the greedy actor's mean return on the validation tasks… */
  "eval/validation_return"?: number;
  /** …and its standard error. */
  "eval/validation_stderr"?: number;
}

/** A rollout as the update sees it (`PpoTrainer.rolloutStatistics`); env-major, like the rollout. */
export interface RolloutStatistics {
  /** The rollout actor's log π(a | h_t) of every action, [numEnvs × H × numActions]. */
  logProbabilities: Float32Array;
  /** The critic's V(x_0 … x_H) per env (raw scale, after `valueScale`), [numEnvs × (H + 1)]. */
  values: Float32Array;
  /** GAE(γ, λ) advantages, [numEnvs × H]. */
  advantages: Float32Array;
  /** λ-return critic targets (raw scale), [numEnvs × H]. */
  returns: Float32Array;
  /** The advantages normalised per minibatch, as the policy loss reads them, [numEnvs × H]. */
  normalizedAdvantages: Float32Array;
}

/** The best greedy validation return so far, and when it was reached. */
export interface BestValidation {
  iteration: number;
  mean: number;
  stderr: number;
}

/** The engines a trainer may build, by the names `config.engine` takes (the app supplies onnxruntime and tfjs). */
export type EngineFactories = Readonly<Partial<Record<TrainConfig["engine"], TrainingEngineFactory>>>;

export interface TrainerOptions {
  /**
   * What builds the engine that trains and acts: `engines[config.engine]`. The trainer imports no runtime; the
   * caller brings them (e.g. `{ onnx: (o) => OnnxTrainingEngine.create(o) }` from `@rl3/onnx/node`).
   */
  engines: EngineFactories;
  /** Train on this family object instead of `taskFamily(config.family)` (its name must equal config.family). */
  family?: TaskFamily;
  /**
   * Shards 1 … N − 1 of a data-parallel run (`config.workers` = N), given the envs each owns: the app's worker
   * threads. Shard 0 runs in this thread on the trainer's engine. Needed when `config.workers` > 1.
   */
  remoteShards?: (envs: readonly (readonly number[])[]) => Promise<EnvShard[]>;
}
