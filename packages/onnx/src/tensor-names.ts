/** What a policy graph is: `step` (one observation per env, recurrent state in and out) or `sequence` (whole histories). */
export type GraphKind = "step" | "sequence";

/** Names of the graph's tensors, shared by exporter and runtime. */
export const TENSOR_NAMES = {
  observations: "observations",
  outputs: "outputs",
  position: "position",
  pastKey: (layer: number) => `past_key_${layer}`,
  pastValue: (layer: number) => `past_value_${layer}`,
  presentKey: (layer: number) => `present_key_${layer}`,
  presentValue: (layer: number) => `present_value_${layer}`,
  hidden: "hidden",
  presentHidden: "present_hidden",
} as const;
