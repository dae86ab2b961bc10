import { InputError, requireBuffer, requireObject, requireFinite, requireIndex } from "@rl3/core";
import { requireTableSize } from "./limits.js";
import type { ValueEstimator } from "./value-estimator.js";

export interface QLearningEstimatorOptions {
  numActions: number;
  maxStates: number;
  /** Step size α in (0, 1]. */
  learningRate?: number;
  /** Discount γ in (0, 1]. */
  gamma?: number;
  /** Initial Q of every (s, a); > 0 is optimistic and drives exploration. */
  initialValue?: number;
}

/** Tabular Q-learning (Watkins): the model-free alternative to `ModelBasedEstimator` as RL³'s inner learner. */
export class QLearningEstimator implements ValueEstimator {
  readonly numActions: number;
  readonly maxStates: number;
  readonly learningRate: number;
  readonly gamma: number;
  readonly initialValue: number;
  private readonly q: Float64Array;
  private readonly counts: Float64Array;
  private readonly qBuffer: Float64Array;
  private readonly countBuffer: Float64Array;

  constructor(options: QLearningEstimatorOptions) {
    requireObject("options", options);
    ({ numActions: this.numActions, maxStates: this.maxStates } = requireTableSize(options.maxStates, options.numActions));
    this.learningRate = options.learningRate ?? 0.1;
    if (!(this.learningRate > 0 && this.learningRate <= 1)) {
      throw new InputError({ field: "learningRate", value: this.learningRate, expected: "a step size in (0, 1]" });
    }
    this.gamma = options.gamma ?? 0.95;
    if (!(this.gamma > 0 && this.gamma <= 1)) throw new InputError({ field: "gamma", value: this.gamma, expected: "a discount in (0, 1]" });
    this.initialValue = requireFinite("initialValue", options.initialValue ?? 0);
    this.q = new Float64Array(this.maxStates * this.numActions);
    this.counts = new Float64Array(this.maxStates * this.numActions);
    this.qBuffer = new Float64Array(this.numActions);
    this.countBuffer = new Float64Array(this.numActions);
    this.reset();
  }

  reset(): void {
    this.q.fill(this.initialValue);
    this.counts.fill(0);
  }

  update(state: number, action: number, reward: number, nextState: number, terminal: boolean): void {
    requireIndex("state", state, this.maxStates);
    requireIndex("action", action, this.numActions);
    requireIndex("nextState", nextState, this.maxStates);
    requireFinite("reward", reward);
    let bootstrap = 0;
    if (!terminal) {
      bootstrap = Number.NEGATIVE_INFINITY;
      for (let next = 0; next < this.numActions; next++) bootstrap = Math.max(bootstrap, this.q[nextState * this.numActions + next]!);
    }
    const index = state * this.numActions + action;
    this.q[index]! += this.learningRate * (reward + this.gamma * bootstrap - this.q[index]!);
    this.counts[index]!++;
  }

  qValues(state: number, out: Float64Array = this.qBuffer): Float64Array {
    requireIndex("state", state, this.maxStates);
    requireBuffer("out", out, this.numActions);
    out.set(this.q.subarray(state * this.numActions, (state + 1) * this.numActions));
    return out;
  }

  visitCounts(state: number, out: Float64Array = this.countBuffer): Float64Array {
    requireIndex("state", state, this.maxStates);
    requireBuffer("out", out, this.numActions);
    out.set(this.counts.subarray(state * this.numActions, (state + 1) * this.numActions));
    return out;
  }
}
