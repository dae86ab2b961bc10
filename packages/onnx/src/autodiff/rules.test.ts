import { InputError, Rng } from "@rl3/core";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { DOUBLE, FLOAT, GraphBuilder } from "../graph-builder.js";
import { differentiate } from "./differentiate.js";

/**
 * Finite-difference checks of every gradient rule in float64: a small graph per op, the loss Σ y ⊙ R with a
 * random R, the rule's gradient against central differences of the same graph's loss. Ops run in float64 on
 * onnxruntime's CPU provider (all the ones here do).
 */
type Build = (b: GraphBuilder, inputs: string[]) => string;
interface Case {
  name: string;
  inputs: number[][];
  build: Build;
  /** Keep inputs out of Log/Sqrt's forbidden range. */
  positive?: boolean;
  /** onnxruntime has no float64 GRU kernel: that case runs in float32 with a larger step and tolerance. */
  float32?: boolean;
}

const op = (b: GraphBuilder, type: string, inputs: string[], attributes?: Record<string, number | number[] | { float: number }>) => b.op(type, inputs, attributes);

const CASES: Case[] = [
  { name: "Add (broadcast)", inputs: [[2, 3, 4], [4]], build: (b, [x, y]) => op(b, "Add", [x!, y!]) },
  { name: "Sub (broadcast rows)", inputs: [[2, 3, 4], [3, 1]], build: (b, [x, y]) => op(b, "Sub", [x!, y!]) },
  { name: "Mul (broadcast)", inputs: [[2, 3, 4], [1, 3, 4]], build: (b, [x, y]) => op(b, "Mul", [x!, y!]) },
  { name: "Div", inputs: [[3, 4], [3, 4]], build: (b, [x, y]) => op(b, "Div", [x!, op(b, "Add", [op(b, "Mul", [y!, y!]), b.scalar(1)])]) },
  { name: "Min and Max", inputs: [[3, 4], [3, 4]], build: (b, [x, y]) => op(b, "Add", [op(b, "Min", [x!, y!]), op(b, "Max", [x!, op(b, "Mul", [y!, b.scalar(0.5)])])]) },
  { name: "Neg, Exp, Tanh, Sigmoid", inputs: [[3, 4]], build: (b, [x]) => op(b, "Sigmoid", [op(b, "Tanh", [op(b, "Exp", [op(b, "Neg", [x!])])])]) },
  { name: "Relu and Abs", inputs: [[3, 5]], build: (b, [x]) => op(b, "Add", [op(b, "Relu", [x!]), op(b, "Abs", [x!])]) },
  { name: "Log and Sqrt", inputs: [[3, 4]], positive: true, build: (b, [x]) => op(b, "Add", [op(b, "Log", [x!]), op(b, "Sqrt", [x!])]) },
  { name: "Clip", inputs: [[4, 4]], build: (b, [x]) => op(b, "Clip", [x!, b.scalar(-0.5), b.scalar(0.7)]) },
  { name: "MatMul 3-D × 2-D (a dense layer)", inputs: [[2, 3, 4], [4, 5]], build: (b, [x, w]) => op(b, "MatMul", [x!, w!]) },
  { name: "MatMul 4-D × 4-D (attention)", inputs: [[2, 2, 3, 4], [2, 2, 4, 3]], build: (b, [x, y]) => op(b, "MatMul", [x!, y!]) },
  { name: "Gemm transA", inputs: [[4, 3], [4, 5]], build: (b, [x, y]) => op(b, "Gemm", [x!, y!], { transA: 1 }) },
  { name: "Gemm transB + C", inputs: [[3, 4], [5, 4], [5]], build: (b, [x, y, c]) => op(b, "Gemm", [x!, y!, c!], { transB: 1 }) },
  { name: "Gemm transA transB", inputs: [[4, 3], [5, 4]], build: (b, [x, y]) => op(b, "Gemm", [x!, y!], { transA: 1, transB: 1 }) },
  { name: "Transpose", inputs: [[2, 3, 4]], build: (b, [x]) => op(b, "Transpose", [x!], { perm: [2, 0, 1] }) },
  { name: "Reshape, Squeeze, Unsqueeze", inputs: [[2, 3, 4]], build: (b, [x]) => op(b, "Squeeze", [op(b, "Unsqueeze", [op(b, "Reshape", [x!, b.ints([6, 4])]), b.ints([1])]), b.ints([1])]) },
  {
    name: "Split (one output unused) and Concat",
    inputs: [[3, 6], [3, 2]],
    build: (b, [x, y]) => {
      const [p, , r] = b.node("Split", [x!, b.ints([1, 2, 3])], { count: 3, attributes: { axis: 1 } });
      return op(b, "Concat", [r!, y!, p!], { axis: 1 });
    },
  },
  { name: "Slice (constant bounds)", inputs: [[5, 4]], build: (b, [x]) => op(b, "Slice", [x!, b.ints([1, 1]), b.ints([4, 3]), b.ints([0, 1])]) },
  { name: "ReduceSum and ReduceMean", inputs: [[2, 3, 4]], build: (b, [x]) => op(b, "Add", [op(b, "ReduceSum", [x!, b.ints([1])], { keepdims: 1 }), op(b, "ReduceMean", [x!], { axes: [1], keepdims: 1 })]) },
  { name: "Softmax", inputs: [[3, 5]], build: (b, [x]) => op(b, "Softmax", [x!], { axis: -1 }) },
  { name: "LogSoftmax", inputs: [[3, 5]], build: (b, [x]) => op(b, "LogSoftmax", [x!], { axis: -1 }) },
  { name: "LayerNormalization", inputs: [[2, 3, 6], [6], [6]], build: (b, [x, g, beta]) => op(b, "LayerNormalization", [x!, g!, beta!], { axis: -1, epsilon: { float: 1e-5 } }) },
  {
    name: "GRU (linear_before_reset, all states and the last; float32)",
    float32: true,
    inputs: [[4, 2, 3], [1, 15, 3], [1, 15, 5], [1, 30], [1, 2, 5]],
    build: (b, [x, w, r, bias, h0]) => {
      const [y, last] = b.node("GRU", [x!, w!, r!, bias!, "", h0!], { count: 2, attributes: { hidden_size: 5, linear_before_reset: 1 } });
      return op(b, "Add", [op(b, "ReduceSum", [y!, b.ints([0])], { keepdims: 0 }), last!]);
    },
  },
];

async function check(testCase: Case): Promise<number> {
  const type = testCase.float32 ? FLOAT : DOUBLE;
  const copy = (source: ArrayLike<number>) => (testCase.float32 ? Float32Array.from(source) : Float64Array.from(source));
  const builder = new GraphBuilder(type);
  const names = testCase.inputs.map((dims, index) => builder.input(`x${index}`, dims));
  const output = testCase.build(builder, names);
  const rng = new Rng(3);
  // The output's shape, from a first run without the gradient.
  const probe = new GraphBuilder(type);
  const probeNames = testCase.inputs.map((dims, index) => probe.input(`x${index}`, dims));
  probe.op("Identity", [testCase.build(probe, probeNames)], undefined, "y");
  probe.output("y", ["n"]);
  const values = testCase.inputs.map((dims) => copy(Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (testCase.positive ? 0.5 + rng.float() : 2 * rng.float() - 1))));
  const feeds = (data: (Float32Array | Float64Array)[]) =>
    Object.fromEntries(data.map((array, index) => [`x${index}`, new ort.Tensor(testCase.float32 ? "float32" : "float64", array, testCase.inputs[index]!)]));
  // The probe declares its output rank-1 ("n"): onnxruntime notes the mismatch, which is the point of probing.
  const probeSession = await ort.InferenceSession.create(probe.encode({ opset: 17, producerVersion: "test", metadata: {}, graphName: "probe" }), { logSeverityLevel: 3 });
  const y = (await probeSession.run(feeds(values))).y!;
  const weights = Float64Array.from({ length: y.data.length }, () => 2 * rng.float() - 1);
  const loss = builder.op("ReduceSum", [builder.op("Mul", [output, builder.floats("R", [...y.dims], weights)])], { keepdims: 0 }, "loss");
  const gradients = differentiate(builder, loss, names);
  builder.output("loss", []);
  names.forEach((name, index) => {
    builder.op("Identity", [gradients[name]!], undefined, `g${index}`);
    builder.output(`g${index}`, testCase.inputs[index]!);
  });
  const session = await ort.InferenceSession.create(builder.encode({ opset: 17, producerVersion: "test", metadata: {}, graphName: "check" }), { logSeverityLevel: 3 });
  const analytic = await session.run(feeds(values));
  const lossAt = async (data: (Float32Array | Float64Array)[]) => (await session.run(feeds(data))).loss!.data[0] as number;
  let worst = 0;
  const step = testCase.float32 ? 1e-2 : 1e-6;
  for (let input = 0; input < values.length; input++) {
    const gradient = analytic[`g${input}`]!.data as Float32Array | Float64Array;
    for (let index = 0; index < values[input]!.length; index++) {
      const plus = values.map(copy);
      const minus = values.map(copy);
      plus[input]![index]! += step;
      minus[input]![index]! -= step;
      const numeric = ((await lossAt(plus)) - (await lossAt(minus))) / (2 * step);
      worst = Math.max(worst, Math.abs(numeric - gradient[index]!) / Math.max(1, Math.abs(numeric)));
    }
  }
  await session.release();
  await probeSession.release();
  return worst;
}

describe("gradient rules against float64 finite differences", () => {
  it.each(CASES)("$name", async (testCase) => {
    // float64: central differences agree to ~1e-9; float32 (GRU only): to ~1e-4.
    expect(await check(testCase)).toBeLessThan(testCase.float32 ? 2e-3 : 1e-6);
  });

  it("an op without a rule is a typed error naming it", () => {
    const builder = new GraphBuilder(DOUBLE);
    const x = builder.input("x", [3]);
    const y = builder.op("Floor", [x]);
    expect(() => differentiate(builder, builder.op("ReduceSum", [y], { keepdims: 0 }), [x])).toThrow(InputError);
    expect(() => differentiate(builder, builder.op("ReduceSum", [y], { keepdims: 0 }), [x])).toThrow(/op must be an op the differentiator knows .*; got "Floor"/);
  });
});
