import type { ModelSpec, NamedWeights } from "./model-spec.js";

/**
 * The contract between the PPO trainer and whatever computes its losses and gradients (spec §5.2). The trainer
 * owns the weights and the optimisers; an engine only evaluates networks and differentiates the PPO losses for
 * given weights and a minibatch of whole trajectories. Types only: `@rl3/onnx` (onnxruntime) and `@rl3/models`
 * (TensorFlow.js, the reference) implement it, and `@rl3/algorithms` never imports a runtime to use it. One engine
 * both trains and acts, so a run's numbers depend on one runtime, the one its config names.
 */
export type NetworkRole = "actor" | "critic";

/** A minibatch for the clipped-surrogate actor loss: `count` trajectories of `time` steps, row-major. */
export interface PolicyBatch {
  /** [count, time, inputSize]: x_0 … x_{H−1}. */
  readonly observations: Float32Array;
  /** [count, time]: the actions taken. */
  readonly actions: Int32Array;
  /** [count, time]: log π_old(a_t | history) of the rollout policy. */
  readonly oldLogProbabilities: Float32Array;
  /** [count, time]: advantages, already normalised per minibatch. */
  readonly advantages: Float32Array;
  readonly count: number;
  readonly time: number;
  readonly entropyCoefficient: number;
}

/** L = −mean(min(ρA, clip(ρ, 1 ± ε)A)) − c·H(π), and its diagnostics, with dL/dθ of every actor weight. */
export interface PolicyStep {
  readonly loss: number;
  readonly policyLoss: number;
  readonly entropy: number;
  /** mean((ρ − 1) − log ρ), CleanRL's unbiased KL estimate. */
  readonly approxKl: number;
  /** Fraction of steps with |ρ − 1| > ε. */
  readonly clipFraction: number;
  readonly gradients: NamedWeights;
}

/** A minibatch for the critic: observations x_0 … x_H and λ-return targets for x_0 … x_{H−1}. */
export interface ValueBatch {
  /** [count, time + 1, inputSize]. */
  readonly observations: Float32Array;
  /** [count, time]. */
  readonly targets: Float32Array;
  readonly count: number;
  readonly time: number;
}

/** c_v · mean((V(x_t) − target_t)²) with dL/dθ of every critic weight (weight decay is the optimiser's). */
export interface ValueStep {
  readonly valueLoss: number;
  readonly gradients: NamedWeights;
}

/**
 * The actor acting one step at a time (PPO rollouts, greedy validation): logits for one observation per env, the
 * history kept inside (KV cache or hidden state) since the last `reset`.
 */
export interface ActingPolicy {
  reset(batch: number): void;
  logits(observations: Float32Array): Promise<ArrayLike<number>>;
  release(): Promise<void>;
}

/** Where a training engine may compute: the one list the config, the CLI and the engines read. */
export const TRAINING_DEVICES = ["cpu", "cuda"] as const;
export type TrainingDevice = (typeof TRAINING_DEVICES)[number];

export interface TrainingEngine {
  /** "onnx", "tfjs", … */
  readonly name: string;
  /** Where it computes ("cpu", "cuda", "wasm", …). */
  readonly device: string;
  /** The actor with these weights (copied: later changes to them do not reach it), acting step by step. */
  actingPolicy(weights: NamedWeights): Promise<ActingPolicy>;
  /** Network outputs [count, time, outputSize] for whole histories (rollout log-probabilities, values, KL). */
  forward(role: NetworkRole, weights: NamedWeights, observations: Float32Array, count: number, time: number): Promise<Float32Array>;
  policyStep(weights: NamedWeights, batch: PolicyBatch): Promise<PolicyStep>;
  valueStep(weights: NamedWeights, batch: ValueBatch): Promise<ValueStep>;
  dispose(): Promise<void>;
}

/** What an engine is built for: both networks and the fixed PPO constants of a run. */
export interface TrainingEngineOptions {
  readonly actor: ModelSpec;
  readonly critic: ModelSpec;
  /** PPO clip ε. */
  readonly clipRange: number;
  /** Weight of the critic's MSE. */
  readonly valueCoefficient: number;
  /** Intra-op threads (engines that have them). */
  readonly threads?: number;
  /** Compute device; engines reject the ones they cannot use with a clear error. */
  readonly device?: string;
}

export type TrainingEngineFactory = (options: TrainingEngineOptions) => Promise<TrainingEngine>;
