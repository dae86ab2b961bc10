import { InputError, requireBuffer, requireObject, requireIndex } from "@rl3/core";
import { CoarseAbstraction } from "./coarse-abstraction.js";
import { requireTableSize } from "./limits.js";
import { type ModelPrior, TabularModel } from "./tabular-model.js";
import type { ValueEstimator } from "./value-estimator.js";
import { ValueIterationWorkspace, checkValueIterationOptions, runValueIteration } from "./value-iteration.js";

/**
 * When value iteration may start from the previous step's values (decisions.md):
 * - `auto` ([code-new]): cold (zeros) when maxSweeps < 100, so bandits and MDPs get genuine K-step values; warm for
 *   gridworlds, but re-zeroed whenever the number of known states changed.
 * - `always`: always warm, also across new states (new states start at 0). Same fixed point, far fewer sweeps on
 *   gridworlds; the returned Q differs from `auto` by at most what the stopping tolerance allows (docs/estimators.md).
 * - `never`: always cold.
 */
export type WarmStart = "auto" | "always" | "never";

export interface ModelBasedEstimatorOptions {
  numActions: number;
  /** Largest concrete state key + 1. */
  maxStates: number;
  knownStates?: "all" | "incremental";
  prior?: ModelPrior;
  laplace?: number;
  /** Object-level discount (decisions.md: 0.95). */
  gamma?: number;
  /** K (§3.2: the task horizon — bandits 1, MDPs 10, gridworlds H). */
  maxSweeps: number;
  /** ε (§3.2: 0.01; gridworlds 0.1). */
  tolerance?: number;
  warmStart?: WarmStart;
  /** RL³-coarse (§3.3): the model and VI work on abstract states; counts stay per concrete state. */
  abstraction?: CoarseAbstraction;
}

/**
 * RL³'s default object-level learner (§3): after every transition it updates the learned tabular model and re-runs
 * value iteration on it, so `qValues(s)` is always the fresh Q̂ of whatever state is observed. Everything persists
 * across inner episodes and is forgotten by `reset()` (a new task).
 */
export class ModelBasedEstimator implements ValueEstimator {
  readonly numActions: number;
  readonly maxStates: number;
  readonly model: TabularModel;
  readonly abstraction: CoarseAbstraction | undefined;
  readonly gamma: number;
  readonly maxSweeps: number;
  readonly tolerance: number;
  readonly warmStart: WarmStart;
  private readonly workspace = new ValueIterationWorkspace();
  private readonly concreteCounts: Float64Array;
  private readonly qBuffer: Float64Array;
  private readonly countBuffer: Float64Array;
  private knownAtLastSolve = 0;
  private sweepsTotal = 0;
  private solves = 0;

  constructor(options: ModelBasedEstimatorOptions) {
    requireObject("options", options);
    ({ numActions: this.numActions, maxStates: this.maxStates } = requireTableSize(options.maxStates, options.numActions));
    this.gamma = options.gamma ?? 0.95;
    this.maxSweeps = options.maxSweeps;
    this.tolerance = options.tolerance ?? 0.01;
    checkValueIterationOptions({ gamma: this.gamma, maxSweeps: this.maxSweeps, tolerance: this.tolerance });
    this.warmStart = options.warmStart ?? "auto";
    if (!["auto", "always", "never"].includes(this.warmStart)) {
      throw new InputError({ field: "warmStart", value: this.warmStart, expected: '"auto", "always" or "never"' });
    }
    this.abstraction = options.abstraction;
    if (this.abstraction !== undefined && !(this.abstraction instanceof CoarseAbstraction)) {
      throw new InputError({ field: "abstraction", value: this.abstraction, expected: "a CoarseAbstraction, or left out" });
    }
    if (this.abstraction && this.abstraction.maxStates !== this.maxStates) {
      throw new InputError({ field: "abstraction.maxStates", value: this.abstraction.maxStates, expected: `${this.maxStates} (maxStates)` });
    }
    this.model = new TabularModel({
      numActions: this.numActions,
      maxStates: this.maxStates,
      knownStates: options.knownStates,
      prior: options.prior,
      laplace: options.laplace,
    });
    this.concreteCounts = new Float64Array(this.maxStates * this.numActions);
    this.qBuffer = new Float64Array(this.numActions);
    this.countBuffer = new Float64Array(this.numActions);
    this.reset();
  }

  reset(): void {
    this.model.reset();
    this.abstraction?.reset();
    this.concreteCounts.fill(0);
    this.workspace.clear();
    this.knownAtLastSolve = 0;
  }

  update(state: number, action: number, reward: number, nextState: number, terminal: boolean): void {
    requireIndex("state", state, this.maxStates);
    requireIndex("action", action, this.numActions);
    requireIndex("nextState", nextState, this.maxStates);
    if (!Number.isFinite(reward)) throw new InputError({ field: "reward", value: reward, expected: "a finite number" });
    this.concreteCounts[state * this.numActions + action]!++;
    this.model.record(this.modelKey(state), action, reward, this.modelKey(nextState), terminal);
    this.solve();
  }

  qValues(state: number, out: Float64Array = this.qBuffer): Float64Array {
    requireIndex("state", state, this.maxStates);
    requireBuffer("out", out, this.numActions);
    const key = this.abstraction ? this.abstraction.abstractStateOf(state) : state;
    const id = key < 0 ? -1 : this.model.idOf(key);
    if (id < 0 || id >= this.workspace.size) {
      out.fill(0);
      return out;
    }
    const q = this.workspace.q;
    for (let action = 0; action < this.numActions; action++) out[action] = q[id * this.numActions + action]!;
    return out;
  }

  visitCounts(state: number, out: Float64Array = this.countBuffer): Float64Array {
    requireIndex("state", state, this.maxStates);
    requireBuffer("out", out, this.numActions);
    for (let action = 0; action < this.numActions; action++) out[action] = this.concreteCounts[state * this.numActions + action]!;
    return out;
  }

  /** Mean VI sweeps per update since construction (a cost diagnostic). */
  get meanSweeps(): number {
    return this.solves === 0 ? 0 : this.sweepsTotal / this.solves;
  }

  private modelKey(state: number): number {
    return this.abstraction ? this.abstraction.assign(state) : state;
  }

  private solve(): void {
    const known = this.model.knownStateCount;
    let warm: boolean;
    if (this.warmStart === "never") warm = false;
    else if (this.warmStart === "always") warm = true;
    else warm = this.maxSweeps >= 100 && known === this.knownAtLastSolve;
    this.knownAtLastSolve = known;
    const result = runValueIteration(
      this.model.bellmanSystem(),
      { gamma: this.gamma, maxSweeps: this.maxSweeps, tolerance: this.tolerance, warmStart: warm },
      this.workspace,
    );
    this.sweepsTotal += result.sweeps;
    this.solves++;
  }
}
