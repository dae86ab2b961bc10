import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { EvaluationResult } from "@rl3/algorithms";
import { FileFormatError, InputError } from "@rl3/core";
import { type Comparison, type ScoredRun, aggregatePoints, compareRuns, comparisonTables } from "../report/comparison.js";
import { requireOutputDirectory } from "../flags.js";
import type { Output } from "../output.js";
import { aggregatesSpec, renderChart } from "../report/plots.js";
import { RUN_FILES, readRunInfo } from "../run-dir.js";

export interface CompareCommandOptions {
  runs: string[];
  resamples?: number;
  bootstrapSeed?: number;
  /** Also plot the aggregates to `<out>.svg` and `<out>.png`. */
  out?: string;
}

export interface CompareSummary extends Comparison {
  runs: { directory: string; method: string; seed: number }[];
  plot?: { svg: string; png: string; width: number; height: number };
}

/**
 * `rl3 compare --runs DIR…`: the across-seed and paired figures of runs that are already evaluated, read from
 * their eval.json (nothing is trained or evaluated again). The runs' methods are the agents, their seeds the
 * seeds; every test family in their eval.json is compared.
 */
export async function compareCommand(options: CompareCommandOptions, output: Output): Promise<CompareSummary> {
  if (options.out !== undefined) requireOutputDirectory("--out", options.out);
  const runs = options.runs.map((directory) => {
    const path = resolve(directory);
    const { config } = readRunInfo(path);
    return { directory: path, method: config.method, seed: config.seed, family: config.family, horizon: config.horizon, evaluations: readEvaluations(path) };
  });
  for (const field of ["family", "horizon"] as const) {
    const values = [...new Set(runs.map((run) => run[field]))];
    if (values.length > 1) {
      throw new InputError({
        field: `training ${field}`,
        value: runs.map((run) => `${run.directory}: ${run[field]}`).join(", "),
        expected: `one ${field} for every compared run (these differ in ${field}: ${values.join(" vs ")})`,
      });
    }
  }
  const scored: ScoredRun[] = runs.flatMap((run) => run.evaluations.map((result) => ({ agent: run.method, trainingSeed: run.seed, source: run.directory, result })));
  const comparison = compareRuns(scored, { resamples: options.resamples, seed: options.bootstrapSeed });
  const summary: CompareSummary = { runs: runs.map(({ directory, method, seed }) => ({ directory, method, seed })), ...comparison };
  if (options.out) {
    const base = resolve(options.out).replace(/\.(svg|png)$/u, "");
    summary.plot = await renderChart(aggregatesSpec(aggregatePoints(comparison), `${runs[0]!.family}, H ${runs[0]!.horizon}: aggregates with ${Math.round(comparison.confidence * 100)}% intervals`), base);
  }
  output.result(summary, () => [comparisonTables(comparison), ...(summary.plot ? ["", `wrote ${summary.plot.svg} and ${summary.plot.png}`] : [])].join("\n"));
  return summary;
}

/** A run's eval.json entries, each with the per-task returns the comparison needs. */
function readEvaluations(directory: string): EvaluationResult[] {
  const path = join(directory, RUN_FILES.evaluation);
  if (!existsSync(path)) throw new FileFormatError(`has no ${RUN_FILES.evaluation}; evaluate it first with  rl3 eval --policy ${directory}`, { path: directory });
  let entries: Record<string, EvaluationResult>;
  try {
    entries = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new FileFormatError(`is not valid JSON: ${(error as Error).message}`, { path, cause: error });
  }
  return Object.entries(entries).map(([family, result]) => {
    if (!Array.isArray(result?.returns) || typeof result.seed !== "number") {
      throw new FileFormatError(`the ${family} entry has no per-task returns or test seed (written by an older rl3); re-evaluate with  rl3 eval --policy ${directory} --tasks ${family}`, { path });
    }
    // A null (a NaN written by JSON) or a string among the returns would turn every statistic into NaN.
    const bad = result.returns.findIndex((value) => typeof value !== "number" || !Number.isFinite(value));
    if (bad >= 0) throw new FileFormatError(`the ${family} entry's return ${bad} is ${JSON.stringify(result.returns[bad])}, not a finite number; re-evaluate with  rl3 eval --policy ${directory} --tasks ${family}`, { path });
    return result;
  });
}
