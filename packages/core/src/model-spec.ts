import { InputError } from "./errors.js";

/**
 * The one contract between `@rl3/models` (TensorFlow.js) and `@rl3/onnx` (onnxruntime): a network is fully
 * described by its `ModelSpec` and its `NamedWeights`, so neither package needs the other.
 */

/** §4.1 of the method spec: the RLC transformer, and the `rnn` (GRU) and `markov` (MLP) alternatives. */
export type ModelKind = "transformer" | "gru" | "markov";

/** Activation of the transformer's feed-forward block (§4.1: GELU). */
export type Activation = "gelu" | "relu";

/** Name and shape of one weight tensor; shapes are row-major, Dense kernels are [in, out]. */
export interface WeightShape {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface ModelSpec {
  readonly kind: ModelKind;
  /** Size of the per-step input vector (e.g. RL³ on gridworlds: 28). */
  readonly inputSize: number;
  /** Number of outputs: actions for an actor, 1 for a critic. */
  readonly outputSize: number;
  /** Width of the sequence trunk (transformer d_model 64; GRU hidden size 256; MLP hidden width 256). */
  readonly dModel: number;
  /** Decoder layers (transformer) or hidden layers (MLP); 1 for the GRU. */
  readonly layers: number;
  /** Attention heads (transformer only; 0 otherwise). */
  readonly heads: number;
  /** Feed-forward width inside each decoder layer (transformer only; 0 otherwise). */
  readonly feedForwardSize: number;
  /** Longest sequence the model accepts (learned positions: H for the actor, H + 1 for the critic). */
  readonly maxSequenceLength: number;
  readonly activation: Activation;
  /** Every weight the model has, in a fixed order. */
  readonly weights: readonly WeightShape[];
}

/** A dense float32 tensor, row-major. */
export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** All the weights of one model, keyed by `WeightShape.name`. */
export type NamedWeights = Readonly<Record<string, WeightTensor>>;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/**
 * Checks that `weights` has exactly the tensors `spec.weights` lists, with matching shapes and data lengths.
 * Throws an `InputError` naming the first offending weight.
 */
export function checkNamedWeights(spec: ModelSpec, weights: NamedWeights): void {
  const expected = new Set(spec.weights.map((weight) => weight.name));
  for (const name of Object.keys(weights)) {
    if (!expected.has(name)) {
      throw new InputError({ field: `weights.${name}`, value: name, expected: `one of the spec's weights (${spec.weights.length} names)` });
    }
  }
  for (const { name, shape } of spec.weights) {
    const tensor = weights[name];
    if (tensor === undefined) {
      throw new InputError({ field: `weights.${name}`, value: undefined, expected: `a tensor of shape [${shape.join(", ")}]` });
    }
    const sameShape = tensor.shape.length === shape.length && tensor.shape.every((size, axis) => size === shape[axis]);
    if (!sameShape) {
      throw new InputError({ field: `weights.${name}.shape`, value: tensor.shape, expected: `[${shape.join(", ")}]` });
    }
    if (!(tensor.data instanceof Float32Array) || tensor.data.length !== elementCount(shape)) {
      throw new InputError({
        field: `weights.${name}.data`,
        value: tensor.data?.length,
        expected: `a Float32Array of ${elementCount(shape)} elements`,
      });
    }
  }
}
