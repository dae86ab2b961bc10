import { InputError } from "@rl3/core";
import type { RuleContext, RuleTable } from "../rule.js";

/**
 * ONNX GRU (forward direction, one layer, `linear_before_reset = 1`, no sequence lengths), gates (z, r, h):
 *   z = σ(x W_zᵀ + h₋ R_zᵀ + b), r = σ(x W_rᵀ + h₋ R_rᵀ + b), n = tanh(x W_hᵀ + b + r ⊙ (h₋ R_hᵀ + Rb_h)),
 *   h = (1 − z) ⊙ n + z ⊙ h₋.
 * Exact backpropagation through time. Everything that does not depend on the recursion is done for all steps at
 * once: the gates are recomputed from Y (every h_t) with two big products, and the per-step local derivatives
 * are folded into one tensor M. What is left sequential is, per step, g = dY_t + carry and
 * carry = g ⊙ z_t + ([g, g, g] ⊙ M_t)·R: six small ops, unrolled over T.
 */
export const RECURRENT_RULES: RuleTable = {
  GRU: (node, outputGradients, context, needs) => {
    const { builder } = context;
    const attributes = node.attributes;
    if (attributes.linear_before_reset !== 1 || (attributes.direction !== undefined && attributes.direction !== "forward")) {
      throw new InputError({ field: "GRU attributes", value: attributes, expected: "linear_before_reset = 1, direction forward" });
    }
    if (node.inputs[4]) throw new InputError({ field: "GRU sequence_lens", value: node.inputs[4], expected: "absent (all sequences full length)" });
    const [x, w, r, b] = node.inputs as [string, string, string, string];
    const initial = node.inputs[5] || undefined;
    const [time, batch] = context.shape(x) as [number, number, number];
    const hidden = attributes.hidden_size as number;
    const y = node.outputs[0]!;

    const op = (type: string, inputs: string[], attrs?: Record<string, number | number[]>) => builder.op(type, inputs, attrs);
    const one = context.scalar(1);
    const sub1 = (value: string) => op("Sub", [one, value]);
    const states = op("Squeeze", [y, context.ints([1])]); // [T, B, H]
    const h0 = initial ?? builder.op("Expand", [context.scalar(0), context.ints([1, batch, hidden])]);
    const previous = time === 1 ? h0 : op("Concat", [h0, op("Slice", [states, context.ints([0]), context.ints([time - 1]), context.ints([0])])], { axis: 0 });
    const kernelW = op("Squeeze", [w, context.ints([0])]); // [3H, I]
    const kernelR = op("Squeeze", [r, context.ints([0])]); // [3H, H]
    const [biasW, biasR] = builder.node("Split", [op("Squeeze", [b, context.ints([0])]), context.ints([3 * hidden, 3 * hidden])], { count: 2, attributes: { axis: 0 } }) as [string, string];
    const fromInput = op("Add", [op("MatMul", [x, op("Transpose", [kernelW], { perm: [1, 0] })]), biasW]);
    const fromState = op("Add", [op("MatMul", [previous, op("Transpose", [kernelR], { perm: [1, 0] })]), biasR]);
    const thirds = (value: string) => builder.node("Split", [value, context.ints([hidden, hidden, hidden])], { count: 3, attributes: { axis: 2 } }) as [string, string, string];
    const [xz, xr, xh] = thirds(fromInput);
    const [hz, hr, hh] = thirds(fromState);
    const z = op("Sigmoid", [op("Add", [xz, hz])]);
    const reset = op("Sigmoid", [op("Add", [xr, hr])]);
    const n = op("Tanh", [op("Add", [xh, op("Mul", [reset, hh])])]);
    // Local derivatives: dn_pre = g·A1, dz_pre = g·A2, dr_pre = g·A3, d(hR_hᵀ + Rb_h) = g·A4.
    const a1 = op("Mul", [sub1(z), sub1(op("Mul", [n, n]))]);
    const a2 = op("Mul", [op("Sub", [previous, n]), op("Mul", [z, sub1(z)])]);
    const a3 = op("Mul", [op("Mul", [a1, hh]), op("Mul", [reset, sub1(reset)])]);
    const a4 = op("Mul", [a1, reset]);
    const m = op("Concat", [a2, a3, a4], { axis: 2 }); // [T, B, 3H], rows in R's (z, r, h) order

    // dY over time, with Y_h's gradient added at the last step.
    let dStates = outputGradients[0] ? op("Squeeze", [outputGradients[0], context.ints([1])]) : undefined;
    const dLast = outputGradients[1];
    if (dLast) {
      const lastOnly = op("Pad", [dLast, context.ints([time - 1, 0, 0, 0, 0, 0])]);
      dStates = dStates ? op("Add", [dStates, lastOnly]) : lastOnly;
    }
    if (dStates === undefined) return node.inputs.map(() => undefined);
    const perStep = (value: string) => (time === 1 ? [value] : builder.node("Split", [value, context.ints(Array(time).fill(1))], { count: time, attributes: { axis: 0 } }));
    const dY = perStep(dStates);
    const mSteps = perStep(m);
    const zSteps = perStep(z);
    const g: string[] = new Array(time);
    let carry: string | undefined;
    for (let t = time - 1; t >= 0; t--) {
      const total = carry ? op("Add", [dY[t]!, carry]) : dY[t]!;
      g[t] = total;
      if (t === 0 && !(initial && needs[5])) break;
      const local = op("Mul", [op("Concat", [total, total, total], { axis: 2 }), mSteps[t]!]);
      carry = op("Add", [op("Mul", [total, zSteps[t]!]), op("MatMul", [local, kernelR])]);
    }
    const gradient = time === 1 ? g[0]! : op("Concat", g, { axis: 0 }); // [T, B, H]
    const triple = op("Concat", [gradient, gradient, gradient], { axis: 2 });
    const dStatePre = op("Mul", [triple, m]); // d(h₋R_ᵀ + Rb) for (z, r, h)
    const dInputPre = op("Mul", [triple, op("Concat", [a2, a3, a1], { axis: 2 })]); // d(x Wᵀ + Wb)
    const rows = (value: string, width: number) => op("Reshape", [value, context.ints([time * batch, width])]);
    const inputSize = context.shape(x)[2]!;
    const unsqueeze0 = (value: string) => op("Unsqueeze", [value, context.ints([0])]);
    const dx = needs[0] ? op("MatMul", [dInputPre, kernelW]) : undefined;
    const dw = needs[1] ? unsqueeze0(op("Gemm", [rows(dInputPre, 3 * hidden), rows(x, inputSize)], { transA: 1 })) : undefined;
    const dr = needs[2] ? unsqueeze0(op("Gemm", [rows(dStatePre, 3 * hidden), rows(previous, hidden)], { transA: 1 })) : undefined;
    const sumSteps = (value: string) => op("ReduceSum", [value, context.ints([0, 1])], { keepdims: 0 });
    const db = needs[3] ? unsqueeze0(op("Concat", [sumSteps(dInputPre), sumSteps(dStatePre)], { axis: 0 })) : undefined;
    const dInitial = initial && needs[5] ? carry : undefined;
    return [dx, dw, dr, db, undefined, dInitial];
  },
};

