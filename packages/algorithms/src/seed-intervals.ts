import { InputError, requireInRange } from "@rl3/core";
import type { Interval } from "./statistics.js";

/**
 * Seed-level intervals: with 2–3 training runs per method, the bootstrap over seeds × tasks resamples from 2–3
 * seeds and so cannot show how far another seed might land (every resample draws from the same few runs). A
 * Student-t interval on the per-seed means treats each run as one observation and widens with few seeds the way
 * it should (t₀.₉₇₅ is 12.7 with 2 seeds, 4.3 with 3). Reports put it beside the stratified bootstrap and say
 * which one a claim uses.
 */

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~1e-15 relative). */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let index = 1; index < 9; index++) sum += c[index]! / (z + index);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The continued fraction of the regularised incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < tiny ? tiny : d;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 300; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + even / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    result *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + odd / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const step = d * c;
    result *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return result;
}

/** I_x(a, b), the regularised incomplete beta function. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function studentTCdf(t: number, df: number): number {
  if (typeof t !== "number" || Number.isNaN(t)) throw new InputError({ field: "t", value: t, expected: "a number (±Infinity allowed)" });
  if (typeof df !== "number" || !(df > 0) || !Number.isFinite(df)) throw new InputError({ field: "df", value: df, expected: "a finite number > 0" });
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  // A subnormal df (5e-324) underflows inside the incomplete beta: refuse it rather than return NaN.
  if (Number.isNaN(tail)) throw new InputError({ field: "df", value: df, expected: "a finite number > 0 that is not subnormal" });
  return t >= 0 ? 1 - tail : tail;
}

/** The q-quantile of Student's t with `df` degrees of freedom, q in (0, 1): bisection on the CDF to 1e-12. */
export function studentTQuantile(q: number, df: number): number {
  requireInRange("q", q, Number.MIN_VALUE, 1 - Number.EPSILON);
  if (typeof df !== "number" || !(df > 0) || !Number.isFinite(df)) throw new InputError({ field: "df", value: df, expected: "a finite number > 0" });
  if (q === 0.5) return 0;
  let low = -1;
  let high = 1;
  while (studentTCdf(low, df) > q) low *= 2;
  while (studentTCdf(high, df) < q) high *= 2;
  for (let iteration = 0; iteration < 200 && high - low > 1e-12 * Math.max(1, Math.abs(high)); iteration++) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, df) < q) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Finite per-seed values can still have a variance past the largest double: refuse rather than return ±Infinity. */
function finiteInterval(interval: Interval, field: string): Interval {
  if (![interval.estimate, interval.low, interval.high].every(Number.isFinite)) {
    throw new InputError({ field, value: interval.estimate, expected: "per-seed values small enough in magnitude that their interval is finite (|x| well below 1e150)" });
  }
  return interval;
}

function sampleVariance(values: readonly number[]): number {
  const center = values.reduce((sum, value) => sum + value, 0) / values.length;
  return values.reduce((sum, value) => sum + (value - center) ** 2, 0) / (values.length - 1);
}

function requireSeeds(field: string, values: readonly number[]): void {
  if (!Array.isArray(values) || values.length < 2 || !values.every((value) => Number.isFinite(value))) {
    throw new InputError({ field, value: values, expected: "at least 2 finite per-seed values (a seed-level interval needs 2 runs)" });
  }
}

/** The t-interval of the mean of per-seed values (one value per training run): mean ± t(df = k − 1) · s/√k. */
export function seedMeanInterval(perSeed: readonly number[], confidence = 0.95): Interval {
  requireSeeds("perSeed", perSeed);
  requireInRange("confidence", confidence, 0.5, 0.9999);
  const k = perSeed.length;
  const estimate = perSeed.reduce((sum, value) => sum + value, 0) / k;
  const half = studentTQuantile(0.5 + confidence / 2, k - 1) * Math.sqrt(sampleVariance(perSeed) / k);
  return finiteInterval({ estimate, low: estimate - half, high: estimate + half }, "perSeed");
}

/**
 * Welch's t-interval of mean(a) − mean(b) for two sets of per-seed values. The runs of two methods are independent
 * (seed 1 of one method shares nothing with seed 1 of the other but the seed number), so the seeds are not paired.
 */
export function seedDifferenceInterval(a: readonly number[], b: readonly number[], confidence = 0.95): Interval {
  requireSeeds("a", a);
  requireSeeds("b", b);
  requireInRange("confidence", confidence, 0.5, 0.9999);
  const [va, vb] = [sampleVariance(a) / a.length, sampleVariance(b) / b.length];
  const estimate = a.reduce((sum, value) => sum + value, 0) / a.length - b.reduce((sum, value) => sum + value, 0) / b.length;
  if (va + vb === 0) return finiteInterval({ estimate, low: estimate, high: estimate }, "a, b");
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(0.5 + confidence / 2, df) * Math.sqrt(va + vb);
  return finiteInterval({ estimate, low: estimate - half, high: estimate + half }, "a, b");
}
