import { FileFormatError, InputError, type Rng, StateError, requireInteger, requireObject, softmaxRow } from "@rl3/core";
import { ENV_LIMITS, TASK_FAMILY_NAMES, type TaskDomain, type TaskFamily, type VecMetaEnvInfo, requireTaskFamily, taskFamily } from "@rl3/envs";
// A type only: the agent runs on whatever runtime the caller loaded the policy with.
import type { PolicyRunner } from "@rl3/onnx";
import { type AgentContext, type MetaAgent, checkAgentContext } from "./agents.js";
import { checkRewards } from "./checks.js";
import { type EncoderConfig, ObservationEncoder } from "./observation-encoder.js";

export interface PolicyAgentOptions {
  /** Argmax of the logits (evaluation, §6.4) instead of sampling. Default true. */
  greedy?: boolean;
  name?: string;
  /** Named in errors about the file. */
  path?: string;
}

/**
 * A trained policy acting through its own observation encoder, rebuilt from the file's metadata: the same
 * method, encoding and Q cache it was trained with, applied to whichever task family it is evaluated on. It runs
 * on any `PolicyRunner` (onnxruntime-node in `rl3 eval`, onnxruntime-web in a page), so both act identically.
 */
export class PolicyAgent implements MetaAgent {
  readonly name: string;
  readonly policy: PolicyRunner;
  readonly encoderConfig: EncoderConfig;
  private currentEncoder: ObservationEncoder | undefined;
  private observations: Float32Array = new Float32Array(0);
  private logits: Float32Array = new Float32Array(0);
  private greedy: boolean;
  private rngs: readonly Rng[] = [];
  private probabilities = new Float64Array(0);

  constructor(policy: PolicyRunner, options: PolicyAgentOptions = {}) {
    requireObject("options", options);
    if (typeof policy !== "object" || policy === null || typeof policy.metadata !== "object" || policy.metadata === null) {
      throw new InputError({ field: "policy", value: policy, expected: "a PolicyRunner (OnnxPolicy.load, loadWebPolicy)" });
    }
    const encoder = policy.metadata.encoder as EncoderConfig | undefined;
    if (!encoder || typeof encoder.method !== "string" || typeof encoder.size !== "number" || typeof encoder.family !== "string") {
      throw new FileFormatError("the policy file has no observation-encoder metadata (was it exported by rl3's trainer?)", { path: options.path });
    }
    this.policy = policy;
    this.encoderConfig = encoder;
    this.greedy = options.greedy ?? true;
    this.name = options.name ?? String(encoder.method);
  }

  /** The task family the policy was trained on. */
  get trainingFamily(): TaskFamily {
    return taskFamily(this.encoderConfig.family);
  }

  /** The encoder of the current meta-episodes (its estimators are the RL³ learner the policy reads), after `begin`. */
  get encoder(): ObservationEncoder | undefined {
    return this.currentEncoder;
  }

  /** The logits of the last `act`, [numEnvs × numActions] (to see how close a greedy choice was). */
  get lastLogits(): Float32Array {
    return this.logits;
  }

  /**
   * Whether the policy reads the encoded observations of `family` (same sizes as its training family); if not,
   * an `InputError` naming the family and what the policy expects.
   */
  checkFamily(family: TaskFamily, horizon: number): ObservationEncoder {
    requireTaskFamily("family", family);
    requireInteger("horizon", horizon, 1, ENV_LIMITS.horizon);
    // By identity first: observation sizes can match by accident (a 5-armed bandit and a gridworld both encode to
    // the same width under some methods), so a policy is refused on any domain but its training family's. OOD
    // variants of that family (grid13:dense, mdps:ood, bandits:ood) share its domain and stay allowed.
    const trainedOn = domainOfFamilyName(this.encoderConfig.family);
    if (trainedOn !== undefined && family.domain !== trainedOn) {
      throw new InputError({
        field: "tasks",
        value: family.name,
        expected: `a ${trainedOn} family like ${this.encoderConfig.family} (the policy's training family); ${family.name} is ${family.domain}`,
      });
    }
    const encoder = new ObservationEncoder(family, 1, { method: this.encoderConfig.method, horizon, encoding: this.encoderConfig.encoding, qCache: this.encoderConfig.qCache });
    if (encoder.size !== this.policy.observationSize || family.numActions !== this.policy.numActions) {
      throw new InputError({
        field: "tasks",
        value: family.name,
        expected: `a family whose encoded observations have ${this.policy.observationSize} entries and ${this.policy.numActions} actions, like ${this.encoderConfig.family} (the policy's training family)`,
      });
    }
    return encoder;
  }

  begin(info: VecMetaEnvInfo, context: AgentContext): void {
    checkAgentContext(info, context);
    if (!this.currentEncoder || this.currentEncoder.numEnvs !== context.numEnvs || this.currentEncoder.family !== context.family || this.currentEncoder.config.horizon !== context.horizon) {
      this.checkFamily(context.family, context.horizon);
      this.currentEncoder = new ObservationEncoder(context.family, context.numEnvs, {
        method: this.encoderConfig.method,
        horizon: context.horizon,
        encoding: this.encoderConfig.encoding,
        qCache: this.encoderConfig.qCache,
      });
    }
    this.rngs = context.rngs;
    this.probabilities = new Float64Array(context.family.numActions);
    this.policy.reset(context.numEnvs);
    this.observations = this.currentEncoder.begin(info);
  }

  async act(): Promise<Int32Array> {
    if (this.greedy) {
      const { actions, logits } = await this.policy.act(this.observations, { greedy: true });
      this.logits = logits;
      return actions;
    }
    // Sampled here rather than by the policy, whose one stream would make env i's draws depend on its batch.
    const logits = await this.policy.forward(this.observations);
    this.logits = logits;
    const numActions = this.probabilities.length;
    return Int32Array.from(this.rngs, (rng, env) => rng.categorical(softmaxRow(logits, env * numActions, numActions, this.probabilities)));
  }

  observe(info: VecMetaEnvInfo, rewards: Float64Array): void {
    if (this.currentEncoder === undefined) throw new StateError(`${this.name}: call begin(info, context) before observe()`);
    checkRewards(rewards, this.currentEncoder.numEnvs);
    this.observations = this.currentEncoder!.advance(info, rewards);
  }

  async release(): Promise<void> {
    await this.policy.release();
  }
}

/**
 * The domain of a family recorded by name in a policy file: a known name's own domain, else the domain its name
 * starts with (custom gridN families, variants), else unknown (then only the size check applies).
 */
function domainOfFamilyName(name: string): TaskDomain | undefined {
  if ((TASK_FAMILY_NAMES as readonly string[]).includes(name)) return taskFamily(name).domain;
  if (name.startsWith("grid")) return "gridworld";
  if (name.startsWith("bandit")) return "bandits";
  if (name.startsWith("mdp")) return "mdps";
  return undefined;
}
