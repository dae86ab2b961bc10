import type { GradientRule, RuleTable } from "../rule.js";

/**
 * Pointwise ops. Binary ones broadcast, so each input's gradient is summed back to its own shape. Where a
 * derivative is a choice (ties of Min/Max, the kink of Relu, Clip's bounds), it follows TensorFlow.js, the
 * reference engine: Relu' = step(x > 0), Min gives ties to the first operand, Clip passes x ∈ [min, max].
 */
const binary =
  (local: (context: Parameters<GradientRule>[2], dy: string, a: string, b: string, y: string) => [string | undefined, string | undefined]): GradientRule =>
  (node, [dy], context, needs) => {
    const [a, b] = node.inputs as [string, string];
    const y = node.outputs[0]!;
    const [da, db] = local(context, dy!, a, b, y);
    const out = context.shape(y);
    return [needs[0] && da ? context.unbroadcast(da, out, context.shape(a)) : undefined, needs[1] && db ? context.unbroadcast(db, out, context.shape(b)) : undefined];
  };

const unary =
  (local: (context: Parameters<GradientRule>[2], dy: string, x: string, y: string) => string): GradientRule =>
  (node, [dy], context) => [local(context, dy!, node.inputs[0]!, node.outputs[0]!)];

const mask = (context: Parameters<GradientRule>[2], comparison: string, a: string, b: string) =>
  context.builder.op("Cast", [context.builder.op(comparison, [a, b])], { to: context.builder.floatType });

export const ELEMENTWISE_RULES: RuleTable = {
  Identity: (_node, [dy]) => [dy],
  Add: binary((_c, dy) => [dy, dy]),
  Sub: binary((c, dy) => [dy, c.builder.op("Neg", [dy])]),
  Mul: binary((c, dy, a, b) => [c.builder.op("Mul", [dy, b]), c.builder.op("Mul", [dy, a])]),
  // y = a / b: ∂y/∂b = −a/b² = −y/b.
  Div: binary((c, dy, _a, b, y) => [c.builder.op("Div", [dy, b]), c.builder.op("Neg", [c.builder.op("Mul", [dy, c.builder.op("Div", [y, b])])])]),
  Min: binary((c, dy, a, b) => [c.builder.op("Mul", [dy, mask(c, "LessOrEqual", a, b)]), c.builder.op("Mul", [dy, mask(c, "Greater", a, b)])]),
  Max: binary((c, dy, a, b) => [c.builder.op("Mul", [dy, mask(c, "GreaterOrEqual", a, b)]), c.builder.op("Mul", [dy, mask(c, "Less", a, b)])]),
  Neg: unary((c, dy) => c.builder.op("Neg", [dy])),
  // Relu's output is ≥ 0, so Sign(y) is exactly step(x > 0).
  Relu: unary((c, dy, _x, y) => c.builder.op("Mul", [dy, c.builder.op("Sign", [y])])),
  Tanh: unary((c, dy, _x, y) => c.builder.op("Mul", [dy, c.builder.op("Sub", [c.scalar(1), c.builder.op("Mul", [y, y])])])),
  Sigmoid: unary((c, dy, _x, y) => c.builder.op("Mul", [dy, c.builder.op("Mul", [y, c.builder.op("Sub", [c.scalar(1), y])])])),
  Exp: unary((c, dy, _x, y) => c.builder.op("Mul", [dy, y])),
  Log: unary((c, dy, x) => c.builder.op("Div", [dy, x])),
  Abs: unary((c, dy, x) => c.builder.op("Mul", [dy, c.builder.op("Sign", [x])])),
  Sqrt: unary((c, dy, _x, y) => c.builder.op("Div", [dy, c.builder.op("Mul", [c.scalar(2), y])])),
  Clip: (node, [dy], context) => {
    const [x, low, high] = node.inputs as [string, string, string];
    const { builder } = context;
    const inside = builder.op("And", [builder.op("GreaterOrEqual", [x, low]), builder.op("LessOrEqual", [x, high])]);
    return [builder.op("Mul", [dy!, builder.op("Cast", [inside], { to: builder.floatType })]), undefined, undefined];
  },
  // Sum of n operands (used when gradients accumulate, and available to forward graphs too).
  Sum: (node, [dy], context, needs) => node.inputs.map((input, index) => (needs[index] ? context.unbroadcast(dy!, context.shape(node.outputs[0]!), context.shape(input)) : undefined)),
};
