import { FileFormatError, InputError, describeValue } from "./errors.js";
import { type NamedWeights, type WeightTensor, elementCount } from "./model-spec.js";
import { requireObject } from "./validate.js";

/**
 * Weights in the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header `{ name: { dtype, shape, data_offsets }, "__metadata__": { … } }`, then raw little-endian
 * tensors. Python's `safetensors`, PyTorch and others read these files directly. Bytes in, bytes out, no file
 * system and no `Buffer`: checkpoints and weights are encoded the same way in Node and in browsers.
 */
const HEADER_LIMIT = 100 * 1024 * 1024;

export function encodeSafetensors(weights: NamedWeights, metadata: Record<string, string> = {}): Uint8Array {
  checkEncodable(weights, metadata);
  const names = Object.keys(weights).sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const tensor = weights[name]!;
    header[name] = { dtype: "F32", shape: tensor.shape, data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (allowed by the format).
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const name of names) {
    const data = weights[name]!.data;
    const target = new DataView(bytes.buffer, position, data.byteLength);
    for (let index = 0; index < data.length; index++) target.setFloat32(index * 4, data[index]!, true);
    position += data.byteLength;
  }
  return bytes;
}

/**
 * What `encodeSafetensors` writes must read back: string metadata, tensor names the format allows, and tensors
 * whose data is a Float32Array of exactly the shape's element count with finite values (a NaN weight saved is a
 * model that only ever outputs NaN). Checked in full before any byte is written.
 */
function checkEncodable(weights: NamedWeights, metadata: Record<string, string>): void {
  requireObject("weights", weights);
  requireObject("metadata", metadata);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") throw new InputError({ field: `metadata.${key}`, value, expected: "a string (safetensors metadata holds strings only)" });
  }
  for (const [name, tensor] of Object.entries(weights)) {
    if (name === "__metadata__" || name === "__proto__") throw new InputError({ field: "weights", value: name, expected: "tensor names other than __metadata__ and __proto__" });
    if (typeof tensor !== "object" || tensor === null || !Array.isArray(tensor.shape) || !tensor.shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
      throw new InputError({ field: `weights.${name}.shape`, value: (tensor as WeightTensor | null)?.shape, expected: "an array of integers ≥ 0" });
    }
    const count = elementCount(tensor.shape);
    if (count > ELEMENT_LIMIT) throw new InputError({ field: `weights.${name}.shape`, value: tensor.shape, expected: `at most ${ELEMENT_LIMIT} elements` });
    if (!(tensor.data instanceof Float32Array) || tensor.data.length !== count) {
      throw new InputError({ field: `weights.${name}.data`, value: (tensor.data as Float32Array | undefined)?.length, expected: `a Float32Array of ${count} elements (shape [${tensor.shape.join(", ")}])` });
    }
    for (let index = 0; index < count; index++) {
      if (!Number.isFinite(tensor.data[index]!)) throw new InputError({ field: `weights.${name}.data[${index}]`, value: tensor.data[index], expected: "a finite number" });
    }
  }
}

/** Most elements one tensor may declare (4 GiB of F32): a damaged shape must not make the reader allocate more. */
const ELEMENT_LIMIT = 2 ** 30;

/**
 * Reads a safetensors file. Everything is checked before any tensor is copied: the header length, that the header
 * is a JSON object whose entries are objects, string-valued metadata, F32 dtypes, shapes of integers ≥ 0, and
 * integral offsets that match the shape and lie inside the file. Anything else is a `FileFormatError`.
 */
export function decodeSafetensors(bytes: Uint8Array, path?: string): { weights: NamedWeights; metadata: Record<string, string> } {
  const fail = (message: string, cause?: unknown): never => {
    throw new FileFormatError(`not a valid safetensors file: ${message}`, { path, cause });
  };
  if (!(bytes instanceof Uint8Array)) throw new InputError({ field: "bytes", value: bytes, expected: "the file's bytes as a Uint8Array" });
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declaredLength = view.getBigUint64(0, true);
  if (declaredLength > BigInt(Math.min(HEADER_LIMIT, bytes.length - 8))) fail(`header length ${declaredLength} exceeds the file (${bytes.length} bytes)`);
  const headerLength = Number(declaredLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    return fail("the header is not JSON", error);
  }
  if (!isRecord(header)) return fail(`the header is ${describeValue(header)}, not a JSON object`);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const weights: Record<string, WeightTensor> = {};
  let metadata: Record<string, string> = {};
  // [start, end, name] of every tensor: two tensors sharing bytes would alias, so overlaps are refused below.
  const extents: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (!isRecord(entry) || !Object.values(entry).every((value) => typeof value === "string")) fail("__metadata__ must be an object of strings");
      metadata = { ...(entry as Record<string, string>) };
      continue;
    }
    // JSON.parse makes "__proto__" an own key; assigning it would replace the weights object's prototype.
    if (name === "__proto__") fail(`tensor name "__proto__" is not allowed`);
    if (!isRecord(entry)) return fail(`tensor ${name} is ${describeValue(entry)}, not an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (dtype !== "F32") fail(`tensor ${name} has dtype ${describeValue(dtype)}; only "F32" is supported`);
    if (!Array.isArray(shape) || !shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
      fail(`tensor ${name} has shape ${describeValue(shape)}; expected an array of integers ≥ 0`);
    }
    const count = elementCount(shape as number[]);
    if (count > ELEMENT_LIMIT) fail(`tensor ${name} declares ${count} elements; at most ${ELEMENT_LIMIT} are read`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0)) {
      fail(`tensor ${name} has data_offsets ${describeValue(offsets)}; expected [start, end], integers ≥ 0`);
    }
    const [start, end] = offsets as [number, number];
    if (end - start !== count * 4) fail(`tensor ${name}: data_offsets [${start}, ${end}] hold ${end - start} bytes; shape [${(shape as number[]).join(", ")}] needs ${count * 4}`);
    if (end > dataLength) fail(`tensor ${name}: data_offsets [${start}, ${end}] run past the data (${dataLength} bytes): the file is truncated`);
    extents.push([start, end, name]);
  }
  // Empty tensors occupy no bytes and cannot overlap anything; the others, by start, must each begin at or after
  // the end of the one before.
  const occupied = extents.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  for (let index = 1; index < occupied.length; index++) {
    const [start, end, name] = occupied[index]!;
    const [previousStart, previousEnd, previousName] = occupied[index - 1]!;
    if (start < previousEnd) fail(`tensors ${previousName} [${previousStart}, ${previousEnd}] and ${name} [${start}, ${end}] overlap`);
  }
  for (const [start, end, name] of extents) {
    const shape = (header[name] as { shape: number[] }).shape;
    const data = new Float32Array((end - start) / 4);
    const tensorView = new DataView(bytes.buffer, bytes.byteOffset + dataStart + start, end - start);
    for (let index = 0; index < data.length; index++) {
      data[index] = tensorView.getFloat32(index * 4, true);
      if (!Number.isFinite(data[index]!)) fail(`tensor ${name} holds ${data[index]} at index ${index}; weights must be finite`);
    }
    weights[name] = { shape: [...shape], data };
  }
  return { weights, metadata };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
