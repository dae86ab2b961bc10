import { type OnnxTypes, onnx } from "./proto.js";

type Dimension = number | string;
type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

/**
 * A small helper for writing ONNX graphs by hand: named initializers, nodes with auto-named outputs, typed graph
 * inputs and outputs. Float initializers are stored as little-endian raw data.
 */
export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly outputs: OnnxTypes.IValueInfoProto[] = [];
  private counter = 0;

  /** A float32 constant tensor. */
  floats(name: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const raw = new Uint8Array(data.length * 4);
    const view = new DataView(raw.buffer);
    for (let index = 0; index < data.length; index++) view.setFloat32(index * 4, data[index]!, true);
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw });
    return name;
  }

  /** An int64 constant tensor (shapes, axes, indices). */
  int64s(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    this.initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] });
    return name;
  }

  input(name: string, dims: readonly Dimension[], elementType = onnx.TensorProto.DataType.FLOAT): string {
    this.inputs.push(valueInfo(name, dims, elementType));
    return name;
  }

  output(name: string, dims: readonly Dimension[], elementType = onnx.TensorProto.DataType.FLOAT): void {
    this.outputs.push(valueInfo(name, dims, elementType));
  }

  /** Adds a node; returns its output names (fresh unless given). */
  node(opType: string, inputs: readonly string[], options: { outputs?: readonly string[]; count?: number; attributes?: Record<string, AttributeValue> } = {}): string[] {
    const outputs = options.outputs ? [...options.outputs] : Array.from({ length: options.count ?? 1 }, () => `${opType.toLowerCase()}_${this.counter++}`);
    const attribute = Object.entries(options.attributes ?? {}).map(([name, value]) => attributeOf(name, value));
    this.nodes.push({ opType, input: [...inputs], output: outputs, name: `${opType}_${this.counter++}`, attribute });
    return outputs;
  }

  /** The single output of a node. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    return this.node(opType, inputs, { attributes, outputs: output ? [output] : undefined })[0]!;
  }

  encode(options: { opset: number; producerVersion: string; metadata: Record<string, string>; graphName: string }): Uint8Array {
    const model: OnnxTypes.IModelProto = {
      irVersion: 8,
      producerName: "rl3",
      producerVersion: options.producerVersion,
      opsetImport: [{ domain: "", version: options.opset }],
      metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: options.graphName,
        node: this.nodes,
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
