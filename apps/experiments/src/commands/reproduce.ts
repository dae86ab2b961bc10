import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type BaselineName, type Scale, OnnxPolicyAgent, createBaseline, evaluate } from "@rl3/algorithms";
import { runTrainJobs } from "../jobs.js";
import { type Output, markdownTable } from "../output.js";
import { PRESETS, type Preset } from "../presets.js";
import { RUN_FILES, recordEvaluation, writeAtomic } from "../run-dir.js";
import { type EvaluationSummary, summarize } from "./evaluate.js";
import { plotCommand } from "./plot.js";

export interface ReproduceOptions {
  outDir: string;
  presets: Preset[];
  methods: string[];
  seeds: number[];
  scale: Scale;
  episodes: number;
  baselines: BaselineName[];
  /** Extra `--set` overrides for every training run. */
  set?: string[];
  title: string;
}

export interface ReproduceRow {
  preset: string;
  family: string;
  horizon: number;
  agent: string;
  seeds: number;
  mean: number;
  stderr: number;
  oracleMean?: number;
  normalized?: number;
}

/**
 * The shared engine of `reproduce` and the demo: trains every preset × method × seed (two at a time), evaluates
 * every trained policy through its exported ONNX file on every test family of its preset, runs the baselines on
 * the same tasks, and writes results.json, results.md, report.md and plots into `outDir`.
 */
export async function reproduce(options: ReproduceOptions, output: Output): Promise<{ rows: ReproduceRow[]; seconds: number; report: string }> {
  const started = Date.now();
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const jobs = options.presets.flatMap((preset) =>
    options.methods.flatMap((method) =>
      options.seeds.map((seed) => ({
        label: `${preset.name} ${method} s${seed}`,
        preset,
        method,
        seed,
        dir: join(outDir, `${preset.name}-${method}-s${seed}`),
      })),
    ),
  );
  output.say(`training ${jobs.length} run(s) (${options.scale} scale), two at a time…`);
  await runTrainJobs(
    jobs.map((job) => ({
      label: job.label,
      args: ["--preset", job.preset.name, "--method", job.method, "--seed", String(job.seed), "--scale", options.scale, "--out", job.dir, ...(options.set ?? []).flatMap((assignment) => ["--set", assignment])],
    })),
  );
  const trainSeconds = (Date.now() - started) / 1000;
  output.say(`training done in ${trainSeconds.toFixed(0)} s; evaluating on ${options.episodes} fixed test tasks per family…`);

  const rows: ReproduceRow[] = [];
  const baselinesForPlot: EvaluationSummary[] = [];
  for (const preset of options.presets) {
    for (const family of preset.testFamilies) {
      for (const method of options.methods) {
        const results: EvaluationSummary[] = [];
        for (const job of jobs.filter((candidate) => candidate.preset === preset && candidate.method === method)) {
          const agent = await OnnxPolicyAgent.load(join(job.dir, RUN_FILES.policy));
          const summary = summarize(await evaluate(agent, { family, horizon: preset.horizon, episodes: options.episodes }));
          results.push(summary);
          recordEvaluation(job.dir, family, summary);
        }
        rows.push(aggregate(preset, family, method, results));
      }
      for (const baseline of options.baselines) {
        if ((baseline === "ucb1" || baseline === "thompson") && !family.startsWith("bandits")) continue;
        const summary = summarize(await evaluate(createBaseline(baseline), { family, horizon: preset.horizon, episodes: options.episodes }));
        baselinesForPlot.push(summary);
        rows.push(aggregate(preset, family, baseline, [summary]));
      }
    }
  }
  const plots: string[] = [];
  for (const preset of options.presets) {
    const runDirs = jobs.filter((job) => job.preset === preset).map((job) => job.dir);
    const plotted = await plotCommand(
      { runs: runDirs, out: join(outDir, `${preset.name}-learning-curves`), baselines: baselinesForPlot.filter((result) => preset.testFamilies.includes(result.family)), title: `Meta-training on ${preset.name} (${options.scale})` },
      { json: true, say: () => {}, result: () => {} },
    );
    plots.push(relative(outDir, plotted.learningCurve.png));
    if (plotted.evaluation) plots.push(relative(outDir, plotted.evaluation.png));
  }
  const seconds = (Date.now() - started) / 1000;
  const table = resultsTable(rows);
  writeAtomic(join(outDir, "results.json"), `${JSON.stringify({ scale: options.scale, episodes: options.episodes, seconds, rows }, null, 2)}\n`);
  writeAtomic(join(outDir, "results.md"), `${table}\n`);
  const report = [
    `# ${options.title}`,
    "",
    `Scale \`${options.scale}\` (see \`rl3 presets\`); ${options.seeds.length} seed(s) per method; greedy evaluation on ${options.episodes} fixed test tasks per family, the same tasks for every agent (§6.4).`,
    `Wall time ${seconds.toFixed(0)} s (training ${trainSeconds.toFixed(0)} s), ${new Date().toISOString()}.`,
    "",
    "Mean undiscounted meta-episode return ± standard error; *normalised* = mean ÷ the oracle's exact expected return on the same tasks.",
    "",
    table,
    "",
    ...plots.map((plot) => `![${plot}](${plot})`),
    "",
    "Quick-scale numbers are reported beside the paper's (`spec/rl3-method.md` §7), never in place of them.",
    "",
  ].join("\n");
  const reportPath = join(outDir, "report.md");
  writeFileSync(reportPath, report);
  output.result({ outDir, report: reportPath, seconds, rows }, () => `${table}\n\nreport: ${reportPath} (${seconds.toFixed(0)} s)`);
  return { rows, seconds, report: reportPath };
}

function aggregate(preset: Preset, family: string, agent: string, results: EvaluationSummary[]): ReproduceRow {
  // Across seeds: mean of the seeds' means; s.e. pools the per-seed standard errors (independent test runs).
  const mean = results.reduce((sum, result) => sum + result.mean, 0) / results.length;
  const stderr = Math.sqrt(results.reduce((sum, result) => sum + result.stderr ** 2, 0)) / results.length;
  const oracleMean = results[0]?.oracleMean;
  return { preset: preset.name, family, horizon: preset.horizon, agent, seeds: results.length, mean, stderr, oracleMean, normalized: oracleMean === undefined ? undefined : mean / oracleMean };
}

function resultsTable(rows: ReproduceRow[]): string {
  return markdownTable(
    ["preset", "test tasks", "agent", "mean ± s.e.", "normalised"],
    rows.map((row) => [row.preset, row.family, row.agent, `${row.mean.toFixed(1)} ± ${row.stderr.toFixed(1)}`, row.normalized === undefined ? "" : row.normalized.toFixed(3)]),
  );
}

export function presetsByName(names: string[]): Preset[] {
  return names.map((name) => PRESETS.find((preset) => preset.name === name)!);
}
