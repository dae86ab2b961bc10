import { InputError, requireFiniteArray, requireIndex, requireInteger, requireObject, requirePositive, requirePositiveInteger } from "@rl3/core";
import { ESTIMATOR_LIMITS } from "./limits.js";

export interface CoarseAbstractionOptions {
  /** Largest concrete state key + 1. */
  maxStates: number;
  /** The feature vector of a concrete state (gridworlds: the normalised (row, column) observation). */
  features: (state: number) => ArrayLike<number>;
  /** Most concrete states per abstract state (§3.3: 2). */
  clusterSize?: number;
  /** Strict Euclidean radius within which a new state may join a cluster (§3.3: 0.1 on 11×11, 0.08 on 13×13). */
  radius?: number;
}

/**
 * RL³-coarse's online greedy clustering (§3.3): when a concrete state is first seen, it joins the abstract state of
 * the nearest previously seen state whose cluster still has room, if that state lies strictly within `radius`
 * (the first found wins ties); otherwise it founds a new abstract state. With the spec's radii only orthogonal
 * neighbours (distance 1/n) can merge, never diagonals (≈ 1.41/n). Assignments never change until `reset()`.
 */
export class CoarseAbstraction {
  readonly maxStates: number;
  readonly clusterSize: number;
  readonly radius: number;
  private readonly features: (state: number) => ArrayLike<number>;
  private readonly abstractOf: Int32Array;
  private readonly seenOrder: number[] = [];
  private readonly seenFeatures: ArrayLike<number>[] = [];
  private clusterMembers: number[] = [];

  constructor(options: CoarseAbstractionOptions) {
    requireObject("options", options);
    this.maxStates = requireInteger("maxStates", options.maxStates, 1, ESTIMATOR_LIMITS.states);
    this.clusterSize = requirePositiveInteger("clusterSize", options.clusterSize ?? 2);
    this.radius = requirePositive("radius", options.radius ?? 0.1);
    if (typeof options.features !== "function") {
      throw new InputError({ field: "features", value: options.features, expected: "a function from state to feature vector" });
    }
    this.features = options.features;
    this.abstractOf = new Int32Array(this.maxStates).fill(-1);
  }

  /** §3.3's radius for an n × n gridworld: 0.1 for 11×11, 0.08 for 13×13 (between 1/n and √2/n otherwise). */
  static radiusForGrid(size: number): number {
    // A side of 0 or a fraction would give an infinite or meaningless radius (and NaN features downstream).
    requireInteger("size", size, 1, ESTIMATOR_LIMITS.states);
    if (size === 11) return 0.1;
    if (size === 13) return 0.08;
    return (1 + Math.SQRT2) / 2 / size;
  }

  reset(): void {
    this.abstractOf.fill(-1);
    this.seenOrder.length = 0;
    this.seenFeatures.length = 0;
    this.clusterMembers = [];
  }

  /** Number of abstract states created so far. */
  get abstractStateCount(): number {
    return this.clusterMembers.length;
  }

  /** The abstract state of a concrete one, assigning it on first sight. */
  assign(state: number): number {
    requireIndex("state", state, this.maxStates);
    const existing = this.abstractOf[state]!;
    if (existing >= 0) return existing;
    const features = this.features(state);
    // Features decide distances: a NaN one would never be within the radius, silently making every state its own cluster.
    requireFiniteArray(`features(${state})`, features, this.seenFeatures[0]?.length);
    let bestDistance = this.radius;
    let chosen = -1;
    for (let index = 0; index < this.seenOrder.length; index++) {
      const cluster = this.abstractOf[this.seenOrder[index]!]!;
      if (this.clusterMembers[cluster]! >= this.clusterSize) continue;
      const distance = euclidean(features, this.seenFeatures[index]!);
      if (distance < bestDistance) {
        bestDistance = distance;
        chosen = cluster;
      }
    }
    if (chosen < 0) {
      chosen = this.clusterMembers.length;
      this.clusterMembers.push(0);
    }
    this.clusterMembers[chosen]!++;
    this.abstractOf[state] = chosen;
    this.seenOrder.push(state);
    this.seenFeatures.push(Array.from(features));
    return chosen;
  }

  /** The abstract state of a concrete one, or −1 if it has not been seen. */
  abstractStateOf(state: number): number {
    requireIndex("state", state, this.maxStates);
    return this.abstractOf[state]!;
  }

  /** The concrete states of each abstract state, in creation order. */
  clusters(): number[][] {
    const result: number[][] = this.clusterMembers.map(() => []);
    for (const state of this.seenOrder) result[this.abstractOf[state]!]!.push(state);
    return result;
  }
}

function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index]! - b[index]!) ** 2;
  return Math.sqrt(sum);
}
