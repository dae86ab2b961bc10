import { InputError } from "./errors.js";

/**
 * Numerically stable softmax of one row into `out`. The checks are O(1) plus one look at the sum, since this runs
 * once per env per step: a row outside `logits`, or logits that are NaN (or all −∞) would give NaN probabilities.
 */
export function softmaxRow(logits: ArrayLike<number>, offset: number, length: number, out: Float64Array): Float64Array {
  if (!(Array.isArray(logits) || ArrayBuffer.isView(logits))) throw new InputError({ field: "logits", value: logits, expected: "an array of numbers" });
  if (!Number.isSafeInteger(length) || length < 1) throw new InputError({ field: "length", value: length, expected: "an integer ≥ 1" });
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > logits.length) {
    throw new InputError({ field: "offset", value: offset, expected: `an integer in [0, ${logits.length - length}] (the row must lie inside logits)` });
  }
  if (!(out instanceof Float64Array) || out.length < length) throw new InputError({ field: "out", value: out, expected: `a Float64Array of at least ${length} entries` });
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < length; index++) max = Math.max(max, logits[offset + index]!);
  let sum = 0;
  for (let index = 0; index < length; index++) {
    out[index] = Math.exp(logits[offset + index]! - max);
    sum += out[index]!;
  }
  if (!(sum > 0 && sum < Number.POSITIVE_INFINITY)) {
    throw new InputError({ field: "logits", value: Array.from({ length }, (_, index) => logits[offset + index]), expected: "finite numbers (a NaN or ±Infinity logit has no softmax)" });
  }
  for (let index = 0; index < length; index++) out[index]! /= sum;
  return out;
}
