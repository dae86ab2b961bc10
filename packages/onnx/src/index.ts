// "@rl3/onnx" in Node: the runtime-free root (./browser.ts, what browsers get) plus, for code written before the
// split, the onnxruntime-node classes that now live in "@rl3/onnx/node".
import {
  ONNX_DEVICES as NODE_ONNX_DEVICES,
  OnnxPolicy as NodeOnnxPolicy,
  type OnnxDevice as NodeOnnxDevice,
  OnnxTrainingEngine as NodeOnnxTrainingEngine,
} from "./node.js";

// Everything the browser root exports, from its one list.
export * from "./browser.js";

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
