import { type OnnxTypes, onnx } from "./proto.js";

export type Dimension = number | string;
export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

/** Element types used here (ONNX TensorProto.DataType). */
export const FLOAT = 1;
export const INT64 = 7;
export const DOUBLE = 11;

/** What the builder knows about a named value that is not a node output: its element type and dims. */
export interface ValueDescription {
  readonly elementType: number;
  readonly dims: readonly Dimension[];
  /** Integer contents of an int64 constant (shapes, axes, slice bounds), for static shape inference. */
  readonly int64s?: readonly number[];
  /** Float contents of a float constant. */
  readonly floats?: Float32Array | Float64Array;
}

/** A node as written: its op, inputs, outputs and attributes (read back by the differentiator). */
export interface NodeView {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/**
 * A small helper for writing ONNX graphs by hand: named initializers, nodes with auto-named outputs, typed graph
 * inputs and outputs. Float initializers are stored as little-endian raw data.
 */
export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private outputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly views: NodeView[] = [];
  private readonly described = new Map<string, ValueDescription>();
  private counter = 0;

  /**
   * @param floatType element type of `floats()` constants: FLOAT for policies and training, DOUBLE for the
   *   float64 finite-difference checks of the gradient rules.
   */
  constructor(readonly floatType: number = FLOAT) {}

  /** A float constant tensor (float32, or float64 for a DOUBLE builder). */
  floats(name: string, dims: readonly number[], values: Float32Array | Float64Array | readonly number[]): string {
    const double = this.floatType === DOUBLE;
    const data = double ? Float64Array.from(values as ArrayLike<number>) : values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
    const width = double ? 8 : 4;
    const raw = new Uint8Array(data.length * width);
    const view = new DataView(raw.buffer);
    for (let index = 0; index < data.length; index++) {
      if (double) view.setFloat64(index * 8, data[index]!, true);
      else view.setFloat32(index * 4, data[index]!, true);
    }
    this.initializers.push({ name, dims: [...dims], dataType: this.floatType, rawData: raw });
    this.described.set(name, { elementType: this.floatType, dims: [...dims], floats: data });
    return name;
  }

  /** A float scalar constant with a fresh name (used by generated gradient code). */
  scalar(value: number, hint = "c"): string {
    return this.floats(`${hint}_${this.counter++}`, [], [value]);
  }

  /** An int64 constant tensor (shapes, axes, indices). */
  int64s(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] });
    this.described.set(name, { elementType: INT64, dims: [...dims], int64s: [...values] });
    return name;
  }

  /** An int64 constant with a fresh name. */
  ints(values: readonly number[], hint = "i"): string {
    return this.int64s(`${hint}_${this.counter++}`, values);
  }

  input(name: string, dims: readonly Dimension[], elementType: number = this.floatType): string {
    this.inputs.push(valueInfo(name, dims, elementType));
    this.described.set(name, { elementType, dims: [...dims] });
    return name;
  }

  output(name: string, dims: readonly Dimension[], elementType: number = this.floatType): void {
    this.outputs.push(valueInfo(name, dims, elementType));
  }

  /** Forgets the declared graph outputs (a training graph replaces the network's outputs with losses and gradients). */
  clearOutputs(): void {
    this.outputs = [];
  }

  /** The nodes written so far, in order (a topological order, since inputs always exist before use). */
  get nodeViews(): readonly NodeView[] {
    return this.views;
  }

  /** Type, dims and (for constants) contents of a graph input or initializer; undefined for node outputs. */
  describe(name: string): ValueDescription | undefined {
    return this.described.get(name);
  }

  /** Adds a node; returns its output names (fresh unless given). */
  node(opType: string, inputs: readonly string[], options: { outputs?: readonly string[]; count?: number; attributes?: Record<string, AttributeValue> } = {}): string[] {
    const outputs = options.outputs ? [...options.outputs] : Array.from({ length: options.count ?? 1 }, () => `${opType.toLowerCase()}_${this.counter++}`);
    const attributes = options.attributes ?? {};
    const proto: OnnxTypes.INodeProto = { opType, input: [...inputs], output: outputs, name: `${opType}_${this.counter++}`, attribute: [] };
    this.nodes.push(proto);
    // The view shares the outputs array with the proto, so a rule may add optional outputs (LayerNormalization's
    // mean and inverse std) that the encoded graph then computes.
    proto.output = outputs;
    this.views.push({ opType, inputs: [...inputs], outputs, attributes });
    this.attributeSources.set(proto, attributes);
    return outputs;
  }

  /** The single output of a node. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    return this.node(opType, inputs, { attributes, outputs: output ? [output] : undefined })[0]!;
  }

  private readonly attributeSources = new Map<OnnxTypes.INodeProto, Record<string, AttributeValue>>();

  encode(options: { opset: number; producerVersion: string; metadata: Record<string, string>; graphName: string }): Uint8Array {
    const model: OnnxTypes.IModelProto = {
      irVersion: 8,
      producerName: "rl3",
      producerVersion: options.producerVersion,
      opsetImport: [{ domain: "", version: options.opset }],
      metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: options.graphName,
        node: this.nodes.map((node) => ({ ...node, attribute: Object.entries(this.attributeSources.get(node) ?? {}).map(([name, value]) => attributeOf(name, value)) })),
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }
}

function valueInfo(name: string, dims: readonly Dimension[], elementType: number): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementType,
        shape: { dim: dims.map((dim) => (typeof dim === "number" ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function attributeOf(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === "number") return { name, type: AttributeType.INT, i: value };
  if (typeof value === "string") return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ("float" in value) return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.FLOATS, floats: value.floats };
}
