import { InputError } from "@rl3/core";
// The wasm-only build: the policies are small enough that WebGPU/WebGL would not pay for their start-up and size.
import * as ort from "onnxruntime-web/wasm";
import { PolicyRunner } from "./policy-runner.js";

/** onnxruntime-web (wasm) as a `PolicyRunner` runtime. */
export const webRuntime = ort;

export interface WebPolicyOptions {
  /** Where onnxruntime-web fetches its .wasm/.mjs files from; by default beside its own script (what bundlers emit). */
  wasmPaths?: string;
  /** Named in errors about the file (e.g. a dropped file's name). */
  path?: string;
}

/**
 * Loads a policy into onnxruntime-web from bytes, a `Blob`/`File` (drag and drop) or a URL. Same `PolicyRunner`
 * API as `OnnxPolicy` in Node, so a page and `rl3 eval` act through the same code.
 */
export async function loadWebPolicy(source: Uint8Array | ArrayBuffer | Blob | URL | string, options: WebPolicyOptions = {}): Promise<PolicyRunner> {
  // Several threads need cross-origin isolation, which a plain static server does not give; one thread is what a
  // single small policy step wants anyway.
  ort.env.wasm.numThreads = 1;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  const bytes = await bytesOf(source);
  const path = options.path ?? (typeof source === "string" || source instanceof URL ? String(source) : undefined);
  return PolicyRunner.create(bytes, ort, { path, sessionOptions: { executionProviders: ["wasm"], graphOptimizationLevel: "all" } });
}

async function bytesOf(source: Uint8Array | ArrayBuffer | Blob | URL | string): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof Blob !== "undefined" && source instanceof Blob) return new Uint8Array(await source.arrayBuffer());
  if (typeof source === "string" || source instanceof URL) {
    const response = await fetch(source);
    if (!response.ok) throw new InputError({ field: "source", value: String(source), expected: `a reachable policy URL (HTTP ${response.status})` });
    return new Uint8Array(await response.arrayBuffer());
  }
  throw new InputError({ field: "source", value: source, expected: "a Uint8Array, ArrayBuffer, Blob/File, URL or URL string" });
}
