import { InputError, StateError, requireInteger, requireObject } from "@rl3/core";
import { ENV_LIMITS, type TaskDomain, type TaskFamily, type VecMetaEnvInfo, requireTaskFamily, requireTaskOfFamily } from "@rl3/envs";
import { checkRewards, requireInfo } from "./checks.js";
import { ESTIMATOR_LIMITS, type ValueEstimator, createEstimator } from "@rl3/estimators";
import { METHODS, type Method, carriesPreviousState, isAugmented } from "./methods.js";

/** `rlc`: the §2.1 layout (default); `v4`: the §2.2 layout of the arXiv v4 code. */
export type Encoding = "rlc" | "v4";
/** `fresh`: the current Q-table row of the observed state (Algorithm 1, default); `stale`: the reference code's cache. */
export type QCache = "fresh" | "stale";

/**
 * Builds the object-level learner of one env for RL³ (any `ValueEstimator`: reset per task, fed every transition,
 * asked for Q̂ and counts of the observed state). Default: `createEstimator`, the model-based learner of §3.
 */
export type EstimatorFactory = (family: TaskFamily, options: { horizon: number; coarse: boolean }) => ValueEstimator;

export interface EncoderOptions {
  method: Method;
  /** Meta-episode budget H. */
  horizon: number;
  encoding?: Encoding;
  qCache?: QCache;
  /**
   * RL³ methods: the inner learner of each env (default: the model-based estimator). Not stored in policy files:
   * a policy trained with another learner must be evaluated with the same option.
   */
  estimator?: EstimatorFactory;
}

const ESTIMATOR_METHODS = ["reset", "update", "qValues", "visitCounts"] as const;

/** A learner from a user's factory, checked against the contract before the first task. */
function checkedEstimator(estimator: unknown, family: TaskFamily): ValueEstimator {
  if (typeof estimator !== "object" || estimator === null) {
    throw new InputError({ field: "estimator", value: estimator, expected: "a factory returning a ValueEstimator object (reset, update, qValues, visitCounts)" });
  }
  for (const method of ESTIMATOR_METHODS) {
    if (typeof (estimator as Record<string, unknown>)[method] !== "function") {
      throw new InputError({ field: `estimator.${method}`, value: (estimator as Record<string, unknown>)[method], expected: "a function (the ValueEstimator contract: reset, update, qValues, visitCounts)" });
    }
  }
  if ((estimator as ValueEstimator).numActions !== family.numActions) {
    throw new InputError({ field: "estimator.numActions", value: (estimator as ValueEstimator).numActions, expected: `${family.numActions}, the actions of ${family.name}` });
  }
  return estimator as ValueEstimator;
}

/** The serialisable description of an encoder, stored in policy files so that evaluation rebuilds it exactly. */
export interface EncoderConfig {
  method: Method;
  encoding: Encoding;
  qCache: QCache;
  horizon: number;
  family: string;
  qDenominator: number;
  countDenominator: number;
  size: number;
}

/** Q_DENOM of §2.1 (rlc: 1 for bandits, 10 otherwise) and §2.2 (v4: 1 for bandits, 100 otherwise). */
export function qDenominator(domain: TaskDomain, encoding: Encoding): number {
  if (domain === "bandits") return 1;
  return encoding === "rlc" ? 10 : 100;
}

/** The state block's length: the task's observation, dropped for bandits in the v4 layout (§2.2). */
function stateBlockSize(family: TaskFamily, encoding: Encoding): number {
  return encoding === "v4" && family.domain === "bandits" ? 0 : family.observationSize;
}

/**
 * The length of an encoded observation (§2.1: RL² 11/19/11, RL³ 28/36/28 for bandits/MDPs/gridworlds); the
 * transition variants add the previous state and the inner-reset flag (RL²-transition 14/30/14).
 */
export function encodedSize(family: TaskFamily, method: Method, encoding: Encoding = "rlc"): number {
  const actions = family.numActions;
  const stateSize = stateBlockSize(family, encoding);
  let size = actions + 1 + 1 + 2 + stateSize;
  if (carriesPreviousState(method)) size += stateSize + 1;
  if (!isAugmented(method)) return size;
  return encoding === "rlc" ? size + actions + 1 + actions + 1 + actions : size + 2 * actions;
}

/**
 * Turns the raw meta-episode of N envs into the vectors the sequence model reads (§2), one row per env:
 *
 *   rlc (§2.1): [prev action one-hot | prev reward (raw) | start flag | t/H | τ/TH | state |
 *                transition variants: previous state | inner-reset flag |
 *                RL³: (Q − V)/Q_DENOM | V/Q_DENOM | 0 ×n (Q std-errors, disabled) | 0 (V std-error) | N/10]
 *   v4  (§2.2): [prev action | prev reward | start flag | state (none for bandits) |
 *                transition variants: previous state (none for bandits) | inner-reset flag |
 *                RL³: Q/Q_DENOM | N/100 | τ/TH | t/H]
 *
 * The previous state is the state a_{t−1} was taken in and r_{t−1} earned in: zeros on the first observation of a
 * meta-episode (marked by the start flag), and carried across an inner-episode reset like the previous action
 * and reward are (§2.1), with the inner-reset flag set because s_t is then the start state, not s_{t−1}'s
 * successor. Zeroing it there would hide the state of exactly the transitions that end an episode (a goal entry).
 *
 * For RL³ it owns one object-level estimator per env, reset at every new task and fed every transition.
 */
export class ObservationEncoder {
  readonly family: TaskFamily;
  readonly numEnvs: number;
  readonly config: EncoderConfig;
  readonly size: number;
  private readonly estimators: ValueEstimator[];
  /** A user's learner: its outputs are checked at every step (the built-in ones are tested instead). */
  private readonly customEstimator: boolean;
  private readonly output: Float32Array;
  private readonly previousActions: Int32Array;
  private readonly previousRewards: Float64Array;
  /** Transition variants: the state each env acted from last (-1 at the start of a meta-episode)… */
  private readonly previousStates: Int32Array;
  /** …and 1 where that step ended an inner episode. */
  private readonly innerResets: Uint8Array;
  private readonly qScratch: Float64Array;
  private readonly countScratch: Float64Array;
  /** Stale-cache mode: the Q row remembered per (env, state). */
  private readonly qCache: Float64Array[];

  constructor(family: TaskFamily, numEnvs: number, options: EncoderOptions) {
    requireTaskFamily("family", family);
    requireInteger("numEnvs", numEnvs, 1, ENV_LIMITS.numEnvs);
    requireObject("options", options);
    requireInteger("horizon", options.horizon, 1, ENV_LIMITS.horizon);
    if (!METHODS.includes(options.method)) {
      throw new InputError({ field: "method", value: options.method, expected: METHODS.map((m) => `"${m}"`).join(", ") });
    }
    const encoding = options.encoding ?? "rlc";
    if (encoding !== "rlc" && encoding !== "v4") throw new InputError({ field: "encoding", value: encoding, expected: '"rlc" or "v4"' });
    const qCache = options.qCache ?? "fresh";
    if (qCache !== "fresh" && qCache !== "stale") throw new InputError({ field: "qCache", value: qCache, expected: '"fresh" or "stale"' });
    if (options.method === "rl3-coarse" && family.domain !== "gridworld") {
      throw new InputError({ field: "method", value: options.method, expected: `one of ${METHODS.filter((m) => m !== "rl3-coarse").join(", ")} for ${family.name} (RL³-coarse abstracts gridworld cells)` });
    }
    // One learner (and Q cache) of S × A entries per env: bounded before any of them is allocated.
    if (isAugmented(options.method) && numEnvs * family.numStates * family.numActions > ESTIMATOR_LIMITS.batchEntries) {
      throw new InputError({ field: "numEnvs", value: numEnvs, expected: `at most ${Math.max(1, Math.floor(ESTIMATOR_LIMITS.batchEntries / (family.numStates * family.numActions)))} for ${family.name} (envs × states × actions ≤ ESTIMATOR_LIMITS.batchEntries = ${ESTIMATOR_LIMITS.batchEntries})` });
    }
    this.family = family;
    this.numEnvs = numEnvs;
    this.size = encodedSize(family, options.method, encoding);
    this.config = {
      method: options.method,
      encoding,
      qCache,
      horizon: options.horizon,
      family: family.name,
      qDenominator: qDenominator(family.domain, encoding),
      countDenominator: encoding === "rlc" ? 10 : 100,
      size: this.size,
    };
    const augmented = isAugmented(options.method);
    if (options.estimator !== undefined && typeof options.estimator !== "function") {
      throw new InputError({ field: "estimator", value: options.estimator, expected: "a function (family, { horizon, coarse }) → ValueEstimator" });
    }
    const learnerOptions = { horizon: options.horizon, coarse: options.method === "rl3-coarse" };
    const factory = options.estimator;
    this.estimators = augmented
      ? Array.from({ length: numEnvs }, () => (factory ? checkedEstimator(factory(family, learnerOptions), family) : createEstimator(family, learnerOptions)))
      : [];
    this.customEstimator = factory !== undefined;
    this.output = new Float32Array(numEnvs * this.size);
    this.previousActions = new Int32Array(numEnvs).fill(-1);
    this.previousRewards = new Float64Array(numEnvs);
    this.previousStates = new Int32Array(numEnvs).fill(-1);
    this.innerResets = new Uint8Array(numEnvs);
    this.qScratch = new Float64Array(family.numActions);
    this.countScratch = new Float64Array(family.numActions);
    this.qCache = augmented ? Array.from({ length: numEnvs }, () => new Float64Array(family.numStates * family.numActions)) : [];
  }

  get augmented(): boolean {
    return isAugmented(this.config.method);
  }

  /** The object-level learner of env `env` (RL³ only): what the encoded Q-values and visit counts come from. */
  estimatorOf(env: number): ValueEstimator | undefined {
    return this.estimators[env];
  }

  /** The observations of a fresh meta-episode (after `VecMetaEnv.reset`). */
  begin(info: VecMetaEnvInfo): Float32Array {
    // The estimators are sized for the family: a task of another size or domain is refused here, at the start of
    // the meta-episode, not when its first out-of-range state reaches a learner steps later.
    requireInfo(info, this.numEnvs, this.family.numActions);
    for (let env = 0; env < this.numEnvs; env++) requireTaskOfFamily(`info.tasks[${env}]`, info.tasks[env]!, this.family);
    this.previousActions.fill(-1);
    this.previousRewards.fill(0);
    this.previousStates.fill(-1);
    this.innerResets.fill(0);
    for (const estimator of this.estimators) estimator.reset();
    for (const cache of this.qCache) cache.fill(0);
    return this.encodeAll(info);
  }

  /** Feeds the transitions of a `VecMetaEnv.step` to the estimators and returns the next observations. */
  advance(info: VecMetaEnvInfo, rewards: ArrayLike<number>): Float32Array {
    // Every method, not only RL³ (whose learners refuse them): a NaN or ±Infinity reward would otherwise become
    // the previous-reward input of RL² and RL²-transition observations.
    requireInfo(info, this.numEnvs, this.family.numActions);
    checkRewards(rewards, this.numEnvs);
    const numActions = this.family.numActions;
    for (let env = 0; env < this.numEnvs; env++) {
      this.previousActions[env] = info.actions[env]!;
      this.previousRewards[env] = rewards[env]!;
      this.previousStates[env] = info.previousStates[env]!;
      this.innerResets[env] = info.episodeEnded[env]!;
      if (!this.augmented) continue;
      const estimator = this.estimators[env]!;
      const state = info.previousStates[env]!;
      const nextState = info.nextStates[env]!;
      estimator.update(state, info.actions[env]!, rewards[env]!, nextState, info.terminals[env] === 1);
      if (this.config.qCache === "stale") {
        // rlc code: refresh the cache of the state transitioned into; v4 code: of the state just left.
        const refreshed = this.config.encoding === "rlc" ? nextState : state;
        this.qCache[env]!.set(estimator.qValues(refreshed, this.qScratch), refreshed * numActions);
      }
    }
    return this.encodeAll(info);
  }

  private encodeAll(info: VecMetaEnvInfo): Float32Array {
    for (let env = 0; env < this.numEnvs; env++) this.encode(env, info);
    // Q-values can outgrow float32 long before they overflow a double: never hand the policy an Infinity or NaN.
    const output = this.output;
    for (let index = 0; index < output.length; index++) {
      if (!Number.isFinite(output[index]!)) {
        throw new StateError(`observation entry ${index % this.size} of env ${Math.floor(index / this.size)} is ${output[index]}: the task's rewards or values exceed float32 range`);
      }
    }
    return output;
  }

  private encode(env: number, info: VecMetaEnvInfo): void {
    const out = this.output;
    const numActions = this.family.numActions;
    const { encoding, qDenominator: denominator, countDenominator } = this.config;
    let offset = env * this.size;
    const start = offset;
    out.fill(0, start, start + this.size);
    const previousAction = this.previousActions[env]!;
    if (previousAction >= 0) out[offset + previousAction] = 1;
    offset += numActions;
    out[offset++] = this.previousRewards[env]!;
    out[offset++] = info.startOfTask ? 1 : 0;
    if (encoding === "rlc") {
      out[offset++] = info.metaTime;
      out[offset++] = info.episodeTimes[env]!;
    }
    const state = info.states[env]!;
    const task = info.tasks[env]!;
    const stateSize = stateBlockSize(this.family, encoding);
    if (stateSize > 0) {
      out.set(task.observation(state), offset);
      offset += stateSize;
    }
    if (carriesPreviousState(this.config.method)) {
      const previous = this.previousStates[env]!;
      if (stateSize > 0 && previous >= 0) out.set(task.observation(previous), offset);
      offset += stateSize;
      out[offset++] = this.innerResets[env]!;
    }
    if (this.augmented) {
      const q = this.shownQ(env, state);
      const counts = this.estimators[env]!.visitCounts(state, this.countScratch);
      if (this.customEstimator) this.checkLearnerOutput(env, state, info.step, q, counts);
      if (encoding === "rlc") {
        let value = Number.NEGATIVE_INFINITY;
        for (let action = 0; action < numActions; action++) value = Math.max(value, q[action]!);
        for (let action = 0; action < numActions; action++) out[offset + action] = (q[action]! - value) / denominator;
        offset += numActions;
        out[offset++] = value / denominator;
        offset += numActions + 1; // Q and V standard errors: disabled in the reference code, kept as zeros
        for (let action = 0; action < numActions; action++) out[offset + action] = counts[action]! / countDenominator;
        offset += numActions;
      } else {
        for (let action = 0; action < numActions; action++) out[offset + action] = q[action]! / denominator;
        offset += numActions;
        for (let action = 0; action < numActions; action++) out[offset + action] = counts[action]! / countDenominator;
        offset += numActions;
      }
    }
    if (encoding === "v4") {
      out[offset++] = info.episodeTimes[env]!;
      out[offset++] = info.metaTime;
    }
  }

  /** A custom learner's Q̂ and counts must be finite, counts ≥ 0, one per action: else a StateError naming where. */
  private checkLearnerOutput(env: number, state: number, step: number, q: ArrayLike<number>, counts: ArrayLike<number>): void {
    const numActions = this.family.numActions;
    if (q?.length !== numActions || counts?.length !== numActions) {
      throw new StateError(`the estimator of env ${env} returned ${q?.length} Q-values and ${counts?.length} counts for state ${state} at step ${step}; expected ${numActions} of each`);
    }
    for (let action = 0; action < numActions; action++) {
      if (!Number.isFinite(q[action]!)) throw new StateError(`the estimator of env ${env} returned Q(${state}, ${action}) = ${q[action]} at step ${step} (task ${this.family.name}); expected a finite value`);
      if (!(counts[action]! >= 0) || !Number.isFinite(counts[action]!)) throw new StateError(`the estimator of env ${env} returned N(${state}, ${action}) = ${counts[action]} at step ${step}; expected a finite count ≥ 0`);
    }
  }

  private shownQ(env: number, state: number): Float64Array {
    const fresh = this.config.qCache === "fresh" || (this.config.encoding === "v4" && this.family.domain === "bandits");
    if (fresh) return this.estimators[env]!.qValues(state, this.qScratch);
    const numActions = this.family.numActions;
    this.qScratch.set(this.qCache[env]!.subarray(state * numActions, (state + 1) * numActions));
    return this.qScratch;
  }
}
