import { FileFormatError, MODEL_LIMITS, type ModelSpec } from "@rl3/core";
import { type OnnxTypes, onnx } from "./proto.js";
import { version as packageVersion } from "../package.json";
import { type GraphKind, TENSOR_NAMES } from "./tensor-names.js";

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
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new FileFormatError(`its rl3 metadata is ${JSON.stringify(metadata)}, not an object`, { path });
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
  if (!spec || typeof spec !== "object" || !["transformer", "gru", "markov"].includes(spec.kind)) {
    throw new FileFormatError("its rl3 metadata lacks a valid model spec", { path });
  }
  for (const field of ["inputSize", "outputSize", "dModel", "layers", "maxSequenceLength"] as const) {
    if (!Number.isSafeInteger(spec[field]) || spec[field] < 1 || spec[field] > (field === "maxSequenceLength" ? MODEL_LIMITS.maxSequenceLength : field === "layers" ? MODEL_LIMITS.layers : MODEL_LIMITS.width)) {
      throw new FileFormatError(`its rl3 metadata has spec.${field} = ${JSON.stringify(spec[field])}; expected an integer ≥ 1`, { path });
    }
  }
  if (spec.kind === "transformer" && (!Number.isSafeInteger(spec.heads) || spec.heads < 1 || spec.dModel % spec.heads !== 0)) {
    throw new FileFormatError(`its rl3 metadata has spec.heads = ${JSON.stringify(spec.heads)}; expected an integer ≥ 1 dividing dModel (${spec.dModel})`, { path });
  }
  if (metadata.graph !== "step" && metadata.graph !== "sequence") {
    throw new FileFormatError(`its rl3 metadata names an unknown graph kind ${JSON.stringify(metadata.graph)}`, { path });
  }
  checkGraphMatchesMetadata(model.graph, metadata, path);
  checkWeightsMatchSpec(model.graph, metadata, path);
  return metadata;
}

/**
 * Every weight the spec lists that the graph holds under its own name must have the spec's shape; a transformer
 * must hold its `positions` table. Metadata claiming a longer sequence than the positions table would otherwise load
 * and fail steps later inside onnxruntime (a Gather index out of range), and wrong widths at the first step.
 */
function checkWeightsMatchSpec(graph: OnnxTypes.IGraphProto, metadata: PolicyMetadata, path: string | undefined): void {
  const initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? "", (tensor.dims ?? []).map(Number)]));
  const { spec } = metadata;
  if (spec.kind === "transformer" && !initializers.has("positions")) {
    throw new FileFormatError("its metadata describes a transformer but the graph has no positions table", { path });
  }
  if (!Array.isArray(spec.weights)) throw new FileFormatError("its rl3 metadata lacks the spec's weight list", { path });
  for (const weight of spec.weights) {
    const dims = initializers.get(weight?.name);
    if (dims === undefined) continue; // stored in another layout (fused QKV, GRU gates): checked through the interface
    const shape = Array.isArray(weight.shape) ? weight.shape : [];
    if (dims.length !== shape.length || dims.some((size, axis) => size !== shape[axis])) {
      throw new FileFormatError(`its metadata says ${weight.name} has shape [${shape.join(", ")}] but the graph's is [${dims.join(", ")}]`, { path });
    }
  }
}

/** The graph inputs and outputs a policy of this spec and graph kind has (`exportOnnx`'s names). */
function expectedInterface(metadata: PolicyMetadata): { inputs: string[]; outputs: string[] } {
  const { spec, graph } = metadata;
  if (graph === "sequence" || spec.kind === "markov") return { inputs: [TENSOR_NAMES.observations], outputs: [TENSOR_NAMES.outputs] };
  if (spec.kind === "gru") return { inputs: [TENSOR_NAMES.observations, TENSOR_NAMES.hidden], outputs: [TENSOR_NAMES.outputs, TENSOR_NAMES.presentHidden] };
  const layers = Array.from({ length: spec.layers }, (_, layer) => layer);
  return {
    inputs: [TENSOR_NAMES.observations, TENSOR_NAMES.position, ...layers.flatMap((layer) => [TENSOR_NAMES.pastKey(layer), TENSOR_NAMES.pastValue(layer)])],
    outputs: [TENSOR_NAMES.outputs, ...layers.flatMap((layer) => [TENSOR_NAMES.presentKey(layer), TENSOR_NAMES.presentValue(layer)])],
  };
}

/** The fixed size of a value's last axis, if the graph declares one. */
function lastDimension(info: OnnxTypes.IValueInfoProto | undefined): number | undefined {
  const dims = info?.type?.tensorType?.shape?.dim ?? [];
  const last = dims.at(-1);
  return last?.dimValue === undefined || last.dimValue === null ? undefined : Number(last.dimValue);
}

/**
 * A policy whose metadata disagrees with its graph (edited metadata, a graph swapped in) would fail at the first
 * step with a raw onnxruntime message, or silently read observations of the wrong size: refuse it when loaded.
 */
function checkGraphMatchesMetadata(graph: OnnxTypes.IGraphProto, metadata: PolicyMetadata, path: string | undefined): void {
  const expected = expectedInterface(metadata);
  const inputs = (graph.input ?? []).map((value) => value.name ?? "");
  const outputs = (graph.output ?? []).map((value) => value.name ?? "");
  const describe = (names: string[]) => names.join(", ") || "none";
  const sameNames = (actual: string[], wanted: string[]) => actual.length === wanted.length && wanted.every((name) => actual.includes(name));
  if (!sameNames(inputs, expected.inputs) || !sameNames(outputs, expected.outputs)) {
    throw new FileFormatError(
      `its metadata (a ${metadata.graph} ${metadata.spec.kind} with ${metadata.spec.layers} layer(s)) disagrees with its graph: ` +
        `the graph has inputs ${describe(inputs)} and outputs ${describe(outputs)}; expected inputs ${describe(expected.inputs)} and outputs ${describe(expected.outputs)}`,
      { path },
    );
  }
  const observationSize = lastDimension(graph.input?.find((value) => value.name === TENSOR_NAMES.observations));
  if (observationSize !== metadata.spec.inputSize) {
    throw new FileFormatError(`its metadata says spec.inputSize = ${metadata.spec.inputSize} but the graph reads observations of size ${observationSize ?? "(unknown)"}`, { path });
  }
  const outputSize = lastDimension(graph.output?.find((value) => value.name === TENSOR_NAMES.outputs));
  if (outputSize !== undefined && outputSize !== metadata.spec.outputSize) {
    throw new FileFormatError(`its metadata says spec.outputSize = ${metadata.spec.outputSize} but the graph outputs ${outputSize} values per step`, { path });
  }
}
