import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { InputError } from "@rl3/core";

export type BackendName = "auto" | "wasm" | "cpu" | "tfjs-node" | "tfjs-node-gpu";
export const BACKEND_NAMES: readonly BackendName[] = ["auto", "wasm", "cpu", "tfjs-node", "tfjs-node-gpu"];

export interface BackendChoice {
  /** The tfjs backend now active: "tensorflow" (tfjs-node / tfjs-node-gpu), "wasm" or "cpu". */
  readonly backend: string;
  /** Why it was chosen, for logs: e.g. "auto: @tensorflow/tfjs-node is not installed; using wasm". */
  readonly reason: string;
}

/** Loads an optional native package if the user installed it; undefined otherwise (never a hard dependency). */
async function tryNative(packageName: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ packageName);
    return tf.findBackend("tensorflow") !== undefined && (await tf.setBackend("tensorflow"));
  } catch {
    return false;
  }
}

async function useWasm(): Promise<boolean> {
  // Threads crash in Node and are not needed (docs/toolchain.md); SIMD is detected and used.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  try {
    return await tf.setBackend("wasm");
  } catch {
    return false;
  }
}

async function useCpu(): Promise<boolean> {
  const ok = await tf.setBackend("cpu");
  // The cpu backend prints an advert for tfjs-node on first use; rl3 reports its own choice instead.
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if ("firstUse" in backend) backend.firstUse = false;
  return ok;
}

/**
 * Selects the TensorFlow.js backend. `auto` tries @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (used only
 * when the user has installed them: they are not dependencies), then wasm, then cpu.
 */
export async function initBackend(name: BackendName = "auto"): Promise<BackendChoice> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new InputError({ field: "backend", value: name, expected: BACKEND_NAMES.map((n) => `"${n}"`).join(", ") });
  }
  const notes: string[] = [];
  const finish = async (backend: string, reason: string): Promise<BackendChoice> => {
    await tf.ready();
    return { backend, reason: [...notes, reason].join("; ") };
  };
  if (name === "tfjs-node-gpu" || name === "tfjs-node") {
    const packageName = `@tensorflow/${name}`;
    if (await tryNative(packageName)) return finish("tensorflow", `using ${packageName}`);
    throw new InputError({ field: "backend", value: name, expected: `an installed ${packageName} (it is optional; install it yourself or use "wasm")` });
  }
  if (name === "auto") {
    for (const packageName of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
      if (await tryNative(packageName)) return finish("tensorflow", `auto: using ${packageName}`);
      notes.push(`${packageName} not available`);
    }
  }
  if (name !== "cpu") {
    if (await useWasm()) return finish("wasm", `${name === "auto" ? "auto: " : ""}using wasm (SIMD, single thread)`);
    notes.push("wasm failed to initialise");
  }
  if (await useCpu()) return finish("cpu", `${name === "auto" ? "auto: " : ""}using cpu`);
  throw new InputError({ field: "backend", value: name, expected: "a backend that initialises on this machine" });
}
