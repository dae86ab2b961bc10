import { readFile, rename, writeFile } from "node:fs/promises";
import { FileFormatError, type NamedWeights, type WeightTensor, elementCount } from "@rl3/core";

/**
 * Weights in the safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length, a JSON header `{ name: { dtype, shape, data_offsets }, "__metadata__": { … } }`, then raw little-endian
 * tensors. Python's `safetensors`, PyTorch and others read these files directly.
 */
const HEADER_LIMIT = 100 * 1024 * 1024;

export function encodeSafetensors(weights: NamedWeights, metadata: Record<string, string> = {}): Uint8Array {
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
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
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

export function decodeSafetensors(bytes: Uint8Array, path?: string): { weights: NamedWeights; metadata: Record<string, string> } {
  const fail = (message: string, cause?: unknown): never => {
    throw new FileFormatError(`not a valid safetensors file: ${message}`, { path, cause });
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > HEADER_LIMIT || 8 + headerLength > bytes.length) fail(`header length ${headerLength} exceeds the file (${bytes.length} bytes)`);
  let header: Record<string, { dtype?: string; shape?: number[]; data_offsets?: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    return fail("the header is not JSON", error);
  }
  const dataStart = 8 + headerLength;
  const weights: Record<string, WeightTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (dtype !== "F32") fail(`tensor ${name} has dtype ${dtype}; only F32 is supported`);
    if (!Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) fail(`tensor ${name} lacks shape or data_offsets`);
    const [start, end] = offsets!;
    if (end - start !== elementCount(shape!) * 4 || dataStart + end > bytes.length || start < 0) {
      fail(`tensor ${name}: offsets [${start}, ${end}] do not match shape [${shape!.join(", ")}] or the file is truncated`);
    }
    const data = new Float32Array(elementCount(shape!));
    const tensorView = new DataView(bytes.buffer, bytes.byteOffset + dataStart + start, end - start);
    for (let index = 0; index < data.length; index++) data[index] = tensorView.getFloat32(index * 4, true);
    weights[name] = { shape: shape!, data };
  }
  return { weights, metadata };
}

/** Writes weights atomically (temporary file, then rename): a crash never leaves a half-written file. */
export async function saveWeights(path: string, weights: NamedWeights, metadata: Record<string, string> = {}): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, encodeSafetensors(weights, metadata));
  await rename(temporary, path);
}

export async function loadWeights(path: string): Promise<{ weights: NamedWeights; metadata: Record<string, string> }> {
  return decodeSafetensors(new Uint8Array(await readFile(path)), path);
}
