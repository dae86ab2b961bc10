import { FileFormatError, type NamedWeights, type WeightTensor } from "@rl3/core";
import { type TaskFamily, VecMetaEnv, taskFamily } from "@rl3/envs";
import { ActorCritic, decodeSafetensors, encodeSafetensors, tf } from "@rl3/models";
import { OnnxPolicy, exportOnnx, softmaxRow } from "@rl3/onnx";
import { readFile, rename, writeFile } from "node:fs/promises";
import { type TrainConfig, type TrainConfigInput, parseTrainConfig } from "./config.js";
import { generalizedAdvantages } from "./gae.js";
import { ObservationEncoder } from "./observation-encoder.js";
import { trainingStreams, weightSeed } from "./streams.js";

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
}

const CHECKPOINT_FORMAT = "rl3-checkpoint";
const CHECKPOINT_VERSION = 1;

/** Settings that may change between a checkpoint and its resumption (everything else must match). */
const RESUMABLE_CHANGES = new Set(["iterations", "checkpointEvery"]);

/**
 * PPO meta-training with the semantics of §5.2: per iteration one meta-episode in each of batch/H envs, GAE
 * (γ, λ) across inner episodes with only t = H terminal, λ-return critic targets, clipped surrogate with
 * per-minibatch advantage normalisation and an entropy bonus, whole-trajectory minibatches in env order, an
 * actor-only KL early stop while the critic trains every epoch, critic weight decay, separate Adam optimisers.
 */
export interface TrainerOptions {
  /** Train on this family object instead of `taskFamily(config.family)` (its name must equal config.family). */
  family?: TaskFamily;
}

export class PpoTrainer {
  readonly config: TrainConfig;
  readonly family: TaskFamily;
  readonly agent: ActorCritic;
  readonly numEnvs: number;
  readonly observationSize: number;
  private readonly actorOptimizer: tf.AdamOptimizer;
  private readonly criticOptimizer: tf.AdamOptimizer;
  private completed = 0;

  private constructor(config: TrainConfig, options: TrainerOptions = {}) {
    this.config = config;
    const family = options.family ?? taskFamily(config.family);
    this.family = family;
    this.numEnvs = config.batchSize / config.horizon;
    this.observationSize = this.makeEncoder(1).size;
    const { kind, ...sizes } = config.model;
    this.agent = ActorCritic.create({ kind, inputSize: this.observationSize, numActions: family.numActions, horizon: config.horizon, seed: weightSeed(config.seed), sizes });
    this.actorOptimizer = tf.train.adam(config.learningRate, 0.9, 0.999, config.adamEpsilon);
    this.criticOptimizer = tf.train.adam(config.learningRate, 0.9, 0.999, config.adamEpsilon);
  }

  /** A trainer for a validated config (throws a `ConfigError` naming the first bad key). */
  static create(config: TrainConfigInput | TrainConfig, options: TrainerOptions = {}): PpoTrainer {
    return new PpoTrainer(parseTrainConfig(config, options.family?.name), options);
  }

  /** The observation encoder this run's config describes, for `numEnvs` envs. */
  private makeEncoder(numEnvs: number): ObservationEncoder {
    const { method, horizon, encoding, qCache } = this.config;
    return new ObservationEncoder(this.family, numEnvs, { method, horizon, encoding, qCache });
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

  /** The actor as a self-describing ONNX policy file. */
  exportPolicy(graph: "step" | "sequence" = "step"): Uint8Array {
    return exportOnnx(this.agent.actor.spec, this.agent.actor.getWeights(), {
      graph,
      metadata: { encoder: { ...this.encoderConfig() }, family: this.config.family, horizon: this.config.horizon, method: this.config.method, seed: this.config.seed, iteration: this.completed },
    });
  }

  /** Runs one PPO iteration: rollout, advantages, up to `epochs` epochs of minibatch updates. */
  async trainIteration(): Promise<IterationMetrics> {
    const started = performance.now();
    const rollout = await this.collect();
    const collected = performance.now();
    const metrics = this.update(rollout);
    const finished = performance.now();
    this.completed++;
    const steps = this.config.batchSize;
    return {
      iteration: this.completed,
      "charts/env_steps": this.completed * steps,
      "charts/episodic_return": rollout.meanReturn,
      "charts/SPS": steps / ((finished - started) / 1000),
      ...metrics,
      "time/rollout_seconds": (collected - started) / 1000,
      "time/update_seconds": (finished - collected) / 1000,
    };
  }

  /** Writes weights, optimiser state and progress atomically (temporary file, then rename). */
  async saveCheckpoint(path: string): Promise<void> {
    const tensors: Record<string, WeightTensor> = {};
    const add = (prefix: string, weights: NamedWeights) => {
      for (const [name, tensor] of Object.entries(weights)) tensors[`${prefix}${name}`] = tensor;
    };
    add("actor/", this.agent.actor.getWeights());
    add("critic/", this.agent.critic.getWeights());
    const slots: Record<string, number> = {};
    for (const [label, optimizer] of [["actor", this.actorOptimizer], ["critic", this.criticOptimizer]] as const) {
      const saved = await optimizer.getWeights();
      slots[label] = saved.length;
      saved.forEach((entry, index) => {
        tensors[`optimizer/${label}/${index}`] = { shape: [...entry.tensor.shape], data: Float32Array.from(entry.tensor.dataSync() as Float32Array) };
      });
    }
    const metadata = { format: CHECKPOINT_FORMAT, version: String(CHECKPOINT_VERSION), iteration: String(this.completed), config: JSON.stringify(this.config), slots: JSON.stringify(slots) };
    const temporary = `${path}.tmp-${process.pid}`;
    await writeFile(temporary, encodeSafetensors(tensors, metadata));
    await rename(temporary, path);
  }

  /**
   * Continues a run from a checkpoint. `config` may raise `iterations` (or change `checkpointEvery`); any other
   * difference is an error, as is a damaged file (which is left untouched).
   */
  static async resume(path: string, config?: TrainConfigInput | TrainConfig, options: TrainerOptions = {}): Promise<PpoTrainer> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      throw new FileFormatError(`cannot read the checkpoint: ${(error as Error).message}`, { path, cause: error });
    }
    const { weights, metadata } = decodeSafetensors(bytes, path);
    if (metadata.format !== CHECKPOINT_FORMAT || metadata.version !== String(CHECKPOINT_VERSION)) {
      throw new FileFormatError(`not an rl3 checkpoint of version ${CHECKPOINT_VERSION} (format ${metadata.format}, version ${metadata.version})`, { path });
    }
    let saved: TrainConfig;
    let slots: Record<string, number>;
    try {
      saved = parseTrainConfig(JSON.parse(metadata.config ?? ""), options.family?.name);
      slots = JSON.parse(metadata.slots ?? "");
    } catch (error) {
      throw new FileFormatError(`its stored config is unreadable: ${(error as Error).message}`, { path, cause: error });
    }
    const wanted = config === undefined ? saved : parseTrainConfig(config, options.family?.name);
    for (const key of Object.keys(saved) as (keyof TrainConfig)[]) {
      if (RESUMABLE_CHANGES.has(key)) continue;
      if (JSON.stringify(saved[key]) !== JSON.stringify(wanted[key])) {
        throw new FileFormatError(
          `it was written by a run with a different config: ${key} is ${JSON.stringify(saved[key])} there, ${JSON.stringify(wanted[key])} here`,
          { path },
        );
      }
    }
    const trainer = new PpoTrainer(wanted, options);
    const pick = (prefix: string): NamedWeights =>
      Object.fromEntries(Object.entries(weights).filter(([name]) => name.startsWith(prefix)).map(([name, tensor]) => [name.slice(prefix.length), tensor]));
    trainer.agent.actor.setWeights(pick("actor/"));
    trainer.agent.critic.setWeights(pick("critic/"));
    for (const [label, optimizer, model] of [
      ["actor", trainer.actorOptimizer, trainer.agent.actor],
      ["critic", trainer.criticOptimizer, trainer.agent.critic],
    ] as const) {
      const count = slots[label] ?? 0;
      if (count === 0) continue;
      // Adam's slots are [iterations, m per variable…, v per variable…] in the order gradients are applied,
      // which is always the spec's weight order here; names are rebuilt for this process's variables.
      const variables = model.variables;
      const entries = Array.from({ length: count }, (_, index) => {
        const tensor = weights[`optimizer/${label}/${index}`];
        if (!tensor) throw new FileFormatError(`optimizer state optimizer/${label}/${index} is missing`, { path });
        const name = index === 0 ? "iter" : `${variables[(index - 1) % variables.length]!.name}/${index <= variables.length ? "m" : "v"}`;
        return { name, tensor: tf.tensor(tensor.data, [...tensor.shape]) };
      });
      await optimizer.setWeights(entries);
    }
    trainer.completed = Number(metadata.iteration);
    return trainer;
  }

  dispose(): void {
    this.agent.dispose();
    this.actorOptimizer.dispose();
    this.criticOptimizer.dispose();
  }

  /** One meta-episode per env with the current (stochastic) actor. */
  private async collect() {
    const { horizon } = this.config;
    const family = this.family;
    const numEnvs = this.numEnvs;
    const size = this.observationSize;
    const numActions = family.numActions;
    const streams = trainingStreams(this.config.seed, this.completed);
    const env = new VecMetaEnv(family, { numEnvs, horizon, rng: streams.environment });
    const encoder = this.makeEncoder(numEnvs);
    const observations = new Float32Array(numEnvs * (horizon + 1) * size);
    const actions = new Int32Array(numEnvs * horizon);
    const rewards = new Float64Array(numEnvs * horizon);
    const store = (encoded: Float32Array, t: number) => {
      for (let e = 0; e < numEnvs; e++) observations.set(encoded.subarray(e * size, (e + 1) * size), (e * (horizon + 1) + t) * size);
    };
    let encoded = encoder.begin(env.reset().info);
    store(encoded, 0);
    const actor = await this.actingPolicy();
    actor.reset(numEnvs);
    const probabilities = new Float64Array(numActions);
    for (let t = 0; t < horizon; t++) {
      const logits = await actor.logits(encoded);
      const chosen = new Int32Array(numEnvs);
      for (let e = 0; e < numEnvs; e++) chosen[e] = streams.actions.categorical(softmaxRow(logits, e * numActions, numActions, probabilities));
      const { reward, info } = env.step(chosen);
      for (let e = 0; e < numEnvs; e++) {
        actions[e * horizon + t] = chosen[e]!;
        rewards[e * horizon + t] = reward[e]!;
      }
      encoded = encoder.advance(info, reward);
      store(encoded, t + 1);
    }
    await actor.release();
    let total = 0;
    for (const reward of rewards) total += reward;
    return { observations, actions, rewards, meanReturn: total / numEnvs };
  }

  /** The actor used for acting: an ONNX session built from the current weights, or the tfjs model. */
  private async actingPolicy(): Promise<{ reset(batch: number): void; logits(observations: Float32Array): Promise<ArrayLike<number>>; release(): Promise<void> }> {
    if (this.config.acting === "onnx") {
      const policy = await OnnxPolicy.load(exportOnnx(this.agent.actor.spec, this.agent.actor.getWeights(), { graph: "step" }));
      return { reset: (batch) => policy.reset(batch), logits: (observations) => policy.forward(observations), release: () => policy.release() };
    }
    const actor = this.agent.actor;
    let state = actor.initialState(1);
    return {
      reset: (batch) => {
        for (const tensor of state.tensors) tensor.dispose();
        state = actor.initialState(batch);
      },
      logits: async (observations) => {
        const input = tf.tensor2d(observations, [observations.length / this.observationSize, this.observationSize]);
        const { output, state: next } = actor.step(input, state);
        for (const tensor of state.tensors) tensor.dispose();
        state = next;
        const values = output.dataSync() as Float32Array;
        input.dispose();
        output.dispose();
        return values;
      },
      release: async () => {
        for (const tensor of state.tensors) tensor.dispose();
      },
    };
  }

  private update(rollout: { observations: Float32Array; actions: Int32Array; rewards: Float64Array }) {
    const config = this.config;
    const { horizon } = config;
    const numEnvs = this.numEnvs;
    const size = this.observationSize;
    const numActions = this.agent.actor.spec.outputSize;
    const envsPerMinibatch = config.minibatchSize / horizon;
    const actorInputs = (first: number, count: number) => {
      // The actor reads x_0 … x_{H−1}; the critic also x_H (the bootstrap observation).
      const data = new Float32Array(count * horizon * size);
      for (let e = 0; e < count; e++) {
        const source = (first + e) * (horizon + 1) * size;
        data.set(rollout.observations.subarray(source, source + horizon * size), e * horizon * size);
      }
      return tf.tensor3d(data, [count, horizon, size]);
    };
    const criticInputs = (first: number, count: number) =>
      tf.tensor3d(rollout.observations.subarray(first * (horizon + 1) * size, (first + count) * (horizon + 1) * size), [count, horizon + 1, size]);

    // Rollout-policy log-probabilities and values, computed once with the networks as they are now.
    const oldLogProbabilities = new Float32Array(numEnvs * horizon * numActions);
    const values = new Float32Array(numEnvs * (horizon + 1));
    for (let first = 0; first < numEnvs; first += envsPerMinibatch) {
      tf.tidy(() => {
        oldLogProbabilities.set(tf.logSoftmax(this.agent.actor.forward(actorInputs(first, envsPerMinibatch))).dataSync() as Float32Array, first * horizon * numActions);
        values.set(this.agent.critic.forward(criticInputs(first, envsPerMinibatch)).dataSync() as Float32Array, first * (horizon + 1));
      });
    }
    const { advantages, returns } = generalizedAdvantages(rollout.rewards, values, numEnvs, horizon, config.gamma, config.gaeLambda);
    const entropyCoefficient = config.entropyDecay ? config.entropyCoefficient * (1 - this.completed / config.iterations) : config.entropyCoefficient;

    let actorActive = true;
    let actorEpochs = 0;
    const sums = { policy: 0, value: 0, entropy: 0, approxKl: 0, clipFraction: 0, actorBatches: 0, criticBatches: 0 };
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      for (let first = 0; first < numEnvs; first += envsPerMinibatch) {
        const count = envsPerMinibatch;
        const stepCount = count * horizon;
        // Per-minibatch advantage normalisation (mean/std + 1e-8).
        const slice = advantages.subarray(first * horizon, (first + count) * horizon);
        let mean = 0;
        for (const value of slice) mean += value;
        mean /= stepCount;
        let variance = 0;
        for (const value of slice) variance += (value - mean) ** 2;
        const std = Math.sqrt(variance / stepCount);
        const normalized = Float32Array.from(slice, (value) => (value - mean) / (std + 1e-8));
        tf.tidy(() => {
          if (actorActive) {
            const inputs = actorInputs(first, count);
            const chosen = tf.reshape(tf.oneHot(tf.tensor1d(rollout.actions.subarray(first * horizon, (first + count) * horizon), "int32"), numActions), [count, horizon, numActions]);
            const oldAll = tf.tensor3d(oldLogProbabilities.subarray(first * horizon * numActions, (first + count) * horizon * numActions), [count, horizon, numActions]);
            const oldChosen = tf.sum(tf.mul(oldAll, chosen), -1);
            const advantage = tf.tensor2d(normalized, [count, horizon]);
            let diagnostics: tf.Tensor[] = [];
            const { grads } = tf.variableGrads(() => {
              const logProbabilities = tf.logSoftmax(this.agent.actor.forward(inputs));
              const logRatio = tf.sub(tf.sum(tf.mul(logProbabilities, chosen), -1), oldChosen);
              const ratio = tf.exp(logRatio);
              const surrogate = tf.minimum(tf.mul(ratio, advantage), tf.mul(tf.clipByValue(ratio, 1 - config.clipRange, 1 + config.clipRange), advantage));
              const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbabilities), logProbabilities), -1)));
              const policyLoss = tf.neg(tf.mean(surrogate));
              diagnostics = [
                tf.keep(policyLoss.clone()),
                tf.keep(entropy.clone()),
                tf.keep(tf.mean(tf.sub(tf.sub(ratio, 1), logRatio))),
                tf.keep(tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), config.clipRange), "float32"))),
              ];
              return tf.sub(policyLoss, tf.mul(entropy, entropyCoefficient)) as tf.Scalar;
            }, this.agent.actor.variables as tf.Variable[]);
            this.actorOptimizer.applyGradients(this.agent.actor.variables.map((variable) => ({ name: variable.name, tensor: grads[variable.name]! })));
            const [policyLoss, entropy, approxKl, clipFraction] = diagnostics.map((tensor) => tensor.dataSync()[0]!);
            for (const tensor of diagnostics) tensor.dispose();
            sums.policy += policyLoss!;
            sums.entropy += entropy!;
            sums.approxKl += approxKl!;
            sums.clipFraction += clipFraction!;
            sums.actorBatches++;
          }
          const criticIn = criticInputs(first, count);
          const target = tf.tensor2d(returns.subarray(first * horizon, (first + count) * horizon), [count, horizon]);
          let valueLoss = 0;
          const { grads } = tf.variableGrads(() => {
            const predicted = tf.reshape(tf.slice(this.agent.critic.forward(criticIn), [0, 0, 0], [count, horizon, 1]), [count, horizon]);
            const loss = tf.mul(tf.mean(tf.square(tf.sub(predicted, target))), config.valueCoefficient) as tf.Scalar;
            valueLoss = loss.dataSync()[0]!;
            return loss;
          }, this.agent.critic.variables as tf.Variable[]);
          // Weight decay added to the gradient before Adam (Flux's WeightDecay ∘ Adam, §5.2).
          this.criticOptimizer.applyGradients(
            this.agent.critic.variables.map((variable) => ({ name: variable.name, tensor: tf.add(grads[variable.name]!, tf.mul(variable, config.criticWeightDecay)) })),
          );
          sums.value += valueLoss;
          sums.criticBatches++;
        });
      }
      if (actorActive) {
        actorEpochs++;
        if (this.batchKl(oldLogProbabilities, actorInputs, envsPerMinibatch) >= config.targetKl) actorActive = false;
      }
    }
    let explainedVariance = 0;
    {
      let returnMean = 0;
      for (const value of returns) returnMean += value;
      returnMean /= returns.length;
      let returnVariance = 0;
      let residualVariance = 0;
      for (let e = 0; e < numEnvs; e++) {
        for (let t = 0; t < horizon; t++) {
          const target = returns[e * horizon + t]!;
          returnVariance += (target - returnMean) ** 2;
          residualVariance += (target - values[e * (horizon + 1) + t]!) ** 2;
        }
      }
      explainedVariance = returnVariance === 0 ? 0 : 1 - residualVariance / returnVariance;
    }
    const actorBatches = Math.max(1, sums.actorBatches);
    return {
      "losses/policy_loss": sums.policy / actorBatches,
      "losses/value_loss": sums.value / Math.max(1, sums.criticBatches),
      "losses/entropy": sums.entropy / actorBatches,
      "losses/approx_kl": sums.approxKl / actorBatches,
      "losses/clipfrac": sums.clipFraction / actorBatches,
      "losses/explained_variance": explainedVariance,
      "charts/actor_epochs": actorEpochs,
      "charts/entropy_coefficient": entropyCoefficient,
    };
  }

  /** KL(π_old ‖ π_new) averaged over every step of the batch (§5.2's early-stop statistic). */
  private batchKl(oldLogProbabilities: Float32Array, actorInputs: (first: number, count: number) => tf.Tensor3D, envsPerMinibatch: number): number {
    const { horizon } = this.config;
    const numActions = this.agent.actor.spec.outputSize;
    let total = 0;
    for (let first = 0; first < this.numEnvs; first += envsPerMinibatch) {
      total += tf.tidy(() => {
        const newLog = tf.logSoftmax(this.agent.actor.forward(actorInputs(first, envsPerMinibatch)));
        const oldLog = tf.tensor3d(oldLogProbabilities.subarray(first * horizon * numActions, (first + envsPerMinibatch) * horizon * numActions), [envsPerMinibatch, horizon, numActions]);
        return tf.sum(tf.mul(tf.exp(oldLog), tf.sub(oldLog, newLog))).dataSync()[0]!;
      });
    }
    return total / (this.numEnvs * horizon);
  }
}

