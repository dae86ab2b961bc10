/** Writes a one-hot vector of `index` over `size` entries into `out` at `offset`. */
export function writeOneHot(index: number, size: number, out: Float64Array, offset: number): Float64Array {
  // A plain loop: for the short vectors here it beats the call overhead of TypedArray.fill.
  for (let entry = 0; entry < size; entry++) out[offset + entry] = 0;
  out[offset + index] = 1;
  return out;
}
