import { InputError, requireBuffer, requireObject, requireIndex, requireNonNegative } from "@rl3/core";
import { requireTableSize } from "./limits.js";
import type { BellmanSystem } from "./bellman-system.js";

/**
 * How unseen transitions are estimated (§3.1, decisions.md):
 * - `laplace` ([code-new], default): T̂(s'|s,a) = (N(s,a,s') + α) / (N(s,a) + α·|S_known|) over the known states;
 *   an untried (s,a) goes uniformly to every known state; unseen rewards are 0.
 * - `mle-self-loop` ([code-old]): T̂ = N(s,a,s') / N(s,a); an untried (s,a) stays in s with reward 0.
 */
export type ModelPrior = "laplace" | "mle-self-loop";

export interface TabularModelOptions {
  numActions: number;
  /** Largest number of distinct states (state keys are integers in [0, maxStates)). */
  maxStates: number;
  /** `all`: every key in [0, maxStates) is known from the start (bandits, MDPs); `incremental`: states become
   *  known in the order they are first seen (gridworlds, §3.1). */
  knownStates?: "all" | "incremental";
  prior?: ModelPrior;
  /** Laplace α (§3.1: 0.1; gridworlds 0.01). Ignored by `mle-self-loop`. */
  laplace?: number;
}

const INITIAL_SUCCESSOR_CAPACITY = 4;

/**
 * The per-task learned model of RL³'s object-level learner (§3.1): visit counts N(s,a) and N(s,a,s'), the running
 * mean reward of each (s,a,s'), absorbing flags and start-state counts. Successors are stored sparsely (a gridworld
 * (s,a) has a handful). The model keeps its Bellman coefficients up to date as it learns, so value iteration reads
 * them directly (`bellmanSystem()`), with the smoothing handled in closed form (see bellman-system.ts).
 *
 * States are addressed by *key* (an integer such as a gridworld cell); the model numbers them in discovery order.
 */
export class TabularModel {
  readonly numActions: number;
  readonly maxStates: number;
  readonly prior: ModelPrior;
  readonly laplace: number;
  readonly knownStatesMode: "all" | "incremental";

  private readonly idOfKey: Int32Array;
  private readonly keyOfId: Int32Array;
  private known = 0;
  private readonly pairCount: Float64Array;
  private readonly successorCount: Int32Array;
  private capacity = INITIAL_SUCCESSOR_CAPACITY;
  private successor: Int32Array;
  private transitionCount: Float64Array;
  private meanRewardOf: Float64Array;
  private readonly absorbing: Uint8Array;
  private readonly startCount: Float64Array;
  private totalTransitions = 0;

  // Bellman coefficients, kept current by `refreshRow`.
  private readonly entryStart: Int32Array;
  private readonly entryEnd: Int32Array;
  private weight: Float64Array;
  private readonly constant: Float64Array;
  private readonly uniformWeight: Float64Array;
  private readonly selfWeight: Float64Array;
  private system: BellmanSystem;

  constructor(options: TabularModelOptions) {
    requireObject("options", options);
    ({ numActions: this.numActions, maxStates: this.maxStates } = requireTableSize(options.maxStates, options.numActions));
    this.prior = options.prior ?? "laplace";
    if (this.prior !== "laplace" && this.prior !== "mle-self-loop") {
      throw new InputError({ field: "prior", value: this.prior, expected: '"laplace" or "mle-self-loop"' });
    }
    this.laplace = requireNonNegative("laplace", options.laplace ?? 0.1);
    this.knownStatesMode = options.knownStates ?? "incremental";
    if (this.knownStatesMode !== "all" && this.knownStatesMode !== "incremental") {
      throw new InputError({ field: "knownStates", value: this.knownStatesMode, expected: '"all" or "incremental"' });
    }
    const rows = this.maxStates * this.numActions;
    this.idOfKey = new Int32Array(this.maxStates);
    this.keyOfId = new Int32Array(this.maxStates);
    this.pairCount = new Float64Array(rows);
    this.successorCount = new Int32Array(rows);
    this.successor = new Int32Array(rows * this.capacity);
    this.transitionCount = new Float64Array(rows * this.capacity);
    this.meanRewardOf = new Float64Array(rows * this.capacity);
    this.absorbing = new Uint8Array(this.maxStates);
    this.startCount = new Float64Array(this.maxStates);
    this.entryStart = new Int32Array(rows);
    this.entryEnd = new Int32Array(rows);
    this.weight = new Float64Array(rows * this.capacity);
    this.constant = new Float64Array(rows);
    this.uniformWeight = new Float64Array(rows);
    this.selfWeight = new Float64Array(rows);
    this.system = this.makeSystem();
    this.reset();
  }

  /** Forgets everything (a new task, §3.1). */
  reset(): void {
    this.pairCount.fill(0);
    this.successorCount.fill(0);
    this.absorbing.fill(0);
    this.startCount.fill(0);
    this.totalTransitions = 0;
    this.idOfKey.fill(-1);
    this.known = 0;
    if (this.knownStatesMode === "all") {
      for (let key = 0; key < this.maxStates; key++) this.addKey(key);
    }
    this.refreshAll();
  }

  /** Number of states known so far (all of them in `all` mode). */
  get knownStateCount(): number {
    return this.known;
  }

  /** Transitions recorded since the last reset. */
  get transitionsSeen(): number {
    return this.totalTransitions;
  }

  /** The model's id of a state key, or −1 if it is not known yet. */
  idOf(key: number): number {
    requireIndex("state", key, this.maxStates);
    return this.idOfKey[key]!;
  }

  keyOf(id: number): number {
    requireIndex("id", id, this.known);
    return this.keyOfId[id]!;
  }

  /** Makes a state known (no-op if it is); returns its id. True state ids never change once given. */
  observe(key: number): number {
    requireIndex("state", key, this.maxStates);
    const id = this.idOfKey[key]!;
    if (id >= 0) return id;
    const added = this.addKey(key);
    this.refreshAll();
    return added;
  }

  /** Counts a meta-episode or inner-episode start in `key`. */
  recordStart(key: number): void {
    this.startCount[this.observe(key)]!++;
  }

  startCountOf(key: number): number {
    const id = this.idOf(key);
    return id < 0 ? 0 : this.startCount[id]!;
  }

  /** Learns from one transition (s, a, r, s'); `terminal` marks s' absorbing. */
  record(state: number, action: number, reward: number, nextState: number, terminal: boolean): void {
    requireIndex("state", state, this.maxStates);
    requireIndex("action", action, this.numActions);
    requireIndex("nextState", nextState, this.maxStates);
    if (!Number.isFinite(reward)) throw new InputError({ field: "reward", value: reward, expected: "a finite number" });
    const knownBefore = this.known;
    const from = this.idOfKey[state]! >= 0 ? this.idOfKey[state]! : this.addKey(state);
    const to = this.idOfKey[nextState]! >= 0 ? this.idOfKey[nextState]! : this.addKey(nextState);
    const becameAbsorbing = terminal && this.absorbing[to] === 0;
    if (becameAbsorbing) this.absorbing[to] = 1;
    const row = from * this.numActions + action;
    let slot = this.slotOf(row, to);
    const successors = this.successorCount[row]!;
    if (slot < 0) {
      if (successors === this.capacity) this.growCapacity();
      slot = row * this.capacity + successors;
      this.successor[slot] = to;
      this.transitionCount[slot] = 0;
      this.meanRewardOf[slot] = 0;
      this.successorCount[row] = successors + 1;
    }
    this.transitionCount[slot]!++;
    this.meanRewardOf[slot]! += (reward - this.meanRewardOf[slot]!) / this.transitionCount[slot]!;
    this.pairCount[row]!++;
    this.totalTransitions++;
    // A new known state changes every smoothed row's denominator (N + α·|S|); otherwise only this row changed,
    // plus the rows of a state that has just turned out to be absorbing.
    if (this.known !== knownBefore) this.refreshAll();
    else {
      this.refreshRow(row);
      if (becameAbsorbing) for (let action = 0; action < this.numActions; action++) this.refreshRow(to * this.numActions + action);
    }
  }

  /** N(s, a) by state key (0 for unknown states). */
  visitCount(state: number, action: number): number {
    const id = this.idOf(state);
    requireIndex("action", action, this.numActions);
    return id < 0 ? 0 : this.pairCount[id * this.numActions + action]!;
  }

  isAbsorbing(state: number): boolean {
    const id = this.idOf(state);
    return id >= 0 && this.absorbing[id] === 1;
  }

  /** The estimated T̂(s'|s,a) of §3.1 (by state keys); 0 when either state is unknown. */
  transitionProbability(state: number, action: number, nextState: number): number {
    const from = this.idOf(state);
    const to = this.idOf(nextState);
    requireIndex("action", action, this.numActions);
    if (from < 0 || to < 0) return 0;
    const row = from * this.numActions + action;
    if (this.absorbing[from] === 1) return from === to ? 1 : 0;
    const slot = this.slotOf(row, to);
    const observed = slot < 0 ? 0 : this.transitionCount[slot]!;
    const count = this.pairCount[row]!;
    if (this.prior === "mle-self-loop") {
      if (count === 0) return from === to ? 1 : 0;
      return observed / count;
    }
    if (count === 0) return 1 / this.known;
    return (observed + this.laplace) / (count + this.laplace * this.known);
  }

  /** R̂(s, a, s'): the mean observed reward of the transition, 0 if never seen. */
  meanReward(state: number, action: number, nextState: number): number {
    const from = this.idOf(state);
    const to = this.idOf(nextState);
    requireIndex("action", action, this.numActions);
    if (from < 0 || to < 0) return 0;
    const slot = this.slotOf(from * this.numActions + action, to);
    return slot < 0 ? 0 : this.meanRewardOf[slot]!;
  }

  /** Where successor `to` of a row is stored, or −1 if that transition was never seen. */
  private slotOf(row: number, to: number): number {
    const base = row * this.capacity;
    for (let slot = base; slot < base + this.successorCount[row]!; slot++) if (this.successor[slot] === to) return slot;
    return -1;
  }

  /** The model's Bellman coefficients over its known states (ids), for `runValueIteration`. */
  bellmanSystem(): BellmanSystem {
    return this.system;
  }

  private addKey(key: number): number {
    const id = this.known++;
    this.idOfKey[key] = id;
    this.keyOfId[id] = key;
    this.absorbing[id] = 0;
    this.startCount[id] = 0;
    for (let action = 0; action < this.numActions; action++) {
      this.pairCount[id * this.numActions + action] = 0;
      this.successorCount[id * this.numActions + action] = 0;
    }
    return id;
  }

  private growCapacity(): void {
    const oldCapacity = this.capacity;
    const capacity = oldCapacity * 2;
    const rows = this.maxStates * this.numActions;
    const successor = new Int32Array(rows * capacity);
    const transitionCount = new Float64Array(rows * capacity);
    const meanReward = new Float64Array(rows * capacity);
    for (let row = 0; row < rows; row++) {
      for (let index = 0; index < this.successorCount[row]!; index++) {
        successor[row * capacity + index] = this.successor[row * oldCapacity + index]!;
        transitionCount[row * capacity + index] = this.transitionCount[row * oldCapacity + index]!;
        meanReward[row * capacity + index] = this.meanRewardOf[row * oldCapacity + index]!;
      }
    }
    this.capacity = capacity;
    this.successor = successor;
    this.transitionCount = transitionCount;
    this.meanRewardOf = meanReward;
    this.weight = new Float64Array(rows * capacity);
    this.system = this.makeSystem();
    this.refreshAll();
  }

  private makeSystem(): BellmanSystem {
    const model = this;
    return {
      get numStates() {
        return model.known;
      },
      numActions: this.numActions,
      entryStart: this.entryStart,
      entryEnd: this.entryEnd,
      next: this.successor,
      weight: this.weight,
      constant: this.constant,
      uniformWeight: this.uniformWeight,
      selfWeight: this.selfWeight,
    };
  }

  private refreshAll(): void {
    for (let row = 0; row < this.known * this.numActions; row++) this.refreshRow(row);
  }

  /** Recomputes the Bellman coefficients of one (s, a) row from its counts (formulas of §3.1). */
  private refreshRow(row: number): void {
    const base = row * this.capacity;
    const successors = this.successorCount[row]!;
    const count = this.pairCount[row]!;
    const id = Math.floor(row / this.numActions);
    this.entryStart[row] = base;
    this.constant[row] = 0;
    this.uniformWeight[row] = 0;
    this.selfWeight[row] = 0;
    if (this.absorbing[id] === 1) {
      // Absorbing: self-loop with reward 0.
      this.entryEnd[row] = base;
      this.selfWeight[row] = 1;
      return;
    }
    if (count === 0) {
      this.entryEnd[row] = base;
      if (this.prior === "mle-self-loop") this.selfWeight[row] = 1;
      else this.uniformWeight[row] = 1 / this.known;
      return;
    }
    this.entryEnd[row] = base + successors;
    const smoothing = this.prior === "laplace" ? this.laplace : 0;
    const denominator = count + smoothing * this.known;
    let constant = 0;
    for (let index = 0; index < successors; index++) {
      const slot = base + index;
      const observed = this.transitionCount[slot]!;
      this.weight[slot] = observed / denominator;
      // Smoothing mass on a seen successor still earns that successor's mean reward.
      constant += ((observed + smoothing) / denominator) * this.meanRewardOf[slot]!;
    }
    this.constant[row] = constant;
    this.uniformWeight[row] = smoothing / denominator;
  }
}
