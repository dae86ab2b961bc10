import { type Rng, requireObject } from "@rl3/core";
import type { TabularTask, TaskFamily } from "./tabular-task.js";
import { VecMetaEnv, type VecMetaEnvInfo } from "./vec-meta-env.js";

export interface MetaEnvOptions {
  /** Interaction budget H of a meta-episode (§5.1). */
  horizon: number;
  seed?: number;
  rng?: Rng;
}

/** What the RL² / RL³ wrappers need besides the object-level observation (§2.1). */
export interface MetaEnvInfo {
  task: TabularTask;
  /** The state observed now (the start state right after an inner-episode reset). */
  state: number;
  /** t: steps taken in this meta-episode. */
  step: number;
  /** t / H. */
  metaTime: number;
  /** τ: steps since the current inner episode began. */
  episodeStep: number;
  /** τ / TH, TH = min(task horizon, H). */
  episodeTime: number;
  /** True only on the first observation of a meta-episode. */
  startOfTask: boolean;
  /** The transition just taken; absent after `reset`. */
  transition?: {
    state: number;
    action: number;
    reward: number;
    /** Where the action led, before any reset. */
    nextState: number;
    /** `nextState` is absorbing. */
    terminal: boolean;
    /** The inner episode ended here (absorbing or task horizon), so the task was restarted. */
    episodeEnded: boolean;
  };
}

/**
 * One meta-episode at a time, Gymnasium-style: `reset()` draws a new task, `step(action)` acts within the budget H.
 * It is a `VecMetaEnv` of one env, so both follow exactly the same rules.
 */
export class MetaEnv {
  readonly family: TaskFamily;
  readonly horizon: number;
  private readonly vec: VecMetaEnv;

  constructor(family: TaskFamily, options: MetaEnvOptions) {
    requireObject("options", options);
    this.family = family;
    this.vec = new VecMetaEnv(family, { numEnvs: 1, horizon: options.horizon, seed: options.seed, rng: options.rng });
    this.horizon = this.vec.horizon;
  }

  /** The underlying one-env vector (wrappers and agents work on vectors). */
  get vector(): VecMetaEnv {
    return this.vec;
  }

  get task(): TabularTask | undefined {
    return this.vec.currentTasks[0];
  }

  get done(): boolean {
    return this.vec.done;
  }

  /** Starts a meta-episode on a fresh task from the family, or on `options.task`. */
  reset(options: { task?: TabularTask } = {}): { observation: Float64Array; info: MetaEnvInfo } {
    requireObject("options", options);
    const { observation, info } = this.vec.reset(options.task ? { tasks: [options.task] } : {});
    return { observation: observation.slice(), info: describe(info) };
  }

  step(action: number): { observation: Float64Array; reward: number; terminated: boolean; truncated: false; info: MetaEnvInfo } {
    const { observation, reward, terminated, info } = this.vec.step([action]);
    const described = describe(info);
    described.transition = {
      state: info.previousStates[0]!,
      action: info.actions[0]!,
      reward: reward[0]!,
      nextState: info.nextStates[0]!,
      terminal: info.terminals[0] === 1,
      episodeEnded: info.episodeEnded[0] === 1,
    };
    return { observation: observation.slice(), reward: reward[0]!, terminated, truncated: false, info: described };
  }
}

function describe(info: VecMetaEnvInfo): MetaEnvInfo {
  return {
    task: info.tasks[0]!,
    state: info.states[0]!,
    step: info.step,
    metaTime: info.metaTime,
    episodeStep: info.episodeSteps[0]!,
    episodeTime: info.episodeTimes[0]!,
    startOfTask: info.startOfTask,
  };
}
