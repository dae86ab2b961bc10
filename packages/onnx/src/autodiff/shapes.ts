import { InputError } from "@rl3/core";
import type { GraphBuilder, NodeView } from "../graph-builder.js";

/**
 * Static shapes of every value in a graph whose inputs all have fixed dims (a training graph is built for one
 * batch shape), plus the contents of small int64 tensors computed from shapes (`Shape`, then `Slice`/`Concat`
 * of it), so that the sequence network's "slice the positions to the input's length" folds to constants and
 * its gradient can be written with constant pads.
 */
export interface StaticShapes {
  shape(name: string): readonly number[];
  /** Integer contents, when known at build time. */
  constant(name: string): readonly number[] | undefined;
}

export function broadcastShapes(shapes: readonly (readonly number[])[], op: string): number[] {
  const rank = Math.max(...shapes.map((shape) => shape.length));
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    let size = 1;
    for (const shape of shapes) {
      const dim = shape[axis - (rank - shape.length)] ?? 1;
      if (dim !== 1 && size !== 1 && dim !== size) {
        throw new InputError({ field: `${op} operands`, value: shapes.map((s) => `[${s.join(", ")}]`).join(" and "), expected: "broadcast-compatible shapes" });
      }
      if (dim !== 1) size = dim;
    }
    out.push(size);
  }
  return out;
}

/** Normalises a possibly negative axis. */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

const UNARY = new Set(["Relu", "Tanh", "Sigmoid", "Exp", "Log", "Neg", "Abs", "Sign", "Sqrt", "Identity", "Cast", "Softmax", "LogSoftmax", "Clip", "Not"]);
const BROADCASTING = new Set(["Add", "Sub", "Mul", "Div", "Min", "Max", "Greater", "Less", "Equal", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Where", "Sum"]);

export function inferShapes(builder: GraphBuilder, nodes: readonly NodeView[]): StaticShapes {
  const shapes = new Map<string, number[]>();
  const constants = new Map<string, number[]>();
  const shapeOf = (name: string): number[] => {
    const known = shapes.get(name);
    if (known) return known;
    const described = builder.describe(name);
    if (described === undefined) throw new InputError({ field: "graph value", value: name, expected: "an input, initializer or earlier node output" });
    const dims = described.dims.map((dim) => {
      if (typeof dim !== "number") throw new InputError({ field: `dims of ${name}`, value: described.dims, expected: "fixed sizes (a training graph is built for one batch shape)" });
      return dim;
    });
    shapes.set(name, dims);
    if (described.int64s) constants.set(name, [...described.int64s]);
    return dims;
  };
  const constantOf = (name: string): number[] | undefined => {
    if (!constants.has(name)) shapeOf(name);
    return constants.get(name);
  };
  const required = (node: NodeView, index: number): number[] => {
    const value = constantOf(node.inputs[index]!);
    if (value === undefined) throw new InputError({ field: `${node.opType} input ${index}`, value: node.inputs[index], expected: "a constant known when the graph is built" });
    return value;
  };

  for (const node of nodes) {
    const input = (index: number) => shapeOf(node.inputs[index]!);
    const set = (index: number, shape: number[], constant?: number[]) => {
      shapes.set(node.outputs[index]!, shape);
      if (constant) constants.set(node.outputs[index]!, constant);
    };
    const op = node.opType;
    if (UNARY.has(op)) set(0, input(0));
    else if (BROADCASTING.has(op)) set(0, broadcastShapes(node.inputs.filter((name) => name !== "").map(shapeOf), op));
    else if (op === "MatMul") {
      const [a, b] = [input(0), input(1)];
      if (a.length < 2 || b.length < 2) throw new InputError({ field: "MatMul operands", value: [a, b], expected: "rank ≥ 2" });
      const batch = broadcastShapes([a.slice(0, -2), b.slice(0, -2)], op);
      set(0, [...batch, a[a.length - 2]!, b[b.length - 1]!]);
    } else if (op === "Gemm") {
      const [a, b] = [input(0), input(1)];
      const m = node.attributes.transA ? a[1]! : a[0]!;
      const n = node.attributes.transB ? b[0]! : b[1]!;
      set(0, [m, n]);
    } else if (op === "Transpose") {
      const x = input(0);
      const perm = (node.attributes.perm as number[] | undefined) ?? x.map((_, axis) => x.length - 1 - axis);
      set(0, perm.map((axis) => x[axis]!));
    } else if (op === "Reshape") {
      const x = input(0);
      const target = required(node, 1).map((dim, axis) => (dim === 0 ? x[axis]! : dim));
      const known = target.reduce((product, dim) => (dim === -1 ? product : product * dim), 1);
      const total = x.reduce((product, dim) => product * dim, 1);
      set(0, target.map((dim) => (dim === -1 ? total / known : dim)));
    } else if (op === "Shape") set(0, [input(0).length], [...input(0)]);
    else if (op === "Split") {
      const x = input(0);
      const axis = normalizeAxis((node.attributes.axis as number | undefined) ?? 0, x.length);
      const sizes = node.inputs[1] ? required(node, 1) : node.outputs.map(() => x[axis]! / node.outputs.length);
      sizes.forEach((size, index) => set(index, x.map((dim, d) => (d === axis ? size : dim))));
    } else if (op === "Slice") {
      const x = input(0);
      const { starts, ends } = sliceBounds(node, x, required);
      const out = x.map((_, axis) => ends[axis]! - starts[axis]!);
      const data = constantOf(node.inputs[0]!);
      set(0, out, data && x.length === 1 ? data.slice(starts[0], ends[0]) : undefined);
    } else if (op === "Concat") {
      const parts = node.inputs.map(shapeOf);
      const axis = normalizeAxis(node.attributes.axis as number, parts[0]!.length);
      const out = [...parts[0]!];
      out[axis] = parts.reduce((sum, shape) => sum + shape[axis]!, 0);
      const values = node.inputs.map(constantOf);
      set(0, out, parts[0]!.length === 1 && values.every((value) => value !== undefined) ? values.flat() as number[] : undefined);
    } else if (op === "Squeeze") {
      const x = input(0);
      const axes = required(node, 1).map((axis) => normalizeAxis(axis, x.length));
      set(0, x.filter((_, axis) => !axes.includes(axis)));
    } else if (op === "Unsqueeze") {
      const x = input(0);
      const rank = x.length + required(node, 1).length;
      const axes = required(node, 1).map((axis) => normalizeAxis(axis, rank));
      const out: number[] = [];
      let next = 0;
      for (let axis = 0; axis < rank; axis++) out.push(axes.includes(axis) ? 1 : x[next++]!);
      set(0, out);
    } else if (op === "ReduceSum" || op === "ReduceMean") {
      const x = input(0);
      const axes = reductionAxes(node, x.length, required);
      const keep = (node.attributes.keepdims as number | undefined) ?? 1;
      set(0, keep ? x.map((dim, axis) => (axes.includes(axis) ? 1 : dim)) : x.filter((_, axis) => !axes.includes(axis)));
    } else if (op === "LayerNormalization") {
      const x = input(0);
      const axis = normalizeAxis((node.attributes.axis as number | undefined) ?? -1, x.length);
      set(0, x);
      const statistics = x.map((dim, d) => (d >= axis ? 1 : dim));
      for (let index = 1; index < node.outputs.length; index++) set(index, statistics);
    } else if (op === "GRU") {
      const x = input(0); // [T, B, in]
      const hidden = node.attributes.hidden_size as number;
      set(0, [x[0]!, 1, x[1]!, hidden]);
      if (node.outputs.length > 1) set(1, [1, x[1]!, hidden]);
    } else if (op === "Expand") set(0, broadcastShapes([input(0), required(node, 1)], op));
    else if (op === "Pad") {
      const x = input(0);
      const pads = required(node, 1);
      set(0, x.map((dim, axis) => dim + pads[axis]! + pads[axis + x.length]!));
    } else if (op === "OneHot") {
      const depth = required(node, 1)[0]!;
      set(0, [...input(0), depth]);
    } else if (op === "Gather") {
      const [data, indices] = [input(0), input(1)];
      const axis = normalizeAxis((node.attributes.axis as number | undefined) ?? 0, data.length);
      set(0, [...data.slice(0, axis), ...indices, ...data.slice(axis + 1)]);
    } else throw new InputError({ field: "op", value: op, expected: `an op the differentiator knows (${KNOWN_OPS.join(", ")})` });
  }
  return {
    shape: (name) => shapeOf(name),
    constant: (name) => constantOf(name),
  };
}

const KNOWN_OPS = [...UNARY, ...BROADCASTING, "MatMul", "Gemm", "Transpose", "Reshape", "Shape", "Split", "Slice", "Concat", "Squeeze", "Unsqueeze", "ReduceSum", "ReduceMean", "LayerNormalization", "GRU", "Expand", "Pad", "Gather", "OneHot"];

/** Absolute, clamped per-axis slice bounds (steps of 1 only). */
export function sliceBounds(node: NodeView, shape: readonly number[], required: (node: NodeView, index: number) => number[]): { starts: number[]; ends: number[] } {
  const starts = shape.map(() => 0);
  const ends = [...shape];
  const begin = required(node, 1);
  const end = required(node, 2);
  const axes = node.inputs[3] ? required(node, 3) : begin.map((_, index) => index);
  if (node.inputs[4] && required(node, 4).some((step) => step !== 1)) {
    throw new InputError({ field: "Slice steps", value: required(node, 4), expected: "all 1 (strided slices are not differentiated)" });
  }
  axes.forEach((rawAxis, index) => {
    const axis = normalizeAxis(rawAxis, shape.length);
    const size = shape[axis]!;
    const clamp = (value: number) => Math.min(size, Math.max(0, value < 0 ? value + size : value));
    starts[axis] = clamp(begin[index]!);
    ends[axis] = Math.max(starts[axis]!, clamp(end[index]!));
  });
  return { starts, ends };
}

/** Axes a ReduceSum (axes as input, opset 13) or ReduceMean (axes as attribute, opset < 18) reduces over. */
export function reductionAxes(node: NodeView, rank: number, required: (node: NodeView, index: number) => number[]): number[] {
  const given = node.opType === "ReduceSum" ? (node.inputs[1] ? required(node, 1) : []) : ((node.attributes.axes as number[] | undefined) ?? []);
  const axes = given.length === 0 ? Array.from({ length: rank }, (_, axis) => axis) : given;
  return axes.map((axis) => normalizeAxis(axis, rank));
}
