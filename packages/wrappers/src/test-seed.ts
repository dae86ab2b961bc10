/** Seed of the fixed test-task stream of `evaluate`, `rl3 eval` and the zoo scores (§6.4). */
export const DEFAULT_TEST_SEED = 1_000_000;
