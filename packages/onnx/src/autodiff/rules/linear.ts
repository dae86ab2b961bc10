import { InputError } from "@rl3/core";
import type { RuleTable } from "../rule.js";

/** Swaps the last two axes. */
function transposeLastTwo(builder: Parameters<RuleTable[string]>[2]["builder"], value: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, axis) => axis);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return builder.op("Transpose", [value], { perm });
}

/**
 * Y = A·B over the last two axes with broadcast batch axes: dA = dY·Bᵀ, dB = Aᵀ·dY, each summed back to its
 * operand's shape. A weight kernel (B of rank 2 under a batched A) gets one flat GEMM over all rows instead of a
 * batched product and a reduction.
 */
export const LINEAR_RULES: RuleTable = {
  MatMul: (node, [dy], context, needs) => {
    const { builder } = context;
    const [a, b] = node.inputs as [string, string];
    const [shapeA, shapeB, shapeY] = [context.shape(a), context.shape(b), context.shape(node.outputs[0]!)];
    let da: string | undefined;
    let db: string | undefined;
    if (needs[0]) da = context.unbroadcast(builder.op("MatMul", [dy!, transposeLastTwo(builder, b, shapeB.length)]), shapeY, shapeA);
    if (needs[1]) {
      if (shapeB.length === 2) {
        const k = shapeA[shapeA.length - 1]!;
        const n = shapeY[shapeY.length - 1]!;
        db = builder.op("Gemm", [builder.op("Reshape", [a, context.ints([-1, k])]), builder.op("Reshape", [dy!, context.ints([-1, n])])], { transA: 1 });
      } else db = context.unbroadcast(builder.op("MatMul", [transposeLastTwo(builder, a, shapeA.length), dy!]), shapeY, shapeB);
    }
    return [da, db];
  },
  Gemm: (node, [dy], context, needs) => {
    const { builder } = context;
    const { alpha = { float: 1 }, beta = { float: 1 }, transA = 0, transB = 0 } = node.attributes as Record<string, unknown>;
    if ((alpha as { float: number }).float !== 1 || (beta as { float: number }).float !== 1) {
      throw new InputError({ field: "Gemm alpha/beta", value: [alpha, beta], expected: "1 (scaled Gemm is not differentiated)" });
    }
    const [a, b, c] = node.inputs as [string, string, string | undefined];
    // Y = op(A)·op(B) + C.
    const da = needs[0] ? (transA ? builder.op("Gemm", [b, dy!], { transA: transB ? 1 : 0, transB: 1 }) : builder.op("Gemm", [dy!, b], { transB: transB ? 0 : 1 })) : undefined;
    const db = needs[1] ? (transB ? builder.op("Gemm", [dy!, a], { transA: 1, transB: transA ? 1 : 0 }) : builder.op("Gemm", [a, dy!], { transA: transA ? 0 : 1 })) : undefined;
    const dc = c && needs[2] ? context.unbroadcast(dy!, context.shape(node.outputs[0]!), context.shape(c)) : undefined;
    return [da, db, dc];
  },
};
