import { InputError } from "./errors.js";
import { requireObject } from "./validate.js";

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
  /** Width of the input embedding before the trunk (transformer: Dense 256 then Dense d_model; GRU: Dense 64). */
  readonly embedSize: number;
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
  if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new InputError({ field: "shape", value: shape, expected: "an array of integer sizes ≥ 0" });
  }
  return shape.reduce((product, size) => product * size, 1);
}

/**
 * Checks that `weights` has exactly the tensors `spec.weights` lists, with matching shapes and data lengths.
 * Throws an `InputError` naming the first offending weight.
 */
/** Whether two shapes are the same list of sizes. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, axis) => size === b[axis]);
}

export function checkNamedWeights(spec: ModelSpec, weights: NamedWeights): void {
  requireSpec(spec);
  requireObject("weights", weights);
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
    if (typeof tensor !== "object" || tensor === null || !Array.isArray(tensor.shape)) {
      throw new InputError({ field: `weights.${name}`, value: tensor, expected: `a tensor { shape: [${shape.join(", ")}], data: Float32Array }` });
    }
    if (!sameShape(tensor.shape, shape)) {
      throw new InputError({ field: `weights.${name}.shape`, value: tensor.shape, expected: `[${shape.join(", ")}]` });
    }
    if (!(tensor.data instanceof Float32Array) || tensor.data.length !== elementCount(shape)) {
      throw new InputError({
        field: `weights.${name}.data`,
        value: tensor.data?.length,
        expected: `a Float32Array of ${elementCount(shape)} elements`,
      });
    }
    // A NaN or ±Infinity weight makes every output NaN: refused here, so no model, export or file is built on it.
    const data = tensor.data;
    for (let index = 0; index < data.length; index++) {
      if (!Number.isFinite(data[index]!)) {
        throw new InputError({ field: `weights.${name}.data[${index}]`, value: data[index], expected: "a finite number" });
      }
    }
  }
}

/**
 * A spec as `createModelSpec` makes it (the fields code reads before allocating): refuses null, a hand-written
 * object without a weight list, or sizes that are not integers within MODEL_LIMITS.
 */
export function requireSpec(spec: ModelSpec, field = "spec"): ModelSpec {
  requireObject(field, spec);
  if (spec.kind !== "transformer" && spec.kind !== "gru" && spec.kind !== "markov") {
    throw new InputError({ field: `${field}.kind`, value: spec.kind, expected: '"transformer", "gru" or "markov"' });
  }
  for (const key of ["inputSize", "outputSize", "dModel", "embedSize"] as const) positiveInteger(`${field}.${key}`, spec[key]);
  positiveInteger(`${field}.layers`, spec.layers, MODEL_LIMITS.layers);
  positiveInteger(`${field}.maxSequenceLength`, spec.maxSequenceLength, MODEL_LIMITS.maxSequenceLength);
  if (spec.kind === "transformer" && (!Number.isSafeInteger(spec.heads) || spec.heads < 1 || spec.dModel % spec.heads !== 0)) {
    throw new InputError({ field: `${field}.heads`, value: spec.heads, expected: `an integer ≥ 1 dividing dModel (${spec.dModel})` });
  }
  if (!Array.isArray(spec.weights)) throw new InputError({ field: `${field}.weights`, value: spec.weights, expected: "the list of weight shapes (use createModelSpec)" });
  let parameters = 0;
  for (const [index, weight] of spec.weights.entries()) {
    if (typeof weight !== "object" || weight === null || typeof weight.name !== "string" || !Array.isArray(weight.shape) || !(weight.shape as unknown[]).every((size) => typeof size === "number" && Number.isSafeInteger(size) && size >= 1)) {
      throw new InputError({ field: `${field}.weights[${index}]`, value: weight, expected: "{ name: string, shape: integers ≥ 1 }" });
    }
    parameters += elementCount(weight.shape);
  }
  if (parameters > MODEL_LIMITS.parameters) {
    throw new InputError({ field: `${field}.parameters`, value: parameters, expected: `at most ${MODEL_LIMITS.parameters} (MODEL_LIMITS.parameters)` });
  }
  return spec;
}

export interface ModelSpecOptions {
  kind: ModelKind;
  inputSize: number;
  outputSize: number;
  /** Longest sequence (transformer positions); the actor needs H, the critic H + 1. */
  maxSequenceLength: number;
  dModel?: number;
  embedSize?: number;
  layers?: number;
  heads?: number;
  feedForwardSize?: number;
  activation?: Activation;
}

/**
 * Largest networks a spec may describe: far above the paper's (≈ 0.2 M parameters), small enough that a typo
 * (1e9 layers, a width of 1e7) is an `InputError` at once instead of a loop or an allocation that never ends.
 */
export const MODEL_LIMITS = {
  /** Input, output, embedding, trunk and feed-forward widths. */
  width: 65_536,
  /** Decoder (transformer) or hidden (markov) layers. */
  layers: 64,
  /** Longest sequence (learned positions). */
  maxSequenceLength: 1_000_000,
  /** Parameters of the whole network (float32: 400 MB). */
  parameters: 100_000_000,
  /** Sequences run side by side (envs acting at once, a policy's `reset(batchSize)`). */
  batchSize: 65_536,
} as const;

function positiveInteger(field: string, value: number, max: number = MODEL_LIMITS.width): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new InputError({ field, value, expected: `an integer in [1, ${max}]` });
  return value;
}

function withinParameterLimit(spec: ModelSpec): ModelSpec {
  const parameters = spec.weights.reduce((sum, weight) => sum + elementCount(weight.shape), 0);
  if (parameters > MODEL_LIMITS.parameters) {
    throw new InputError({ field: "parameters", value: parameters, expected: `at most ${MODEL_LIMITS.parameters} (smaller widths, layers or maxSequenceLength)` });
  }
  return spec;
}

/**
 * The spec of a §4.1 network with every weight's name and shape. Defaults are the paper's:
 * - transformer: Dense(in, 256, relu) → Dense(256, 64, relu) → LayerNorm → + learned positions →
 *   2 post-LN causal decoder layers (d 64, 4 heads, FF 256, GELU) → relu → Dense(64, out);
 * - gru: Dense(in, 64, relu) → GRU(64 → 256) → Dense(256, out);
 * - markov: Dense(in, 256, relu) → Dense(256, 256, relu) → Dense(256, out).
 * Dense kernels are [in, out]; GRU gates are ordered (r, z, n) with the reset gate applied after the recurrent
 * matmul (ONNX `linear_before_reset = 1`).
 */
export function createModelSpec(options: ModelSpecOptions): ModelSpec {
  requireObject("options", options);
  const kind = options.kind;
  if (kind !== "transformer" && kind !== "gru" && kind !== "markov") {
    throw new InputError({ field: "kind", value: kind, expected: '"transformer", "gru" or "markov"' });
  }
  const inputSize = positiveInteger("inputSize", options.inputSize);
  const outputSize = positiveInteger("outputSize", options.outputSize);
  const maxSequenceLength = positiveInteger("maxSequenceLength", options.maxSequenceLength, MODEL_LIMITS.maxSequenceLength);
  const activation = options.activation ?? "gelu";
  if (activation !== "gelu" && activation !== "relu") {
    throw new InputError({ field: "activation", value: activation, expected: '"gelu" or "relu"' });
  }
  const weights: WeightShape[] = [];
  const dense = (name: string, inSize: number, outSize: number) => {
    weights.push({ name: `${name}.kernel`, shape: [inSize, outSize] }, { name: `${name}.bias`, shape: [outSize] });
  };
  const norm = (name: string, size: number) => {
    weights.push({ name: `${name}.gamma`, shape: [size] }, { name: `${name}.beta`, shape: [size] });
  };
  if (kind === "transformer") {
    const dModel = positiveInteger("dModel", options.dModel ?? 64);
    const embedSize = positiveInteger("embedSize", options.embedSize ?? 256);
    const layers = positiveInteger("layers", options.layers ?? 2, MODEL_LIMITS.layers);
    const heads = positiveInteger("heads", options.heads ?? 4);
    const feedForwardSize = positiveInteger("feedForwardSize", options.feedForwardSize ?? 256);
    if (dModel % heads !== 0) throw new InputError({ field: "heads", value: heads, expected: `a divisor of dModel (${dModel})` });
    dense("embed1", inputSize, embedSize);
    dense("embed2", embedSize, dModel);
    norm("embed_norm", dModel);
    weights.push({ name: "positions", shape: [maxSequenceLength, dModel] });
    for (let layer = 0; layer < layers; layer++) {
      dense(`layer${layer}.qkv`, dModel, 3 * dModel);
      dense(`layer${layer}.attention_output`, dModel, dModel);
      norm(`layer${layer}.norm1`, dModel);
      dense(`layer${layer}.ff1`, dModel, feedForwardSize);
      dense(`layer${layer}.ff2`, feedForwardSize, dModel);
      norm(`layer${layer}.norm2`, dModel);
    }
    dense("head", dModel, outputSize);
    return withinParameterLimit({ kind, inputSize, outputSize, dModel, embedSize, layers, heads, feedForwardSize, maxSequenceLength, activation, weights });
  }
  if (kind === "gru") {
    const dModel = positiveInteger("dModel", options.dModel ?? 256);
    const embedSize = positiveInteger("embedSize", options.embedSize ?? 64);
    dense("embed", inputSize, embedSize);
    weights.push(
      { name: "gru.input_kernel", shape: [embedSize, 3 * dModel] },
      { name: "gru.recurrent_kernel", shape: [dModel, 3 * dModel] },
      { name: "gru.input_bias", shape: [3 * dModel] },
      { name: "gru.recurrent_bias", shape: [3 * dModel] },
    );
    dense("head", dModel, outputSize);
    return withinParameterLimit({ kind, inputSize, outputSize, dModel, embedSize, layers: 1, heads: 0, feedForwardSize: 0, maxSequenceLength, activation, weights });
  }
  const dModel = positiveInteger("dModel", options.dModel ?? 256);
  const layers = positiveInteger("layers", options.layers ?? 2, MODEL_LIMITS.layers);
  for (let layer = 0; layer < layers; layer++) dense(`layer${layer}`, layer === 0 ? inputSize : dModel, dModel);
  dense("head", dModel, outputSize);
  return withinParameterLimit({ kind, inputSize, outputSize, dModel, embedSize: dModel, layers, heads: 0, feedForwardSize: 0, maxSequenceLength, activation, weights });
}
