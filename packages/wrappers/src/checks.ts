import { InputError, requireObject } from "@rl3/core";
import { ENV_LIMITS, type TaskFamily, type VecMetaEnvInfo, requireTaskFamily, taskFamily } from "@rl3/envs";
import type { MetaAgent } from "./agents.js";
import type { TaskStreams } from "./streams.js";

/** Rewards an agent learns from: one finite number per env (a NaN would poison its statistics for the whole task). */
export function checkRewards(rewards: ArrayLike<number>, numEnvs: number): void {
  if (!(Array.isArray(rewards) || ArrayBuffer.isView(rewards)) || rewards.length < numEnvs) {
    throw new InputError({ field: "rewards", value: rewards, expected: `an array of ${numEnvs} finite rewards` });
  }
  for (let env = 0; env < numEnvs; env++) {
    // Observations are float32: a reward beyond its range (±3.4e38) would turn into ±Infinity there.
    if (!Number.isFinite(Math.fround(rewards[env]!))) throw new InputError({ field: `rewards[${env}]`, value: rewards[env], expected: "a finite number (within float32 range, |r| ≤ 3.4e38)" });
  }
}

/** An agent: an object with begin, act and observe (a baseline, a PolicyAgent or the caller's own). */
export function requireAgent(agent: MetaAgent): MetaAgent {
  requireObject("agent", agent);
  for (const method of ["begin", "act", "observe"] as const) {
    if (typeof agent[method] !== "function") throw new InputError({ field: `agent.${method}`, value: agent[method], expected: "a function (a MetaAgent)" });
  }
  return agent;
}

/** A family given by name (`taskFamily`) or as an object. */
export function familyOf(family: string | TaskFamily): TaskFamily {
  return typeof family === "string" ? taskFamily(family) : requireTaskFamily("family", family);
}

/** Test-task indices: a non-empty array of at most ENV_LIMITS.episodes integers below ENV_LIMITS.taskStreams. */
export function requireTaskIndices(indices: readonly number[]): number[] {
  if (Array.isArray(indices) && indices.length === 0) throw new InputError({ field: "taskIndices", value: indices, expected: "at least one test-task index" });
  if (!Array.isArray(indices) || indices.length > ENV_LIMITS.episodes) {
    throw new InputError({ field: "taskIndices", value: indices, expected: `an array of 1 to ${ENV_LIMITS.episodes} test-task indices (ENV_LIMITS.episodes)` });
  }
  return indices.map((index, position) => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= ENV_LIMITS.taskStreams) {
      throw new InputError({ field: `taskIndices[${position}]`, value: index, expected: `an integer in [0, ${ENV_LIMITS.taskStreams - 1}] (ENV_LIMITS.taskStreams)` });
    }
    return index;
  });
}

/** One stream set per task, as `taskStreams` makes them. */
export function requireStreams(streams: readonly TaskStreams[], count: number): void {
  if (!Array.isArray(streams) || streams.length !== count || !streams.every((stream) => typeof stream === "object" && stream !== null)) {
    throw new InputError({ field: "streams", value: Array.isArray(streams) ? streams.length : streams, expected: `one stream set per task (${count})` });
  }
}

const INFO_ARRAYS = ["states", "episodeTimes", "previousStates", "actions", "nextStates", "terminals", "episodeEnded"] as const;

/**
 * A `VecMetaEnvInfo` for `numEnvs` envs (what `VecMetaEnv.reset`/`step` return), checked in O(numEnvs): its arrays
 * long enough, its tasks one per env, and its actions within the family's, since an action out of range would be
 * written into the wrong block of an observation.
 */
export function requireInfo(info: VecMetaEnvInfo, numEnvs: number, numActions: number): VecMetaEnvInfo {
  requireObject("info", info);
  for (const key of INFO_ARRAYS) {
    const array = info[key];
    if (!ArrayBuffer.isView(array) || (array as unknown as ArrayLike<number>).length < numEnvs) {
      throw new InputError({ field: `info.${key}`, value: array, expected: `a typed array of ${numEnvs} entries (a VecMetaEnv's info)` });
    }
  }
  if (!Array.isArray(info.tasks) || info.tasks.length < numEnvs) throw new InputError({ field: "info.tasks", value: info.tasks, expected: `${numEnvs} tasks (one per env)` });
  if (!Number.isFinite(info.metaTime)) throw new InputError({ field: "info.metaTime", value: info.metaTime, expected: "a finite number" });
  for (let env = 0; env < numEnvs; env++) {
    const action = info.actions[env]!;
    if (!(Number.isInteger(action) && action >= 0 && action < numActions)) throw new InputError({ field: `info.actions[${env}]`, value: action, expected: `an integer in [0, ${numActions - 1}]` });
    if (!Number.isFinite(info.episodeTimes[env]!)) throw new InputError({ field: `info.episodeTimes[${env}]`, value: info.episodeTimes[env], expected: "a finite number" });
  }
  return info;
}
