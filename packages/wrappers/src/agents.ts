import { InputError, Rng, StateError, UnknownNameError, requireInteger, requireObject, requirePositive } from "@rl3/core";
import { BernoulliBandit, ENV_LIMITS, MetaEpisodeOracle, type TaskFamily, type VecMetaEnvInfo, requireTaskFamily, requireTaskOfFamily } from "@rl3/envs";
import { type ValueEstimator, createEstimator } from "@rl3/estimators";
import { checkRewards } from "./checks.js";

/**
 * Anything that acts in N meta-episodes in lockstep. `evaluate` calls `begin` after each reset, then for every
 * step `act` (one action per env) and `observe` (the env's result). Baselines and trained policies alike.
 */
export interface MetaAgent {
  readonly name: string;
  begin(info: VecMetaEnvInfo, context: AgentContext): void | Promise<void>;
  act(info: VecMetaEnvInfo): Int32Array | Promise<Int32Array>;
  observe(info: VecMetaEnvInfo, rewards: Float64Array): void | Promise<void>;
  release?(): void | Promise<void>;
}

export interface AgentContext {
  readonly family: TaskFamily;
  readonly horizon: number;
  readonly numEnvs: number;
  /**
   * The agent's random streams, one per env (tie-breaking, exploration, sampling): env i draws from `rngs[i]`
   * only, so what the agent does on a task does not depend on the other tasks of its batch.
   */
  readonly rngs: readonly Rng[];
}

/**
 * What every agent's `begin` checks first: a context of the right shape (a family, H and the env count within
 * ENV_LIMITS, one Rng per env) and tasks of the context's family by identity, so that learners sized for the
 * family are never handed a task of another size or domain (they would fail steps later, not here).
 */
/** `act` or `observe` before `begin` would read a missing context: a StateError, not a TypeError. */
function requireBegun(context: AgentContext | undefined, name: string): AgentContext {
  if (context === undefined) throw new StateError(`${name}: call begin(info, context) before act() or observe()`);
  return context;
}

export function checkAgentContext(info: VecMetaEnvInfo, context: AgentContext): void {
  requireObject("context", context);
  requireTaskFamily("context.family", context.family);
  requireInteger("context.horizon", context.horizon, 1, ENV_LIMITS.horizon);
  const numEnvs = requireInteger("context.numEnvs", context.numEnvs, 1, ENV_LIMITS.numEnvs);
  if (!Array.isArray(context.rngs) || context.rngs.length !== numEnvs || !context.rngs.every((rng) => rng instanceof Rng)) {
    throw new InputError({ field: "context.rngs", value: context.rngs, expected: `${numEnvs} Rngs, one per env` });
  }
  requireObject("info", info);
  if (!Array.isArray(info.tasks) || info.tasks.length !== numEnvs) throw new InputError({ field: "info.tasks", value: info.tasks, expected: `${numEnvs} tasks (one per env)` });
  info.tasks.forEach((task, env) => requireTaskOfFamily(`info.tasks[${env}]`, task, context.family));
}

/** Uniformly random actions: the floor every learner must beat. */
export class RandomAgent implements MetaAgent {
  readonly name = "random";
  private context!: AgentContext;

  begin(_info: VecMetaEnvInfo, context: AgentContext): void {
    checkAgentContext(_info, context);
    this.context = context;
  }

  act(): Int32Array {
    const { family, rngs } = requireBegun(this.context, this.name);
    return Int32Array.from(rngs, (rng) => rng.int(family.numActions));
  }

  observe(): void {}
}

/** The optimal policy that knows each task: exact finite-horizon DP over the whole meta-episode (the normaliser). */
export class OracleAgent implements MetaAgent {
  readonly name = "oracle";
  private oracles: MetaEpisodeOracle[] = [];
  private horizon = 0;

  begin(info: VecMetaEnvInfo, context: AgentContext): void {
    checkAgentContext(info, context);
    this.horizon = context.horizon;
    this.oracles = info.tasks.map((task) => new MetaEpisodeOracle(task, context.horizon));
  }

  act(info: VecMetaEnvInfo): Int32Array {
    return Int32Array.from(this.oracles, (oracle, env) => oracle.bestAction(info.states[env]!, info.episodeSteps[env]!, this.horizon - info.step));
  }

  observe(): void {}
}

/** argmax with uniformly random tie-breaking. */
function argmaxRandomTies(scores: ArrayLike<number>, rng: Rng): number {
  let best = Number.NEGATIVE_INFINITY;
  let chosen = 0;
  let ties = 0;
  for (let action = 0; action < scores.length; action++) {
    const score = scores[action]!;
    if (score > best + 1e-12) {
      best = score;
      chosen = action;
      ties = 1;
    } else if (Math.abs(score - best) <= 1e-12 && rng.int(++ties) === 0) chosen = action;
  }
  return chosen;
}

/**
 * Plain model-based RL inside each task, no meta-learning (the "plain RL" row of the RL³ poster): the same
 * learned model and value iteration RL³ feeds its meta-learner, acted on greedily with a count bonus
 * `bonus / √(1 + N(s, a))` for exploration (scaled like the domain's rewards by default).
 */
export class ModelBasedAgent implements MetaAgent {
  readonly name = "model-based";
  private estimators: ValueEstimator[] = [];
  private context!: AgentContext;
  private bonus = 1;
  private readonly configuredBonus: number | undefined;
  private q = new Float64Array(0);
  private counts = new Float64Array(0);

  constructor(options: { bonus?: number } = {}) {
    if (options.bonus !== undefined) requirePositive("bonus", options.bonus);
    this.configuredBonus = options.bonus;
  }

  begin(_info: VecMetaEnvInfo, context: AgentContext): void {
    checkAgentContext(_info, context);
    if (this.estimators.length !== context.numEnvs || this.context?.family !== context.family) {
      this.estimators = Array.from({ length: context.numEnvs }, () => createEstimator(context.family, { horizon: context.horizon }));
    }
    this.context = context;
    this.q = new Float64Array(context.family.numActions);
    this.counts = new Float64Array(context.family.numActions);
    const domain = context.family.domain;
    this.bonus = this.configuredBonus ?? (domain === "bandits" ? 0.5 : domain === "mdps" ? 2 : 20);
    for (const estimator of this.estimators) estimator.reset();
  }

  act(info: VecMetaEnvInfo): Int32Array {
    const numActions = requireBegun(this.context, this.name).family.numActions;
    return Int32Array.from(this.estimators, (estimator, env) => {
      const state = info.states[env]!;
      const q = estimator.qValues(state, this.q);
      const counts = estimator.visitCounts(state, this.counts);
      for (let action = 0; action < numActions; action++) q[action]! += this.bonus / Math.sqrt(1 + counts[action]!);
      return argmaxRandomTies(q, this.context.rngs[env]!);
    });
  }

  observe(info: VecMetaEnvInfo, rewards: Float64Array): void {
    checkRewards(rewards, requireBegun(this.context, this.name).numEnvs);
    this.estimators.forEach((estimator, env) => estimator.update(info.previousStates[env]!, info.actions[env]!, rewards[env]!, info.nextStates[env]!, info.terminals[env] === 1));
  }
}

/** Per-arm statistics for the bandit baselines. */
abstract class BanditAgent implements MetaAgent {
  abstract readonly name: string;
  protected pulls = new Float64Array(0);
  protected wins = new Float64Array(0);
  protected context!: AgentContext;

  begin(info: VecMetaEnvInfo, context: AgentContext): void {
    checkAgentContext(info, context);
    if (!(info.tasks[0] instanceof BernoulliBandit)) {
      throw new InputError({ field: "family", value: context.family.name, expected: "a bandit family (UCB1 and Thompson sampling are bandit algorithms)" });
    }
    this.context = context;
    this.pulls = new Float64Array(context.numEnvs * context.family.numActions);
    this.wins = new Float64Array(context.numEnvs * context.family.numActions);
  }

  abstract act(info: VecMetaEnvInfo): Int32Array;

  observe(info: VecMetaEnvInfo, rewards: Float64Array): void {
    checkRewards(rewards, requireBegun(this.context, this.name).numEnvs);
    const arms = this.context.family.numActions;
    for (let env = 0; env < this.context.numEnvs; env++) {
      this.pulls[env * arms + info.actions[env]!]!++;
      this.wins[env * arms + info.actions[env]!]! += rewards[env]!;
    }
  }
}

/** UCB1 (Auer et al. 2002): pull each arm once, then argmax mean + √(2 ln t / n). */
export class Ucb1Agent extends BanditAgent {
  readonly name = "ucb1";

  act(info: VecMetaEnvInfo): Int32Array {
    const arms = requireBegun(this.context, this.name).family.numActions;
    const scores = new Float64Array(arms);
    return Int32Array.from({ length: this.context.numEnvs }, (_, env) => {
      for (let arm = 0; arm < arms; arm++) {
        const pulls = this.pulls[env * arms + arm]!;
        scores[arm] = pulls === 0 ? Number.POSITIVE_INFINITY : this.wins[env * arms + arm]! / pulls + Math.sqrt((2 * Math.log(Math.max(1, info.step))) / pulls);
      }
      return argmaxRandomTies(scores, this.context.rngs[env]!);
    });
  }
}

/** Thompson sampling with Beta(1 + wins, 1 + losses) posteriors. */
export class ThompsonAgent extends BanditAgent {
  readonly name = "thompson";

  act(): Int32Array {
    const arms = requireBegun(this.context, this.name).family.numActions;
    const samples = new Float64Array(arms);
    return Int32Array.from({ length: this.context.numEnvs }, (_, env) => {
      const rng = this.context.rngs[env]!;
      for (let arm = 0; arm < arms; arm++) {
        const wins = this.wins[env * arms + arm]!;
        const losses = this.pulls[env * arms + arm]! - wins;
        const x = rng.gamma(1 + wins);
        samples[arm] = x / (x + rng.gamma(1 + losses));
      }
      return argmaxRandomTies(samples, rng);
    });
  }
}

export const BASELINE_NAMES = ["random", "oracle", "model-based", "ucb1", "thompson"] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export function createBaseline(name: BaselineName): MetaAgent {
  switch (name) {
    case "random":
      return new RandomAgent();
    case "oracle":
      return new OracleAgent();
    case "model-based":
      return new ModelBasedAgent();
    case "ucb1":
      return new Ucb1Agent();
    case "thompson":
      return new ThompsonAgent();
    default:
      // The type allows only the names above, but JavaScript callers and CLIs pass strings: never return undefined.
      throw new UnknownNameError("baseline", name, BASELINE_NAMES);
  }
}
