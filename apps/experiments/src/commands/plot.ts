import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Output } from "../output.js";
import { type BarPoint, curvePoints, evaluationBarsSpec, learningCurveSpec, renderChart } from "../plots.js";
import { RUN_FILES, readMetrics, readRunInfo } from "../run-dir.js";
import type { EvaluationSummary } from "./evaluate.js";

export interface PlotSummary {
  learningCurve: { svg: string; png: string; width: number; height: number };
  evaluation?: { svg: string; png: string; width: number; height: number };
}

/** Learning curves of the given run directories and, where they hold eval.json, evaluation bars. */
export async function plotCommand(options: { runs: string[]; out: string; baselines?: EvaluationSummary[]; title?: string }, output: Output): Promise<PlotSummary> {
  const base = resolve(options.out).replace(/\.(svg|png)$/u, "");
  const runs = options.runs.map((directory) => {
    const info = readRunInfo(resolve(directory));
    return { directory: resolve(directory), info, rows: readMetrics(resolve(directory)).map((row) => ({ envSteps: row["charts/env_steps"], value: row["charts/episodic_return"] })) };
  });
  const families = [...new Set(runs.map((run) => `${run.info.config.family}, H ${run.info.config.horizon}`))].join("; ");
  const learningCurve = await renderChart(
    learningCurveSpec(curvePoints(runs.map((run) => ({ method: run.info.config.method, rows: run.rows }))), options.title ?? `Meta-training: ${families}`),
    base,
  );
  const bars: BarPoint[] = [];
  for (const run of runs) {
    const path = join(run.directory, RUN_FILES.evaluation);
    if (!existsSync(path)) continue;
    const results = JSON.parse(readFileSync(path, "utf8")) as Record<string, EvaluationSummary>;
    for (const result of Object.values(results)) {
      bars.push({ agent: run.info.config.method, family: result.family, mean: result.mean, low: result.mean - result.stderr, high: result.mean + result.stderr });
    }
  }
  for (const result of options.baselines ?? []) {
    bars.push({ agent: result.agent, family: result.family, mean: result.mean, low: result.mean - result.stderr, high: result.mean + result.stderr });
  }
  const summary: PlotSummary = { learningCurve };
  if (bars.length > 0) summary.evaluation = await renderChart(evaluationBarsSpec(bars, "Evaluation (greedy), mean ± s.e."), `${base}-eval`);
  output.result(summary, () => [`wrote ${learningCurve.svg} and ${learningCurve.png}`, ...(summary.evaluation ? [`wrote ${summary.evaluation.svg} and ${summary.evaluation.png}`] : [])].join("\n"));
  return summary;
}
