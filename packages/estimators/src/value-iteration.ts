import { InputError, StateError, requireObject, requireSafeSize } from "@rl3/core";
import { ESTIMATOR_LIMITS } from "./limits.js";
import { type BellmanSystem, requireBellmanSystem } from "./bellman-system.js";

export interface ValueIterationOptions {
  /** Object-level discount, in (0, 1] (decisions.md: 0.95; the paper text: 1). */
  gamma: number;
  /** Most synchronous sweeps K (§3.2: the task horizon — bandits 1, MDPs 10, gridworlds H). */
  maxSweeps: number;
  /** Stop after the first sweep whose largest change of Q is below this (§3.2: 0.01; gridworlds 0.1). */
  tolerance: number;
  /** Start from the Q and V already in the workspace instead of zeros. */
  warmStart?: boolean;
}

export interface ValueIterationResult {
  /** Q(s, a) at index s · numActions + a. Views into the workspace: copy them to keep them past the next call. */
  readonly q: Float64Array;
  readonly v: Float64Array;
  readonly sweeps: number;
  /** The largest change of Q in the last sweep. */
  readonly lastChange: number;
}

/** Reusable buffers for repeated value iteration (one per estimator), grown on demand. */
export class ValueIterationWorkspace {
  q = new Float64Array(0);
  v = new Float64Array(0);
  private nextQ = new Float64Array(0);
  private nextV = new Float64Array(0);
  /** States whose values the buffers hold (values beyond it are zero). */
  size = 0;

  /** Makes room for `numStates` states, keeping existing values and zeroing new ones. */
  ensure(numStates: number, numActions: number): void {
    if (this.v.length < numStates) {
      const capacity = Math.max(numStates, this.v.length * 2, 8);
      const grow = (old: Float64Array, length: number) => {
        const grown = new Float64Array(length);
        grown.set(old);
        return grown;
      };
      this.q = grow(this.q, capacity * numActions);
      this.v = grow(this.v, capacity);
      this.nextQ = new Float64Array(capacity * numActions);
      this.nextV = new Float64Array(capacity);
    }
    this.size = Math.max(this.size, numStates);
  }

  clear(): void {
    this.q.fill(0);
    this.v.fill(0);
    this.size = 0;
  }

  /** Swaps the current and next buffers after a sweep. */
  swap(): void {
    [this.q, this.nextQ] = [this.nextQ, this.q];
    [this.v, this.nextV] = [this.nextV, this.v];
  }

  get pendingQ(): Float64Array {
    return this.nextQ;
  }

  get pendingV(): Float64Array {
    return this.nextV;
  }
}

export function checkValueIterationOptions(options: ValueIterationOptions): void {
  requireObject("options", options);
  const { gamma, tolerance } = options;
  if (typeof gamma !== "number" || !(gamma > 0 && gamma <= 1)) {
    throw new InputError({ field: "gamma", value: gamma, expected: "a discount in (0, 1]" });
  }
  requireSafeSize("maxSweeps", options.maxSweeps, ESTIMATOR_LIMITS.sweeps);
  if (typeof tolerance !== "number" || !(tolerance >= 0)) {
    throw new InputError({ field: "tolerance", value: tolerance, expected: "a number ≥ 0" });
  }
}

/**
 * Synchronous value iteration (§3.2): Q_{k+1}(s,a) = backup of V_k; V = max_a Q; stops after `maxSweeps` sweeps or
 * after the first sweep whose largest |Q_{k+1} − Q_k| is below `tolerance` (so at least one sweep runs).
 */
export function runValueIteration(
  system: BellmanSystem,
  options: ValueIterationOptions,
  workspace = new ValueIterationWorkspace(),
): ValueIterationResult {
  checkValueIterationOptions(options);
  requireBellmanSystem(system);
  if (!(workspace instanceof ValueIterationWorkspace)) throw new InputError({ field: "workspace", value: workspace, expected: "a ValueIterationWorkspace" });
  const { numStates, numActions, entryStart, entryEnd, next, weight, constant, uniformWeight, selfWeight } = system;
  const { gamma, maxSweeps, tolerance } = options;
  if (!options.warmStart) workspace.clear();
  workspace.ensure(numStates, numActions);
  let sweeps = 0;
  let change = Number.POSITIVE_INFINITY;
  while (sweeps < maxSweeps) {
    const q = workspace.q;
    const v = workspace.v;
    const nextQ = workspace.pendingQ;
    const nextV = workspace.pendingV;
    let valueSum = 0;
    for (let state = 0; state < numStates; state++) valueSum += v[state]!;
    change = 0;
    for (let state = 0; state < numStates; state++) {
      const ownValue = v[state]!;
      let best = Number.NEGATIVE_INFINITY;
      for (let action = 0; action < numActions; action++) {
        const row = state * numActions + action;
        let expected = uniformWeight[row]! * valueSum + selfWeight[row]! * ownValue;
        for (let entry = entryStart[row]!; entry < entryEnd[row]!; entry++) expected += weight[entry]! * v[next[entry]!]!;
        const value = constant[row]! + gamma * expected;
        nextQ[row] = value;
        const delta = Math.abs(value - q[row]!);
        if (delta > change) change = delta;
        if (value > best) best = value;
      }
      nextV[state] = best;
    }
    workspace.swap();
    sweeps++;
    if (change < tolerance) break;
  }
  // Finite rewards can still sum past the largest double; one pass over Q (cheap beside the sweeps) stops an
  // Infinity or NaN from reaching the policy's observations.
  const q = workspace.q;
  for (let row = 0; row < numStates * numActions; row++) {
    if (!Number.isFinite(q[row]!)) {
      throw new StateError(
        `value iteration overflowed: Q(${Math.floor(row / numActions)}, ${row % numActions}) is ${q[row]} after ${sweeps} sweep(s); ` +
          `the rewards are too large in magnitude for γ = ${gamma} (keep |reward| × horizon well below 1e300)`,
      );
    }
  }
  return {
    q: workspace.q.subarray(0, numStates * numActions),
    v: workspace.v.subarray(0, numStates),
    sweeps,
    lastChange: change,
  };
}
