import { InputError, requireFiniteArray, requireInRange, requireInteger } from "@rl3/core";
import { ENV_LIMITS } from "@rl3/envs";

/**
 * Generalised advantage estimation over whole meta-episodes (§5.2): δ_t = r_t + γ(1 − term_t)V(x_{t+1}) − V(x_t),
 * A_t = δ_t + γλ(1 − term_t)A_{t+1}. Inner-episode boundaries are *not* terminal for the meta-critic; only the
 * last step (t = H − 1, the budget's end) is, so the recursion and the bootstrap stop there.
 *
 * @param rewards [envs × H]
 * @param values  [envs × (H + 1)]: V(x_0) … V(x_H), the last being the bootstrap observation's value
 * @returns advantages [envs × H] and λ-return critic targets V_old + A [envs × H]
 */
export function generalizedAdvantages(
  rewards: Float64Array,
  values: Float32Array | Float64Array,
  numEnvs: number,
  horizon: number,
  gamma: number,
  lambda: number,
): { advantages: Float32Array; returns: Float32Array } {
  // All checked before the recursion: a NaN reward or value would otherwise spread backwards through the whole
  // meta-episode's advantages, and a length mismatch would read past the end as undefined (NaN).
  requireInteger("numEnvs", numEnvs, 1, ENV_LIMITS.numEnvs);
  requireInteger("horizon", horizon, 1, ENV_LIMITS.horizon);
  requireInRange("gamma", gamma, 0, 1);
  requireInRange("lambda", lambda, 0, 1);
  if (!(rewards instanceof Float64Array)) throw new InputError({ field: "rewards", value: rewards, expected: "a Float64Array [envs × H]" });
  if (!(values instanceof Float32Array || values instanceof Float64Array)) throw new InputError({ field: "values", value: values, expected: "a Float32Array or Float64Array [envs × (H + 1)]" });
  requireFiniteArray("rewards", rewards, numEnvs * horizon);
  requireFiniteArray("values", values, numEnvs * (horizon + 1));
  return uncheckedAdvantages(rewards, values, numEnvs, horizon, gamma, lambda);
}

/**
 * The recursion itself, without the checks: the PPO trainer's own path (internal, not exported from the package).
 * The trainer's values come from its critic, and a NaN there is a broken run rather than bad input: it must reach
 * the trainer's loss check, which stops the iteration with a StateError and leaves the checkpoint intact.
 */
export function uncheckedAdvantages(
  rewards: Float64Array,
  values: Float32Array | Float64Array,
  numEnvs: number,
  horizon: number,
  gamma: number,
  lambda: number,
): { advantages: Float32Array; returns: Float32Array } {
  const advantages = new Float32Array(numEnvs * horizon);
  const returns = new Float32Array(numEnvs * horizon);
  for (let env = 0; env < numEnvs; env++) {
    let running = 0;
    for (let t = horizon - 1; t >= 0; t--) {
      const notTerminal = t === horizon - 1 ? 0 : 1;
      const value = values[env * (horizon + 1) + t]!;
      const nextValue = values[env * (horizon + 1) + t + 1]!;
      const delta = rewards[env * horizon + t]! + gamma * notTerminal * nextValue - value;
      running = delta + gamma * lambda * notTerminal * running;
      advantages[env * horizon + t] = running;
      returns[env * horizon + t] = running + value;
    }
  }
  return { advantages, returns };
}
