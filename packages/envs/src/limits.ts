/**
 * Largest sizes the environments accept (docs/envs.md, "Size limits"). They are far above the paper's settings
 * (5 arms, 10 states, 13 × 13 grids) and keep every table a task builds to tens of megabytes, so a typo such as
 * 1e9 arms is a typed error at once instead of an allocation that takes the machine down.
 */
export const ENV_LIMITS = {
  /** Arms of a Bernoulli bandit. */
  banditArms: 10_000,
  /** States of a random MDP. */
  mdpStates: 1_000,
  /** Actions of a random MDP. */
  mdpActions: 100,
  /** Entries S · A · S of a random MDP's transition tensor (8 bytes each). */
  mdpTransitions: 10_000_000,
  /** Rows, and columns, of a gridworld. */
  gridSide: 1_000,
  /** Cells of a gridworld (rows × columns). */
  gridCells: 250_000,
  /** Envs stepped in lockstep by one `VecMetaEnv`. */
  numEnvs: 65_536,
  /** Meta-episode budget H (the paper's largest is 2,048). */
  horizon: 10_000_000,
  /** Bellman sweeps of `optimalStateValues` (the rejection test uses 100). */
  sweeps: 1_000_000,
  /**
   * Test tasks of one evaluation (the paper's 1,000, ten times over): evaluation draws every task up front, and a
   * gridworld task with its tables is tens of kilobytes.
   */
  episodes: 10_000,
  /** Test, validation or training task streams derived at once (the highest test-task index + 1). */
  taskStreams: 1_000_000,
  /** Training iterations a stream may be derived for (the paper's longest run is 24,000). */
  iterations: 10_000_000,
} as const;
