import { OnnxPolicy } from "@rl3/onnx/node";
import { PolicyAgent, type PolicyAgentOptions } from "@rl3/wrappers";

/** `PolicyAgent` (@rl3/wrappers) on onnxruntime-node, loaded from a file path or bytes. */
export class OnnxPolicyAgent extends PolicyAgent {
  declare readonly policy: OnnxPolicy;

  static async load(pathOrBytes: string | Uint8Array, options: Omit<PolicyAgentOptions, "path"> = {}): Promise<OnnxPolicyAgent> {
    const path = typeof pathOrBytes === "string" ? pathOrBytes : undefined;
    return new OnnxPolicyAgent(await OnnxPolicy.load(pathOrBytes), { ...options, path });
  }
}
