import { readFile } from "node:fs/promises";
import { FileFormatError } from "@rl3/core";
import * as ort from "onnxruntime-node";
import { PolicyRunner } from "./policy-runner.js";

/**
 * A `PolicyRunner` on onnxruntime-node that also loads from a file path. One thread per session: the policies are
 * small, and the trainer and `evaluate` parallelise over processes or workers instead.
 */
export class OnnxPolicy extends PolicyRunner {
  /** Loads a policy from a file path or bytes; a damaged or foreign file gets a `FileFormatError`. */
  static async load(pathOrBytes: string | Uint8Array): Promise<OnnxPolicy> {
    const path = typeof pathOrBytes === "string" ? pathOrBytes : undefined;
    let bytes: Uint8Array;
    if (typeof pathOrBytes === "string") {
      try {
        bytes = new Uint8Array(await readFile(pathOrBytes));
      } catch (error) {
        throw new FileFormatError(`cannot read the policy file: ${(error as Error).message}`, { path, cause: error });
      }
    } else bytes = pathOrBytes;
    const { metadata, session } = await PolicyRunner.open(bytes, ort, {
      path,
      sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: "all" },
    });
    return new OnnxPolicy(ort, metadata, session);
  }
}
