import { InputError, Rng, requireInteger } from "@rl3/core";
import { ENV_LIMITS } from "@rl3/envs";

/**
 * Every random stream of a run derives from its seed through disjoint branches (decisions.md): training tasks
 * and action sampling of iteration i, the initial weights, and (in `evaluate`) the test tasks. Deriving per
 * iteration means a resumed run needs no generator state: iteration i always sees the same streams.
 */
export function trainingStreams(seed: number, iteration: number): { environment: Rng; actions: Rng } {
  const training = new Rng(seed).split();
  // One split per iteration: a huge or fractional count would loop for ever or silently round.
  requireInteger("iteration", iteration, 0, ENV_LIMITS.iterations);
  let stream = training.split();
  for (let index = 0; index < iteration; index++) stream = training.split();
  return { environment: stream.split(), actions: stream.split() };
}

/** The seed of the initial weights of a run. */
export function weightSeed(seed: number): number {
  return new Rng(seed).split().split().uint32();
}

/** The root of the fixed test-task stream: the second branch of `new Rng(seed)`, never used for training. */
export function testStream(seed: number): Rng {
  const root = new Rng(seed);
  root.split(); // the training branch
  return root.split();
}

/**
 * The root of a run's validation tasks: the third branch of `new Rng(seed)` for the run's own seed. It is never
 * trained on (the first branch) and is not the test stream (the second branch of `DEFAULT_TEST_SEED`), so choosing
 * a checkpoint by its validation return never looks at a test task.
 */
export function validationStream(seed: number): Rng {
  const root = new Rng(seed);
  root.split(); // the training branch
  root.split(); // the test branch
  return root.split();
}

/** The random streams of one task: the task's draw, its dynamics, and the agent's sampling on it. */
export interface TaskStreams {
  /** Draws the task itself (`family.sample`). */
  readonly task: Rng;
  /** The env's stream for this task (`VecMetaEnv`'s `envRngs[i]`): transitions and rewards. */
  readonly environment: Rng;
  /** The agent's exploration, tie-breaking and action sampling on this task (`AgentContext.rngs[i]`). */
  readonly agent: Rng;
}

/**
 * The streams of tasks 0 … count − 1 under `root`: task i's are the i-th child of a copy of `root`, so they depend
 * on `root` and i alone — not on `count`, the batch a task is run in, or what other tasks draw. The first 100 of
 * `taskStreams(root, 1000)` are `taskStreams(root, 100)`. `root` itself is not advanced.
 */
export function taskStreams(root: Rng, count: number): TaskStreams[] {
  if (!(root instanceof Rng)) throw new InputError({ field: "root", value: root, expected: "an Rng" });
  const parent = Rng.fromState(root.getState());
  return Array.from({ length: requireInteger("count", count, 0, ENV_LIMITS.taskStreams) }, () => {
    const stream = parent.split();
    return { task: stream.split(), environment: stream.split(), agent: stream.split() };
  });
}

/** The streams of a run's first `count` validation tasks: children of {@link validationStream}. */
export function validationTaskStreams(seed: number, count: number): TaskStreams[] {
  return taskStreams(validationStream(seed), count);
}

/** The streams of the first `count` fixed test tasks of `seed` (§6.4): children of {@link testStream}. */
export function testTaskStreams(seed: number, count: number): TaskStreams[] {
  return taskStreams(testStream(seed), count);
}
