import { type ModelKind, Rng, createModelSpec } from "@rl3/core";
import * as tf from "@tensorflow/tfjs-core";

/** Small specs of each kind, for fast tests (the full §4.1 sizes are exercised by the benchmarks). */
export function smallSpec(kind: ModelKind, maxSequenceLength = 64) {
  return createModelSpec({
    kind,
    inputSize: 7,
    outputSize: 3,
    maxSequenceLength,
    ...(kind === "transformer" ? { dModel: 16, embedSize: 24, heads: 4, feedForwardSize: 32, layers: 2 } : { dModel: 16, embedSize: 12 }),
  });
}

export function randomInputs(batch: number, time: number, size: number, seed: number): tf.Tensor3D {
  const rng = new Rng(seed);
  return tf.tensor3d(Float32Array.from({ length: batch * time * size }, () => rng.normal()), [batch, time, size]);
}
