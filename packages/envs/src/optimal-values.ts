import { InputError, StateError, requireInRange, requireNonNegative, requireObject, requireSafeSize } from "@rl3/core";
import { ENV_LIMITS } from "./limits.js";
import { TransitionTable } from "./transition-table.js";

export interface OptimalValueOptions {
  /** Most Bellman sweeps (= steps of lookahead from zero values). */
  sweeps: number;
  /** Discount (1: undiscounted finite-horizon values). */
  gamma?: number;
  /** Stop once no value changes by more than this in a sweep. */
  tolerance?: number;
}

/**
 * Optimal state values of a task's exact dynamics by synchronous value iteration from zero, *without* inner-episode
 * resets: absorbing states are worth 0 once entered. This is what the gridworld generator's rejection test uses
 * (§6.3 step 6); `oracleReturn` is the reset-aware counterpart for a whole meta-episode.
 */
export function optimalStateValues(table: TransitionTable, options: OptimalValueOptions): Float64Array {
  if (!(table instanceof TransitionTable)) throw new InputError({ field: "table", value: table, expected: "a TransitionTable (task.transitionTable())" });
  requireObject("options", options);
  // Checked before the first sweep: NaN or negative sweeps used to return zeros, Infinity never returned, and a
  // NaN gamma overflowed into a StateError blaming the rewards.
  requireSafeSize("sweeps", options.sweeps, ENV_LIMITS.sweeps, 0);
  const gamma = requireInRange("gamma", options.gamma ?? 1, 0, 1);
  const tolerance = requireNonNegative("tolerance", options.tolerance ?? 0);
  const { numStates, numActions, rowStart, nextState, probability, meanReward } = table;
  let values = new Float64Array(numStates);
  let next = new Float64Array(numStates);
  for (let sweep = 0; sweep < options.sweeps; sweep++) {
    let change = 0;
    for (let state = 0; state < numStates; state++) {
      let best = Number.NEGATIVE_INFINITY;
      for (let action = 0; action < numActions; action++) {
        const row = state * numActions + action;
        let q = 0;
        for (let entry = rowStart[row]!; entry < rowStart[row + 1]!; entry++) {
          q += probability[entry]! * (meanReward[entry]! + gamma * values[nextState[entry]!]!);
        }
        if (q > best) best = q;
      }
      next[state] = best;
      change = Math.max(change, Math.abs(best - values[state]!));
    }
    [values, next] = [next, values];
    if (change < tolerance) break;
  }
  // Finite rewards can still sum past the largest double: an overflow is reported, never returned as a value.
  for (let state = 0; state < numStates; state++) {
    if (!Number.isFinite(values[state]!)) {
      throw new StateError(`optimal values overflowed: V(${state}) is ${values[state]}; the task's rewards are too large in magnitude`);
    }
  }
  return values;
}
