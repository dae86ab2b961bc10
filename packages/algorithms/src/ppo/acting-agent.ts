import type { ActingPolicy } from "@rl3/core";
import type { VecMetaEnvInfo } from "@rl3/envs";
import type { AgentContext, MetaAgent } from "@rl3/wrappers";
import type { TrainConfig } from "../config.js";
import { LocalShard } from "./shard.js";

/**
 * The greedy actor of a run on its engine's acting policy (§6.4's evaluation policy, for validation during
 * training): the run's own encoder and argmax of the logits, ties to the lowest action as `PolicyRunner.act`
 * breaks them, so it scores what the exported policy scores under `rl3 eval`.
 */
export class ActingAgent implements MetaAgent {
  readonly name: string;
  private encoder: ReturnType<typeof LocalShard.encoder> | undefined;
  private observations: Float32Array = new Float32Array(0);
  private numActions = 0;

  constructor(
    private readonly policy: ActingPolicy,
    private readonly config: TrainConfig,
  ) {
    this.name = config.method;
  }

  begin(info: VecMetaEnvInfo, context: AgentContext): void {
    if (!this.encoder || this.encoder.numEnvs !== context.numEnvs || this.encoder.family !== context.family) {
      this.encoder = LocalShard.encoder({ ...this.config, horizon: context.horizon }, context.family, context.numEnvs);
    }
    this.numActions = context.family.numActions;
    this.policy.reset(context.numEnvs);
    this.observations = this.encoder.begin(info);
  }

  async act(): Promise<Int32Array> {
    const logits = await this.policy.logits(this.observations);
    const numActions = this.numActions;
    const actions = new Int32Array(logits.length / numActions);
    for (let env = 0; env < actions.length; env++) {
      let best = 0;
      for (let action = 1; action < numActions; action++) if (logits[env * numActions + action]! > logits[env * numActions + best]!) best = action;
      actions[env] = best;
    }
    return actions;
  }

  observe(info: VecMetaEnvInfo, rewards: Float64Array): void {
    this.observations = this.encoder!.advance(info, rewards);
  }

  async release(): Promise<void> {
    await this.policy.release();
  }
}
