import { fileURLToPath } from "node:url";
import { UnknownNameError } from "@rl3/core";
import manifest from "../zoo.json" with { type: "json" };
import type { ZooEntry, ZooManifest } from "./entry.js";

/** Every policy in the zoo (zoo.json, inlined at build time; the ONNX files ship beside it in `policies/`). */
export const ZOO_ENTRIES: readonly ZooEntry[] = (manifest as ZooManifest).entries;

export const ZOO_NAMES: readonly string[] = ZOO_ENTRIES.map((entry) => entry.name);

/** The entry called `name` ("grid13-350/rl3"); an unknown name gets an `UnknownNameError` listing the known ones. */
export function zooEntry(name: string): ZooEntry {
  const entry = ZOO_ENTRIES.find((candidate) => candidate.name === name);
  if (!entry) throw new UnknownNameError("zoo policy", name, ZOO_NAMES);
  return entry;
}

/** URL of a zoo policy's ONNX file (for bundlers and `fetch`). */
export function zooPolicyUrl(name: string): URL {
  // This module is src/zoo.ts or dist/index.(c)js: either way the package root is one level up.
  return new URL(`../${zooEntry(name).file}`, import.meta.url);
}

/** File path of a zoo policy's ONNX file, for `OnnxPolicy.load` (@rl3/onnx) or `rl3 eval --policy`. */
export function zooPolicyPath(name: string): string {
  return fileURLToPath(zooPolicyUrl(name));
}
