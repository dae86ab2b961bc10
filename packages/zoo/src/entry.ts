/** One evaluation of a zoo policy: greedy actions on fixed test tasks (§6.4), undiscounted meta-episode return. */
export interface ZooScore {
  family: string;
  horizon: number;
  /** Test tasks 0 … episodes − 1 of the test stream seeded `testSeed` (the same tasks for every agent). */
  episodes: number;
  testSeed: number;
  mean: number;
  stderr: number;
  /** Random MDPs: the oracle's mean exact return on the same tasks, and mean ÷ oracleMean. */
  oracleMean?: number;
  normalized?: number;
}

/** How a zoo policy was trained: enough to train it again. */
export interface ZooTraining {
  /** The command that trained it (its run directory is the command's `--out`/seed-s<N> child). */
  command: string;
  /** Budget scale of `rl3 presets --scale …`. */
  scale: string;
  seed: number;
  envSteps: number;
  iterations: number;
  /** Env steps per PPO iteration (parallel envs × H). */
  batchSize: number;
  /** e.g. "transformer d32 ×1 (2 heads)". */
  model: string;
  engine: string;
  /** Mean training return (stochastic policy) over the last 10 iterations. */
  finalReturn: number;
  /**
   * The greedy mean return on 64 validation tasks of the in-distribution family (validation seed 0: never trained
   * on, never a test task), by which the seed was chosen. Entries added before 2026-12-02 were chosen by `finalReturn`.
   */
  validationReturn?: number;
  /** The seeds this one was chosen from, by `validationReturn` (never a test score). */
  chosenFrom: number[];
}

/** A trained policy in the zoo: its file, how it was trained and what it scores. */
export interface ZooEntry {
  /** `<preset>/<method>`, e.g. "grid13-350/rl3". */
  name: string;
  preset: string;
  method: string;
  /** Path of the ONNX file inside the package, e.g. "policies/grid13-350-rl3.onnx". */
  file: string;
  bytes: number;
  /** sha256 of the file, hex. */
  sha256: string;
  training: ZooTraining;
  /** One score per test family of the preset (in-distribution first, then OOD), on 1000 test tasks. */
  scores: ZooScore[];
  /** A small fixed task set whose score the tests recompute from the file: a change that breaks inference or the encoders fails them. */
  check: ZooScore;
}

export interface ZooManifest {
  formatVersion: 1;
  entries: ZooEntry[];
}
