import { InputError, Rng, StateError, requireInteger, requireObject } from "@rl3/core";
import { requireRng, requireTaskFamily, requireTaskOfFamily } from "./checks.js";
import { ENV_LIMITS } from "./limits.js";
import type { StepSample, TabularTask, TaskFamily } from "./tabular-task.js";

export interface VecMetaEnvOptions {
  /** Number of meta-episodes run in lockstep. */
  numEnvs: number;
  /** Interaction budget H of a meta-episode (§5.1). */
  horizon: number;
  /** Seed of the root stream; env i draws its tasks and dynamics from its own child streams. */
  seed?: number;
  /** Alternatively, the root stream itself (it is split, never drawn from directly afterwards). */
  rng?: Rng;
  /**
   * Alternatively, one stream per env, used exactly as env i's child of the root would be (`rng` ≡ `envRngs` of
   * `numEnvs` successive `rng.split()`s). Env i then depends on `envRngs[i]` alone, so a caller that derives it
   * from the task's own identity gets the same trajectory whatever the batch the env sits in.
   */
  envRngs?: readonly Rng[];
}

/**
 * Per-env state after `reset()` / `step()`, as typed arrays of length `numEnvs` (observations: numEnvs ×
 * observationSize, row-major). The arrays are reused: read or copy them before the next call.
 */
export interface VecMetaEnvInfo {
  /** Steps taken in the meta-episode so far (t), the same for every env. */
  readonly step: number;
  /** t / H. */
  readonly metaTime: number;
  /** The state each env observes now (the start state after an inner-episode reset). */
  readonly states: Int32Array;
  /** τ: steps since the current inner episode began, per env. */
  readonly episodeSteps: Int32Array;
  /** τ / TH with TH = min(task horizon, H), per env. */
  readonly episodeTimes: Float64Array;
  /** 1 on the first observation of a meta-episode (new task); inner resets do not set it. */
  readonly startOfTask: boolean;
  /** The transition just taken (meaningless right after `reset`): the state acted from… */
  readonly previousStates: Int32Array;
  readonly actions: Int32Array;
  /** …the state it led to before any reset (what an object-level learner must see)… */
  readonly nextStates: Int32Array;
  /** …1 where that state is absorbing… */
  readonly terminals: Uint8Array;
  /** …and 1 where the inner episode ended (absorbing state or task horizon reached), so the env was reset. */
  readonly episodeEnded: Uint8Array;
  readonly tasks: readonly TabularTask[];
}

export interface VecResetResult {
  readonly observation: Float64Array;
  readonly info: VecMetaEnvInfo;
}

export interface VecStepResult extends VecResetResult {
  readonly reward: Float64Array;
  /** True for every env at t = H: the meta-episode budget is part of the meta-MDP (§5.1), not a truncation. */
  readonly terminated: boolean;
  readonly truncated: false;
}

/**
 * N meta-episodes in lockstep (§5.1): each env gets a fresh task per meta-episode from its own task stream, acts
 * for exactly H steps, and restarts the task at its start state whenever an inner episode ends. Stepping writes
 * into preallocated typed arrays and allocates nothing.
 */
export class VecMetaEnv {
  readonly family: TaskFamily;
  readonly numEnvs: number;
  readonly horizon: number;
  readonly observationSize: number;
  readonly numActions: number;

  private readonly taskRngs: Rng[];
  private readonly dynamicsRngs: Rng[];
  private tasks: TabularTask[] = [];
  private readonly episodeHorizons: Float64Array;
  private readonly observations: Float64Array;
  private readonly rewards: Float64Array;
  private readonly states: Int32Array;
  private readonly episodeSteps: Int32Array;
  private readonly episodeTimes: Float64Array;
  private readonly previousStates: Int32Array;
  private readonly actions: Int32Array;
  private readonly nextStates: Int32Array;
  private readonly terminals: Uint8Array;
  private readonly episodeEnded: Uint8Array;
  private readonly sample: StepSample = { nextState: 0, reward: 0, terminal: false };
  private stepCount = -1;
  private readonly infoView: { -readonly [Key in keyof VecMetaEnvInfo]: VecMetaEnvInfo[Key] };
  private readonly result: { -readonly [Key in keyof VecStepResult]: VecStepResult[Key] };

  constructor(family: TaskFamily, options: VecMetaEnvOptions) {
    this.family = requireTaskFamily("family", family);
    requireObject("options", options);
    // Bounded up front: one RNG pair per env is created eagerly, so 1e9 envs would hang before any allocation failed.
    this.numEnvs = requireInteger("numEnvs", options.numEnvs, 1, ENV_LIMITS.numEnvs);
    this.horizon = requireInteger("horizon", options.horizon, 1, ENV_LIMITS.horizon);
    this.observationSize = family.observationSize;
    this.numActions = family.numActions;
    if (options.envRngs !== undefined) {
      if (options.seed !== undefined || options.rng !== undefined) {
        throw new InputError({ field: "envRngs", value: `envRngs with ${options.seed !== undefined ? "seed" : "rng"}`, expected: "given alone: seed, rng and envRngs are alternatives" });
      }
      if (!Array.isArray(options.envRngs)) throw new InputError({ field: "envRngs", value: options.envRngs, expected: `an array of ${this.numEnvs} Rngs` });
      options.envRngs.forEach((rng, env) => requireRng(`envRngs[${env}]`, rng));
      if (options.envRngs.length !== this.numEnvs) throw new InputError({ field: "envRngs.length", value: options.envRngs.length, expected: `${this.numEnvs} (numEnvs)` });
    }
    if (options.rng !== undefined) requireRng("rng", options.rng);
    const root = options.envRngs === undefined ? (options.rng ?? new Rng(options.seed ?? 0)) : undefined;
    this.taskRngs = [];
    this.dynamicsRngs = [];
    for (let env = 0; env < this.numEnvs; env++) {
      const envRng = options.envRngs?.[env] ?? root!.split();
      this.taskRngs.push(envRng.split());
      this.dynamicsRngs.push(envRng.split());
    }
    const count = this.numEnvs;
    this.episodeHorizons = new Float64Array(count);
    this.observations = new Float64Array(count * this.observationSize);
    this.rewards = new Float64Array(count);
    this.states = new Int32Array(count);
    this.episodeSteps = new Int32Array(count);
    this.episodeTimes = new Float64Array(count);
    this.previousStates = new Int32Array(count);
    this.actions = new Int32Array(count);
    this.nextStates = new Int32Array(count);
    this.terminals = new Uint8Array(count);
    this.episodeEnded = new Uint8Array(count);
    // One info and one result object for the env's lifetime: stepping allocates nothing.
    this.infoView = {
      step: -1,
      metaTime: 0,
      states: this.states,
      episodeSteps: this.episodeSteps,
      episodeTimes: this.episodeTimes,
      startOfTask: false,
      previousStates: this.previousStates,
      actions: this.actions,
      nextStates: this.nextStates,
      terminals: this.terminals,
      episodeEnded: this.episodeEnded,
      tasks: this.tasks,
    };
    this.result = { observation: this.observations, reward: this.rewards, terminated: false, truncated: false, info: this.infoView };
  }

  /** Steps taken in the current meta-episode; -1 before the first reset. */
  get stepsTaken(): number {
    return this.stepCount;
  }

  get done(): boolean {
    return this.stepCount >= this.horizon;
  }

  /** The task of each env in the current meta-episode. */
  get currentTasks(): readonly TabularTask[] {
    return this.tasks;
  }

  /**
   * Starts a new meta-episode: every env draws a fresh task from its stream, or takes `options.tasks[i]` (fixed
   * test tasks: evaluation gives every agent the same ones).
   */
  reset(options: { tasks?: readonly TabularTask[] } = {}): VecResetResult {
    requireObject("options", options);
    if (options.tasks !== undefined && !Array.isArray(options.tasks)) throw new InputError({ field: "tasks", value: options.tasks, expected: `an array of ${this.numEnvs} tasks` });
    if (options.tasks !== undefined && options.tasks.length !== this.numEnvs) {
      throw new InputError({ field: "tasks.length", value: options.tasks.length, expected: `${this.numEnvs} (numEnvs)` });
    }
    // Every given task is checked before any env is touched, so a refused reset leaves the env as it was.
    options.tasks?.forEach((task, env) => requireTaskOfFamily(`tasks[${env}]`, task, this.family));
    this.tasks = [];
    for (let env = 0; env < this.numEnvs; env++) {
      const task = options.tasks?.[env] ?? this.family.sample(this.taskRngs[env]!);
      // By identity, not size alone: a 169-state grid has the observation size of a 121-state one.
      requireTaskOfFamily(`tasks[${env}]`, task, this.family);
      this.tasks.push(task);
      this.episodeHorizons[env] = Math.min(task.taskHorizon, this.horizon);
      this.moveTo(env, task.startState, 0);
    }
    this.stepCount = 0;
    this.rewards.fill(0);
    this.terminals.fill(0);
    this.episodeEnded.fill(0);
    this.syncInfo();
    return { observation: this.observations, info: this.infoView };
  }

  /** Applies one action per env. Throws a `StateError` before `reset()` or after the budget is spent. */
  step(actions: ArrayLike<number>): VecStepResult {
    if (this.stepCount < 0) throw new StateError("step() called before reset()");
    if (this.stepCount >= this.horizon) {
      throw new StateError(`step() called after the meta-episode ended (t = H = ${this.horizon}); call reset() first`);
    }
    if (!(Array.isArray(actions) || ArrayBuffer.isView(actions))) throw new InputError({ field: "actions", value: actions, expected: `an array of ${this.numEnvs} actions` });
    if (actions.length !== this.numEnvs) {
      throw new InputError({ field: "actions.length", value: actions.length, expected: `${this.numEnvs} (numEnvs)` });
    }
    const numActions = this.numActions;
    for (let env = 0; env < this.numEnvs; env++) {
      const action = actions[env]!;
      if (!(Number.isInteger(action) && action >= 0 && action < numActions)) {
        throw new InputError({ field: `actions[${env}]`, value: action, expected: `an integer in [0, ${numActions - 1}]` });
      }
    }
    const sample = this.sample;
    for (let env = 0; env < this.numEnvs; env++) {
      const task = this.tasks[env]!;
      const state = this.states[env]!;
      const action = actions[env]!;
      task.sampleStep(state, action, this.dynamicsRngs[env]!, sample);
      this.previousStates[env] = state;
      this.actions[env] = action;
      this.nextStates[env] = sample.nextState;
      this.rewards[env] = sample.reward;
      this.terminals[env] = sample.terminal ? 1 : 0;
      const episodeStep = this.episodeSteps[env]! + 1;
      const ended = sample.terminal || episodeStep >= this.episodeHorizons[env]!;
      this.episodeEnded[env] = ended ? 1 : 0;
      if (ended) this.moveTo(env, task.startState, 0);
      else this.moveTo(env, sample.nextState, episodeStep);
    }
    this.stepCount++;
    this.syncInfo();
    this.result.terminated = this.stepCount === this.horizon;
    return this.result;
  }

  private moveTo(env: number, state: number, episodeStep: number): void {
    this.states[env] = state;
    this.episodeSteps[env] = episodeStep;
    this.episodeTimes[env] = episodeStep / this.episodeHorizons[env]!;
    this.tasks[env]!.observation(state, this.observations, env * this.observationSize);
  }

  private syncInfo(): void {
    this.infoView.step = this.stepCount;
    this.infoView.metaTime = this.stepCount / this.horizon;
    this.infoView.startOfTask = this.stepCount === 0;
    this.infoView.tasks = this.tasks;
  }
}
