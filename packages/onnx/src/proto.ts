import type { onnx as OnnxTypes } from "onnx-proto";
import onnxProto from "onnx-proto";

// onnx-proto is CommonJS: Node's ESM loader exposes it as a default export only, so take the namespace from there.
export const onnx: typeof OnnxTypes = (onnxProto as unknown as { onnx: typeof OnnxTypes }).onnx;
export type { OnnxTypes };
