import { requirePositiveInteger } from "@rl3/core";
import { type TabularTask, type TaskFamily, VecMetaEnv, oracleReturn, taskFamily } from "@rl3/envs";
import type { MetaAgent } from "./agents.js";
import { testStream } from "./streams.js";

export interface EvaluateOptions {
  /** Task family name or family of the test tasks (in-distribution or OOD). */
  family: string | TaskFamily;
  horizon: number;
  /** Number of fixed test tasks, one meta-episode each (§6.4: 1000). */
  episodes?: number;
  /** Seed of the test-task stream; the same for every agent, disjoint from every training stream. */
  seed?: number;
  /** Meta-episodes run in lockstep. */
  batchSize?: number;
  /** Also compute the oracle's exact expected return of each task and the normalised score. */
  oracle?: boolean;
}

export interface EvaluationResult {
  agent: string;
  family: string;
  horizon: number;
  episodes: number;
  /** Mean undiscounted meta-episode return. */
  mean: number;
  /** Its standard error. */
  stderr: number;
  returns: number[];
  /** Mean exact optimal return over the same tasks. */
  oracleMean?: number;
  /** mean / oracleMean (the y-axis of the RLC plots). */
  normalized?: number;
}

export const DEFAULT_TEST_SEED = 1_000_000;

/** The fixed test tasks: drawn from the test branch of `seed`, identical for every agent and method. */
export function testTasks(family: TaskFamily, count: number, seed = DEFAULT_TEST_SEED): TabularTask[] {
  const stream = testStream(seed);
  return Array.from({ length: count }, () => family.sample(stream));
}

/**
 * §6.4: runs `agent` for one meta-episode of budget H on each fixed test task and reports the mean ± standard
 * error of the undiscounted return, with the oracle's mean and the normalised score when asked.
 */
export async function evaluate(agent: MetaAgent, options: EvaluateOptions): Promise<EvaluationResult> {
  const family = typeof options.family === "string" ? taskFamily(options.family) : options.family;
  const horizon = requirePositiveInteger("horizon", options.horizon);
  const episodes = requirePositiveInteger("episodes", options.episodes ?? 1000);
  const seed = options.seed ?? DEFAULT_TEST_SEED;
  const batchSize = Math.min(episodes, requirePositiveInteger("batchSize", options.batchSize ?? 250));
  const tasks = testTasks(family, episodes, seed);
  const agentStream = testStream(seed + 1);
  const returns: number[] = [];
  for (let first = 0; first < episodes; first += batchSize) {
    const batch = tasks.slice(first, first + batchSize);
    const env = new VecMetaEnv(family, { numEnvs: batch.length, horizon, rng: testStream(seed).split() });
    let { info } = env.reset({ tasks: batch });
    await agent.begin(info, { family, horizon, numEnvs: batch.length, rng: agentStream.split() });
    const totals = new Float64Array(batch.length);
    while (!env.done) {
      const actions = await agent.act(info);
      const result = env.step(actions);
      for (let index = 0; index < batch.length; index++) totals[index]! += result.reward[index]!;
      info = result.info;
      await agent.observe(info, result.reward);
    }
    returns.push(...totals);
  }
  await agent.release?.();
  const mean = returns.reduce((sum, value) => sum + value, 0) / episodes;
  const variance = episodes > 1 ? returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (episodes - 1) : 0;
  const result: EvaluationResult = { agent: agent.name, family: family.name, horizon, episodes, mean, stderr: Math.sqrt(variance / episodes), returns };
  if (options.oracle ?? true) {
    const oracleMean = tasks.reduce((sum, task) => sum + oracleReturn(task, horizon), 0) / episodes;
    result.oracleMean = oracleMean;
    result.normalized = mean / oracleMean;
  }
  return result;
}
