import { InputError, requireInteger, requireObject } from "@rl3/core";
import { ENV_LIMITS, type TabularTask, type TaskFamily, VecMetaEnv, type VecMetaEnvInfo } from "@rl3/envs";
import { familyOf, requireAgent, requireStreams, requireTaskIndices } from "./checks.js";
import type { MetaAgent } from "./agents.js";
import { DEFAULT_TEST_SEED } from "./test-seed.js";
import { type TaskStreams, testTaskStreams } from "./streams.js";

/** What one step of every meta-episode of a batch did. */
export interface TestStep {
  readonly actions: Int32Array;
  readonly rewards: Float64Array;
  /** The env's state after the step (`info.previousStates` are where the actions were taken). */
  readonly info: VecMetaEnvInfo;
}

/**
 * One batch of meta-episodes on fixed test tasks, stepped one env step at a time: the loop of `evaluate`, kept in
 * one place so that a page that steps it by hand gets exactly the returns `evaluate` (and `rl3 eval`) reports.
 */
export class TestEpisodes {
  readonly agent: MetaAgent;
  readonly env: VecMetaEnv;
  readonly tasks: readonly TabularTask[];
  /** Undiscounted return so far, per env. */
  readonly totals: Float64Array;
  private currentInfo: VecMetaEnvInfo;

  private constructor(agent: MetaAgent, env: VecMetaEnv, tasks: readonly TabularTask[], info: VecMetaEnvInfo) {
    this.agent = agent;
    this.env = env;
    this.tasks = tasks;
    this.currentInfo = info;
    this.totals = new Float64Array(tasks.length);
  }

  /**
   * Resets a `VecMetaEnv` on `tasks` (env i on tasks[i] with the env stream of streams[i]) and begins the agent
   * with the agent streams: task i's return depends on its streams alone, never on the rest of the batch.
   */
  static async start(agent: MetaAgent, family: TaskFamily, horizon: number, tasks: readonly TabularTask[], streams: readonly TaskStreams[]): Promise<TestEpisodes> {
    requireAgent(agent);
    if (!Array.isArray(tasks)) throw new InputError({ field: "tasks", value: tasks, expected: "an array of tasks" });
    requireStreams(streams, tasks.length);
    const env = new VecMetaEnv(family, { numEnvs: tasks.length, horizon, envRngs: streams.map((stream) => stream.environment) });
    const { info } = env.reset({ tasks });
    await agent.begin(info, { family, horizon, numEnvs: tasks.length, rngs: streams.map((stream) => stream.agent) });
    return new TestEpisodes(agent, env, tasks, info);
  }

  get done(): boolean {
    return this.env.done;
  }

  get info(): VecMetaEnvInfo {
    return this.currentInfo;
  }

  /** The agent acts, the env steps, the agent observes the result. */
  async step(): Promise<TestStep> {
    const actions = await this.agent.act(this.currentInfo);
    const result = this.env.step(actions);
    for (let index = 0; index < this.totals.length; index++) this.totals[index]! += result.reward[index]!;
    this.currentInfo = result.info;
    await this.agent.observe(result.info, result.reward);
    return { actions: Int32Array.from(actions), rewards: result.reward, info: result.info };
  }
}

export interface TestEpisodeOptions {
  family: string | TaskFamily;
  horizon: number;
  /** Which fixed test tasks (as in `evaluate`'s `taskIndices`); one env each. */
  taskIndices: readonly number[];
  /** Seed of the test-task stream (default `DEFAULT_TEST_SEED`, the one `evaluate` and `rl3 eval` use). */
  seed?: number;
}

/** Starts meta-episodes on fixed test tasks, with the tasks and streams `evaluate` gives them. */
export async function startTestEpisodes(agent: MetaAgent, options: TestEpisodeOptions): Promise<TestEpisodes> {
  requireAgent(agent);
  requireObject("options", options);
  const family = familyOf(options.family);
  const horizon = requireInteger("horizon", options.horizon, 1, ENV_LIMITS.horizon);
  const indices = requireTaskIndices(options.taskIndices);
  const streams = testTaskStreams(options.seed ?? DEFAULT_TEST_SEED, Math.max(...indices) + 1);
  const chosen = indices.map((index) => streams[index]!);
  return TestEpisodes.start(agent, family, horizon, chosen.map((stream) => family.sample(stream.task)), chosen);
}
