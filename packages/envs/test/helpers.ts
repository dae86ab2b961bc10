import { Rng } from "@rl3/core";
import type { TabularTask } from "../src/index.js";

/** Chi-square critical values at p = 0.001 by degrees of freedom (a fixed-seed test fails only on a real mismatch). */
const CHI_SQUARE_CRITICAL_0_001: Record<number, number> = {
  1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47, 5: 20.52, 6: 22.46, 7: 24.32, 8: 26.12, 9: 27.88,
};

/** Pearson's chi-square statistic of next states sampled from (state, action) against `transitionProbs`. */
export function chiSquareOfSampling(task: TabularTask, state: number, action: number, samples: number, seed: number) {
  const expected = task.transitionProbs(state, action);
  const counts = new Float64Array(task.numStates);
  const rng = new Rng(seed);
  for (let draw = 0; draw < samples; draw++) counts[task.sampleStep(state, action, rng).nextState]!++;
  let statistic = 0;
  let outcomes = 0;
  for (let next = 0; next < task.numStates; next++) {
    if (expected[next] === 0) {
      if (counts[next] !== 0) return { statistic: Number.POSITIVE_INFINITY, critical: 0 };
      continue;
    }
    outcomes++;
    const mean = expected[next]! * samples;
    statistic += (counts[next]! - mean) ** 2 / mean;
  }
  const degrees = outcomes - 1;
  return { statistic, critical: degrees === 0 ? 0 : CHI_SQUARE_CRITICAL_0_001[degrees]!, degrees };
}

export function rowSums(task: TabularTask): number[] {
  const sums: number[] = [];
  for (let state = 0; state < task.numStates; state++) {
    for (let action = 0; action < task.numActions; action++) {
      sums.push(task.transitionProbs(state, action).reduce((a, b) => a + b, 0));
    }
  }
  return sums;
}
