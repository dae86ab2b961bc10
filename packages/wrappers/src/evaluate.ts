import { InputError, requireInteger, requireObject } from "@rl3/core";
import { ENV_LIMITS, type TabularTask, type TaskFamily, oracleReturn, requireTaskFamily } from "@rl3/envs";
import { familyOf, requireAgent, requireStreams, requireTaskIndices } from "./checks.js";
import type { MetaAgent } from "./agents.js";
import { type TaskStreams, testTaskStreams } from "./streams.js";
import { TestEpisodes } from "./test-episodes.js";
import { DEFAULT_TEST_SEED } from "./test-seed.js";

export interface EvaluateOptions {
  /** Task family name or family of the test tasks (in-distribution or OOD). */
  family: string | TaskFamily;
  horizon: number;
  /** Number of fixed test tasks, one meta-episode each (§6.4: 1000): tasks 0 … episodes − 1. */
  episodes?: number;
  /** Instead of `episodes`: exactly these test tasks, in this order (returns[j] is task taskIndices[j]). */
  taskIndices?: readonly number[];
  /** Seed of the test-task stream; the same for every agent, disjoint from every training stream. */
  seed?: number;
  /** Meta-episodes run in lockstep. It changes the speed only, never a task's return. */
  batchSize?: number;
  /** Also compute the oracle's exact expected return of each task and the normalised score. */
  oracle?: boolean;
}

export interface EvaluationResult {
  agent: string;
  family: string;
  horizon: number;
  /** The test-task seed: two results with the same family, horizon and seed met the same tasks. */
  seed: number;
  episodes: number;
  /** Mean undiscounted meta-episode return. */
  mean: number;
  /** Its standard error. */
  stderr: number;
  /** One return per task, in task order (tasks 0 … episodes − 1, or `taskIndices`). */
  returns: number[];
  /** Present when `taskIndices` was given: the test task of each return. */
  taskIndices?: number[];
  /** Mean exact optimal return over the same tasks. */
  oracleMean?: number;
  /** mean / oracleMean (the y-axis of the RLC plots). */
  normalized?: number;
  /** The oracle's exact expected return of each task, beside `returns`. */
  oracleReturns?: number[];
}


/**
 * The fixed test tasks: task i is drawn from its own stream (`testTaskStreams(seed, …)[i].task`), so it is the same
 * for every agent and method and whatever the number of tasks asked for.
 */
export function testTasks(family: TaskFamily, count: number, seed = DEFAULT_TEST_SEED): TabularTask[] {
  requireTaskFamily("family", family);
  requireInteger("count", count, 0, ENV_LIMITS.episodes);
  return testTaskStreams(seed, count).map((streams) => family.sample(streams.task));
}

/**
 * §6.4: runs `agent` for one meta-episode of budget H on each fixed test task and reports the mean ± standard
 * error of the undiscounted return, with the oracle's mean and the normalised score when asked. Test task i's
 * dynamics and the agent's draws on it come from streams of (seed, i) alone, so its return does not depend on
 * the batch size, the order of the tasks or how many are evaluated.
 */
export async function evaluate(agent: MetaAgent, options: EvaluateOptions): Promise<EvaluationResult> {
  // Everything is checked before a task is drawn: 1e9 episodes used to run until the heap was exhausted.
  requireAgent(agent);
  requireObject("options", options);
  const family = familyOf(options.family);
  const horizon = requireInteger("horizon", options.horizon, 1, ENV_LIMITS.horizon);
  const seed = requireInteger("seed", options.seed ?? DEFAULT_TEST_SEED);
  if (options.oracle !== undefined && typeof options.oracle !== "boolean") throw new InputError({ field: "oracle", value: options.oracle, expected: "true or false" });
  const indices = taskIndicesOf(options);
  const episodes = indices.length;
  const batchSize = Math.min(episodes, requireInteger("batchSize", options.batchSize ?? 250, 1, ENV_LIMITS.numEnvs));
  const streams = testTaskStreams(seed, indices.reduce((largest, index) => Math.max(largest, index), 0) + 1);
  const tasks = indices.map((index) => family.sample(streams[index]!.task));
  const returns = await metaEpisodeReturns(agent, family, horizon, tasks, indices.map((index) => streams[index]!), batchSize);
  await agent.release?.();
  const mean = returns.reduce((sum, value) => sum + value, 0) / episodes;
  const variance = episodes > 1 ? returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (episodes - 1) : 0;
  const result: EvaluationResult = { agent: agent.name, family: family.name, horizon, seed, episodes, mean, stderr: Math.sqrt(variance / episodes), returns };
  if (options.taskIndices !== undefined) result.taskIndices = [...indices];
  if (options.oracle ?? true) {
    const oracleReturns = tasks.map((task) => oracleReturn(task, horizon));
    const oracleMean = oracleReturns.reduce((sum, value) => sum + value, 0) / episodes;
    result.oracleMean = oracleMean;
    result.normalized = mean / oracleMean;
    result.oracleReturns = oracleReturns;
  }
  return result;
}

/**
 * One meta-episode of budget H per task, `batchSize` in lockstep: task j with the env and agent streams of
 * streams[j]. Returns the undiscounted return of each task, in order. The loop of `evaluate` and of the trainer's
 * validation; it leaves the agent unreleased.
 */
export async function metaEpisodeReturns(agent: MetaAgent, family: TaskFamily, horizon: number, tasks: readonly TabularTask[], streams: readonly TaskStreams[], batchSize = 250): Promise<number[]> {
  requireAgent(agent);
  requireTaskFamily("family", family);
  requireInteger("horizon", horizon, 1, ENV_LIMITS.horizon);
  if (!Array.isArray(tasks) || tasks.length > ENV_LIMITS.episodes) throw new InputError({ field: "tasks", value: tasks, expected: `an array of at most ${ENV_LIMITS.episodes} tasks (ENV_LIMITS.episodes)` });
  requireStreams(streams, tasks.length);
  const size = requireInteger("batchSize", batchSize, 1, ENV_LIMITS.numEnvs);
  const returns: number[] = [];
  for (let first = 0; first < tasks.length; first += size) {
    const run = await TestEpisodes.start(agent, family, horizon, tasks.slice(first, first + size), streams.slice(first, first + size));
    while (!run.done) await run.step();
    returns.push(...run.totals);
  }
  return returns;
}

function taskIndicesOf(options: EvaluateOptions): number[] {
  if (options.taskIndices === undefined) {
    const episodes = requireInteger("episodes", options.episodes ?? 1000, 1, ENV_LIMITS.episodes);
    return Array.from({ length: episodes }, (_, index) => index);
  }
  if (options.episodes !== undefined) {
    throw new InputError({ field: "episodes", value: options.episodes, expected: "left out when taskIndices is given (they are the tasks)" });
  }
  return requireTaskIndices(options.taskIndices);
}
