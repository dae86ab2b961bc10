import { type BenchResult, atMost, report } from "@rl3/tools/bench-harness";
import { Rng } from "@rl3/core";
import { MetaEnv, taskFamily } from "@rl3/envs";
import { type WarmStart, createEstimator } from "../src/index.js";

// Targets from issue #4 (µs per update + qValues, averaged over whole meta-episodes of random actions):
// ≤ 5 on mdps, ≤ 50 on grid13 full, ≤ 25 on grid13 coarse.
interface Transition {
  state: number;
  action: number;
  reward: number;
  nextState: number;
  terminal: boolean;
  observed: number;
}

function recordEpisodes(familyName: string, horizon: number, episodes: number): Transition[][] {
  const env = new MetaEnv(taskFamily(familyName), { horizon, seed: 1 });
  const rng = new Rng(2);
  return Array.from({ length: episodes }, () => {
    env.reset();
    const transitions: Transition[] = [];
    while (!env.done) {
      const { info } = env.step(rng.int(5));
      const transition = info.transition!;
      transitions.push({ ...transition, observed: info.state });
    }
    return transitions;
  });
}

function microsecondsPerStep(familyName: string, horizon: number, coarse: boolean, warmStart: WarmStart): { micros: number; sweeps: number } {
  const episodes = recordEpisodes(familyName, horizon, 12);
  const estimator = createEstimator(taskFamily(familyName), { horizon, coarse, warmStart });
  const out = new Float64Array(5);
  const counts = new Float64Array(5);
  const run = (episode: Transition[]) => {
    estimator.reset();
    for (const step of episode) {
      estimator.update(step.state, step.action, step.reward, step.nextState, step.terminal);
      estimator.qValues(step.observed, out);
      estimator.visitCounts(step.observed, counts);
    }
  };
  run(episodes[0]!); // warm-up
  run(episodes[1]!);
  const start = performance.now();
  let steps = 0;
  for (const episode of episodes.slice(2)) {
    run(episode);
    steps += episode.length;
  }
  return { micros: ((performance.now() - start) * 1000) / steps, sweeps: estimator.meanSweeps };
}

const results: BenchResult[] = [];
const cases: Array<[string, number, boolean, number | undefined]> = [
  ["mdps", 500, false, 5],
  ["grid11", 250, false, undefined],
  ["grid11", 250, true, undefined],
  ["grid13", 350, false, 50],
  ["grid13", 350, true, 25],
];
for (const [family, horizon, coarse, target] of cases) {
  for (const warmStart of ["auto", "always"] as const) {
    if (family === "mdps" && warmStart === "always") continue; // K = 10 < 100: the spec's cold start is the point
    const { micros, sweeps } = microsecondsPerStep(family, horizon, coarse, warmStart);
    const name = `${family} H ${horizon} ${coarse ? "coarse" : "full"}, warmStart ${warmStart} (${sweeps.toFixed(1)} sweeps/step)`;
    results.push(target === undefined ? { name, value: micros, unit: "µs/step" } : atMost(name, micros, "µs/step", target));
  }
}
report("@rl3/estimators: ModelBasedEstimator update + qValues + visitCounts", results);
