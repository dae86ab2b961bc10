// The runtime-free root of @rl3/onnx: what bundlers resolve "@rl3/onnx" to under the `browser` condition. It
// builds, reads and runs policy graphs on an injected onnxruntime, and imports no onnxruntime-node or node:*.
export { exportOnnx, OPSET, TENSOR_NAMES } from "./export.js";
export type { ExportOptions, GraphKind } from "./export.js";
export { readPolicyMetadata, METADATA_KEY, POLICY_FORMAT_VERSION } from "./metadata.js";
export type { PolicyMetadata, PolicyMetadataInput } from "./metadata.js";
export { PolicyRunner } from "./policy-runner.js";
// Moved to @rl3/core (the acting code of Node and browsers shares it); still importable from here.
export { softmaxRow } from "@rl3/core";
export type { ActOptions, ActResult, OnnxRuntime, PolicyRunnerOptions } from "./policy-runner.js";
export { buildNetwork, ONNX_GATE_SOURCE } from "./export.js";
export type { WeightSource, NetworkShape } from "./export.js";
export { GraphBuilder, FLOAT, DOUBLE, INT64 } from "./graph-builder.js";
export type { NodeView, ValueDescription, Dimension, AttributeValue } from "./graph-builder.js";
export { differentiate, GRADIENT_RULES, unbroadcast } from "./autodiff/differentiate.js";
export type { GradientRule, RuleContext, RuleTable } from "./autodiff/rule.js";
export { inferShapes } from "./autodiff/shapes.js";
export type { StaticShapes } from "./autodiff/shapes.js";
export { forwardGraph, policyGraph, valueGraph, TRAINING_NAMES } from "./training/ppo-graphs.js";
export type { GraphShape } from "./training/ppo-graphs.js";
