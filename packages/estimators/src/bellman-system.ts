import { InputError, requireInteger, requireObject } from "@rl3/core";
import { type TabularTask, type TransitionTable, requireTask } from "@rl3/envs";
import { ESTIMATOR_LIMITS } from "./limits.js";

/**
 * The linear form every Bellman backup here takes, for each row r = s · numActions + a:
 *
 *   Q(s, a) = constant[r] + γ · ( Σ_{i ∈ row} weight[i] · V(next[i]) + uniformWeight[r] · Σ_{s'} V(s') + selfWeight[r] · V(s) )
 *
 * A known task gives plain sparse rows; a learned model adds the Laplace-smoothing mass spread over every known
 * state (`uniformWeight`) and, under the `mle-self-loop` prior, the self-loop of untried actions (`selfWeight`).
 * One value-iteration routine serves both, and the smoothing costs one ΣV per sweep instead of dense rows.
 */
export interface BellmanSystem {
  /** States taking part (a learned model's *known* states). */
  readonly numStates: number;
  readonly numActions: number;
  /** Entries of row r are entryStart[r] … entryEnd[r] − 1. */
  readonly entryStart: Int32Array;
  readonly entryEnd: Int32Array;
  readonly next: Int32Array;
  readonly weight: Float64Array;
  /** Expected immediate reward of each row. */
  readonly constant: Float64Array;
  readonly uniformWeight: Float64Array;
  readonly selfWeight: Float64Array;
}

const taskSystems = new WeakMap<TransitionTable, BellmanSystem>();

/** The Bellman system of a known task's exact dynamics (cached per task). */
export function bellmanSystemOfTask(task: TabularTask): BellmanSystem {
  requireTask("task", task);
  const table = task.transitionTable();
  let system = taskSystems.get(table);
  if (system === undefined) {
    const rows = table.numStates * table.numActions;
    const constant = new Float64Array(rows);
    for (let row = 0; row < rows; row++) {
      for (let entry = table.rowStart[row]!; entry < table.rowStart[row + 1]!; entry++) {
        constant[row]! += table.probability[entry]! * table.meanReward[entry]!;
      }
    }
    system = {
      numStates: table.numStates,
      numActions: table.numActions,
      entryStart: table.rowStart.subarray(0, rows),
      entryEnd: table.rowStart.subarray(1, rows + 1),
      next: table.nextState,
      weight: table.probability,
      constant,
      uniformWeight: new Float64Array(rows),
      selfWeight: new Float64Array(rows),
    };
    taskSystems.set(table, system);
  }
  return system;
}

/**
 * The shape of a system, in O(1) (value iteration runs at every step of an RL³ learner): sizes within
 * ESTIMATOR_LIMITS and arrays of the right type, long enough for numStates × numActions rows. Out-of-range
 * entries inside the arrays surface as the non-finite-Q `StateError` after the sweeps.
 */
export function requireBellmanSystem(system: BellmanSystem): BellmanSystem {
  requireObject("system", system);
  const numStates = requireInteger("system.numStates", system.numStates, 0, ESTIMATOR_LIMITS.states);
  const numActions = requireInteger("system.numActions", system.numActions, 1, ESTIMATOR_LIMITS.actions);
  const rows = numStates * numActions;
  const arrays = [
    ["entryStart", Int32Array, rows],
    ["entryEnd", Int32Array, rows],
    ["next", Int32Array, 0],
    ["weight", Float64Array, 0],
    ["constant", Float64Array, rows],
    ["uniformWeight", Float64Array, rows],
    ["selfWeight", Float64Array, rows],
  ] as const;
  for (const [key, type, length] of arrays) {
    const array = system[key];
    if (!(array instanceof type) || array.length < length) {
      throw new InputError({ field: `system.${key}`, value: array, expected: `an ${type.name} of at least ${length} entries` });
    }
  }
  return system;
}
