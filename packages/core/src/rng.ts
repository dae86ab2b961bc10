import { InputError } from "./errors.js";
import { requirePositive } from "./validate.js";
import {
  ZIGGURAT_STRIPS,
  ZIGGURAT_TAIL_START,
  zigguratDensities,
  zigguratThresholds,
  zigguratWidths,
} from "./ziggurat.js";

/**
 * The serialisable state of an {@link Rng}: the four 32-bit words of xoshiro128**. Every draw is a pure function
 * of them (nothing is cached between draws), so a restored generator continues the stream exactly.
 */
export interface RngState {
  readonly algorithm: "xoshiro128**";
  readonly words: readonly [number, number, number, number];
}

const TWO_POW_32 = 4294967296;
const INV_TWO_POW_32 = 1 / TWO_POW_32;
/** Probabilities given to `categorical` may miss 1 by this much (rounding in callers' softmax etc.). */
const PROBABILITY_SUM_TOLERANCE = 1e-6;

/** MurmurHash3's 32-bit finaliser: a bijection on uint32 with full avalanche, used only to expand seeds. */
function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A seedable, splittable pseudo-random generator: xoshiro128** (Blackman & Vigna, 2018).
 *
 * Why this one: it needs only 32-bit integer operations (`Math.imul`, shifts), which JavaScript engines run
 * exactly and fast, so the same seed gives the same stream on every platform and engine; its period is 2^128 − 1
 * and it passes BigCrush. Floats carry 32 random bits (resolution 2^-32), enough for every sampling rl3 does.
 *
 * `split()` derives an independent child stream by hashing four draws of the parent into a fresh state. Streams
 * built this way never share state and are statistically independent (tested), which is what per-env and
 * train/test task streams need; the parent advances by four draws.
 */
/** Most components of one Dirichlet draw: far above any task's states (ENV_LIMITS.mdpStates), far below an allocation that fails. */
export const DIRICHLET_COMPONENT_LIMIT = 10_000_000;

/** Largest |mean|, standard deviation and shape × scale the samplers take: far from overflowing a double. */
const NORMAL_PARAMETER_LIMIT = 1e290;

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** @param seed any safe integer (negative allowed); the same seed always gives the same stream. */
  constructor(seed: number) {
    if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
      throw new InputError({ field: "seed", value: seed, expected: "a safe integer" });
    }
    const low = seed >>> 0;
    const high = Math.floor(seed / TWO_POW_32) | 0;
    // Expand the 53-bit seed through a hash so nearby seeds (0, 1, 2, …) give unrelated states.
    let counter = mix32(low ^ mix32(high ^ 0x5bd1e995));
    const words: number[] = [];
    for (let index = 0; index < 4; index++) {
      counter = (counter + 0x9e3779b9) | 0;
      words.push(mix32(counter ^ mix32(high + index)));
    }
    this.setWords(words[0]!, words[1]!, words[2]!, words[3]!);
  }

  /** Restores a generator saved with {@link Rng.getState}; it continues the stream exactly. */
  static fromState(state: RngState): Rng {
    const words = state?.words;
    if (
      state?.algorithm !== "xoshiro128**" ||
      !Array.isArray(words) ||
      words.length !== 4 ||
      words.some((word) => !Number.isInteger(word) || word < 0 || word >= TWO_POW_32) ||
      words.every((word) => word === 0)
    ) {
      throw new InputError({
        field: "state",
        value: state,
        expected: 'an RngState { algorithm: "xoshiro128**", words: four uint32 not all zero }',
      });
    }
    const rng = Object.create(Rng.prototype) as Rng;
    rng.setWords(words[0]!, words[1]!, words[2]!, words[3]!);
    return rng;
  }

  /** A plain JSON-serialisable snapshot, for checkpoints. */
  getState(): RngState {
    return {
      algorithm: "xoshiro128**",
      words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
    };
  }

  /** An independent child stream (see the class comment). Advances this generator by four draws. */
  split(): Rng {
    const child = Object.create(Rng.prototype) as Rng;
    // A constant distinct from the seeding path keeps child states off the set of seed-derived states.
    child.setWords(
      mix32(this.uint32() ^ 0x243f6a88),
      mix32(this.uint32() ^ 0x85a308d3),
      mix32(this.uint32() ^ 0x13198a2e),
      mix32(this.uint32() ^ 0x03707344),
    );
    return child;
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9);
    const shifted = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    this.s0 = s0 ^ s3;
    this.s1 = s1;
    this.s2 = s2 ^ shifted;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }

  /** A uniform float in [0, 1) with 32 random bits. */
  float(): number {
    return this.uint32() * INV_TWO_POW_32;
  }

  /** A uniform integer in [0, n), exactly unbiased (rejection of the top partial range). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > TWO_POW_32) {
      throw new InputError({ field: "n", value: n, expected: `an integer in [1, ${TWO_POW_32}]` });
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let draw = this.uint32();
    while (draw >= limit) draw = this.uint32();
    return draw % n;
  }

  /** true with probability p (p outside [0, 1] acts as never/always, as the OOD bandits of §6.1 need). */
  bernoulli(p: number): boolean {
    if (typeof p !== "number" || Number.isNaN(p)) throw new InputError({ field: "p", value: p, expected: "a number" });
    return this.float() < p;
  }

  /** A normal deviate (standard by default), by the ziggurat method (see ziggurat.ts). */
  normal(mean = 0, standardDeviation = 1): number {
    // Checked before the draw, so a refused call leaves the stream where it was. Two comparisons: this is hot.
    // Bounded by 1e290 so that no intermediate (sd times a 32-bit draw, before scaling by a strip width) overflows.
    if (typeof standardDeviation !== "number" || !(standardDeviation >= 0 && standardDeviation <= NORMAL_PARAMETER_LIMIT)) {
      throw new InputError({ field: "standardDeviation", value: standardDeviation, expected: `a finite number ≥ 0 (at most ${NORMAL_PARAMETER_LIMIT})` });
    }
    if (typeof mean !== "number" || !(mean >= -NORMAL_PARAMETER_LIMIT && mean <= NORMAL_PARAMETER_LIMIT)) {
      throw new InputError({ field: "mean", value: mean, expected: `a finite number (|mean| ≤ ${NORMAL_PARAMETER_LIMIT})` });
    }
    const draw = this.uint32() | 0;
    const strip = draw & (ZIGGURAT_STRIPS - 1);
    if (Math.abs(draw) < zigguratThresholds[strip]!) return mean + standardDeviation * draw * zigguratWidths[strip]!;
    return mean + standardDeviation * this.normalSlowPath(draw, strip);
  }

  /** The ~1% of ziggurat draws that land outside a strip's inner rectangle: the tail, or a wedge test. */
  private normalSlowPath(firstDraw: number, firstStrip: number): number {
    let draw = firstDraw;
    let strip = firstStrip;
    for (;;) {
      const x = draw * zigguratWidths[strip]!;
      if (strip === 0) {
        // Marsaglia's exact tail sampler beyond r.
        let tail: number;
        let y: number;
        do {
          tail = -Math.log(1 - this.float()) / ZIGGURAT_TAIL_START;
          y = -Math.log(1 - this.float());
        } while (y + y < tail * tail);
        return draw > 0 ? ZIGGURAT_TAIL_START + tail : -ZIGGURAT_TAIL_START - tail;
      }
      const lower = zigguratDensities[strip]!;
      if (lower + this.float() * (zigguratDensities[strip - 1]! - lower) < Math.exp(-0.5 * x * x)) return x;
      draw = this.uint32() | 0;
      strip = draw & (ZIGGURAT_STRIPS - 1);
      if (Math.abs(draw) < zigguratThresholds[strip]!) return draw * zigguratWidths[strip]!;
    }
  }

  /** A Gamma(shape, scale) deviate: Marsaglia & Tsang (2000), with the u^(1/k) boost for shape < 1. */
  gamma(shape: number, scale = 1): number {
    requirePositive("shape", shape);
    requirePositive("scale", scale);
    // A draw is at most a few times shape · scale: bounding the product keeps it finite.
    if (shape * scale > NORMAL_PARAMETER_LIMIT || shape > NORMAL_PARAMETER_LIMIT) {
      throw new InputError({ field: "scale", value: scale, expected: `a number > 0 with shape × scale ≤ ${NORMAL_PARAMETER_LIMIT} (shape ${shape})` });
    }
    return this.gammaUnchecked(shape) * scale;
  }

  private gammaUnchecked(shape: number): number {
    if (shape < 1) {
      // Gamma(k) = Gamma(k + 1) · U^(1/k); computed in log space so tiny shapes do not underflow to 0 early.
      const boosted = this.gammaUnchecked(shape + 1);
      let uniform = this.float();
      while (uniform === 0) uniform = this.float();
      return Math.exp(Math.log(boosted) + Math.log(uniform) / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const uniform = this.float();
      if (uniform < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(uniform) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * A Dirichlet draw. `alpha` is either one concentration shared by `k` components (Dirichlet(α·1ₖ), as the
   * random MDPs of §6.2 use) or one concentration per component. Writes into `out` when given.
   */
  dirichlet(alpha: number | ArrayLike<number>, k?: number, out?: Float64Array): Float64Array {
    if (typeof alpha !== "number" && !(Array.isArray(alpha) || ArrayBuffer.isView(alpha))) {
      throw new InputError({ field: "alpha", value: alpha, expected: "a number > 0 or an array of numbers > 0" });
    }
    const size = typeof alpha === "number" ? k : alpha.length;
    if (size === undefined || !Number.isInteger(size) || size <= 0 || size > DIRICHLET_COMPONENT_LIMIT) {
      throw new InputError({ field: "k", value: size, expected: `an integer in [1, ${DIRICHLET_COMPONENT_LIMIT}] (the number of components; limit ${DIRICHLET_COMPONENT_LIMIT})` });
    }
    if (typeof alpha === "number") requirePositive("alpha", alpha);
    else {
      for (let index = 0; index < size; index++) requirePositive(`alpha[${index}]`, alpha[index]!);
    }
    if (out !== undefined && (!(out instanceof Float64Array) || out.length !== size)) {
      throw new InputError({ field: "out.length", value: (out as { length?: unknown } | null)?.length, expected: `a Float64Array of ${size} (the number of components)` });
    }
    const result = out ?? new Float64Array(size);
    let total = 0;
    for (let index = 0; index < size; index++) {
      const concentration = typeof alpha === "number" ? alpha : alpha[index]!;
      const draw = this.gammaUnchecked(concentration);
      result[index] = draw;
      total += draw;
    }
    if (total === 0 || !Number.isFinite(total)) {
      // Only reachable with extreme concentrations (all components underflowed): fall back to a vertex,
      // which is the limit of the distribution as α → 0.
      result.fill(0);
      result[this.int(size)] = 1;
      return result;
    }
    for (let index = 0; index < size; index++) result[index]! /= total;
    return result;
  }

  /**
   * An index drawn with the given probabilities. They must be non-negative and sum to 1 within 1e-6; the check
   * rides along the sampling scan, so it costs one pass in all.
   */
  categorical(probabilities: ArrayLike<number>): number {
    if (!(Array.isArray(probabilities) || ArrayBuffer.isView(probabilities))) {
      throw new InputError({ field: "probabilities", value: probabilities, expected: "an array of probabilities" });
    }
    const count = probabilities.length;
    if (count === 0) {
      throw new InputError({ field: "probabilities", value: probabilities, expected: "a non-empty array" });
    }
    const target = this.float();
    let cumulative = 0;
    let chosen = -1;
    for (let index = 0; index < count; index++) {
      const probability = probabilities[index]!;
      if (!(probability >= 0)) {
        throw new InputError({
          field: `probabilities[${index}]`,
          value: probability,
          expected: "a finite probability ≥ 0",
        });
      }
      cumulative += probability;
      if (chosen < 0 && target < cumulative) chosen = index;
    }
    if (!(Math.abs(cumulative - 1) <= PROBABILITY_SUM_TOLERANCE)) {
      throw new InputError({
        field: "probabilities",
        value: probabilities,
        expected: `non-negative numbers summing to 1 (±${PROBABILITY_SUM_TOLERANCE}), sum was ${cumulative}`,
      });
    }
    if (chosen >= 0) return chosen;
    // Rounding left the total a hair below the draw: return the last index with non-zero probability.
    for (let index = count - 1; index >= 0; index--) if (probabilities[index]! > 0) return index;
    return count - 1;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    if (!Array.isArray(items)) throw new InputError({ field: "items", value: items, expected: "an array" });
    for (let index = items.length - 1; index > 0; index--) {
      const other = this.int(index + 1);
      const held = items[index]!;
      items[index] = items[other]!;
      items[other] = held;
    }
    return items;
  }

  private setWords(w0: number, w1: number, w2: number, w3: number): void {
    this.s0 = w0 | 0;
    this.s1 = w1 | 0;
    this.s2 = w2 | 0;
    this.s3 = w3 | 0;
    // The all-zero state is the one fixed point of xoshiro; astronomically unlikely, but never allow it.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }
}
