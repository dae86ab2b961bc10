import * as ort from "onnxruntime-node";

export { OnnxTrainingEngine, ONNX_DEVICES } from "./training/onnx-engine.js";
export type { OnnxDevice } from "./training/onnx-engine.js";

/** onnxruntime-node as a `PolicyRunner` runtime. */
export const nodeRuntime = ort;

export { OnnxPolicy } from "./onnx-policy.js";
