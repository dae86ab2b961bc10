import type { Rng } from "@rl3/core";
import type { TransitionTable } from "./transition-table.js";

/** The outcome of one step of a task. Reused by callers that pass `out`, so hot loops allocate nothing. */
export interface StepSample {
  nextState: number;
  reward: number;
  /** The next state is absorbing: the inner episode ends (gridworld G/X, the pulled bandit state). */
  terminal: boolean;
}

/** What the RL² / RL³ wrappers need to know about a domain (§2.1: Q_DENOM depends on it). */
export type TaskDomain = "bandits" | "mdps" | "gridworld";

/** One task of a meta-RL task distribution: a finite MDP with a fixed start state (§6 of the method spec). */
export interface TabularTask {
  readonly domain: TaskDomain;
  readonly numStates: number;
  readonly numActions: number;
  readonly startState: number;
  /** Steps after which an inner episode is cut and reset (bandits 1, MDPs 10); `Infinity` for gridworlds (TH = H). */
  readonly taskHorizon: number;
  /** Length of `observation(state)`. */
  readonly observationSize: number;
  /** Samples one step. Writes into `out` when given (no allocation). */
  sampleStep(state: number, action: number, rng: Rng, out?: StepSample): StepSample;
  /** The exact next-state distribution of (state, action), length `numStates`, summing to 1. */
  transitionProbs(state: number, action: number): Float64Array;
  /** The expected reward of the transition (state, action, nextState). */
  meanReward(state: number, action: number, nextState: number): number;
  /** The observation of a state: one-hot (bandits, MDPs) or (row/n, col/n) (gridworlds). Writes into `out` at `offset`. */
  observation(state: number, out?: Float64Array, offset?: number): Float64Array;
  isAbsorbing(state: number): boolean;
  /** The exact dynamics in sparse form (cached). */
  transitionTable(): TransitionTable;
}

/** A distribution over tasks: `sample(rng)` draws a fresh task. */
export interface TaskFamily {
  readonly name: string;
  readonly domain: TaskDomain;
  readonly numStates: number;
  readonly numActions: number;
  readonly observationSize: number;
  /** As `TabularTask.taskHorizon`. */
  readonly taskHorizon: number;
  /** The generator's parameters, for reports and for checking what an OOD variant changes. */
  readonly parameters: Readonly<Record<string, string | number>>;
  sample(rng: Rng): TabularTask;
}
