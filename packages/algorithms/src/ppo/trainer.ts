import { ConfigError, FileFormatError, InputError, StateError, requireInteger, requireObject, type ModelSpec, type NamedWeights, type TrainingEngine, type TrainingEngineFactory, type WeightTensor, createModelSpec, initialWeights } from "@rl3/core";
import { type TaskFamily, requireTaskFamily, taskFamily } from "@rl3/envs";
import { decodeSafetensors, encodeSafetensors } from "@rl3/models";
import { exportOnnx } from "@rl3/onnx";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { metaEpisodeReturns, validationTaskStreams, weightSeed } from "@rl3/wrappers";
import { Adam, addWeightDecay } from "../adam.js";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, readCheckpointHeader } from "../checkpoint.js";
import { type TrainConfig, type TrainConfigInput, parseTrainConfig } from "../config.js";
import { createTrainingEngine } from "../engines.js";
import { uncheckedAdvantages } from "../gae.js";
import { mean, standardError } from "../statistics.js";
import { ActingAgent } from "./acting-agent.js";
import { explainedVariance, normalizeAdvantages } from "./batches.js";
import { type EnvShard, LocalShard, type ShardStep, combineSteps, shardEnvs } from "./shard.js";
import type { Rollout } from "./rollout.js";

/** Where a checkpoint keeps the actor that scored the best validation return. */
const BEST_ACTOR_PREFIX = "best/actor/";

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


/** Settings that may change between a checkpoint and its resumption (everything else must match). */
const RESUMABLE_CHANGES = new Set(["iterations", "checkpointEvery", "engine", "device", "threads", "validateEvery", "validationEpisodes", "workers"]);

export interface TrainerOptions {
  /** Train on this family object instead of `taskFamily(config.family)` (its name must equal config.family). */
  family?: TaskFamily;
  /** What builds the engine that trains and acts (default: the one `config.engine` names). */
  engine?: TrainingEngineFactory;
  /**
   * Shards 1 … N − 1 of a data-parallel run (`config.workers` = N), given the envs each owns: the app's worker
   * threads. Shard 0 runs in this thread on the trainer's engine. Needed when `config.workers` > 1.
   */
  remoteShards?: (envs: readonly (readonly number[])[]) => Promise<EnvShard[]>;
}

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
  private shards: Promise<EnvShard[]> | undefined;
  private readonly options: TrainerOptions;
  private completed = 0;
  private shardSeconds = 0;
  private iterationSeconds = 0;
  private best: (BestValidation & { actor: NamedWeights }) | undefined;

  private constructor(config: TrainConfig, options: TrainerOptions = {}) {
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
  static create(config: TrainConfigInput | TrainConfig, options: TrainerOptions = {}): PpoTrainer {
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
    const shards = await this.envShards();
    const parts = await this.onShards(shards, (shard) => shard.rollout(this.completed, this.parameters.actor));
    const { actions, rewards } = this.gather(shards, parts);
    const collected = performance.now();
    const metrics = await this.update(shards, rewards);
    const finished = performance.now();
    this.iterationSeconds += (finished - started) / 1000;
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
    void actions;
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
    return this.iterationSeconds - this.shardSeconds;
  }

  /** Runs one call on every shard at once, timing it as parallel work. */
  private async onShards<T>(shards: readonly EnvShard[], call: (shard: EnvShard) => Promise<T>): Promise<T[]> {
    const started = performance.now();
    const results = await Promise.all(shards.map(call));
    this.shardSeconds += (performance.now() - started) / 1000;
    return results;
  }

  private allEnvs(): number[] {
    return Array.from({ length: this.numEnvs }, (_, env) => env);
  }

  /** Shard 0 in this thread, the others from `remoteShards` (created once, kept for the run). */
  private envShards(): Promise<EnvShard[]> {
    this.shards ??= (async () => {
      const envs = shardEnvs(this.numEnvs, this.config.minibatchSize / this.config.horizon, this.config.workers);
      const local = new LocalShard(this.config, this.family, await this.trainingEngine(), envs[0]!);
      if (envs.length === 1) return [local];
      if (!this.options.remoteShards) throw new ConfigError({ field: "workers", value: this.config.workers, expected: "1, or a trainer given remoteShards (the CLI's worker threads)" });
      return [local, ...(await this.options.remoteShards(envs.slice(1)))];
    })();
    return this.shards;
  }

  /** The shards' env-major parts as whole-batch arrays in env order. */
  private gather(shards: readonly EnvShard[], parts: readonly { actions: Int32Array; rewards: Float64Array }[]): { actions: Int32Array; rewards: Float64Array } {
    if (shards.length === 1) return parts[0]!;
    const { horizon } = this.config;
    const actions = new Int32Array(this.numEnvs * horizon);
    const rewards = new Float64Array(this.numEnvs * horizon);
    shards.forEach((shard, index) =>
      shard.envs.forEach((env, local) => {
        actions.set(parts[index]!.actions.subarray(local * horizon, (local + 1) * horizon), env * horizon);
        rewards.set(parts[index]!.rewards.subarray(local * horizon, (local + 1) * horizon), env * horizon);
      }),
    );
    return { actions, rewards };
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

  private async update(shards: readonly EnvShard[], rewards: Float64Array): Promise<Omit<IterationMetrics, "iteration" | "charts/env_steps" | "charts/episodic_return" | "charts/SPS" | "time/rollout_seconds" | "time/update_seconds">> {
    const config = this.config;
    const { horizon } = config;
    // The rollout policy's log-probabilities (kept by each shard) and the values, with the networks as they are now.
    const values = this.scatterBack(shards, await this.onShards(shards, (shard) => shard.values(this.parameters.actor, this.parameters.critic)), horizon + 1);
    const { returns, normalizedAdvantages } = this.targets(rewards, values);
    const scaledReturns = config.valueScale === 1 ? returns : Float32Array.from(returns, (value) => value / config.valueScale);
    await this.onShards(shards, (shard) => shard.setTargets(this.slice(shard, normalizedAdvantages, horizon), this.slice(shard, scaledReturns, horizon)));
    const entropyCoefficient = config.entropyDecay ? config.entropyCoefficient * (1 - this.completed / config.iterations) : config.entropyCoefficient;

    let actorActive = true;
    let actorEpochs = 0;
    const sums = { policy: 0, value: 0, entropy: 0, approxKl: 0, clipFraction: 0, actorBatches: 0, criticBatches: 0 };
    const numMinibatches = config.batchSize / config.minibatchSize;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      for (let minibatch = 0; minibatch < numMinibatches; minibatch++) {
        const actor = actorActive ? this.parameters.actor : undefined;
        const parts = (await this.onShards(shards, (shard) => shard.step(minibatch, actor, this.parameters.critic, entropyCoefficient))).filter((part): part is ShardStep => part !== undefined);
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
        for (const part of await this.onShards(shards, (shard) => shard.kl(this.parameters.actor))) kl += part;
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

  /** The shards' per-env rows of `width` values as one env-major array (the parts as they are with one shard). */
  private scatterBack(shards: readonly EnvShard[], parts: readonly Float32Array[], width: number): Float32Array {
    if (shards.length === 1) return parts[0]!;
    const whole = new Float32Array(this.numEnvs * width);
    shards.forEach((shard, index) => shard.envs.forEach((env, local) => whole.set(parts[index]!.subarray(local * width, (local + 1) * width), env * width)));
    return whole;
  }

  /** A shard's rows of an env-major [numEnvs × width] array (the array itself with one shard). */
  private slice(shard: EnvShard, whole: Float32Array, width: number): Float32Array {
    if (shard.envs.length === this.numEnvs) return whole;
    const part = new Float32Array(shard.envs.length * width);
    shard.envs.forEach((env, local) => part.set(whole.subarray(env * width, (env + 1) * width), local * width));
    return part;
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
    const factory = this.options.engine ?? ((options) => createTrainingEngine(this.config.engine, options));
    this.engine ??= factory(this.engineOptions());
    return this.engine;
  }

  /** Writes weights, optimiser state and progress atomically (temporary file, then rename). */
  async saveCheckpoint(path: string): Promise<void> {
    const tensors: Record<string, WeightTensor> = {};
    const slots: Record<string, number> = {};
    for (const role of ["actor", "critic"] as const) {
      for (const [name, tensor] of Object.entries(this.parameters[role])) tensors[`${role}/${name}`] = tensor;
      // Adam's state in tf.train.adam's layout ([iterations, m…, v…]): checkpoints of either engine resume under both.
      const saved = this.optimizers[role].slots();
      slots[role] = saved.length;
      saved.forEach((slot, index) => {
        tensors[`optimizer/${role}/${index}`] = slot;
      });
    }
    const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT, version: String(CHECKPOINT_VERSION), iteration: String(this.completed), config: JSON.stringify(this.config), slots: JSON.stringify(slots) };
    if (this.best) {
      const { actor, ...best } = this.best;
      for (const [name, tensor] of Object.entries(actor)) tensors[`${BEST_ACTOR_PREFIX}${name}`] = tensor;
      metadata.bestValidation = JSON.stringify(best);
    }
    const temporary = `${path}.tmp-${process.pid}`;
    try {
      await writeFile(temporary, encodeSafetensors(tensors, metadata));
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw new InputError({ field: "path", value: path, expected: `a writable checkpoint path (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
    }
  }

  /**
   * Continues a run from a checkpoint. `config` may raise `iterations` or change how it runs (engine, device,
   * threads, `checkpointEvery`); any other difference is an error, as is a damaged file (left untouched).
   */
  static async resume(path: string, config?: TrainConfigInput | TrainConfig, options: TrainerOptions = {}): Promise<PpoTrainer> {
    if (typeof path !== "string" || path.length === 0) throw new InputError({ field: "path", value: path, expected: "a checkpoint file path" });
    checkTrainerOptions(options);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      throw new FileFormatError(`cannot read the checkpoint (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { path, cause: error });
    }
    const { weights, metadata } = decodeSafetensors(bytes, path);
    const { config: saved, iteration, slots, bestValidation } = readCheckpointHeader(metadata, path, options.family?.name);
    const wanted = config === undefined ? saved : parseTrainConfig(config, options.family?.name);
    for (const key of Object.keys(saved) as (keyof TrainConfig)[]) {
      if (RESUMABLE_CHANGES.has(key)) continue;
      if (JSON.stringify(saved[key]) !== JSON.stringify(wanted[key])) {
        // The file is sound; the request differs from it, so this is a config mistake, not a damaged file.
        throw new ConfigError({
          field: key,
          value: wanted[key],
          expected: `${JSON.stringify(saved[key])}, the value of the run that wrote ${path} (only ${[...RESUMABLE_CHANGES].join(", ")} may change on resume)`,
        });
      }
    }
    const trainer = new PpoTrainer(wanted, options);
    for (const role of ["actor", "critic"] as const) {
      trainer.parameters[role] = trainer.checkpointWeights(weights, `${role}/`, path, role);
      const count = slots[role];
      const entries = Array.from({ length: count }, (_, index) => {
        const tensor = weights[`optimizer/${role}/${index}`];
        if (!tensor) throw new FileFormatError(`optimizer state optimizer/${role}/${index} is missing`, { path });
        return tensor;
      });
      try {
        trainer.optimizers[role].loadSlots(entries);
      } catch (error) {
        throw new FileFormatError(`its ${role} optimizer state is invalid: ${(error as Error).message}`, { path, cause: error });
      }
    }
    if (bestValidation) trainer.best = { ...bestValidation, actor: trainer.checkpointWeights(weights, BEST_ACTOR_PREFIX, path) };
    trainer.completed = iteration;
    return trainer;
  }

  /** The weights of a network stored under `prefix` in a checkpoint, checked against its spec (shape, finiteness). */
  private checkpointWeights(weights: Record<string, WeightTensor>, prefix: string, path: string, role: Role = "actor"): Record<string, WeightTensor> {
    const result: Record<string, WeightTensor> = {};
    for (const { name, shape } of this.specs[role].weights) {
      const tensor = weights[`${prefix}${name}`];
      const sameShape = tensor !== undefined && tensor.shape.length === shape.length && tensor.shape.every((size, axis) => size === shape[axis]);
      if (!sameShape) throw new FileFormatError(`weight ${prefix}${name} is ${tensor ? `of shape [${tensor.shape.join(", ")}]` : "missing"}; expected [${shape.join(", ")}]`, { path });
      if (!tensor.data.every(Number.isFinite)) throw new FileFormatError(`weight ${prefix}${name} holds non-finite values`, { path });
      result[name] = { shape: [...shape], data: Float32Array.from(tensor.data) };
    }
    return result;
  }

  /** Frees the engine's sessions or tensors. */
  async dispose(): Promise<void> {
    const [engine, shards] = [this.engine, this.shards];
    this.engine = undefined;
    this.shards = undefined;
    if (shards) for (const shard of await shards) await shard.dispose();
    if (engine) await (await engine).dispose();
  }
}

function copyWeights(weights: NamedWeights): NamedWeights {
  return Object.fromEntries(Object.entries(weights).map(([name, tensor]) => [name, { shape: [...tensor.shape], data: Float32Array.from(tensor.data) }]));
}

/** Input checks at the trainer's door (issue 31): the options object and the family object it may carry. */
function checkTrainerOptions(options: TrainerOptions): void {
  requireObject("options", options);
  if (options.family !== undefined) requireTaskFamily("options.family", options.family);
  if (options.engine !== undefined && typeof options.engine !== "function") throw new InputError({ field: "options.engine", value: options.engine, expected: "a TrainingEngineFactory (a function)" });
}
