import { FileFormatError, InputError, type Rng } from "@rl3/core";
import { type TaskFamily, type VecMetaEnvInfo, taskFamily } from "@rl3/envs";
import { OnnxPolicy, softmaxRow } from "@rl3/onnx";
import type { AgentContext, MetaAgent } from "@rl3/wrappers";
import { type EncoderConfig, ObservationEncoder } from "@rl3/wrappers";

/**
 * A trained policy file acting through its own observation encoder, rebuilt from the file's metadata: the same
 * method, encoding and Q cache it was trained with, applied to whichever task family it is evaluated on.
 */
export class OnnxPolicyAgent implements MetaAgent {
  readonly name: string;
  readonly policy: OnnxPolicy;
  readonly encoderConfig: EncoderConfig;
  private encoder: ObservationEncoder | undefined;
  private observations: Float32Array = new Float32Array(0);
  private greedy: boolean;
  private rngs: readonly Rng[] = [];
  private probabilities = new Float64Array(0);

  private constructor(policy: OnnxPolicy, encoderConfig: EncoderConfig, options: { greedy?: boolean; name?: string }) {
    this.policy = policy;
    this.encoderConfig = encoderConfig;
    this.greedy = options.greedy ?? true;
    this.name = options.name ?? String(encoderConfig.method);
  }

  static async load(pathOrBytes: string | Uint8Array, options: { greedy?: boolean; name?: string } = {}): Promise<OnnxPolicyAgent> {
    const policy = await OnnxPolicy.load(pathOrBytes);
    const encoder = policy.metadata.encoder as EncoderConfig | undefined;
    if (!encoder || typeof encoder.method !== "string" || typeof encoder.size !== "number") {
      throw new FileFormatError("the policy file has no observation-encoder metadata (was it exported by rl3's trainer?)", { path: typeof pathOrBytes === "string" ? pathOrBytes : undefined });
    }
    return new OnnxPolicyAgent(policy, encoder, options);
  }

  /** The task family the policy was trained on. */
  get trainingFamily(): TaskFamily {
    return taskFamily(this.encoderConfig.family);
  }

  begin(info: VecMetaEnvInfo, context: AgentContext): void {
    if (!this.encoder || this.encoder.numEnvs !== context.numEnvs || this.encoder.family !== context.family) {
      this.encoder = new ObservationEncoder(context.family, context.numEnvs, {
        method: this.encoderConfig.method,
        horizon: context.horizon,
        encoding: this.encoderConfig.encoding,
        qCache: this.encoderConfig.qCache,
      });
      if (this.encoder.size !== this.policy.observationSize) {
        throw new InputError({ field: "tasks", value: context.family.name, expected: `a family whose encoded observations have ${this.policy.observationSize} entries, like ${this.encoderConfig.family}` });
      }
    }
    this.rngs = context.rngs;
    this.probabilities = new Float64Array(context.family.numActions);
    this.policy.reset(context.numEnvs);
    this.observations = this.encoder.begin(info);
  }

  async act(): Promise<Int32Array> {
    if (this.greedy) return (await this.policy.act(this.observations, { greedy: true })).actions;
    // Sampled here rather than by the policy, whose one stream would make env i's draws depend on its batch.
    const logits = await this.policy.forward(this.observations);
    const numActions = this.probabilities.length;
    return Int32Array.from(this.rngs, (rng, env) => rng.categorical(softmaxRow(logits, env * numActions, numActions, this.probabilities)));
  }

  observe(info: VecMetaEnvInfo, rewards: Float64Array): void {
    this.observations = this.encoder!.advance(info, rewards);
  }

  async release(): Promise<void> {
    await this.policy.release();
  }
}
