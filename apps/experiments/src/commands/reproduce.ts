import { writeFileSync } from "node:fs";
import { makeDirectory } from "../directories.js";
import { join, relative, resolve } from "node:path";
import { type BaselineName, DEFAULT_RESAMPLES, DEFAULT_TEST_SEED, type EvaluationResult, type Method, type Scale, createBaseline, defaultTrainConfig, evaluate, parseTrainConfig } from "@rl3/algorithms";
import { OnnxPolicyAgent } from "../runs/policy-agent.js";
import { PAPER_BUDGET_SWEEP, type SweepPoint, budgetSweepSpec, budgetSweepTables, iterationsToMatch, sweepPlotPoints } from "../report/budget-sweep.js";
import { runTrainJobs } from "../jobs.js";
import { type AgentFigures, type PairFigures, type ScoredRun, aggregatePoints, compareRuns, comparisonTables } from "../report/comparison.js";
import type { Output } from "../output.js";
import { besidePaperTable, type Experience } from "../report/paper-results.js";
import { aggregatesSpec, renderChart } from "../report/plots.js";
import { glossary } from "../report/report-glossary.js";
import { PRESETS, type Preset, presetConfig } from "../presets.js";
import { applyOverrides, checkTrainLimits } from "../overrides.js";
import { RUN_FILES, type RunState, readMetrics, recordEvaluation, runState, storedEvaluation, writeAtomic } from "../run-dir.js";
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
  /** Bootstrap resamples behind every interval (default `DEFAULT_RESAMPLES`). */
  resamples?: number;
  /** Extra `--set` overrides for every training run. */
  set?: string[];
  title: string;
  /** Trains the runs not yet finished somewhere else instead of as local `rl3 train` processes (the Redis queue, queue/sweep.ts). */
  trainRuns?: (runs: PlannedRun[]) => Promise<void>;
}

/** One agent's figures on one test family of a preset (see `AgentFigures`). */
export interface ReproduceRow extends AgentFigures {
  preset: string;
}

/** One pair's figures (see `PairFigures`). */
export interface ReproducePair extends PairFigures {
  preset: string;
}

/** One preset × method × seed of a suite, its run directory and what it is now (the queue trains the same list). */
export interface PlannedRun {
  label: string;
  preset: Preset;
  method: string;
  seed: number;
  dir: string;
  state: RunState;
}

/** A preset's evaluated runs and baselines, as the report reads them. */
interface EvaluatedPreset {
  preset: Preset;
  scored: ScoredRun[];
  baselines: EvaluationSummary[];
}

/**
 * Every new run's config (each preset × method with the `--set` overrides) is checked before anything is created or
 * trained: a bad `--set` is one error naming the key at once, not a failure of every spawned `rl3 train` later.
 */
function checkReproduceSettings(options: ReproduceOptions): void {
  for (const preset of options.presets) {
    for (const method of options.methods) {
      const overridden = applyOverrides({ ...presetConfig(preset, method as Method, options.scale), seed: options.seeds[0] ?? 0 }, options.set ?? []);
      checkTrainLimits(overridden);
      parseTrainConfig(overridden);
    }
  }
}

/**
 * The shared engine of `reproduce` and the demo, in four steps: plan the preset × method × seed runs, train the
 * unfinished ones (two at a time, sharing the cores), evaluate every trained policy through its exported ONNX file on
 * every test family of its preset beside the baselines on the same tasks, and write results.json, results.md,
 * report.md and plots into `outDir`.
 */
export async function reproduce(options: ReproduceOptions, output: Output): Promise<{ rows: ReproduceRow[]; pairs: ReproducePair[]; seconds: number; report: string }> {
  const started = Date.now();
  const outDir = resolve(options.outDir);
  checkReproduceSettings(options);
  makeDirectory(outDir, "--out");
  const plan = planRuns(options, outDir);
  await trainPlanned(plan, options, output);
  const trainSeconds = (Date.now() - started) / 1000;
  output.say(`training done in ${trainSeconds.toFixed(0)} s; evaluating on ${options.episodes} fixed test tasks per family…`);
  const evaluated = await evaluatePlanned(plan, options);
  return writeReport(plan, evaluated, options, output, { outDir, started, trainSeconds });
}

/**
 * Every run of the suite, seed-major (the first pair of concurrent runs is every method's first seed, so a session
 * cut short still leaves a comparable pair behind), with what each is now: new, unfinished or finished.
 */
function planRuns(options: ReproduceOptions, outDir: string): PlannedRun[] {
  return options.presets.flatMap((preset) =>
    options.seeds.flatMap((seed) =>
      options.methods.map((method) => {
        const dir = join(outDir, `${preset.name}-${method}-s${seed}`);
        return { label: `${preset.name} ${method} s${seed}`, preset, method, seed, dir, state: runState(dir, { preset: preset.name, scale: options.scale, method, seed }) };
      }),
    ),
  );
}

/** Trains the runs not finished yet: unfinished ones continue from their checkpoints with their own config. */
async function trainPlanned(plan: readonly PlannedRun[], options: ReproduceOptions, output: Output): Promise<void> {
  const pending = plan.filter((run) => run.state.state !== "finished");
  const resumed = pending.filter((run) => run.state.state === "unfinished").length;
  output.say(
    `training ${pending.length} of ${plan.length} run(s) (${options.scale} scale), two at a time` +
      `${resumed ? `; ${resumed} continue from their checkpoints` : ""}${pending.length < plan.length ? `; ${plan.length - pending.length} already finished` : ""}…`,
  );
  const extra = (options.set ?? []).flatMap((assignment) => ["--set", assignment]);
  if (options.trainRuns) return options.trainRuns(pending);
  await runTrainJobs(
    pending.map((run) => ({
      label: run.label,
      args:
        run.state.state === "unfinished"
          ? ["--resume", run.dir]
          : ["--preset", run.preset.name, "--method", run.method, "--seed", String(run.seed), "--scale", options.scale, "--out", run.dir, ...extra],
    })),
  );
}

/** Greedy test returns of every run (stored in its eval.json, computed once) and of the baselines, per preset. */
async function evaluatePlanned(plan: readonly PlannedRun[], options: ReproduceOptions): Promise<EvaluatedPreset[]> {
  const evaluated: EvaluatedPreset[] = [];
  for (const preset of options.presets) {
    const scored: ScoredRun[] = [];
    const baselines: EvaluationSummary[] = [];
    for (const family of preset.testFamilies) {
      for (const method of options.methods) {
        for (const run of plan.filter((candidate) => candidate.preset === preset && candidate.method === method)) {
          const wanted = { episodes: options.episodes, seed: DEFAULT_TEST_SEED, horizon: preset.horizon };
          let result = storedEvaluation<EvaluationResult>(run.dir, family, wanted);
          if (!result) {
            const agent = await OnnxPolicyAgent.load(join(run.dir, RUN_FILES.policy));
            result = await evaluate(agent, { family, horizon: preset.horizon, episodes: options.episodes, seed: DEFAULT_TEST_SEED });
            recordEvaluation(run.dir, family, result);
          }
          scored.push({ agent: method, trainingSeed: run.seed, source: run.dir, result });
        }
      }
      for (const baseline of options.baselines) {
        if ((baseline === "ucb1" || baseline === "thompson") && !family.startsWith("bandits")) continue;
        const result = await evaluate(createBaseline(baseline), { family, horizon: preset.horizon, episodes: options.episodes });
        baselines.push(summarize(result));
        scored.push({ agent: baseline, source: `the ${baseline} baseline`, result });
      }
    }
    evaluated.push({ preset, scored, baselines });
  }
  return evaluated;
}

/** The suite's tables, plots and report: per preset the comparison beside the paper, then the budget sweep. */
async function writeReport(
  plan: readonly PlannedRun[],
  evaluated: readonly EvaluatedPreset[],
  options: ReproduceOptions,
  output: Output,
  timing: { outDir: string; started: number; trainSeconds: number },
): Promise<{ rows: ReproduceRow[]; pairs: ReproducePair[]; seconds: number; report: string }> {
  const { outDir, started, trainSeconds } = timing;
  const rows: ReproduceRow[] = [];
  const pairs: ReproducePair[] = [];
  const sections: string[] = [];
  const plots: string[] = [];
  for (const { preset, scored, baselines } of evaluated) {
    // Pairs among the trained methods (RL³ vs RL²); the baselines are context, one row each.
    const comparison = compareRuns(scored, { pairAgents: options.methods, resamples: options.resamples });
    rows.push(...comparison.agents.map((row) => ({ preset: preset.name, ...row })));
    pairs.push(...comparison.pairs.map((pair) => ({ preset: preset.name, ...pair })));
    const runDirs = plan.filter((run) => run.preset === preset).map((run) => run.dir);
    const beside = besidePaperTable(preset.name, comparison.agents, comparison.pairs, experienceOf(preset, runDirs));
    sections.push(`### ${preset.name}`, "", comparisonTables(comparison, (family) => family), "", ...(beside ? [beside, ""] : []));

    const plotted = await plotCommand(
      {
        runs: runDirs,
        out: join(outDir, `${preset.name}-training-curves`),
        evaluationOut: join(outDir, `${preset.name}-test-returns`),
        baselines,
        title: `Meta-training on ${preset.name} (${options.scale})`,
      },
      { json: true, say: () => {}, result: () => {} },
    );
    plots.push(relative(outDir, plotted.learningCurve.png));
    if (plotted.evaluation) plots.push(relative(outDir, plotted.evaluation.png));
    const aggregates = await renderChart(
      aggregatesSpec(aggregatePoints(comparison, (family) => family), `${preset.name} (${options.scale}, ${options.seeds.length} seed(s)): aggregates with ${Math.round(comparison.confidence * 100)}% intervals`),
      join(outDir, `${preset.name}-test-aggregates`),
    );
    plots.push(relative(outDir, aggregates.png));
  }
  // The RLC budget sweep (§7.4): normalised score against H beside the paper's, and iterations-to-match.
  const sweepPresets = options.presets.filter((preset) => preset.family === "mdps" && PAPER_BUDGET_SWEEP[preset.horizon] && options.methods.includes("rl2") && options.methods.includes("rl3"));
  if (sweepPresets.length >= 2) {
    const points: SweepPoint[] = rows.flatMap((row) => {
      const preset = sweepPresets.find((candidate) => candidate.name === row.preset);
      return preset && row.aggregate.normalized && ["rl2", "rl2-transition", "rl3"].includes(row.agent) && (row.family === "mdps" || row.family === "mdps:ood")
        ? [{ horizon: preset.horizon, method: row.agent, family: row.family, normalized: row.aggregate.normalized }]
        : [];
    });
    const curves = (preset: Preset, method: string) =>
      plan.filter((run) => run.preset === preset && run.method === method).map((run) => readMetrics(run.dir).map((row) => row["charts/episodic_return"]));
    const matches = new Map(sweepPresets.map((preset) => [preset.horizon, iterationsToMatch(curves(preset, "rl2"), curves(preset, "rl3"))]));
    sections.push(
      "### The RLC budget sweep on random MDPs (§7.4)",
      "",
      "Oracle-normalised greedy test return (stratified bootstrap over seeds × tasks, 95%) beside the paper's (read from the RLC plots); then the PPO iterations RL³ needs for its smoothed training curve to reach RL²'s final training return (mean of RL²'s last 10% of iterations), as a fraction of RL²'s iterations.",
      "",
      budgetSweepTables(points, matches),
      "",
    );
    const sweepPlot = await renderChart(budgetSweepSpec(sweepPlotPoints(points, options.scale), `Random MDPs: return ÷ oracle against H (${options.scale}, ${options.seeds.length} seed(s))`), join(outDir, "mdps-budget-sweep"));
    plots.push(relative(outDir, sweepPlot.png));
  }
  const seconds = (Date.now() - started) / 1000;
  const tables = sections.join("\n").trimEnd();
  const statistics = { resamples: options.resamples ?? DEFAULT_RESAMPLES, confidence: 0.95, bootstrapSeed: 0 };
  writeAtomic(join(outDir, "results.json"), `${JSON.stringify({ scale: options.scale, episodes: options.episodes, seeds: options.seeds, seconds, ...statistics, rows, pairs }, null, 2)}\n`);
  writeAtomic(join(outDir, "results.md"), `${tables}\n`);
  const report = [
    `# ${options.title}`,
    "",
    `Scale \`${options.scale}\` (see \`rl3 presets\`); ${options.seeds.length} seed(s) per method; greedy evaluation on ${options.episodes} fixed test tasks per family, the same tasks for every agent (§6.4).`,
    `Wall time ${seconds.toFixed(0)} s (training ${trainSeconds.toFixed(0)} s), ${new Date().toISOString()}.`,
    "",
    tables,
    "",
    ...plots.map((plot) => `![${plot}](${plot})`),
    "",
    glossary(
      [...new Set(options.presets.flatMap((preset) => preset.testFamilies))],
      [...options.methods, ...options.baselines],
    ),
    "",
    `Numbers at the \`${options.scale}\` scale are reported beside the paper's, never in place of them: "ours ÷ paper" is read with the experience ratio above each table. ` +
      "How rl3 implements the paper, section by section: docs/method.md in the rl3 repository; all results so far: docs/results.md.",
    "",
  ].join("\n");
  const reportPath = join(outDir, "report.md");
  writeFileSync(reportPath, report);
  // What each run was before this command: trained from scratch (new), continued (unfinished) or skipped (finished).
  const runs = plan.map((run) => ({ run: run.dir, preset: run.preset.name, method: run.method, seed: run.seed, before: run.state.state }));
  output.result({ outDir, report: reportPath, seconds, ...statistics, runs, rows, pairs }, () => `${tables}\n\nreport: ${reportPath} (${seconds.toFixed(0)} s)`);
  return { rows, pairs, seconds, report: reportPath };
}

/** Env steps of the longest of `runDirs` (all are finished here) and of the paper's setting for `preset`. */
function experienceOf(preset: Preset, runDirs: readonly string[]): Experience {
  const ours = Math.max(0, ...runDirs.map((dir) => readMetrics(dir).at(-1)?.["charts/env_steps"] ?? 0));
  const paper = defaultTrainConfig(preset.family, preset.horizon, "rl3", "paper");
  return { ours, paper: paper.iterations * paper.batchSize, paperBudget: `${paper.iterations.toLocaleString("en-US")} iterations × ${paper.batchSize.toLocaleString("en-US")} steps` };
}

export function presetsByName(names: string[]): Preset[] {
  return names.map((name) => PRESETS.find((preset) => preset.name === name)!);
}
