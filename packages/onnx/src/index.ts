export { exportOnnx, OPSET, TENSOR_NAMES } from "./export.js";
export type { ExportOptions, GraphKind } from "./export.js";
export { readPolicyMetadata, METADATA_KEY, POLICY_FORMAT_VERSION } from "./metadata.js";
export type { PolicyMetadata, PolicyMetadataInput } from "./metadata.js";
export { OnnxPolicy, softmaxRow } from "./policy.js";
export type { ActOptions, ActResult } from "./policy.js";
