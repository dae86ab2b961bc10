// "@rl3/onnx" in Node: the same runtime-free root that browsers get (./browser.ts). onnxruntime-node lives behind
// "@rl3/onnx/node" only, so importing the root never loads a native runtime.
export * from "./browser.js";
