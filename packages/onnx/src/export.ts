import { InputError, type ModelSpec, type NamedWeights, checkNamedWeights, requireObject } from "@rl3/core";
import { GraphBuilder } from "./graph-builder.js";
import { type PolicyMetadataInput, encodeMetadata } from "./metadata.js";
import { type GraphKind, TENSOR_NAMES } from "./tensor-names.js";

export { type GraphKind, TENSOR_NAMES };

export interface ExportOptions {
  /** `step`: one observation per env plus the recurrent state in, output and new state out (acting).
   *  `sequence`: whole histories [batch, time, input] → [batch, time, output] (batch evaluation). */
  graph: GraphKind;
  /** What makes the file self-describing: encoder configuration, task family, H, … */
  metadata?: PolicyMetadataInput;
}

/** Opset 17: LayerNormalization is native; everything else used here is older. */
export const OPSET = 17;

/**
 * Builds the ONNX graph of a §4.1 network from its spec and weights (the `@rl3/core` contract) — no TensorFlow.js
 * involved. The graphs compute exactly what `@rl3/models` computes (tested to 1e-4).
 */
export function exportOnnx(spec: ModelSpec, weights: NamedWeights, options: ExportOptions): Uint8Array {
  checkNamedWeights(spec, weights);
  requireObject("options", options);
  if (options.graph !== "step" && options.graph !== "sequence") {
    throw new InputError({ field: "graph", value: options.graph, expected: '"step" or "sequence"' });
  }
  if (options.metadata !== undefined) requireObject("metadata", options.metadata);
  // Serialised before the graph is built: circular or BigInt metadata is the caller's mistake, named as such.
  let metadata: string;
  try {
    metadata = encodeMetadata(spec, options.graph, options.metadata ?? {});
  } catch (error) {
    throw new InputError({ field: "metadata", value: "(not serialisable)", expected: `JSON-serialisable metadata (${(error as Error).message})` });
  }
  const builder = new GraphBuilder();
  buildNetwork(builder, spec, constantWeights(builder, spec, weights), options.graph);
  return builder.encode({
    opset: OPSET,
    producerVersion: encodeMetadata.packageVersion,
    metadata: { rl3: metadata },
    graphName: `rl3_${spec.kind}_${options.graph}`,
  });
}

/**
 * Where a network graph takes its weights from: constants baked into a policy file, or graph inputs of a training
 * graph (so one session serves every update). The fused QKV kernel and the GRU's gate layout are the two places
 * where the stored layout differs from what the graph multiplies by; each source produces those views itself.
 */
export interface WeightSource {
  /** The tensor holding weight `name` as stored (`ModelSpec` layout). */
  tensor(name: string): string;
  /** Layer `layer`'s query, key and value kernels [d, d] and biases [d]. */
  attentionProjections(layer: number): { kernels: [string, string, string]; biases: [string, string, string] };
  /** The GRU's W [1, 3H, in], R [1, 3H, H] and B [1, 6H] in ONNX's (z, r, h) gate order. */
  gruWeights(): { input: string; recurrent: string; bias: string };
}

/** Dims of the observations input: symbolic for policy files, fixed for a training graph's batch shape. */
export interface NetworkShape {
  batch: number | string;
  time: number | string;
}

const SYMBOLIC: NetworkShape = { batch: "batch", time: "time" };

/** The §4.1 network of `spec` into `builder`; returns the name of the outputs tensor. */
export function buildNetwork(builder: GraphBuilder, spec: ModelSpec, weights: WeightSource, graph: GraphKind, shape: NetworkShape = SYMBOLIC): string {
  const dense: Dense = (input, name) => builder.op("Add", [builder.op("MatMul", [input, weights.tensor(`${name}.kernel`)]), weights.tensor(`${name}.bias`)]);
  if (spec.kind === "transformer") buildTransformer(builder, spec, weights, dense, graph, shape);
  else if (spec.kind === "gru") buildGru(builder, spec, weights, dense, graph, shape);
  else buildMarkov(builder, spec, dense, graph, shape);
  return TENSOR_NAMES.outputs;
}

/** Weights as constants (a policy file); the QKV and GRU views are computed here, once. */
function constantWeights(builder: GraphBuilder, spec: ModelSpec, weights: NamedWeights): WeightSource {
  const { dModel } = spec;
  return {
    tensor: (name) => builder.floats(name, weights[name]!.shape, weights[name]!.data),
    attentionProjections(layer) {
      const kernel = weights[`layer${layer}.qkv.kernel`]!.data;
      const bias = weights[`layer${layer}.qkv.bias`]!.data;
      const parts = [0, 1, 2].map((part) => {
        const partKernel = new Float32Array(dModel * dModel);
        for (let row = 0; row < dModel; row++) partKernel.set(kernel.subarray(row * 3 * dModel + part * dModel, row * 3 * dModel + (part + 1) * dModel), row * dModel);
        const name = `layer${layer}.qkv.${["query", "key", "value"][part]}`;
        return {
          kernel: builder.floats(`${name}.kernel`, [dModel, dModel], partKernel),
          bias: builder.floats(`${name}.bias`, [dModel], bias.subarray(part * dModel, (part + 1) * dModel)),
        };
      });
      return { kernels: [parts[0]!.kernel, parts[1]!.kernel, parts[2]!.kernel], biases: [parts[0]!.bias, parts[1]!.bias, parts[2]!.bias] };
    },
    gruWeights() {
      const { embedSize } = spec;
      // ONNX wants W [1, 3H, input] and R [1, 3H, H] with rows per gate, B [1, 6H] = [Wb_zrh, Rb_zrh].
      const reorder = (kernel: Float32Array, inputs: number): Float32Array => {
        const out = new Float32Array(3 * dModel * inputs);
        for (let gate = 0; gate < 3; gate++) {
          const source = ONNX_GATE_SOURCE[gate]!;
          for (let unit = 0; unit < dModel; unit++) {
            for (let input = 0; input < inputs; input++) out[(gate * dModel + unit) * inputs + input] = kernel[input * 3 * dModel + source * dModel + unit]!;
          }
        }
        return out;
      };
      const reorderBias = (bias: Float32Array): Float32Array => {
        const out = new Float32Array(3 * dModel);
        for (let gate = 0; gate < 3; gate++) out.set(bias.subarray(ONNX_GATE_SOURCE[gate]! * dModel, (ONNX_GATE_SOURCE[gate]! + 1) * dModel), gate * dModel);
        return out;
      };
      const bias = new Float32Array(6 * dModel);
      bias.set(reorderBias(weights["gru.input_bias"]!.data), 0);
      bias.set(reorderBias(weights["gru.recurrent_bias"]!.data), 3 * dModel);
      return {
        input: builder.floats("gru_W", [1, 3 * dModel, embedSize], reorder(weights["gru.input_kernel"]!.data, embedSize)),
        recurrent: builder.floats("gru_R", [1, 3 * dModel, dModel], reorder(weights["gru.recurrent_kernel"]!.data, dModel)),
        bias: builder.floats("gru_B", [1, 6 * dModel], bias),
      };
    },
  };
}

type Dense = (input: string, name: string) => string;

function observationsInput(builder: GraphBuilder, spec: ModelSpec, graph: GraphKind, shape: NetworkShape): string {
  return builder.input(TENSOR_NAMES.observations, graph === "step" ? [shape.batch, spec.inputSize] : [shape.batch, shape.time, spec.inputSize]);
}

function finish(builder: GraphBuilder, spec: ModelSpec, hidden: string, dense: Dense, graph: GraphKind, relu: boolean, shape: NetworkShape): void {
  const head = dense(relu ? builder.op("Relu", [hidden]) : hidden, "head");
  builder.op("Identity", [head], undefined, TENSOR_NAMES.outputs);
  builder.output(TENSOR_NAMES.outputs, graph === "step" ? [shape.batch, spec.outputSize] : [shape.batch, shape.time, spec.outputSize]);
}

function buildMarkov(builder: GraphBuilder, spec: ModelSpec, dense: Dense, graph: GraphKind, shape: NetworkShape): void {
  let hidden = observationsInput(builder, spec, graph, shape);
  for (let layer = 0; layer < spec.layers; layer++) hidden = builder.op("Relu", [dense(hidden, `layer${layer}`)]);
  finish(builder, spec, hidden, dense, graph, false, shape);
}

/** GELU, tanh form, from primitives (as @rl3/models computes it). */
function gelu(builder: GraphBuilder, input: string): string {
  const cubic = builder.op("Mul", [builder.op("Mul", [builder.op("Mul", [input, input]), input]), builder.floats(`gelu_c_${input}`, [], [0.044715])]);
  const inner = builder.op("Mul", [builder.op("Add", [input, cubic]), builder.floats(`gelu_s_${input}`, [], [Math.sqrt(2 / Math.PI)])]);
  const gate = builder.op("Add", [builder.op("Tanh", [inner]), builder.floats(`gelu_one_${input}`, [], [1])]);
  return builder.op("Mul", [builder.op("Mul", [input, builder.floats(`gelu_half_${input}`, [], [0.5])]), gate]);
}

function layerNorm(builder: GraphBuilder, input: string, name: string, weights: WeightSource): string {
  return builder.op("LayerNormalization", [input, weights.tensor(`${name}.gamma`), weights.tensor(`${name}.beta`)], { axis: -1, epsilon: { float: 1e-5 } });
}

function buildTransformer(builder: GraphBuilder, spec: ModelSpec, weights: WeightSource, dense: Dense, graph: GraphKind, shape: NetworkShape): void {
  const { dModel, heads, layers, maxSequenceLength } = spec;
  const headSize = dModel / heads;
  const weight = (name: string) => weights.tensor(name);
  const observations = observationsInput(builder, spec, graph, shape);
  const embedded = layerNorm(
    builder,
    builder.op("Relu", [dense(builder.op("Relu", [dense(observations, "embed1")]), "embed2")]),
    "embed_norm",
    weights,
  );
  const positions = weight("positions");
  const scale = builder.floats("attention_scale", [], [1 / Math.sqrt(headSize)]);
  // The fused QKV kernel as three [d, d] kernels: three MatMuls instead of slicing activations at run time.
  const projectionWeights = Array.from({ length: layers }, (_, layer) => weights.attentionProjections(layer));
  const projection = (layer: number, input: string, part: number): string => {
    const { kernels, biases } = projectionWeights[layer]!;
    return builder.op("Add", [builder.op("MatMul", [input, kernels[part]!]), biases[part]!]);
  };
  const finishLayer = (layer: number, hidden: string, attended: string): string => {
    const projected = dense(attended, `layer${layer}.attention_output`);
    const afterAttention = layerNorm(builder, builder.op("Add", [hidden, projected]), `layer${layer}.norm1`, weights);
    const inner = dense(afterAttention, `layer${layer}.ff1`);
    const activated = spec.activation === "gelu" ? gelu(builder, inner) : builder.op("Relu", [inner]);
    const feedForward = dense(activated, `layer${layer}.ff2`);
    return layerNorm(builder, builder.op("Add", [afterAttention, feedForward]), `layer${layer}.norm2`, weights);
  };

  if (graph === "sequence") {
    const dims = builder.op("Shape", [observations]);
    const time = builder.op("Slice", [dims, builder.int64s("one", [1]), builder.int64s("two", [2]), builder.int64s("axis_zero", [0])]);
    let hidden = builder.op("Add", [embedded, builder.op("Slice", [positions, builder.int64s("zero", [0]), time, builder.int64s("axis_zero_b", [0])])]);
    const maskValues = new Float32Array(maxSequenceLength * maxSequenceLength);
    for (let row = 0; row < maxSequenceLength; row++) for (let column = row + 1; column < maxSequenceLength; column++) maskValues[row * maxSequenceLength + column] = -1e9;
    const fullMask = builder.floats("causal_mask", [maxSequenceLength, maxSequenceLength], maskValues);
    const mask = builder.op("Slice", [fullMask, builder.int64s("zeros_2", [0, 0]), builder.op("Concat", [time, time], { axis: 0 }), builder.int64s("axes_01", [0, 1])]);
    const headsShape = builder.int64s("heads_shape", [0, 0, heads, headSize]);
    const mergedShape = builder.int64s("merged_shape", [0, 0, dModel]);
    for (let layer = 0; layer < layers; layer++) {
      const split = (projected: string, permutation: number[]) =>
        builder.op("Transpose", [builder.op("Reshape", [projected, headsShape])], { perm: permutation });
      // Queries are scaled before the product, as @rl3/models does.
      const queries = split(builder.op("Mul", [projection(layer, hidden, 0), scale]), [0, 2, 1, 3]);
      const keysTransposed = split(projection(layer, hidden, 1), [0, 2, 3, 1]);
      const values = split(projection(layer, hidden, 2), [0, 2, 1, 3]);
      const scores = builder.op("Add", [builder.op("MatMul", [queries, keysTransposed]), mask]);
      const attended = builder.op("MatMul", [builder.op("Softmax", [scores], { axis: -1 }), values]);
      const merged = builder.op("Reshape", [builder.op("Transpose", [attended], { perm: [0, 2, 1, 3] }), mergedShape]);
      hidden = finishLayer(layer, hidden, merged);
    }
    finish(builder, spec, hidden, dense, graph, true, shape);
    return;
  }

  // Step graph: position t and each layer's past keys/values [batch, heads, t, headSize] in; present ones out.
  const position = builder.input(TENSOR_NAMES.position, [1], 7 /* INT64 */);
  let hidden = builder.op("Add", [embedded, builder.op("Gather", [positions, position], { axis: 0 })]);
  const stepHeadsShape = builder.int64s("step_heads_shape", [0, heads, 1, headSize]);
  const stepMergedShape = builder.int64s("step_merged_shape", [0, dModel]);
  for (let layer = 0; layer < layers; layer++) {
    const pastKey = builder.input(TENSOR_NAMES.pastKey(layer), ["batch", heads, "past", headSize]);
    const pastValue = builder.input(TENSOR_NAMES.pastValue(layer), ["batch", heads, "past", headSize]);
    const toHeads = (part: number) => builder.op("Reshape", [projection(layer, hidden, part), stepHeadsShape]);
    const query = builder.op("Reshape", [builder.op("Mul", [projection(layer, hidden, 0), scale]), stepHeadsShape]);
    const keys = builder.op("Concat", [pastKey, toHeads(1)], { axis: 2 }, TENSOR_NAMES.presentKey(layer));
    const values = builder.op("Concat", [pastValue, toHeads(2)], { axis: 2 }, TENSOR_NAMES.presentValue(layer));
    builder.output(TENSOR_NAMES.presentKey(layer), ["batch", heads, "present", headSize]);
    builder.output(TENSOR_NAMES.presentValue(layer), ["batch", heads, "present", headSize]);
    const scores = builder.op("MatMul", [query, builder.op("Transpose", [keys], { perm: [0, 1, 3, 2] })]);
    const attended = builder.op("MatMul", [builder.op("Softmax", [scores], { axis: -1 }), values]);
    hidden = finishLayer(layer, hidden, builder.op("Reshape", [attended, stepMergedShape]));
  }
  finish(builder, spec, hidden, dense, graph, true, shape);
}

/** Gate order: ours (r, z, n) → ONNX (z, r, h). */
export const ONNX_GATE_SOURCE = [1, 0, 2];

function buildGru(builder: GraphBuilder, spec: ModelSpec, weights: WeightSource, dense: Dense, graph: GraphKind, shape: NetworkShape): void {
  const { dModel } = spec;
  const { input: inputKernel, recurrent: recurrentKernel, bias: gruBias } = weights.gruWeights();
  const observations = observationsInput(builder, spec, graph, shape);
  const embedded = builder.op("Relu", [dense(observations, "embed")]);
  const attributes = { hidden_size: dModel, linear_before_reset: 1 };
  if (graph === "sequence") {
    const axisOne = builder.int64s("axis_1", [1]);
    const timeMajor = builder.op("Transpose", [embedded], { perm: [1, 0, 2] });
    const [sequence] = builder.node("GRU", [timeMajor, inputKernel, recurrentKernel, gruBias], { count: 1, attributes });
    const states = builder.op("Transpose", [builder.op("Squeeze", [sequence!, axisOne])], { perm: [1, 0, 2] });
    finish(builder, spec, states, dense, graph, false, shape);
    return;
  }
  const axisZero = builder.int64s("axis_0", [0]);
  const hidden = builder.input(TENSOR_NAMES.hidden, [shape.batch, dModel]);
  const [, last] = builder.node("GRU", [builder.op("Unsqueeze", [embedded, axisZero]), inputKernel, recurrentKernel, gruBias, "", builder.op("Unsqueeze", [hidden, axisZero])], { count: 2, attributes });
  const next = builder.op("Squeeze", [last!, axisZero], undefined, TENSOR_NAMES.presentHidden);
  builder.output(TENSOR_NAMES.presentHidden, [shape.batch, dModel]);
  finish(builder, spec, next, dense, graph, false, shape);
}
