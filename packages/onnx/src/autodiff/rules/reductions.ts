import type { RuleTable } from "../rule.js";
import { reductionAxes } from "../shapes.js";

function reduced(node: Parameters<RuleTable[string]>[0], context: Parameters<RuleTable[string]>[2]) {
  const x = context.shape(node.inputs[0]!);
  const axes = reductionAxes(node, x.length, (n, index) => [...(context.constant(n.inputs[index]!) ?? [])]);
  const kept = x.map((dim, axis) => (axes.includes(axis) ? 1 : dim));
  const count = axes.reduce((product, axis) => product * x[axis]!, 1);
  return { x, kept, count };
}

/** Sums and means spread their output gradient evenly back over the reduced axes. */
export const REDUCTION_RULES: RuleTable = {
  ReduceSum: (node, [dy], context) => {
    const { x, kept } = reduced(node, context);
    const { builder } = context;
    return [builder.op("Expand", [builder.op("Reshape", [dy!, context.ints(kept)]), context.ints(x)]), undefined];
  },
  ReduceMean: (node, [dy], context) => {
    const { x, kept, count } = reduced(node, context);
    const { builder } = context;
    const spread = builder.op("Expand", [builder.op("Reshape", [dy!, context.ints(kept)]), context.ints(x)]);
    return [builder.op("Mul", [spread, context.scalar(1 / count)])];
  },
};
