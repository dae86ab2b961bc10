import { atLeast, atMost, measureRate, measureTime, report } from "@rl3/tools/bench-harness";
import { Rng } from "@rl3/core";
import { VecMetaEnv, oracleReturn, taskFamily } from "../src/index.js";

// Targets from issue #3: ≥ 10M env-steps/s on mdps, ≥ 5M on grid13 (64 envs, random actions); oracle ≤ 50 ms.
const NUM_ENVS = 64;

function stepRates(familyName: string, horizon: number) {
  const env = new VecMetaEnv(taskFamily(familyName), { numEnvs: NUM_ENVS, horizon, seed: 1 });
  const rng = new Rng(2);
  // Random actions drawn up front so the figure is the env's own cost.
  const actionTable = Array.from({ length: horizon }, () => Int32Array.from({ length: NUM_ENVS }, () => rng.int(5)));
  // Stepping alone: resets (which sample new tasks) happen outside the timed region.
  const warmUntil = performance.now() + 300;
  while (performance.now() < warmUntil) {
    env.reset();
    for (let t = 0; t < horizon; t++) env.step(actionTable[t]!);
  }
  let steppingMs = 0;
  let steppedEpisodes = 0;
  while (steppingMs < 1000) {
    env.reset();
    const start = performance.now();
    for (let t = 0; t < horizon; t++) env.step(actionTable[t]!);
    steppingMs += performance.now() - start;
    steppedEpisodes++;
  }
  const stepping = (steppedEpisodes * NUM_ENVS * horizon * 1000) / steppingMs;
  const withResets = measureRate(() => {
    env.reset();
    for (let t = 0; t < horizon; t++) env.step(actionTable[t]!);
  }, NUM_ENVS * horizon);
  return { stepping, withResets };
}

const mdps = stepRates("mdps", 500);
const bandits = stepRates("bandits", 500);
const grid13 = stepRates("grid13", 350);
const gridTask = taskFamily("grid13").sample(new Rng(3));
const oracleMs = await measureTime(() => oracleReturn(gridTask, 350), 9);
const mdpTask = taskFamily("mdps").sample(new Rng(3));
const mdpOracleMs = await measureTime(() => oracleReturn(mdpTask, 500), 9);
const generationMs = await measureTime(() => taskFamily("grid13").sample(new Rng(4)), 9);

report("@rl3/envs", [
  atLeast("VecMetaEnv mdps (64 envs, H 500)", mdps.stepping, "steps/s", 10e6),
  { name: "  …including task sampling at reset", value: mdps.withResets, unit: "steps/s" },
  { name: "VecMetaEnv bandits (64 envs, H 500)", value: bandits.stepping, unit: "steps/s" },
  { name: "  …including task sampling at reset", value: bandits.withResets, unit: "steps/s" },
  atLeast("VecMetaEnv grid13 (64 envs, H 350)", grid13.stepping, "steps/s", 5e6),
  { name: "  …including grid generation at reset", value: grid13.withResets, unit: "steps/s" },
  atMost("oracleReturn grid13, H 350", oracleMs, "ms", 50),
  { name: "oracleReturn mdps, H 500", value: mdpOracleMs, unit: "ms" },
  { name: "generate one grid13 task (with rejection)", value: generationMs, unit: "ms" },
]);
