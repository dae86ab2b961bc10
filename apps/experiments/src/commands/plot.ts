import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { FileFormatError } from "@rl3/core";
import { groupRuns } from "../report/curve-groups.js";
import { requireDistinctRuns, requireOutputDirectory } from "../flags.js";
import type { Output } from "../output.js";
import { type BarPoint, CURVE_SMOOTHING, type ReferenceLine, curvePoints, evaluationBarsSpec, learningCurveSpec, renderChart } from "../report/plots.js";
import { RUN_FILES, readMetrics, readRunInfo } from "../run-dir.js";
import type { EvaluationSummary } from "./evaluate.js";

export interface PlotSummary {
  /** One entry per curve: runs of one experiment (same settings apart from the seed and length) are one curve. */
  curves: { label: string; runs: string[]; iterations: number[] }[];
  learningCurve: { svg: string; png: string; width: number; height: number };
  /** Runs that validated (`validateEvery`): their greedy validation returns, `<out>-validation`. */
  validationCurve?: { svg: string; png: string; width: number; height: number };
  evaluation?: { svg: string; png: string; width: number; height: number };
}

/** Baselines drawn as reference lines on learning curves: the floor and the ceiling of what can be learned. */
const REFERENCE_AGENTS = ["random", "oracle"];

/**
 * Learning curves of the given run directories and, where they hold eval.json, test-return bars (written beside the
 * curves as `<out>-test-returns`, or to `evaluationOut`). Runs of different experiments (another family, horizon,
 * method, scale or setting) are separate curves, labelled by what differs. The random and oracle baselines among
 * `baselines` on the runs' training family are drawn on the curves as reference lines.
 */
export async function plotCommand(options: { runs: string[]; out: string; evaluationOut?: string; baselines?: EvaluationSummary[]; title?: string }, output: Output): Promise<PlotSummary> {
  // The same run twice would be averaged as two seeds (rl3 compare refuses it too).
  requireDistinctRuns("--runs", options.runs);
  requireOutputDirectory("--out", options.out);
  const base = resolve(options.out).replace(/\.(svg|png)$/u, "");
  const runs = options.runs.map((directory) => {
    const info = readRunInfo(resolve(directory));
    const metrics = readMetrics(resolve(directory));
    const validations = metrics.flatMap((row) => (row["eval/validation_return"] === undefined ? [] : [{ envSteps: row["charts/env_steps"], value: row["eval/validation_return"] }]));
    return { directory: resolve(directory), info, validations, rows: metrics.map((row) => ({ envSteps: row["charts/env_steps"], value: row["charts/episodic_return"] })) };
  });
  const families = [...new Set(runs.map((run) => `${run.info.config.family}, H ${run.info.config.horizon}`))].join("; ");
  const groups = groupRuns(runs);
  const labelled = groups.flatMap((group) => group.runs.map((run) => ({ ...run, label: group.label })));
  const trainingFamilies = new Set(runs.map((run) => run.info.config.family));
  const references: ReferenceLine[] = (options.baselines ?? [])
    .filter((result) => REFERENCE_AGENTS.includes(result.agent) && trainingFamilies.has(result.family))
    .map((result) => ({ agent: result.agent, value: result.mean }));
  const learningCurve = await renderChart(
    learningCurveSpec(curvePoints(labelled.map((run) => ({ curve: run.label, method: run.info.config.method, rows: run.rows }))), options.title ?? `Meta-training: ${families}`, { smoothing: CURVE_SMOOTHING, references }),
    base,
  );
  const curves = groups.map((group) => ({ label: group.label, runs: group.runs.map((run) => run.directory), iterations: group.runs.map((run) => run.rows.length) }));
  const bars: BarPoint[] = [];
  for (const run of labelled) {
    const path = join(run.directory, RUN_FILES.evaluation);
    if (!existsSync(path)) continue;
    let results: Record<string, EvaluationSummary>;
    try {
      results = JSON.parse(readFileSync(path, "utf8")) as Record<string, EvaluationSummary>;
    } catch (error) {
      throw new FileFormatError(`is not readable JSON (${(error as Error).message}); re-run rl3 eval to rewrite it`, { path, cause: error });
    }
    for (const result of Object.values(results)) {
      // An entry without a finite mean (null: a NaN written by JSON) has no bar, rather than a bar at 0.
      if (typeof result?.mean !== "number" || !Number.isFinite(result.mean)) continue;
      bars.push({ agent: run.label, method: run.info.config.method, family: result.family, mean: result.mean, low: result.mean - result.stderr, high: result.mean + result.stderr });
    }
  }
  for (const result of options.baselines ?? []) {
    bars.push({ agent: result.agent, method: result.agent, family: result.family, mean: result.mean, low: result.mean - result.stderr, high: result.mean + result.stderr });
  }
  const summary: PlotSummary = { curves, learningCurve };
  const validated = labelled.filter((run) => run.validations.length > 0);
  if (validated.length > 0) {
    const points = curvePoints(validated.map((run) => ({ curve: run.label, method: run.info.config.method, rows: run.validations })), 1);
    summary.validationCurve = await renderChart(learningCurveSpec(points, `${options.title ?? `Meta-training: ${families}`}: greedy validation return`, { smoothing: 1, references, policy: "greedy validation" }), `${base}-validation`);
  }
  if (bars.length > 0) summary.evaluation = await renderChart(evaluationBarsSpec(bars, "Test returns (greedy), mean ± s.e. over tasks"), options.evaluationOut ?? `${base}-test-returns`);
  output.result(summary, () => [
    ...curves.map((curve) => `curve ${curve.label}: ${curve.runs.length} run(s), ${curve.iterations.join(", ")} iterations`),
    `wrote ${learningCurve.svg} and ${learningCurve.png}`,
    ...(summary.validationCurve ? [`wrote ${summary.validationCurve.svg} and ${summary.validationCurve.png}`] : []),
    ...(summary.evaluation ? [`wrote ${summary.evaluation.svg} and ${summary.evaluation.png}`] : [])].join("\n"));
  return summary;
}
