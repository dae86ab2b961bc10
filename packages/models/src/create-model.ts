import { MODEL_LIMITS, type ModelSpec, type NamedWeights, createModelSpec, type ModelSpecOptions, requireInteger, requireObject, requireSpec } from "@rl3/core";
import { GruModel } from "./gru.js";
import { initialWeights } from "@rl3/core";
import { MarkovModel } from "./markov.js";
import type { SequenceModel } from "./sequence-model.js";
import { TransformerModel } from "./transformer.js";

export interface CreateModelOptions {
  /** Seed of the initial weights (ignored when `weights` are given). */
  seed?: number;
  /** Start from these weights instead of a fresh initialisation. */
  weights?: NamedWeights;
}

/** A network for `spec` (see `createModelSpec`), freshly initialised from `seed` or loaded with `weights`. */
export function createModel(spec: ModelSpec, options: CreateModelOptions = {}): SequenceModel {
  requireSpec(spec);
  requireObject("options", options);
  const weights = options.weights ?? initialWeights(spec, options.seed ?? 0);
  if (spec.kind === "transformer") return new TransformerModel(spec, weights);
  if (spec.kind === "gru") return new GruModel(spec, weights);
  return new MarkovModel(spec, weights);
}

export interface ActorCriticOptions {
  kind: ModelSpecOptions["kind"];
  inputSize: number;
  numActions: number;
  /** Meta-episode budget H: the actor reads up to H inputs, the critic H + 1 (the bootstrap observation, §4.1). */
  horizon: number;
  seed?: number;
  /** Overrides of the §4.1 sizes. */
  sizes?: Partial<Pick<ModelSpecOptions, "dModel" | "embedSize" | "layers" | "heads" | "feedForwardSize" | "activation">>;
}

/** Separate actor and critic networks with identical trunks and no shared weights (§4.1). */
export class ActorCritic {
  readonly actor: SequenceModel;
  readonly critic: SequenceModel;

  constructor(actor: SequenceModel, critic: SequenceModel) {
    this.actor = actor;
    this.critic = critic;
  }

  static create(options: ActorCriticOptions): ActorCritic {
    requireObject("options", options);
    if (options.sizes !== undefined) requireObject("sizes", options.sizes);
    // The critic reads H + 1 steps, so H is bounded one below the longest sequence a spec may have.
    requireInteger("horizon", options.horizon, 1, MODEL_LIMITS.maxSequenceLength - 1);
    // 2 · seed + 1 must stay a safe integer for the critic's seed.
    const seed = requireInteger("seed", options.seed ?? 0, Math.ceil(Number.MIN_SAFE_INTEGER / 2), Math.floor((Number.MAX_SAFE_INTEGER - 1) / 2));
    const actorSpec = createModelSpec({ ...options.sizes, kind: options.kind, inputSize: options.inputSize, outputSize: options.numActions, maxSequenceLength: options.horizon });
    const criticSpec = createModelSpec({ ...options.sizes, kind: options.kind, inputSize: options.inputSize, outputSize: 1, maxSequenceLength: options.horizon + 1 });
    // Distinct seeds: the two networks must not start as copies of each other.
    return new ActorCritic(createModel(actorSpec, { seed: 2 * seed }), createModel(criticSpec, { seed: 2 * seed + 1 }));
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
  }
}
