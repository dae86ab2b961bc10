import { InputError, StateError, requireIndex, requireInteger, requirePositiveInteger } from "@rl3/core";
import { requireTask } from "./checks.js";
import type { TabularTask } from "./tabular-task.js";

/** Most values the oracle's table may hold (400 MB of doubles): a larger H × |S| is refused, not allocated. */
export const ORACLE_VALUE_LIMIT = 50_000_000;

/**
 * The optimal policy of a *known* task over a whole meta-episode of budget H, by exact finite-horizon dynamic
 * programming (no simulation). The planning state is (s, τ): τ, the step within the inner episode, matters because
 * an inner episode is cut after the task horizon and restarts at the start state; entering an absorbing state
 * restarts it too (§5.1). Values are undiscounted expected returns, as the evaluation scores them (§6.4).
 *
 * Memory is H · |S| · L floats with L = the task horizon when it is shorter than H, else 1 (gridworlds).
 */
export class MetaEpisodeOracle {
  readonly task: TabularTask;
  readonly horizon: number;
  /** Expected return of the optimal policy from the start of a meta-episode. */
  readonly value: number;
  /** Number of τ values tracked: the task horizon if it can cut an inner episode within H, else 1. */
  private readonly episodePhases: number;
  private readonly cutsEpisodes: boolean;
  /** values[k] = V with k steps remaining, indexed state · episodePhases + τ. */
  private readonly values: Float64Array[];

  constructor(task: TabularTask, horizon: number) {
    this.task = requireTask("task", task);
    this.horizon = requirePositiveInteger("horizon", horizon);
    this.cutsEpisodes = task.taskHorizon < horizon;
    this.episodePhases = this.cutsEpisodes ? task.taskHorizon : 1;
    const size = task.numStates * this.episodePhases;
    if ((horizon + 1) * size > ORACLE_VALUE_LIMIT) {
      throw new InputError({ field: "horizon", value: horizon, expected: `at most ${Math.floor(ORACLE_VALUE_LIMIT / size) - 1} for this task (the oracle keeps (H + 1) × ${size} values; limit ${ORACLE_VALUE_LIMIT})` });
    }
    this.values = [new Float64Array(size)];
    for (let remaining = 1; remaining <= horizon; remaining++) {
      const next = new Float64Array(size);
      const previous = this.values[remaining - 1]!;
      for (let state = 0; state < task.numStates; state++) {
        for (let phase = 0; phase < this.episodePhases; phase++) {
          let best = Number.NEGATIVE_INFINITY;
          for (let action = 0; action < task.numActions; action++) {
            const q = this.actionValue(previous, state, phase, action);
            if (q > best) best = q;
          }
          next[state * this.episodePhases + phase] = best;
        }
      }
      this.values.push(next);
    }
    this.value = this.values[horizon]![task.startState * this.episodePhases]!;
    if (!Number.isFinite(this.value)) throw new StateError(`the oracle's value overflowed to ${this.value}: the task's rewards are too large in magnitude for H = ${horizon}`);
  }

  /**
   * The optimal action in `state` at step `episodeStep` of the current inner episode with `stepsRemaining` steps
   * left in the meta-episode (ties go to the lowest action).
   */
  bestAction(state: number, episodeStep: number, stepsRemaining: number): number {
    requireIndex("state", state, this.task.numStates);
    requireInteger("episodeStep", episodeStep, 0);
    requireInteger("stepsRemaining", stepsRemaining, 1, this.horizon);
    const phase = this.cutsEpisodes ? episodeStep % this.episodePhases : 0;
    const previous = this.values[stepsRemaining - 1]!;
    let bestAction = 0;
    let best = Number.NEGATIVE_INFINITY;
    for (let action = 0; action < this.task.numActions; action++) {
      const q = this.actionValue(previous, state, phase, action);
      if (q > best) {
        best = q;
        bestAction = action;
      }
    }
    return bestAction;
  }

  /** Σ_{s'} T(s'|s,a) [R̄(s,a,s') + V_{k−1}(where the agent is next)], with resets applied. */
  private actionValue(previous: Float64Array, state: number, phase: number, action: number): number {
    const table = this.task.transitionTable();
    const phases = this.episodePhases;
    const restartValue = previous[this.task.startState * phases]!;
    const cutNow = this.cutsEpisodes && phase + 1 === phases;
    const row = state * table.numActions + action;
    let q = 0;
    for (let entry = table.rowStart[row]!; entry < table.rowStart[row + 1]!; entry++) {
      const nextState = table.nextState[entry]!;
      const continuation =
        cutNow || table.absorbing[nextState] === 1 ? restartValue : previous[nextState * phases + (this.cutsEpisodes ? phase + 1 : 0)]!;
      q += table.probability[entry]! * (table.meanReward[entry]! + continuation);
    }
    return q;
  }
}

/** The exact expected return over budget H of the optimal policy that knows the task (§7.4's normaliser). */
export function oracleReturn(task: TabularTask, horizon: number): number {
  return new MetaEpisodeOracle(task, horizon).value;
}
