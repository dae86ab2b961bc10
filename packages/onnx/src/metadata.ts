import { FileFormatError, type ModelSpec } from "@rl3/core";
import { type OnnxTypes, onnx } from "./proto.js";
import { version as packageVersion } from "../package.json";
import type { GraphKind } from "./export.js";

/** The metadata_props key under which rl3 stores its JSON description of a policy file. */
export const METADATA_KEY = "rl3";
/** Version of the policy-file layout; readers accept exactly the versions they know. */
export const POLICY_FORMAT_VERSION = 1;

/** Free-form but conventional description supplied by the exporter (the CLI fills all of it). */
export interface PolicyMetadataInput {
  /** Observation encoder: e.g. { method: "rl3", encoding: "rlc", qDenominator: 10, countDenominator: 10, … }. */
  encoder?: Record<string, unknown>;
  /** Task family the policy was trained on. */
  family?: string;
  /** Meta-episode budget H. */
  horizon?: number;
  [key: string]: unknown;
}

export interface PolicyMetadata extends PolicyMetadataInput {
  format: "rl3-policy";
  formatVersion: number;
  packageVersion: string;
  graph: GraphKind;
  spec: ModelSpec;
}

export function encodeMetadata(spec: ModelSpec, graph: GraphKind, input: PolicyMetadataInput): string {
  const metadata: PolicyMetadata = { ...input, format: "rl3-policy", formatVersion: POLICY_FORMAT_VERSION, packageVersion, graph, spec };
  return JSON.stringify(metadata);
}
encodeMetadata.packageVersion = packageVersion;

/**
 * Reads and validates the rl3 metadata of an ONNX file. A file that is not ONNX, is truncated, was not written
 * by rl3, or uses a newer layout gets a `FileFormatError` saying which.
 */
export function readPolicyMetadata(bytes: Uint8Array, path?: string): PolicyMetadata {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new FileFormatError(`not a readable ONNX file (${(error as Error).message}); it may be truncated or corrupt`, { path, cause: error });
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw new FileFormatError("not an ONNX model: it has no graph (corrupt, truncated, or not ONNX at all)", { path });
  }
  const entry = model.metadataProps.find((property) => property.key === METADATA_KEY);
  if (!entry) {
    throw new FileFormatError(`an ONNX model, but not an rl3 policy: it has no "${METADATA_KEY}" metadata (producer: ${model.producerName || "unknown"})`, { path });
  }
  let metadata: PolicyMetadata;
  try {
    metadata = JSON.parse(entry.value ?? "") as PolicyMetadata;
  } catch (error) {
    throw new FileFormatError("its rl3 metadata is not valid JSON (the file is damaged)", { path, cause: error });
  }
  if (metadata.format !== "rl3-policy" || typeof metadata.formatVersion !== "number") {
    throw new FileFormatError(`its rl3 metadata does not describe a policy (format ${JSON.stringify(metadata.format)})`, { path });
  }
  if (metadata.formatVersion !== POLICY_FORMAT_VERSION) {
    throw new FileFormatError(
      `policy format version ${metadata.formatVersion} (written by rl3 ${metadata.packageVersion}) is not supported; ` +
        `this @rl3/onnx ${packageVersion} reads version ${POLICY_FORMAT_VERSION}`,
      { path },
    );
  }
  const spec = metadata.spec;
  if (!spec || !["transformer", "gru", "markov"].includes(spec.kind) || !(spec.inputSize > 0) || !(spec.outputSize > 0)) {
    throw new FileFormatError("its rl3 metadata lacks a valid model spec", { path });
  }
  if (metadata.graph !== "step" && metadata.graph !== "sequence") {
    throw new FileFormatError(`its rl3 metadata names an unknown graph kind ${JSON.stringify(metadata.graph)}`, { path });
  }
  return metadata;
}
