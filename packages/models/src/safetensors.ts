import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { FileFormatError, InputError, type NamedWeights, decodeSafetensors, encodeSafetensors } from "@rl3/core";

// The codec is @rl3/core's (pure, shared with checkpoints); files are this package's Node-side convenience.
export { encodeSafetensors, decodeSafetensors };

/**
 * Writes weights atomically (temporary file, then rename): a crash never leaves a half-written file. A path that
 * cannot be written gets an `InputError` naming it, and the temporary file is removed.
 */
export async function saveWeights(path: string, weights: NamedWeights, metadata: Record<string, string> = {}): Promise<void> {
  if (typeof path !== "string" || path.length === 0) throw new InputError({ field: "path", value: path, expected: "a non-empty file path" });
  const bytes = encodeSafetensors(weights, metadata);
  const temporary = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new InputError({ field: "path", value: path, expected: `a writable file path (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
  }
}

/** Reads a safetensors file; a missing or unreadable path, or a damaged file, is a `FileFormatError` naming the path. */
export async function loadWeights(path: string): Promise<{ weights: NamedWeights; metadata: Record<string, string> }> {
  if (typeof path !== "string" || path.length === 0) throw new InputError({ field: "path", value: path, expected: "a non-empty file path" });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileFormatError(`cannot read the weights file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { path, cause: error });
  }
  return decodeSafetensors(bytes, path);
}
