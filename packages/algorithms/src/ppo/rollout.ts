import type { TaskFamily } from "@rl3/envs";
import { VecMetaEnv } from "@rl3/envs";
import type { ActingPolicy, Rng } from "@rl3/core";
import { softmaxRow } from "@rl3/onnx";
import type { ObservationEncoder } from "@rl3/wrappers";

export type { ActingPolicy };

/**
 * One meta-episode per env (§5.1), laid out as the update reads it:
 * observations [env × (H + 1) × size] (x_0 … x_H, x_H being the bootstrap observation), actions and rewards
 * [env × H], with reward t the one caused by action t (the alignment canary checks this on a scripted run).
 */
export interface Rollout {
  readonly observations: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float64Array;
  readonly numEnvs: number;
  readonly horizon: number;
  readonly size: number;
  /** Mean undiscounted meta-episode return. */
  readonly meanReturn: number;
}

export interface RolloutOptions {
  family: TaskFamily;
  numEnvs: number;
  horizon: number;
  encoder: ObservationEncoder;
  policy: ActingPolicy;
  /** One stream per env for its tasks and dynamics (`VecMetaEnv`'s `envRngs`): env i depends on its own alone. */
  environments: readonly Rng[];
  /** One stream per env for its action sampling (unused when `choose` is given). */
  actions: readonly Rng[];
  /**
   * Picks env e's action at step t from its logits; default: a draw from softmax(logits). Tests pass a script.
   */
  choose?: (env: number, t: number, logits: ArrayLike<number>, offset: number) => number;
}

export async function collectRollout(options: RolloutOptions): Promise<Rollout> {
  const { family, numEnvs, horizon, encoder, policy } = options;
  const size = encoder.size;
  const numActions = family.numActions;
  const env = new VecMetaEnv(family, { numEnvs, horizon, envRngs: options.environments });
  const observations = new Float32Array(numEnvs * (horizon + 1) * size);
  const actions = new Int32Array(numEnvs * horizon);
  const rewards = new Float64Array(numEnvs * horizon);
  const store = (encoded: Float32Array, t: number) => {
    for (let e = 0; e < numEnvs; e++) observations.set(encoded.subarray(e * size, (e + 1) * size), (e * (horizon + 1) + t) * size);
  };
  const probabilities = new Float64Array(numActions);
  const choose = options.choose ?? ((e: number, _t: number, logits: ArrayLike<number>, offset: number) => options.actions[e]!.categorical(softmaxRow(logits, offset, numActions, probabilities)));
  const chosen = new Int32Array(numEnvs);
  let encoded = encoder.begin(env.reset().info);
  store(encoded, 0);
  policy.reset(numEnvs);
  try {
    for (let t = 0; t < horizon; t++) {
      const logits = await policy.logits(encoded);
      for (let e = 0; e < numEnvs; e++) chosen[e] = choose(e, t, logits, e * numActions);
      const { reward, info } = env.step(chosen);
      for (let e = 0; e < numEnvs; e++) {
        actions[e * horizon + t] = chosen[e]!;
        rewards[e * horizon + t] = reward[e]!;
      }
      encoded = encoder.advance(info, reward);
      store(encoded, t + 1);
    }
  } finally {
    await policy.release();
  }
  let total = 0;
  for (const reward of rewards) total += reward;
  return { observations, actions, rewards, numEnvs, horizon, size, meanReturn: total / numEnvs };
}
