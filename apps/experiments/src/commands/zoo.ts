import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_TEST_SEED, type EvaluationResult, evaluate, mean, metaEpisodeReturns, parseTrainConfig, validationTaskStreams } from "@rl3/algorithms";
import { OnnxPolicyAgent } from "../runs/policy-agent.js";
import { taskFamily } from "@rl3/envs";
import { FileFormatError, InputError } from "@rl3/core";
import { ZOO_ENTRIES, type ZooEntry, type ZooManifest, type ZooScore, zooPolicyPath } from "@rl3/zoo";
import { requireDistinctRuns } from "../flags.js";
import { type Output, markdownTable } from "../output.js";
import { PRESETS, modelLabel } from "../presets.js";
import { RUN_FILES, readMetrics, readRunInfo, runState, writeAtomic } from "../run-dir.js";

/** The zoo's check: the first `CHECK_EPISODES` test tasks of the preset's in-distribution family (§6.4's test stream). */
export const CHECK_EPISODES = 64;

/**
 * The seeds of a preset × method are ranked on the same validation tasks (`validationTaskStreams` of this seed: never
 * trained on, never the test tasks), `ZOO_VALIDATION_EPISODES` of them, one greedy meta-episode each.
 */
export const ZOO_VALIDATION_SEED = 0;
export const ZOO_VALIDATION_EPISODES = 64;

/** Test episodes a zoo score must rest on (§6.4). */
const SCORE_EPISODES = 1000;

/** `zoo:<preset>/<method>` names a zoo policy wherever a policy file is expected. */
export const ZOO_PREFIX = "zoo:";

/** Resolves `zoo:NAME` to the zoo's file (an unknown name lists the known ones); anything else is returned as given. */
export function resolvePolicyName(policy: string): string {
  return policy.startsWith(ZOO_PREFIX) ? zooPolicyPath(policy.slice(ZOO_PREFIX.length)) : policy;
}

function score(result: EvaluationResult): ZooScore {
  const { family, horizon, episodes, seed, mean, stderr, oracleMean, normalized } = result;
  return { family, horizon, episodes, testSeed: seed, mean, stderr, ...(oracleMean === undefined ? {} : { oracleMean, normalized }) };
}

function lastTenMean(directory: string): number {
  // Null returns (iterations without a finished episode, or NaN written as null) are left out, not counted as 0.
  return mean(readMetrics(directory).slice(-10).map((row) => row["charts/episodic_return"]).filter((value) => typeof value === "number" && Number.isFinite(value)));
}

/** The greedy mean return of a run's final policy on the zoo's validation tasks of `family`. */
async function validationReturn(directory: string, family: string, horizon: number): Promise<number> {
  const agent = await OnnxPolicyAgent.load(join(directory, RUN_FILES.policy));
  const tasks = taskFamily(family);
  const streams = validationTaskStreams(ZOO_VALIDATION_SEED, ZOO_VALIDATION_EPISODES);
  try {
    return mean(await metaEpisodeReturns(agent, tasks, horizon, streams.map((stream) => tasks.sample(stream.task)), streams));
  } finally {
    await agent.release();
  }
}

/**
 * `rl3 zoo add`: from finished runs of one preset × method (its seeds), the one whose greedy policy scores best on
 * 64 validation tasks — the zoo ships greedy policies, and a high sampled training return does not make a good
 * greedy policy (docs/method.md, "Greedy evaluation"); no test task picks the policy — goes into the zoo with its
 * training command, budget and its stored scores on every test family of the preset (eval.json, 1000 tasks each).
 */
export async function zooAddCommand(options: { runs: string[]; command: string; zoo: string }, output: Output): Promise<ZooEntry> {
  // The same run twice would be ranked against itself as two seeds.
  requireDistinctRuns("--runs", options.runs);
  const zooDir = resolve(options.zoo);
  const manifestPath = join(zooDir, "zoo.json");
  if (!existsSync(manifestPath)) throw new FileFormatError("is not a zoo package (no zoo.json)", { path: zooDir });
  let manifest: ZooManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as ZooManifest;
  } catch (error) {
    throw new FileFormatError(`is not readable JSON (${(error as Error).message})`, { path: manifestPath, cause: error });
  }
  const runs = options.runs.map((directory) => ({ directory: resolve(directory), info: readRunInfo(resolve(directory)) }));
  const first = runs[0]!;
  for (const run of runs) {
    for (const key of ["preset", "scale"] as const) {
      if (run.info[key] !== first.info[key]) throw new InputError({ field: "--runs", value: run.directory, expected: `a run with ${key} ${first.info[key]} like ${first.directory} (the seeds of one preset × method), not ${run.info[key]}` });
    }
    if (run.info.config.method !== first.info.config.method) throw new InputError({ field: "--runs", value: run.directory, expected: `a run of ${first.info.config.method} like ${first.directory} (the seeds of one preset × method), not ${run.info.config.method}` });
    const state = runState(run.directory, { preset: first.info.preset!, scale: first.info.scale!, method: first.info.config.method, seed: run.info.config.seed });
    if (state.state !== "finished") throw new InputError({ field: "--runs", value: run.directory, expected: `a finished run (this one is ${state.state}; finish it with  rl3 train --resume ${run.directory})` });
  }
  const preset = PRESETS.find((candidate) => candidate.name === first.info.preset);
  if (!preset) throw new InputError({ field: "--runs", value: first.directory, expected: `a run of a known preset (its preset is ${String(first.info.preset)})` });
  const ranked: ((typeof runs)[number] & { finalReturn: number; validationReturn: number })[] = [];
  for (const run of runs) ranked.push({ ...run, finalReturn: lastTenMean(run.directory), validationReturn: await validationReturn(run.directory, preset.testFamilies[0]!, preset.horizon) });
  const chosen = ranked.sort((a, b) => b.validationReturn - a.validationReturn)[0]!;

  const stored = JSON.parse(readFileSync(join(chosen.directory, RUN_FILES.evaluation), "utf8")) as Record<string, EvaluationResult>;
  const scores = preset.testFamilies.map((family) => {
    const result = stored[family];
    if (!result || result.episodes < SCORE_EPISODES || result.seed !== DEFAULT_TEST_SEED) {
      throw new InputError({ field: "--runs", value: chosen.directory, expected: `a run whose eval.json holds a ${SCORE_EPISODES}-task evaluation on ${family} (run  rl3 eval --policy ${chosen.directory} --tasks ${family})` });
    }
    return score(result);
  });
  const policyFile = join(chosen.directory, RUN_FILES.policy);
  const agent = await OnnxPolicyAgent.load(policyFile);
  const check = score(await evaluate(agent, { family: preset.testFamilies[0]!, horizon: preset.horizon, episodes: CHECK_EPISODES, seed: DEFAULT_TEST_SEED }));

  const config = parseTrainConfig(chosen.info.config);
  const method = config.method;
  const name = `${preset.name}/${method}`;
  const file = `policies/${preset.name}-${method}.onnx`;
  mkdirSync(join(zooDir, "policies"), { recursive: true });
  copyFileSync(policyFile, join(zooDir, file));
  const bytes = readFileSync(join(zooDir, file));
  const model = config.model;
  const entry: ZooEntry = {
    name,
    preset: preset.name,
    method,
    file,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    training: {
      command: options.command,
      scale: chosen.info.scale!,
      seed: config.seed,
      envSteps: config.iterations * config.batchSize,
      iterations: config.iterations,
      batchSize: config.batchSize,
      model: `${modelLabel(model)} (${model.heads ?? 4} heads)`,
      engine: config.engine,
      finalReturn: chosen.finalReturn,
      validationReturn: chosen.validationReturn,
      chosenFrom: runs.map((run) => run.info.config.seed).sort((a, b) => a - b),
    },
    scores,
    check,
  };
  const entries = [...manifest.entries.filter((existing) => existing.name !== name), entry].sort((a, b) => a.name.localeCompare(b.name));
  writeAtomic(manifestPath, `${JSON.stringify({ ...manifest, entries }, null, 2)}\n`);
  output.result(entry, () => `${name}: seed ${config.seed} (of ${entry.training.chosenFrom.join(", ")}), ${scores.map((s) => `${s.family} ${s.mean.toFixed(1)} ± ${s.stderr.toFixed(1)}`).join("; ")} → ${join(zooDir, file)}`);
  return entry;
}

/** `rl3 zoo`: the policies the installed @rl3/zoo ships. */
export function zooListCommand(output: Output): readonly ZooEntry[] {
  output.result({ entries: ZOO_ENTRIES }, () =>
    markdownTable(
      ["name", "scale", "env steps", "seed", "scores (1000 test tasks)"],
      ZOO_ENTRIES.map((entry) => [
        `zoo:${entry.name}`,
        entry.training.scale,
        entry.training.envSteps.toLocaleString("en-US"),
        String(entry.training.seed),
        entry.scores.map((s) => `${s.family} ${s.mean.toFixed(1)} ± ${s.stderr.toFixed(1)}`).join("; "),
      ]),
    ),
  );
  return ZOO_ENTRIES;
}
