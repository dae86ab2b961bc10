import type { ModelSpec } from "@rl3/core";
import { ONNX_GATE_SOURCE, type WeightSource } from "../export.js";
import type { GraphBuilder } from "../graph-builder.js";

/**
 * Weights as graph inputs named as in the spec, so one session serves every update of a run. The views the
 * network multiplies by (Q/K/V kernels, the GRU's gate layout) are computed in the graph from the stored layout,
 * so their gradients flow back into the stored weights.
 */
export function trainableWeights(builder: GraphBuilder, spec: ModelSpec): WeightSource {
  const declared = new Set<string>();
  const shapes = new Map(spec.weights.map((weight) => [weight.name, weight.shape]));
  const tensor = (name: string): string => {
    if (!declared.has(name)) {
      builder.input(name, shapes.get(name)!);
      declared.add(name);
    }
    return name;
  };
  const { dModel } = spec;
  return {
    tensor,
    attentionProjections(layer) {
      const kernels = builder.node("Split", [tensor(`layer${layer}.qkv.kernel`), builder.ints([dModel, dModel, dModel])], { count: 3, attributes: { axis: 1 } });
      const biases = builder.node("Split", [tensor(`layer${layer}.qkv.bias`), builder.ints([dModel, dModel, dModel])], { count: 3, attributes: { axis: 0 } });
      return { kernels: kernels as [string, string, string], biases: biases as [string, string, string] };
    },
    gruWeights() {
      // Stored (r, z, n) column blocks of [in, 3H] kernels → ONNX's [1, 3H, in] with (z, r, h) row blocks.
      const gates = (name: string, axis: number) => builder.node("Split", [tensor(name), builder.ints([dModel, dModel, dModel])], { count: 3, attributes: { axis } });
      const reordered = (parts: string[], axis: number) => builder.op("Concat", ONNX_GATE_SOURCE.map((source) => parts[source]!), { axis });
      const kernel = (name: string) => builder.op("Unsqueeze", [builder.op("Transpose", [reordered(gates(name, 1), 1)], { perm: [1, 0] }), builder.ints([0])]);
      const bias = builder.op("Concat", [reordered(gates("gru.input_bias", 0), 0), reordered(gates("gru.recurrent_bias", 0), 0)], { axis: 0 });
      return { input: kernel("gru.input_kernel"), recurrent: kernel("gru.recurrent_kernel"), bias: builder.op("Unsqueeze", [bias, builder.ints([0])]) };
    },
  };
}
