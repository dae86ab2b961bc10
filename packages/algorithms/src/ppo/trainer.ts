import {
  ConfigError,
  FileFormatError,
  StateError,
  requireInteger,
  type ModelSpec,
  type NamedWeights,
  type TrainingEngine,
  type WeightTensor,
  createModelSpec,
  initialWeights,
  requireObject,
} from "@rl3/core";
import { type TaskFamily, requireTaskFamily, taskFamily } from "@rl3/envs";
import { exportOnnx } from "@rl3/onnx";
import { metaEpisodeReturns, validationTaskStreams, weightSeed } from "@rl3/wrappers";
import { Adam, addWeightDecay } from "../adam.js";
import { BEST_ACTOR_PREFIX, decodeCheckpoint, encodeCheckpoint, resumedConfig } from "../checkpoint.js";
import { type TrainConfig, type TrainConfigInput, parseTrainConfig } from "../config.js";
import { uncheckedAdvantages } from "../gae.js";
import { mean, standardError } from "../statistics.js";
import { ActingAgent } from "./acting-agent.js";
import { explainedVariance, normalizeAdvantages } from "./batches.js";
import { LocalShard, type ShardStep, combineSteps } from "./shard.js";
import { ShardGroup } from "./shard-group.js";
import type { Rollout } from "./rollout.js";
import type { BestValidation, IterationMetrics, RolloutStatistics, TrainerOptions } from "./types.js";

export type { BestValidation, EngineFactories, IterationMetrics, RolloutStatistics, TrainerOptions } from "./types.js";



type Role = "actor" | "critic";

/**
 * PPO meta-training with the semantics of §5.2 (read `trainIteration` beside CleanRL's ppo.py): per iteration
 * one meta-episode in each of batch/H envs; GAE (γ, λ) across inner episodes with only t = H terminal and
 * λ-return critic targets; up to `epochs` epochs over whole-trajectory minibatches in env order, with
 * per-minibatch advantage normalisation; the actor stops for the iteration once its KL from the rollout policy
 * reaches the target, the critic trains every epoch; critic weight decay; separate Adam optimisers. The losses
 * and their gradients come from a `TrainingEngine` (onnx or tfjs); the trainer owns weights and optimisers.
 */
export class PpoTrainer {
  readonly config: TrainConfig;
  readonly family: TaskFamily;
  readonly numEnvs: number;
  readonly observationSize: number;
  readonly specs: Readonly<Record<Role, ModelSpec>>;
  private readonly parameters: Record<Role, Record<string, WeightTensor>>;
  private readonly optimizers: Record<Role, Adam>;
  private engine: Promise<TrainingEngine> | undefined;
  private group: Promise<ShardGroup> | undefined;
  private readonly options: TrainerOptions;
  private completed = 0;
  private iterationSeconds = 0;
  private parallelSeconds = 0;
  private best: (BestValidation & { actor: NamedWeights }) | undefined;

  private constructor(config: TrainConfig, options: TrainerOptions) {
    if (!options?.engines || typeof options.engines[config.engine] !== "function") {
      throw new ConfigError({ field: "engine", value: config.engine, expected: `an engine the trainer was given (options.engines has ${Object.keys(options?.engines ?? {}).join(", ") || "none"})` });
    }
    this.config = config;
    this.options = options;
    const family = options.family ?? taskFamily(config.family);
    this.family = family;
    this.numEnvs = config.batchSize / config.horizon;
    this.observationSize = LocalShard.encoder(config, family, 1).size;
    const { kind, ...sizes } = config.model;
    const spec = (outputSize: number, maxSequenceLength: number) => createModelSpec({ ...sizes, kind, inputSize: this.observationSize, outputSize, maxSequenceLength });
    // The actor reads up to H inputs, the critic H + 1 (the bootstrap observation, §4.1).
    this.specs = { actor: spec(family.numActions, config.horizon), critic: spec(1, config.horizon + 1) };
    // Distinct seeds: the two networks must not start as copies of each other.
    const seed = weightSeed(config.seed);
    this.parameters = { actor: { ...initialWeights(this.specs.actor, 2 * seed) }, critic: { ...initialWeights(this.specs.critic, 2 * seed + 1) } };
    const adam = (role: Role) => new Adam(this.specs[role].weights, { learningRate: config.learningRate, beta1: 0.9, beta2: 0.999, epsilon: config.adamEpsilon });
    this.optimizers = { actor: adam("actor"), critic: adam("critic") };
  }

  /** A trainer for a validated config (throws a `ConfigError` naming the first bad key). */
  static create(config: TrainConfigInput | TrainConfig, options: TrainerOptions): PpoTrainer {
    checkTrainerOptions(options);
    return new PpoTrainer(parseTrainConfig(config, options.family?.name), options);
  }

  /** The current weights of a network (live arrays: copy them to keep a snapshot). */
  weights(role: Role): NamedWeights {
    return this.parameters[role];
  }

  /** Iterations completed so far. */
  get iteration(): number {
    return this.completed;
  }

  get done(): boolean {
    return this.completed >= this.config.iterations;
  }

  /** The encoder configuration to store with exported policies. */
  encoderConfig() {
    return LocalShard.encoder(this.config, this.family, 1).config;
  }

  /** The best greedy validation return so far (undefined before the first validation). */
  get bestValidation(): BestValidation | undefined {
    if (!this.best) return undefined;
    const { iteration, mean, stderr } = this.best;
    return { iteration, mean, stderr };
  }

  /**
   * The actor as a self-describing ONNX policy file: the current one, or (`which: "best"`) the one that scored
   * `bestValidation`, which must exist.
   */
  exportPolicy(graph: "step" | "sequence" = "step", which: "current" | "best" = "current"): Uint8Array {
    const best = which === "best" ? this.best : undefined;
    if (which === "best" && !best) throw new StateError("no validation has run yet, so there is no best policy (set validateEvery > 0)");
    const metadata = { encoder: { ...this.encoderConfig() }, family: this.config.family, horizon: this.config.horizon, method: this.config.method, seed: this.config.seed, iteration: best?.iteration ?? this.completed };
    return exportOnnx(this.specs.actor, best?.actor ?? this.parameters.actor, { graph, metadata: best ? { ...metadata, validationReturn: best.mean } : metadata });
  }

  /**
   * The greedy actor (§6.4's evaluation policy) on the run's validation tasks (`validationTaskStreams`, disjoint from
   * training and test): one meta-episode each, mean ± standard error. It draws on no training stream, so validating
   * never changes what the run trains.
   */
  async validate(): Promise<{ mean: number; stderr: number; returns: number[] }> {
    const { horizon, validationEpisodes, seed } = this.config;
    const streams = validationTaskStreams(seed, validationEpisodes);
    const engine = await this.trainingEngine();
    const agent = new ActingAgent(await engine.actingPolicy(this.parameters.actor), this.config);
    try {
      const returns = await metaEpisodeReturns(agent, this.family, horizon, streams.map((stream) => this.family.sample(stream.task)), streams);
      return { mean: mean(returns), stderr: standardError(returns), returns };
    } finally {
      await agent.release();
    }
  }

  /**
   * One meta-episode per env with the current actor, sampling, on the training tasks of `iteration` (default: the
   * next one, the rollout `trainIteration` collects), in this thread. Env i of iteration k draws from streams of
   * (seed, k, i) alone, so this is also what N workers collect together.
   */
  async collectRollout(iteration = this.completed): Promise<Rollout> {
    const shard = new LocalShard(this.config, this.family, await this.trainingEngine(), this.allEnvs());
    await shard.rollout(requireInteger("iteration", iteration, 0), this.parameters.actor);
    return shard.lastRollout!;
  }

  /**
   * What the update of a rollout starts from, with the networks as they are now: the actor's log-probabilities,
   * the critic's values (raw scale), GAE advantages and λ-return targets (§5.2), and the advantages normalised per
   * minibatch as the policy loss sees them. For diagnostics (scripts/grid-advantage-by-event.ts) and tests.
   */
  async rolloutStatistics(rollout: Rollout): Promise<RolloutStatistics> {
    const shard = new LocalShard(this.config, this.family, await this.trainingEngine(), this.allEnvs());
    shard.use(rollout);
    const values = await shard.values(this.parameters.actor, this.parameters.critic);
    return { logProbabilities: shard.oldLogProbabilities, values, ...this.targets(rollout.rewards, values) };
  }

  /** One PPO iteration: rollout, advantages, then the epochs of minibatch updates. */
  async trainIteration(): Promise<IterationMetrics> {
    const started = performance.now();
    const group = await this.shardGroup();
    const parts = await group.all((shard) => shard.rollout(this.completed, this.parameters.actor));
    const rewards = group.gather(parts.map((part) => part.rewards), this.config.horizon);
    const collected = performance.now();
    const metrics = await this.update(group, rewards);
    const finished = performance.now();
    this.iterationSeconds += (finished - started) / 1000;
    this.parallelSeconds = group.parallelSeconds;
    this.completed++;
    const steps = this.config.batchSize;
    let total = 0;
    for (const reward of rewards) total += reward;
    const row: IterationMetrics = {
      iteration: this.completed,
      "charts/env_steps": this.completed * steps,
      "charts/episodic_return": total / this.numEnvs,
      "charts/SPS": steps / ((finished - started) / 1000),
      ...metrics,
      "time/rollout_seconds": (collected - started) / 1000,
      "time/update_seconds": (finished - collected) / 1000,
    };
    const { validateEvery } = this.config;
    if (validateEvery > 0 && (this.completed % validateEvery === 0 || this.done)) {
      // After SPS and the timings: they measure training, not validation.
      const { mean, stderr } = await this.validate();
      row["eval/validation_return"] = mean;
      row["eval/validation_stderr"] = stderr;
      if (!this.best || mean > this.best.mean) this.best = { iteration: this.completed, mean, stderr, actor: copyWeights(this.parameters.actor) };
    }
    return row;
  }

  /**
   * Seconds of the iterations so far that the trainer's thread spent outside the shards' calls (GAE, gradient sums,
   * Adam, gathering): what stays serial however many workers share the run.
   */
  get serialSeconds(): number {
    return this.iterationSeconds - this.parallelSeconds;
  }

  /** The run's shards, created at the first iteration and kept. */
  private shardGroup(): Promise<ShardGroup> {
    this.group ??= this.trainingEngine().then((engine) => ShardGroup.create(this.config, this.family, engine, this.options.remoteShards));
    return this.group;
  }

  private allEnvs(): number[] {
    return Array.from({ length: this.numEnvs }, (_, env) => env);
  }

  /** GAE advantages and λ-return targets of the whole batch, and the advantages normalised per minibatch (§5.2). */
  private targets(rewards: Float64Array, values: Float32Array): Omit<RolloutStatistics, "logProbabilities" | "values"> {
    const { horizon, gamma, gaeLambda, minibatchSize } = this.config;
    const { advantages, returns } = uncheckedAdvantages(rewards, values, this.numEnvs, horizon, gamma, gaeLambda);
    // The advantages do not change between epochs, so they are normalised once.
    const normalizedAdvantages = new Float32Array(advantages.length);
    for (let first = 0; first < advantages.length; first += minibatchSize) {
      normalizedAdvantages.set(normalizeAdvantages(advantages.subarray(first, first + minibatchSize)), first);
    }
    return { advantages, returns, normalizedAdvantages };
  }

  private async update(group: ShardGroup, rewards: Float64Array): Promise<Omit<IterationMetrics, "iteration" | "charts/env_steps" | "charts/episodic_return" | "charts/SPS" | "time/rollout_seconds" | "time/update_seconds">> {
    const config = this.config;
    const { horizon } = config;
    // The rollout policy's log-probabilities (kept by each shard) and the values, with the networks as they are now.
    const values = group.gather(await group.all((shard) => shard.values(this.parameters.actor, this.parameters.critic)), horizon + 1);
    const { returns, normalizedAdvantages } = this.targets(rewards, values);
    const scaledReturns = config.valueScale === 1 ? returns : Float32Array.from(returns, (value) => value / config.valueScale);
    await group.all((shard) => shard.setTargets(group.slice(shard, normalizedAdvantages, horizon), group.slice(shard, scaledReturns, horizon)));
    const entropyCoefficient = config.entropyDecay ? config.entropyCoefficient * (1 - this.completed / config.iterations) : config.entropyCoefficient;

    let actorActive = true;
    let actorEpochs = 0;
    const sums = { policy: 0, value: 0, entropy: 0, approxKl: 0, clipFraction: 0, actorBatches: 0, criticBatches: 0 };
    const numMinibatches = config.batchSize / config.minibatchSize;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      for (let minibatch = 0; minibatch < numMinibatches; minibatch++) {
        const actor = actorActive ? this.parameters.actor : undefined;
        const parts = (await group.all((shard) => shard.step(minibatch, actor, this.parameters.critic, entropyCoefficient))).filter((part): part is ShardStep => part !== undefined);
        const { policy, value } = combineSteps(parts);
        if (policy) {
          this.apply("actor", policy.gradients, policy.loss);
          sums.policy += policy.policyLoss;
          sums.entropy += policy.entropy;
          sums.approxKl += policy.approxKl;
          sums.clipFraction += policy.clipFraction;
          sums.actorBatches++;
        }
        // Weight decay added to the gradient before Adam (Flux's WeightDecay ∘ Adam, §5.2).
        this.apply("critic", addWeightDecay(value.gradients, this.parameters.critic, config.criticWeightDecay), value.valueLoss);
        sums.value += value.valueLoss;
        sums.criticBatches++;
      }
      if (actorActive) {
        actorEpochs++;
        // KL(π_old ‖ π_new) averaged over every step of the batch (§5.2's early-stop statistic).
        let kl = 0;
        for (const part of await group.all((shard) => shard.kl(this.parameters.actor))) kl += part;
        if (kl / (this.numEnvs * horizon) >= config.targetKl) actorActive = false;
      }
    }
    const actorBatches = Math.max(1, sums.actorBatches);
    return {
      "losses/policy_loss": sums.policy / actorBatches,
      "losses/value_loss": sums.value / Math.max(1, sums.criticBatches),
      "losses/entropy": sums.entropy / actorBatches,
      "losses/approx_kl": sums.approxKl / actorBatches,
      "losses/clipfrac": sums.clipFraction / actorBatches,
      "losses/explained_variance": explainedVariance(returns, values, this.numEnvs, horizon),
      "charts/actor_epochs": actorEpochs,
      "charts/entropy_coefficient": entropyCoefficient,
    };
  }

  /** One Adam step; a non-finite loss or gradient stops training before any weight changes. */
  private apply(role: Role, gradients: Readonly<Record<string, { data: Float32Array }>>, loss: number): void {
    if (!Number.isFinite(loss)) throw new StateError(`the ${role} loss is ${loss} at iteration ${this.completed + 1}; training stopped, the last checkpoint is intact`);
    for (const [name, tensor] of Object.entries(gradients)) {
      for (const value of tensor.data) {
        if (!Number.isFinite(value)) throw new StateError(`the gradient of ${role} weight ${name} holds ${value} at iteration ${this.completed + 1}; training stopped, the last checkpoint is intact`);
      }
    }
    this.optimizers[role].step(this.parameters[role], gradients);
  }

  /** What an engine for this run is built with (also what the app's worker threads build theirs with). */
  engineOptions() {
    return {
      actor: this.specs.actor,
      critic: this.specs.critic,
      clipRange: this.config.clipRange,
      valueCoefficient: this.config.valueCoefficient,
      threads: this.config.threads,
      device: this.config.device,
    };
  }

  private trainingEngine(): Promise<TrainingEngine> {
    this.engine ??= this.options.engines[this.config.engine]!(this.engineOptions());
    return this.engine;
  }

  /**
   * The run's state as bytes (safetensors: weights, Adam's state, the best validation actor, progress and config in
   * the header). Writing them somewhere, atomically, is the caller's business.
   */
  checkpoint(): Uint8Array {
    return encodeCheckpoint({
      config: this.config,
      iteration: this.completed,
      parameters: this.parameters,
      // Adam's state in tf.train.adam's layout ([iterations, m…, v…]): checkpoints of either engine resume under both.
      optimizerSlots: { actor: this.optimizers.actor.slots(), critic: this.optimizers.critic.slots() },
      best: this.best,
    });
  }

  /**
   * Continues a run from checkpoint bytes (`source` names them in errors, e.g. the file they came from). `config` may
   * raise `iterations` or change how it runs (engine, device, threads, workers, `checkpointEvery`, validation); any
   * other difference is a `ConfigError`, and damaged bytes are a `FileFormatError`.
   */
  static fromCheckpoint(bytes: Uint8Array, config: TrainConfigInput | TrainConfig | undefined, options: TrainerOptions & { source?: string }): PpoTrainer {
    checkTrainerOptions(options);
    const path = options.source;
    const checkpoint = decodeCheckpoint(bytes, path, options.family?.name);
    const trainer = new PpoTrainer(resumedConfig(checkpoint.config, config, path, options.family?.name), options);
    for (const role of ["actor", "critic"] as const) {
      trainer.parameters[role] = checkpoint.network(`${role}/`, trainer.specs[role]);
      try {
        trainer.optimizers[role].loadSlots(checkpoint.optimizerSlots(role));
      } catch (error) {
        if (error instanceof FileFormatError) throw error;
        throw new FileFormatError(`its ${role} optimizer state is invalid: ${(error as Error).message}`, { path, cause: error });
      }
    }
    if (checkpoint.bestValidation) trainer.best = { ...checkpoint.bestValidation, actor: checkpoint.network(BEST_ACTOR_PREFIX, trainer.specs.actor) };
    trainer.completed = checkpoint.iteration;
    return trainer;
  }

  /** Frees the engine's sessions or tensors. */
  async dispose(): Promise<void> {
    const [engine, group] = [this.engine, this.group];
    this.engine = undefined;
    this.group = undefined;
    if (group) await (await group).dispose();
    if (engine) await (await engine).dispose();
  }
}

function copyWeights(weights: NamedWeights): NamedWeights {
  return Object.fromEntries(Object.entries(weights).map(([name, tensor]) => [name, { shape: [...tensor.shape], data: Float32Array.from(tensor.data) }]));
}

/** Input checks at the trainer's door (issue 31): the options object and the family object it may carry. */
/** The options' shape, before anything is built from them. */
function checkTrainerOptions(options: TrainerOptions): void {
  requireObject("options", options);
  requireObject("options.engines", options.engines);
  if (options.family !== undefined) requireTaskFamily("options.family", options.family);
  if (options.remoteShards !== undefined && typeof options.remoteShards !== "function") {
    throw new ConfigError({ field: "options.remoteShards", value: options.remoteShards, expected: "a function giving the shards of the other workers" });
  }
}
