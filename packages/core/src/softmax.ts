/** Numerically stable softmax of one row into `out`. */
export function softmaxRow(logits: ArrayLike<number>, offset: number, length: number, out: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < length; index++) max = Math.max(max, logits[offset + index]!);
  let sum = 0;
  for (let index = 0; index < length; index++) {
    out[index] = Math.exp(logits[offset + index]! - max);
    sum += out[index]!;
  }
  for (let index = 0; index < length; index++) out[index]! /= sum;
  return out;
}
