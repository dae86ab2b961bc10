import { InputError, type NamedWeights, type PolicyStep, type TrainingEngine, type ValueStep } from "@rl3/core";
import type { TaskFamily } from "@rl3/envs";
import { ObservationEncoder, taskStreams, trainingStreams } from "@rl3/wrappers";
import type { TrainConfig } from "../config.js";
import { actorObservations, chosenLogProbabilities, criticObservations, klSum, logSoftmaxRows } from "./batches.js";
import { type Rollout, collectRollout } from "./rollout.js";

/**
 * Data-parallel PPO (spec §5.2, exact and synchronous): the envs of an iteration are split into shards, each with
 * its own engine, acting session and RL³ estimators. A shard collects its envs' meta-episodes, evaluates the
 * networks on them and differentiates the losses of its part of every minibatch; the trainer sums the shards'
 * gradients (weighted by their steps, so the sum is the whole minibatch's gradient) and keeps Adam, GAE, the
 * advantage normalisation and the KL stop in one place. Env i draws from the (seed, iteration, i) streams in any
 * shard, so rollouts do not depend on the number of shards. A shard may live in this thread (`LocalShard`) or
 * behind a message channel (the app's worker threads): everything crossing the interface is plain data.
 */

/** Which envs each shard owns: every minibatch of whole trajectories is split evenly across the shards. */
export function shardEnvs(numEnvs: number, envsPerMinibatch: number, shards: number): number[][] {
  if (!Number.isInteger(shards) || shards < 1 || shards > numEnvs) {
    throw new InputError({ field: "workers", value: shards, expected: `an integer in [1, ${numEnvs}] (at most one worker per env)` });
  }
  const owned: number[][] = Array.from({ length: shards }, () => []);
  for (let env = 0; env < numEnvs; env++) {
    const within = env % envsPerMinibatch;
    // With fewer envs per minibatch than shards, consecutive envs go round the shards: a minibatch then spreads
    // over as many shards as it has envs, and every shard still owns at least one env.
    const shard = envsPerMinibatch >= shards ? Math.floor((within * shards) / envsPerMinibatch) : env % shards;
    owned[shard]!.push(env);
  }
  return owned;
}

/**
 * What a shard returns of its rollout: its envs' rewards [envs × H], env-major in its env order (all the trainer
 * needs for GAE and the return; observations and actions stay with the shard that trains on them).
 */
export interface ShardRollout {
  readonly rewards: Float64Array;
}

/** One minibatch's losses and gradients from one shard, with the number of steps they average over. */
export interface ShardStep {
  readonly steps: number;
  readonly policy?: PolicyStep;
  readonly value: ValueStep;
}

/** The operations of one iteration, in order: rollout → values → targets → steps (and KL) per epoch. */
export interface EnvShard {
  /** Global indices of the envs this shard owns, ascending. */
  readonly envs: readonly number[];
  rollout(iteration: number, actor: NamedWeights): Promise<ShardRollout>;
  /** The critic's values of x_0 … x_H (raw scale), [envs × (H + 1)]; also records the rollout actor's log-probabilities. */
  values(actor: NamedWeights, critic: NamedWeights): Promise<Float32Array>;
  /** Its envs' advantages (normalised per minibatch) and critic targets (÷ valueScale), [envs × H] each. */
  setTargets(advantages: Float32Array, targets: Float32Array): Promise<void>;
  /** The losses and gradients of its part of minibatch `minibatch`; the actor's only when `actor` is given. */
  step(minibatch: number, actor: NamedWeights | undefined, critic: NamedWeights, entropyCoefficient: number): Promise<ShardStep | undefined>;
  /** Σ KL(π_old ‖ π) over its steps. */
  kl(actor: NamedWeights): Promise<number>;
  dispose(): Promise<void>;
}

/** A shard in this thread, on the engine it is given. With every env in one shard it is the single-threaded trainer. */
export class LocalShard implements EnvShard {
  readonly envs: readonly number[];
  private readonly numActions: number;
  private readonly perMinibatch: number;
  /** Per minibatch: where this shard's envs of it start (local index) and how many there are. */
  private readonly blocks: { first: number; count: number }[];
  private rolloutData: Rollout | undefined;
  private actorInputs: Float32Array[] = [];
  private oldLog: Float32Array = new Float32Array(0);
  private oldChosen: Float32Array = new Float32Array(0);
  private advantages: Float32Array = new Float32Array(0);
  private targets: Float32Array = new Float32Array(0);

  constructor(
    private readonly config: TrainConfig,
    private readonly family: TaskFamily,
    private readonly engine: TrainingEngine,
    envs: readonly number[],
  ) {
    this.envs = [...envs];
    this.numActions = family.numActions;
    this.perMinibatch = config.minibatchSize / config.horizon;
    const numMinibatches = config.batchSize / config.minibatchSize;
    this.blocks = Array.from({ length: numMinibatches }, (_, minibatch) => {
      const inside = this.envs.filter((env) => Math.floor(env / this.perMinibatch) === minibatch);
      return { first: inside.length > 0 ? this.envs.indexOf(inside[0]!) : 0, count: inside.length };
    });
  }

  /** The observation encoder of this run, for `numEnvs` envs. */
  static encoder(config: TrainConfig, family: TaskFamily, numEnvs: number): ObservationEncoder {
    const { method, horizon, encoding, qCache } = config;
    return new ObservationEncoder(family, numEnvs, { method, horizon, encoding, qCache });
  }

  /** This shard's last rollout (observations x_0 … x_H of its envs), for diagnostics. */
  get lastRollout(): Rollout | undefined {
    return this.rolloutData;
  }

  async rollout(iteration: number, actor: NamedWeights): Promise<ShardRollout> {
    const all = taskStreams(trainingStreams(this.config.seed, iteration).environment, this.config.batchSize / this.config.horizon);
    const streams = this.envs.map((env) => all[env]!);
    const rollout = await collectRollout({
      family: this.family,
      numEnvs: this.envs.length,
      horizon: this.config.horizon,
      encoder: LocalShard.encoder(this.config, this.family, this.envs.length),
      policy: await this.engine.actingPolicy(actor),
      environments: streams.map((stream) => stream.environment),
      actions: streams.map((stream) => stream.agent),
    });
    this.use(rollout);
    return { rewards: rollout.rewards };
  }

  /** Adopts a rollout of exactly this shard's envs (what `rollout` collects, or a caller's for diagnostics). */
  use(rollout: Rollout): void {
    const { horizon } = this.config;
    this.rolloutData = rollout;
    this.actorInputs = this.blocks.map(({ first, count }) => (count > 0 ? actorObservations(rollout.observations, first, count, horizon, rollout.size) : new Float32Array(0)));
  }

  async values(actor: NamedWeights, critic: NamedWeights): Promise<Float32Array> {
    const rollout = this.requireRollout();
    const { horizon, valueScale } = this.config;
    const numActions = this.numActions;
    this.oldLog = new Float32Array(this.envs.length * horizon * numActions);
    const values = new Float32Array(this.envs.length * (horizon + 1));
    for (const [index, { first, count }] of this.blocks.entries()) {
      if (count === 0) continue;
      const logits = await this.engine.forward("actor", actor, this.actorInputs[index]!, count, horizon);
      this.oldLog.set(logSoftmaxRows(logits, numActions), first * horizon * numActions);
      const predicted = await this.engine.forward("critic", critic, criticObservations(rollout.observations, first, count, horizon, rollout.size), count, horizon + 1);
      for (let step = 0; step < predicted.length; step++) values[first * (horizon + 1) + step] = predicted[step]! * valueScale;
    }
    this.oldChosen = chosenLogProbabilities(this.oldLog, rollout.actions, numActions);
    return values;
  }

  /** The rollout actor's log π of every action, [envs × H × actions] (after `values`). */
  get oldLogProbabilities(): Float32Array {
    return this.oldLog;
  }

  async setTargets(advantages: Float32Array, targets: Float32Array): Promise<void> {
    this.advantages = advantages;
    this.targets = targets;
  }

  async step(minibatch: number, actor: NamedWeights | undefined, critic: NamedWeights, entropyCoefficient: number): Promise<ShardStep | undefined> {
    const rollout = this.requireRollout();
    const { first, count } = this.blocks[minibatch]!;
    if (count === 0) return undefined;
    const { horizon } = this.config;
    const steps = [first * horizon, (first + count) * horizon] as const;
    const policy = actor
      ? await this.engine.policyStep(actor, {
          observations: this.actorInputs[minibatch]!,
          actions: rollout.actions.subarray(...steps),
          oldLogProbabilities: this.oldChosen.subarray(...steps),
          advantages: this.advantages.subarray(...steps),
          count,
          time: horizon,
          entropyCoefficient,
        })
      : undefined;
    const value = await this.engine.valueStep(critic, {
      observations: criticObservations(rollout.observations, first, count, horizon, rollout.size),
      targets: this.targets.subarray(...steps),
      count,
      time: horizon,
    });
    return { steps: count * horizon, ...(policy ? { policy } : {}), value };
  }

  async kl(actor: NamedWeights): Promise<number> {
    const { horizon } = this.config;
    const numActions = this.numActions;
    let kl = 0;
    for (const [index, { first, count }] of this.blocks.entries()) {
      if (count === 0) continue;
      const logits = await this.engine.forward("actor", actor, this.actorInputs[index]!, count, horizon);
      kl += klSum(this.oldLog.subarray(first * horizon * numActions, (first + count) * horizon * numActions), logSoftmaxRows(logits, numActions));
    }
    return kl;
  }

  async dispose(): Promise<void> {
    this.rolloutData = undefined;
    this.actorInputs = [];
  }

  private requireRollout(): Rollout {
    if (!this.rolloutData) throw new InputError({ field: "shard", value: "no rollout", expected: "rollout() before values(), step() or kl()" });
    return this.rolloutData;
  }
}

/**
 * The whole minibatch's step from the shards' parts: losses and gradients weighted by each part's share of the
 * steps. One part is returned as it is, so one shard is bit-identical to the single-threaded trainer.
 */
export function combineSteps(parts: readonly ShardStep[]): ShardStep {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((sum, part) => sum + part.steps, 0);
  const weights = parts.map((part) => part.steps / total);
  const mix = (pick: (part: ShardStep) => number) => parts.reduce((sum, part, index) => sum + weights[index]! * pick(part), 0);
  const gradients = (pick: (part: ShardStep) => NamedWeights): NamedWeights => {
    const first = pick(parts[0]!);
    return Object.fromEntries(
      Object.entries(first).map(([name, tensor]) => {
        const sum = new Float64Array(tensor.data.length);
        parts.forEach((part, index) => {
          const data = pick(part)[name]!.data;
          for (let entry = 0; entry < sum.length; entry++) sum[entry] = sum[entry]! + weights[index]! * data[entry]!;
        });
        return [name, { shape: [...tensor.shape], data: Float32Array.from(sum) }];
      }),
    );
  };
  const policy = parts[0]!.policy
    ? {
        loss: mix((part) => part.policy!.loss),
        policyLoss: mix((part) => part.policy!.policyLoss),
        entropy: mix((part) => part.policy!.entropy),
        approxKl: mix((part) => part.policy!.approxKl),
        clipFraction: mix((part) => part.policy!.clipFraction),
        gradients: gradients((part) => part.policy!.gradients),
      }
    : undefined;
  return {
    steps: total,
    ...(policy ? { policy } : {}),
    value: { valueLoss: mix((part) => part.value.valueLoss), gradients: gradients((part) => part.value.gradients) },
  };
}
