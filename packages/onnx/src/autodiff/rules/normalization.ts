import { InputError } from "@rl3/core";
import { FLOAT } from "../../graph-builder.js";
import type { RuleTable } from "../rule.js";
import { normalizeAxis } from "../shapes.js";

/**
 * Softmax, LogSoftmax and LayerNormalization over the last axis. LayerNormalization's gradient needs the
 * per-row mean and 1/σ, which the op can output itself: the rule asks the forward node for them.
 */
export const NORMALIZATION_RULES: RuleTable = {
  // dx = y ⊙ (dy − Σ dy ⊙ y)
  Softmax: (node, [dy], context) => {
    const { builder } = context;
    const y = node.outputs[0]!;
    const axis = lastAxisOnly(node, context.shape(y).length);
    const dot = builder.op("ReduceSum", [builder.op("Mul", [dy!, y]), context.ints([axis])], { keepdims: 1 });
    return [builder.op("Mul", [y, builder.op("Sub", [dy!, dot])])];
  },
  // dx = dy − softmax(x) ⊙ Σ dy
  LogSoftmax: (node, [dy], context) => {
    const { builder } = context;
    const y = node.outputs[0]!;
    const axis = lastAxisOnly(node, context.shape(y).length);
    const total = builder.op("ReduceSum", [dy!, context.ints([axis])], { keepdims: 1 });
    return [builder.op("Sub", [dy!, builder.op("Mul", [builder.op("Exp", [y]), total])])];
  },
  // x̂ = (x − μ)/σ, y = γx̂ + β: dγ = Σ dy ⊙ x̂, dβ = Σ dy, dx = (1/σ)(g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) with g = dy ⊙ γ.
  LayerNormalization: (node, [dy], context, needs) => {
    const { builder } = context;
    const [x, gamma, beta] = node.inputs as [string, string, string];
    const shapeX = context.shape(x);
    const axis = lastAxisOnly(node, shapeX.length);
    if (node.outputs.length < 3) {
      // Ask the forward op for its statistics (ONNX outputs Mean and InvStdDev); the shapes pass already
      // knows their shape from the attribute.
      while (node.outputs.length < 3) node.outputs.push(`${node.outputs[0]}_${node.outputs.length === 1 ? "mean" : "inv_std"}`);
    }
    const [, rawMean, rawInverseStd] = node.outputs as [string, string, string];
    // The statistics come out in float32 (the op's stash type) whatever the input type: cast them for float64 graphs.
    const asInput = (value: string) => (builder.floatType === FLOAT ? value : builder.op("Cast", [value], { to: builder.floatType }));
    const [mean, inverseStd] = [asInput(rawMean), asInput(rawInverseStd)];
    const normalized = builder.op("Mul", [builder.op("Sub", [x, mean]), inverseStd]);
    const shapeY = context.shape(node.outputs[0]!);
    const dGamma = needs[1] ? context.unbroadcast(builder.op("Mul", [dy!, normalized]), shapeY, context.shape(gamma)) : undefined;
    const dBeta = needs[2] ? context.unbroadcast(dy!, shapeY, context.shape(beta)) : undefined;
    let dx: string | undefined;
    if (needs[0]) {
      const g = builder.op("Mul", [dy!, gamma]);
      const meanOf = (value: string) => builder.op("ReduceMean", [value], { axes: [axis], keepdims: 1 });
      const centred = builder.op("Sub", [builder.op("Sub", [g, meanOf(g)]), builder.op("Mul", [normalized, meanOf(builder.op("Mul", [g, normalized]))])]);
      dx = builder.op("Mul", [inverseStd, centred]);
    }
    return [dx, dGamma, dBeta];
  },
};

function lastAxisOnly(node: Parameters<RuleTable[string]>[0], rank: number): number {
  const axis = normalizeAxis((node.attributes.axis as number | undefined) ?? -1, rank);
  if (axis !== rank - 1) throw new InputError({ field: `${node.opType} axis`, value: node.attributes.axis, expected: "the last axis (-1)" });
  return axis;
}
