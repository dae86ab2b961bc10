// "@rl3/onnx" in Node: the runtime-free root (./browser.ts, what browsers get) plus, for code written before the
// split, the onnxruntime-node classes that now live in "@rl3/onnx/node".
import {
  ONNX_DEVICES as NODE_ONNX_DEVICES,
  OnnxPolicy as NodeOnnxPolicy,
  type OnnxDevice as NodeOnnxDevice,
  OnnxTrainingEngine as NodeOnnxTrainingEngine,
} from "./node.js";

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

/** @deprecated Import `OnnxPolicy` from "@rl3/onnx/node"; the root of @rl3/onnx has no runtime in browsers. */
export const OnnxPolicy = NodeOnnxPolicy;
/** @deprecated Import `OnnxPolicy` from "@rl3/onnx/node". */
export type OnnxPolicy = NodeOnnxPolicy;
/** @deprecated Import `OnnxTrainingEngine` from "@rl3/onnx/node". */
export const OnnxTrainingEngine = NodeOnnxTrainingEngine;
/** @deprecated Import `OnnxTrainingEngine` from "@rl3/onnx/node". */
export type OnnxTrainingEngine = NodeOnnxTrainingEngine;
/** @deprecated Import `ONNX_DEVICES` from "@rl3/onnx/node". */
export const ONNX_DEVICES = NODE_ONNX_DEVICES;
/** @deprecated Import `OnnxDevice` from "@rl3/onnx/node". */
export type OnnxDevice = NodeOnnxDevice;
