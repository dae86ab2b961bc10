/**
 * The object-level learner RL³ runs inside every task (§1, §3): it sees each transition of the current task and
 * answers, for the state being observed, its Q-value estimates and its visit counts. `reset()` starts a new task;
 * nothing is reset at inner-episode boundaries.
 */
export interface ValueEstimator {
  readonly numActions: number;
  /** Forgets the task (called at the start of every meta-episode). */
  reset(): void;
  /** Learns from (s, a, r, s'); `terminal` means s' is absorbing. */
  update(state: number, action: number, reward: number, nextState: number, terminal: boolean): void;
  /** Q̂(state, ·), length numActions; written into `out` when given (else a buffer reused across calls). */
  qValues(state: number, out?: Float64Array): Float64Array;
  /** N(state, ·) of the concrete state, length numActions; written into `out` when given. */
  visitCounts(state: number, out?: Float64Array): Float64Array;
}
