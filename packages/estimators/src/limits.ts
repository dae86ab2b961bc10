import { InputError, requireInteger } from "@rl3/core";

/**
 * Largest tables an estimator builds (docs/estimators.md, "Size limits"): every environment @rl3/envs accepts fits
 * (a 250,000-cell grid, 10,000 bandit arms), and a typo such as 1e9 states is a typed error, not a RangeError or
 * gigabytes of allocation.
 */
export const ESTIMATOR_LIMITS = {
  /** States (`maxStates`). */
  states: 250_000,
  /** Actions (`numActions`). */
  actions: 10_000,
  /** States × actions: the rows of the model's tables. */
  stateActionPairs: 2_500_000,
  /** Value-iteration sweeps per solve (`maxSweeps`): gridworlds use H, so this is ENV_LIMITS.horizon. */
  sweeps: 10_000_000,
  /** States × actions summed over the learners of one batch (an RL³ encoder keeps one learner per env). */
  batchEntries: 50_000_000,
} as const;

/** `maxStates` and `numActions` within `ESTIMATOR_LIMITS`. */
export function requireTableSize(maxStates: number, numActions: number): { maxStates: number; numActions: number } {
  requireInteger("maxStates", maxStates, 1, ESTIMATOR_LIMITS.states);
  requireInteger("numActions", numActions, 1, ESTIMATOR_LIMITS.actions);
  if (maxStates * numActions > ESTIMATOR_LIMITS.stateActionPairs) {
    throw new InputError({ field: "maxStates", value: maxStates, expected: `at most ${Math.floor(ESTIMATOR_LIMITS.stateActionPairs / numActions)} with ${numActions} actions (states × actions ≤ ${ESTIMATOR_LIMITS.stateActionPairs})` });
  }
  return { maxStates, numActions };
}
