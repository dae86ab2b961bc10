import { describe, expect, it } from "vitest";
import { InputError, Rl3Error } from "./errors.js";
import { Rng } from "./rng.js";

const DRAWS = 200_000;

function meanAndVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let index = 0; index < values.length; index++) squares += (values[index]! - mean) ** 2;
  return { mean, variance: squares / (values.length - 1) };
}

function correlation(a: Float64Array, b: Float64Array): number {
  const first = meanAndVariance(a);
  const second = meanAndVariance(b);
  let covariance = 0;
  for (let index = 0; index < a.length; index++) covariance += (a[index]! - first.mean) * (b[index]! - second.mean);
  covariance /= a.length - 1;
  return covariance / Math.sqrt(first.variance * second.variance);
}

function draws(count: number, sample: () => number): Float64Array {
  const values = new Float64Array(count);
  for (let index = 0; index < count; index++) values[index] = sample();
  return values;
}

describe("Rng determinism", () => {
  it("gives the same 10k draws for the same seed", () => {
    const first = new Rng(42);
    const second = new Rng(42);
    for (let index = 0; index < 10_000; index++) expect(second.uint32()).toBe(first.uint32());
    expect(new Rng(42).normal()).toBe(new Rng(42).normal());
  });

  it("gives different streams for neighbouring seeds", () => {
    const first = new Rng(1);
    const second = new Rng(2);
    let equal = 0;
    for (let index = 0; index < 1000; index++) if (first.uint32() === second.uint32()) equal++;
    expect(equal).toBe(0);
  });

  it("matches the pinned reference stream (portable across platforms)", () => {
    // If this changes, every seeded result users have published changes: treat as a breaking change.
    const rng = new Rng(12345);
    const stream = Array.from({ length: 4 }, () => rng.uint32());
    expect(stream).toEqual(PINNED_STREAM_12345);
  });

  it("implements xoshiro128** exactly (reference vector for state 1, 2, 3, 4)", () => {
    // First outputs of the authors' C implementation from s = {1, 2, 3, 4}.
    const rng = Rng.fromState({ algorithm: "xoshiro128**", words: [1, 2, 3, 4] });
    expect([rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()]).toEqual([11520, 0, 5927040, 70819200]);
  });

  it("accepts negative and large safe-integer seeds", () => {
    expect(new Rng(-1).float()).not.toBe(new Rng(1).float());
    expect(new Rng(2 ** 40).float()).not.toBe(new Rng(0).float());
  });
});

// Computed once from this implementation and frozen: the stream must never drift between releases.
const PINNED_STREAM_12345 = [63299687, 210784667, 4217027447, 672796510];

describe("Rng distributions (moments within 4 standard errors over 200k draws)", () => {
  it("float is uniform on [0, 1)", () => {
    const rng = new Rng(7);
    const values = draws(DRAWS, () => rng.float());
    const { mean, variance } = meanAndVariance(values);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / DRAWS));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(4 * Math.sqrt(1 / 180 / DRAWS));
    expect(values.reduce((low, value) => Math.min(low, value), 1)).toBeGreaterThanOrEqual(0);
    expect(values.reduce((high, value) => Math.max(high, value), 0)).toBeLessThan(1);
  });

  it("normal has mean 0 and variance 1", () => {
    const rng = new Rng(8);
    const { mean, variance } = meanAndVariance(draws(DRAWS, () => rng.normal()));
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(DRAWS));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / DRAWS));
  });

  it("normal has the standard normal's tail probabilities (ziggurat strips and tail)", () => {
    const rng = new Rng(18);
    const count = 1_000_000;
    const beyond = [0, 0, 0, 0];
    const cutoffs = [0.5, 1, 2, 3.5];
    // Two-sided tail probabilities of N(0, 1) at the cutoffs.
    const theory = [0.617075077, 0.317310508, 0.045500264, 0.000465258];
    for (let draw = 0; draw < count; draw++) {
      const value = Math.abs(rng.normal());
      for (let index = 0; index < cutoffs.length; index++) if (value > cutoffs[index]!) beyond[index]!++;
    }
    theory.forEach((probability, index) => {
      expect(Math.abs(beyond[index]! / count - probability)).toBeLessThan(4 * Math.sqrt((probability * (1 - probability)) / count));
    });
  });

  it.each([0.25, 1, 3.5])("gamma(%s) has mean k and variance k", (shape) => {
    const rng = new Rng(9);
    const { mean, variance } = meanAndVariance(draws(DRAWS, () => rng.gamma(shape)));
    expect(Math.abs(mean - shape)).toBeLessThan(4 * Math.sqrt(shape / DRAWS));
    // Var of the sample variance ≈ σ⁴(2 + excess kurtosis)/n, excess kurtosis of Gamma(k) = 6/k.
    expect(Math.abs(variance - shape)).toBeLessThan(4 * shape * Math.sqrt((2 + 6 / shape) / DRAWS));
  });

  it("dirichlet components have the theoretical means and variances", () => {
    const rng = new Rng(10);
    const alpha = [0.5, 1, 2, 4];
    const total = alpha.reduce((a, b) => a + b, 0);
    const samples = alpha.map(() => new Float64Array(DRAWS));
    const out = new Float64Array(alpha.length);
    for (let draw = 0; draw < DRAWS; draw++) {
      rng.dirichlet(alpha, undefined, out);
      let sum = 0;
      for (let component = 0; component < alpha.length; component++) {
        samples[component]![draw] = out[component]!;
        sum += out[component]!;
      }
      if (draw < 1000) expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    }
    alpha.forEach((concentration, component) => {
      const theoryMean = concentration / total;
      const theoryVariance = (concentration * (total - concentration)) / (total * total * (total + 1));
      const { mean } = meanAndVariance(samples[component]!);
      expect(Math.abs(mean - theoryMean)).toBeLessThan(4 * Math.sqrt(theoryVariance / DRAWS));
    });
  });

  it("dirichlet with a shared alpha sums to one", () => {
    const rng = new Rng(11);
    const draw = rng.dirichlet(0.25, 10);
    expect(draw).toHaveLength(10);
    expect(Math.abs(draw.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
  });

  it("categorical frequencies match the probabilities", () => {
    const rng = new Rng(12);
    const probabilities = [0.05, 0.1, 0.15, 0.2, 0.5];
    const counts = new Array<number>(probabilities.length).fill(0);
    for (let draw = 0; draw < DRAWS; draw++) counts[rng.categorical(probabilities)]!++;
    probabilities.forEach((probability, index) => {
      const frequency = counts[index]! / DRAWS;
      expect(Math.abs(frequency - probability)).toBeLessThan(4 * Math.sqrt((probability * (1 - probability)) / DRAWS));
    });
  });

  it("categorical never returns a zero-probability index", () => {
    const rng = new Rng(13);
    for (let draw = 0; draw < 10_000; draw++) expect(rng.categorical([0, 1, 0])).toBe(1);
  });

  it("int(n) is uniform on 0..n-1", () => {
    const rng = new Rng(14);
    const counts = new Array<number>(7).fill(0);
    for (let draw = 0; draw < DRAWS; draw++) counts[rng.int(7)]!++;
    for (const count of counts) {
      expect(Math.abs(count / DRAWS - 1 / 7)).toBeLessThan(4 * Math.sqrt((1 / 7) * (6 / 7) / DRAWS));
    }
  });
});

describe("Rng.split", () => {
  it("gives child streams uncorrelated with the parent and with each other", () => {
    const parent = new Rng(99);
    const first = parent.split();
    const second = parent.split();
    const grandchild = first.split();
    const count = 100_000;
    const bound = 4 / Math.sqrt(count);
    const parentDraws = draws(count, () => parent.float());
    const firstDraws = draws(count, () => first.float());
    const secondDraws = draws(count, () => second.float());
    const grandchildDraws = draws(count, () => grandchild.float());
    expect(Math.abs(correlation(parentDraws, firstDraws))).toBeLessThan(bound);
    expect(Math.abs(correlation(firstDraws, secondDraws))).toBeLessThan(bound);
    expect(Math.abs(correlation(parentDraws, secondDraws))).toBeLessThan(bound);
    expect(Math.abs(correlation(firstDraws, grandchildDraws))).toBeLessThan(bound);
  });

  it("is deterministic", () => {
    const a = new Rng(5).split().split();
    const b = new Rng(5).split().split();
    expect(a.getState()).toEqual(b.getState());
  });
});

describe("Rng state", () => {
  it("round-trips through JSON and continues the stream exactly", () => {
    const rng = new Rng(3);
    for (let index = 0; index < 101; index++) rng.normal();
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const restored = Rng.fromState(saved);
    for (let index = 0; index < 1000; index++) {
      expect(restored.normal()).toBe(rng.normal());
      expect(restored.uint32()).toBe(rng.uint32());
    }
  });

  it("rejects a damaged state", () => {
    expect(() => Rng.fromState({ algorithm: "xoshiro128**", words: [0, 0, 0, 0] })).toThrow(InputError);
    expect(() => Rng.fromState({ algorithm: "pcg" } as never)).toThrow(/state must be/);
    expect(() => Rng.fromState({ algorithm: "xoshiro128**", words: [1, 2, 3, -4] } as never)).toThrow(Rl3Error);
  });
});

describe("Rng bad arguments", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["non-finite seed", () => new Rng(Number.NaN), /^seed must be/],
    ["infinite seed", () => new Rng(Number.POSITIVE_INFINITY), /^seed must be/],
    ["fractional seed", () => new Rng(1.5), /^seed must be/],
    ["gamma shape 0", () => new Rng(1).gamma(0), /^shape must be/],
    ["gamma shape negative", () => new Rng(1).gamma(-2), /^shape must be/],
    ["dirichlet alpha 0", () => new Rng(1).dirichlet(0, 3), /^alpha must be/],
    ["dirichlet alpha[i] negative", () => new Rng(1).dirichlet([1, -1]), /^alpha\[1\] must be/],
    ["dirichlet k 0", () => new Rng(1).dirichlet(1, 0), /^k must be/],
    ["categorical negative", () => new Rng(1).categorical([1.5, -0.5]), /^probabilities\[1\] must be/],
    ["categorical NaN", () => new Rng(1).categorical([Number.NaN, 1]), /^probabilities\[0\] must be/],
    ["categorical sum", () => new Rng(1).categorical([0.5, 0.4]), /^probabilities must be .*summing to 1/],
    ["categorical empty", () => new Rng(1).categorical([]), /^probabilities must be/],
    ["int n 0", () => new Rng(1).int(0), /^n must be/],
    ["int n negative", () => new Rng(1).int(-3), /^n must be/],
    ["int n fractional", () => new Rng(1).int(2.5), /^n must be/],
  ];
  it.each(cases)("%s throws an Rl3Error naming the argument", (_name, call, message) => {
    expect(call).toThrow(Rl3Error);
    expect(call).toThrow(message);
  });

  it("accepts probabilities that miss 1 by less than 1e-6", () => {
    expect(() => new Rng(1).categorical([0.5, 0.5 - 5e-7])).not.toThrow();
  });
});
