/**
 * Slicing a rollout into the minibatches of §5.2 (whole trajectories, in env order) and the small statistics the
 * update needs. Pure array code, shared by every engine.
 */

/** The actor's inputs x_0 … x_{H−1} of envs [first, first + count) from the rollout's [env × (H + 1) × size]. */
export function actorObservations(observations: Float32Array, first: number, count: number, horizon: number, size: number): Float32Array {
  const data = new Float32Array(count * horizon * size);
  for (let e = 0; e < count; e++) {
    const source = (first + e) * (horizon + 1) * size;
    data.set(observations.subarray(source, source + horizon * size), e * horizon * size);
  }
  return data;
}

/** The critic's inputs x_0 … x_H of envs [first, first + count) (a view, no copy). */
export function criticObservations(observations: Float32Array, first: number, count: number, horizon: number, size: number): Float32Array {
  return observations.subarray(first * (horizon + 1) * size, (first + count) * (horizon + 1) * size);
}

/** (x − mean) / (std + 1e-8) over the minibatch (population std, as CleanRL). */
export function normalizeAdvantages(advantages: Float32Array): Float32Array {
  let mean = 0;
  for (const value of advantages) mean += value;
  mean /= advantages.length;
  let variance = 0;
  for (const value of advantages) variance += (value - mean) ** 2;
  const std = Math.sqrt(variance / advantages.length);
  return Float32Array.from(advantages, (value) => (value - mean) / (std + 1e-8));
}

/** Row-wise log-softmax of [rows × width] logits (float64 arithmetic, float32 out). */
export function logSoftmaxRows(logits: Float32Array, width: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let offset = 0; offset < logits.length; offset += width) {
    let max = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < width; index++) max = Math.max(max, logits[offset + index]!);
    let sum = 0;
    for (let index = 0; index < width; index++) sum += Math.exp(logits[offset + index]! - max);
    const logSum = Math.log(sum) + max;
    for (let index = 0; index < width; index++) out[offset + index] = logits[offset + index]! - logSum;
  }
  return out;
}

/** log π_old(a_t) of the chosen actions from full [steps × actions] log-probabilities. */
export function chosenLogProbabilities(logProbabilities: Float32Array, actions: Int32Array, numActions: number): Float32Array {
  return Float32Array.from(actions, (action, step) => logProbabilities[step * numActions + action]!);
}

/** Σ_a π_old(a)(log π_old(a) − log π_new(a)) summed over every step of [steps × actions] log-probabilities. */
export function klSum(oldLog: Float32Array, newLog: Float32Array): number {
  let total = 0;
  for (let index = 0; index < oldLog.length; index++) total += Math.exp(oldLog[index]!) * (oldLog[index]! - newLog[index]!);
  return total;
}

/** 1 − Var(target − prediction) / Var(target) over envs × H (predictions read from [env × (H + 1)]). */
export function explainedVariance(targets: Float32Array, values: Float32Array, numEnvs: number, horizon: number): number {
  let mean = 0;
  for (const value of targets) mean += value;
  mean /= targets.length;
  let total = 0;
  let residual = 0;
  for (let e = 0; e < numEnvs; e++) {
    for (let t = 0; t < horizon; t++) {
      const target = targets[e * horizon + t]!;
      total += (target - mean) ** 2;
      residual += (target - values[e * (horizon + 1) + t]!) ** 2;
    }
  }
  return total === 0 ? 0 : 1 - residual / total;
}
