import { ConfigError, FileFormatError, InputError, StateError, requireInteger, type ModelSpec, type NamedWeights, type TrainingEngine, type WeightTensor, createModelSpec, initialWeights } from "@rl3/core";
import { type TaskFamily, taskFamily } from "@rl3/envs";
import { createModel, decodeSafetensors, encodeSafetensors, tf } from "@rl3/models";
import { exportOnnx } from "@rl3/onnx";
import { OnnxPolicy } from "@rl3/onnx/node";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { Adam, addWeightDecay } from "./adam.js";
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, readCheckpointHeader } from "./checkpoint.js";
import { type TrainConfig, type TrainConfigInput, parseTrainConfig } from "./config.js";
import { createTrainingEngine } from "./engines.js";
import { generalizedAdvantages } from "./gae.js";
import { ObservationEncoder } from "@rl3/wrappers";
import { actorObservations, chosenLogProbabilities, criticObservations, explainedVariance, klSum, logSoftmaxRows, normalizeAdvantages } from "./ppo/batches.js";
import { type ActingPolicy, type Rollout, collectRollout } from "./ppo/rollout.js";
import { metaEpisodeReturns, taskStreams, trainingStreams, validationTaskStreams, weightSeed } from "@rl3/wrappers";
import { OnnxPolicyAgent } from "./policy-agent.js";
import { mean, standardError } from "./statistics.js";

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
const RESUMABLE_CHANGES = new Set(["iterations", "checkpointEvery", "engine", "device", "threads", "acting", "validateEvery", "validationEpisodes"]);

export interface TrainerOptions {
  /** Train on this family object instead of `taskFamily(config.family)` (its name must equal config.family). */
  family?: TaskFamily;
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
  private completed = 0;
  private best: (BestValidation & { actor: NamedWeights }) | undefined;

  private constructor(config: TrainConfig, options: TrainerOptions = {}) {
    this.config = config;
    const family = options.family ?? taskFamily(config.family);
    this.family = family;
    this.numEnvs = config.batchSize / config.horizon;
    this.observationSize = this.makeEncoder(1).size;
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
    return this.makeEncoder(1).config;
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
    const agent = await OnnxPolicyAgent.load(this.exportPolicy("step"));
    try {
      const returns = await metaEpisodeReturns(agent, this.family, horizon, streams.map((stream) => this.family.sample(stream.task)), streams);
      return { mean: mean(returns), stderr: standardError(returns), returns };
    } finally {
      await agent.release();
    }
  }

  /**
   * One meta-episode per env with the current actor, sampling, on the training tasks of `iteration` (default: the
   * next one, the rollout `trainIteration` collects). Env i of iteration k draws from streams of (seed, k, i) alone.
   */
  async collectRollout(iteration = this.completed): Promise<Rollout> {
    const streams = taskStreams(trainingStreams(this.config.seed, requireInteger("iteration", iteration, 0)).environment, this.numEnvs);
    return collectRollout({
      family: this.family,
      numEnvs: this.numEnvs,
      horizon: this.config.horizon,
      encoder: this.makeEncoder(this.numEnvs),
      policy: await this.actingPolicy(),
      environments: streams.map((stream) => stream.environment),
      actions: streams.map((stream) => stream.agent),
    });
  }

  /**
   * What the update of a rollout starts from, with the networks as they are now: the actor's log-probabilities,
   * the critic's values (raw scale), GAE advantages and λ-return targets (§5.2), and the advantages normalised per
   * minibatch as the policy loss sees them. For diagnostics (scripts/grid-advantage-by-event.ts) and the update itself.
   */
  async rolloutStatistics(rollout: Rollout): Promise<RolloutStatistics> {
    return this.statistics(rollout, this.actorInputs(rollout));
  }

  /** One PPO iteration: rollout, advantages, then the epochs of minibatch updates. */
  async trainIteration(): Promise<IterationMetrics> {
    const started = performance.now();
    const rollout = await this.collectRollout();
    const collected = performance.now();
    const metrics = await this.update(rollout);
    const finished = performance.now();
    this.completed++;
    const steps = this.config.batchSize;
    const row: IterationMetrics = {
      iteration: this.completed,
      "charts/env_steps": this.completed * steps,
      "charts/episodic_return": rollout.meanReturn,
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

  /** The first env of each minibatch of whole trajectories, in env order. */
  private minibatchStarts(): number[] {
    const perMinibatch = this.config.minibatchSize / this.config.horizon;
    return Array.from({ length: this.numEnvs / perMinibatch }, (_, index) => index * perMinibatch);
  }

  /** The actor's input of each minibatch (built once per iteration: every epoch reads them). */
  private actorInputs(rollout: Rollout): Float32Array[] {
    const { horizon, minibatchSize } = this.config;
    return this.minibatchStarts().map((first) => actorObservations(rollout.observations, first, minibatchSize / horizon, horizon, this.observationSize));
  }

  private async statistics(rollout: Rollout, actorInputs: readonly Float32Array[]): Promise<RolloutStatistics> {
    const config = this.config;
    const { horizon } = config;
    const { numEnvs } = this;
    const numActions = this.specs.actor.outputSize;
    const perMinibatch = config.minibatchSize / horizon;
    const engine = await this.trainingEngine();
    const logProbabilities = new Float32Array(numEnvs * horizon * numActions);
    const values = new Float32Array(numEnvs * (horizon + 1));
    for (const [index, first] of this.minibatchStarts().entries()) {
      const logits = await engine.forward("actor", this.parameters.actor, actorInputs[index]!, perMinibatch, horizon);
      logProbabilities.set(logSoftmaxRows(logits, numActions), first * horizon * numActions);
      const predicted = await engine.forward("critic", this.parameters.critic, criticObservations(rollout.observations, first, perMinibatch, horizon, this.observationSize), perMinibatch, horizon + 1);
      for (let index = 0; index < predicted.length; index++) values[first * (horizon + 1) + index] = predicted[index]! * config.valueScale;
    }
    const { advantages, returns } = generalizedAdvantages(rollout.rewards, values, numEnvs, horizon, config.gamma, config.gaeLambda);
    // Per-minibatch advantage normalisation (§5.2); the advantages do not change between epochs, so once.
    const normalizedAdvantages = new Float32Array(advantages.length);
    for (const first of this.minibatchStarts()) {
      normalizedAdvantages.set(normalizeAdvantages(advantages.subarray(first * horizon, (first + perMinibatch) * horizon)), first * horizon);
    }
    return { logProbabilities, values, advantages, returns, normalizedAdvantages };
  }

  private async update(rollout: Rollout): Promise<Omit<IterationMetrics, "iteration" | "charts/env_steps" | "charts/episodic_return" | "charts/SPS" | "time/rollout_seconds" | "time/update_seconds">> {
    const config = this.config;
    const { horizon } = config;
    const { numEnvs } = this;
    const size = this.observationSize;
    const numActions = this.specs.actor.outputSize;
    const perMinibatch = config.minibatchSize / horizon;
    const engine = await this.trainingEngine();
    const minibatches = this.minibatchStarts();
    const actorInputs = this.actorInputs(rollout);
    // The rollout policy's log-probabilities and values, computed once with the networks as they are now.
    const { logProbabilities: oldLog, values, returns, normalizedAdvantages } = await this.statistics(rollout, actorInputs);
    const oldChosen = chosenLogProbabilities(oldLog, rollout.actions, numActions);
    const scaledReturns = config.valueScale === 1 ? returns : Float32Array.from(returns, (value) => value / config.valueScale);
    const entropyCoefficient = config.entropyDecay ? config.entropyCoefficient * (1 - this.completed / config.iterations) : config.entropyCoefficient;

    let actorActive = true;
    let actorEpochs = 0;
    const sums = { policy: 0, value: 0, entropy: 0, approxKl: 0, clipFraction: 0, actorBatches: 0, criticBatches: 0 };
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      for (const [index, first] of minibatches.entries()) {
        const steps = [first * horizon, (first + perMinibatch) * horizon] as const;
        if (actorActive) {
          const result = await engine.policyStep(this.parameters.actor, {
            observations: actorInputs[index]!,
            actions: rollout.actions.subarray(...steps),
            oldLogProbabilities: oldChosen.subarray(...steps),
            advantages: normalizedAdvantages.subarray(...steps),
            count: perMinibatch,
            time: horizon,
            entropyCoefficient,
          });
          this.apply("actor", result.gradients, result.loss);
          sums.policy += result.policyLoss;
          sums.entropy += result.entropy;
          sums.approxKl += result.approxKl;
          sums.clipFraction += result.clipFraction;
          sums.actorBatches++;
        }
        const result = await engine.valueStep(this.parameters.critic, {
          observations: criticObservations(rollout.observations, first, perMinibatch, horizon, size),
          targets: scaledReturns.subarray(...steps),
          count: perMinibatch,
          time: horizon,
        });
        // Weight decay added to the gradient before Adam (Flux's WeightDecay ∘ Adam, §5.2).
        this.apply("critic", addWeightDecay(result.gradients, this.parameters.critic, config.criticWeightDecay), result.valueLoss);
        sums.value += result.valueLoss;
        sums.criticBatches++;
      }
      if (actorActive) {
        actorEpochs++;
        // KL(π_old ‖ π_new) averaged over every step of the batch (§5.2's early-stop statistic).
        let kl = 0;
        for (const [index, first] of minibatches.entries()) {
          const logits = await engine.forward("actor", this.parameters.actor, actorInputs[index]!, perMinibatch, horizon);
          kl += klSum(oldLog.subarray(first * horizon * numActions, (first + perMinibatch) * horizon * numActions), logSoftmaxRows(logits, numActions));
        }
        if (kl / (numEnvs * horizon) >= config.targetKl) actorActive = false;
      }
    }
    const actorBatches = Math.max(1, sums.actorBatches);
    return {
      "losses/policy_loss": sums.policy / actorBatches,
      "losses/value_loss": sums.value / Math.max(1, sums.criticBatches),
      "losses/entropy": sums.entropy / actorBatches,
      "losses/approx_kl": sums.approxKl / actorBatches,
      "losses/clipfrac": sums.clipFraction / actorBatches,
      "losses/explained_variance": explainedVariance(returns, values, numEnvs, horizon),
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

  private trainingEngine(): Promise<TrainingEngine> {
    this.engine ??= createTrainingEngine(this.config.engine, {
      actor: this.specs.actor,
      critic: this.specs.critic,
      clipRange: this.config.clipRange,
      valueCoefficient: this.config.valueCoefficient,
      threads: this.config.threads,
      device: this.config.device,
    });
    return this.engine;
  }

  /** The actor used for acting: an ONNX step session built from the current weights, or a tfjs model. */
  private async actingPolicy(): Promise<ActingPolicy> {
    const spec = this.specs.actor;
    if (this.config.acting === "onnx") {
      const policy = await OnnxPolicy.load(exportOnnx(spec, this.parameters.actor, { graph: "step" }));
      return { reset: (batch) => policy.reset(batch), logits: (observations) => policy.forward(observations), release: () => policy.release() };
    }
    const actor = createModel(spec, { weights: copyWeights(this.parameters.actor) });
    let state = actor.initialState(1);
    const disposeState = () => {
      for (const tensor of state.tensors) tensor.dispose();
    };
    return {
      reset: (batch) => {
        disposeState();
        state = actor.initialState(batch);
      },
      logits: async (observations) => {
        const input = tf.tensor2d(observations, [observations.length / spec.inputSize, spec.inputSize]);
        const { output, state: next } = actor.step(input, state);
        disposeState();
        state = next;
        const values = Float32Array.from(output.dataSync() as Float32Array);
        input.dispose();
        output.dispose();
        return values;
      },
      release: async () => {
        disposeState();
        actor.dispose();
      },
    };
  }

  /** The observation encoder this run's config describes, for `numEnvs` envs. */
  private makeEncoder(numEnvs: number): ObservationEncoder {
    const { method, horizon, encoding, qCache } = this.config;
    return new ObservationEncoder(this.family, numEnvs, { method, horizon, encoding, qCache });
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
    const engine = this.engine;
    this.engine = undefined;
    if (engine) await (await engine).dispose();
  }
}

function copyWeights(weights: NamedWeights): NamedWeights {
  return Object.fromEntries(Object.entries(weights).map(([name, tensor]) => [name, { shape: [...tensor.shape], data: Float32Array.from(tensor.data) }]));
}
