import { InputError } from "@rl3/core";
import type { GraphBuilder } from "../graph-builder.js";
import type { RuleContext, RuleTable } from "./rule.js";
import { ELEMENTWISE_RULES } from "./rules/elementwise.js";
import { LAYOUT_RULES, zeros } from "./rules/layout.js";
import { LINEAR_RULES } from "./rules/linear.js";
import { NORMALIZATION_RULES } from "./rules/normalization.js";
import { RECURRENT_RULES } from "./rules/recurrent.js";
import { REDUCTION_RULES } from "./rules/reductions.js";
import { inferShapes } from "./shapes.js";

/** One gradient rule per op, grouped by family (rules/*.ts). */
export const GRADIENT_RULES: RuleTable = {
  ...ELEMENTWISE_RULES,
  ...LINEAR_RULES,
  ...LAYOUT_RULES,
  ...REDUCTION_RULES,
  ...NORMALIZATION_RULES,
  ...RECURRENT_RULES,
};

/** Ops whose outputs carry no gradient (comparisons, casts, shape arithmetic). */
const NOT_DIFFERENTIABLE = new Set(["Shape", "Cast", "Greater", "Less", "Equal", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Not", "Sign", "OneHot"]);

/**
 * Reverse-mode differentiation of the graph in `builder`: appends the nodes that compute d`loss`/d`w` for every
 * name in `wrt` (graph inputs) and returns the gradient tensor of each. `loss` must be a scalar; every node
 * between the weights and the loss needs a rule in `GRADIENT_RULES` (else an `InputError` names the op). All
 * graph inputs need fixed dims: rules are written against static shapes.
 */
export function differentiate(builder: GraphBuilder, loss: string, wrt: readonly string[]): Record<string, string> {
  const nodes = [...builder.nodeViews];
  const shapes = inferShapes(builder, nodes);
  if (shapes.shape(loss).length !== 0) throw new InputError({ field: "loss", value: shapes.shape(loss), expected: "a scalar (shape [])" });

  // Forward: which values depend on a weight. Backward: which of those reach the loss.
  const dependent = new Set<string>(wrt);
  for (const node of nodes) {
    if (NOT_DIFFERENTIABLE.has(node.opType)) continue;
    if (node.inputs.some((input) => dependent.has(input))) for (const output of node.outputs) dependent.add(output);
  }
  const reaches = new Set<string>([loss]);
  const active = nodes.filter((node) => node.outputs.some((output) => dependent.has(output)));
  for (let index = active.length - 1; index >= 0; index--) {
    const node = active[index]!;
    if (node.outputs.some((output) => reaches.has(output))) for (const input of node.inputs) if (dependent.has(input)) reaches.add(input);
  }

  const context: RuleContext = {
    builder,
    shape: shapes.shape,
    constant: shapes.constant,
    scalar: (value) => builder.scalar(value, "grad_c"),
    ints: (values) => builder.ints(values, "grad_i"),
    unbroadcast: (gradient, from, to) => unbroadcast(builder, gradient, from, to),
  };
  const contributions = new Map<string, string[]>();
  const add = (name: string, gradient: string) => {
    const list = contributions.get(name);
    if (list) list.push(gradient);
    else contributions.set(name, [gradient]);
  };
  const total = (name: string): string | undefined => {
    const list = contributions.get(name);
    if (!list) return undefined;
    const sum = list.length === 1 ? list[0]! : builder.op("Sum", list);
    contributions.set(name, [sum]);
    return sum;
  };

  add(loss, builder.scalar(1, "grad_seed"));
  for (let index = active.length - 1; index >= 0; index--) {
    const node = active[index]!;
    if (!node.outputs.some((output) => reaches.has(output))) continue;
    const outputGradients = node.outputs.map((output) => (reaches.has(output) ? total(output) : undefined));
    if (outputGradients.every((gradient) => gradient === undefined)) continue;
    const rule = GRADIENT_RULES[node.opType];
    if (rule === undefined) {
      throw new InputError({ field: "op", value: node.opType, expected: `a differentiable op (${Object.keys(GRADIENT_RULES).join(", ")})` });
    }
    const needs = node.inputs.map((input) => input !== "" && reaches.has(input));
    const inputGradients = rule(node, outputGradients, context, needs);
    node.inputs.forEach((input, position) => {
      const gradient = inputGradients[position];
      if (needs[position] && gradient !== undefined) add(input, gradient);
    });
  }
  const gradients: Record<string, string> = {};
  for (const name of wrt) gradients[name] = total(name) ?? zeros(context, shapes.shape(name));
  return gradients;
}

/** Sums `gradient` of shape `from` back to `to` (the inverse of numpy-style broadcasting). */
export function unbroadcast(builder: GraphBuilder, gradient: string, from: readonly number[], to: readonly number[]): string {
  const extra = from.length - to.length;
  const axes: number[] = [];
  for (let axis = 0; axis < from.length; axis++) {
    if (axis < extra || (to[axis - extra] === 1 && from[axis] !== 1)) axes.push(axis);
  }
  let result = gradient;
  if (axes.length > 0) result = builder.op("ReduceSum", [gradient, builder.ints(axes, "grad_axes")], { keepdims: 1 });
  if (axes.length > 0 || from.length !== to.length) result = builder.op("Reshape", [result, builder.ints(to, "grad_shape")]);
  return result;
}
