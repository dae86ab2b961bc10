import type { RuleContext, RuleTable } from "../rule.js";
import { normalizeAxis, sliceBounds } from "../shapes.js";

const constantOrThrow = (context: RuleContext) => (node: { inputs: readonly string[] }, index: number) => {
  const value = context.constant(node.inputs[index]!);
  if (value === undefined) throw new Error(`internal: input ${index} of a shape op was not folded`);
  return [...value];
};

/** Ops that only move elements: their gradients move them back. */
export const LAYOUT_RULES: RuleTable = {
  Transpose: (node, [dy], context) => {
    const perm = (node.attributes.perm as number[] | undefined) ?? context.shape(node.inputs[0]!).map((_, axis, all) => all.length - 1 - axis);
    const inverse = perm.map((_, axis) => perm.indexOf(axis));
    return [context.builder.op("Transpose", [dy!], { perm: inverse })];
  },
  Reshape: (node, [dy], context) => [context.builder.op("Reshape", [dy!, context.ints(context.shape(node.inputs[0]!))]), undefined],
  Squeeze: (node, [dy], context) => [context.builder.op("Reshape", [dy!, context.ints(context.shape(node.inputs[0]!))]), undefined],
  Unsqueeze: (node, [dy], context) => [context.builder.op("Reshape", [dy!, context.ints(context.shape(node.inputs[0]!))]), undefined],
  // Outputs that do not reach the loss contribute zeros of their own shape.
  Split: (node, outputGradients, context) => {
    const x = context.shape(node.inputs[0]!);
    const axis = normalizeAxis((node.attributes.axis as number | undefined) ?? 0, x.length);
    const parts = node.outputs.map((output, index) => outputGradients[index] ?? zeros(context, context.shape(output)));
    return [context.builder.op("Concat", parts, { axis }), undefined];
  },
  Concat: (node, [dy], context, needs) => {
    const shapes = node.inputs.map((input) => context.shape(input));
    const axis = normalizeAxis(node.attributes.axis as number, shapes[0]!.length);
    let offset = 0;
    return shapes.map((shape, index) => {
      const start = offset;
      offset += shape[axis]!;
      if (!needs[index]) return undefined;
      return context.builder.op("Slice", [dy!, context.ints([start]), context.ints([offset]), context.ints([axis])]);
    });
  },
  // Slice with constant bounds: the gradient is dY padded with zeros back to the input's extent.
  Slice: (node, [dy], context) => {
    const x = context.shape(node.inputs[0]!);
    const { starts, ends } = sliceBounds(node, x, constantOrThrow(context));
    const pads = [...starts, ...x.map((size, axis) => size - ends[axis]!)];
    return [context.builder.op("Pad", [dy!, context.ints(pads)]), undefined, undefined, undefined, undefined];
  },
};

export function zeros(context: RuleContext, shape: readonly number[]): string {
  return context.builder.op("Expand", [context.scalar(0), context.ints(shape)]);
}
