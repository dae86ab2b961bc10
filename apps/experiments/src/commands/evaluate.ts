import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { BASELINE_NAMES, type BaselineName, type EvaluationResult, createBaseline, evaluate } from "@rl3/algorithms";
import { OnnxPolicyAgent } from "../runs/policy-agent.js";
import { FileFormatError } from "@rl3/core";
import { TASK_FAMILY_NAMES } from "@rl3/envs";
import { requireKnown } from "../errors.js";
import type { Output } from "../output.js";
import { RUN_FILES, readRunInfo, recordEvaluation } from "../run-dir.js";
import { resolvePolicyName } from "./zoo.js";

/** What `rl3 eval` prints: the result without its per-task arrays (eval.json keeps those, for `rl3 compare`). */
export type EvaluationSummary = Omit<EvaluationResult, "returns" | "oracleReturns" | "taskIndices">;

export function summarize(result: EvaluationResult): EvaluationSummary {
  const { returns: _returns, oracleReturns: _oracleReturns, taskIndices: _taskIndices, ...summary } = result;
  return summary;
}

export function formatResult(result: EvaluationSummary): string {
  const oracle = result.oracleMean === undefined ? "" : `  (oracle ${result.oracleMean.toFixed(1)}, normalised ${result.normalized!.toFixed(3)})`;
  return `${result.agent} on ${result.family}, H ${result.horizon}, ${result.episodes} tasks: ${result.mean.toFixed(1)} ± ${result.stderr.toFixed(1)}${oracle}`;
}

/** Resolves `--policy FILE|DIR|zoo:NAME` to a policy file and, for a run directory, that directory. */
function locatePolicy(policy: string): { file: string; runDir?: string } {
  const path = resolve(resolvePolicyName(policy));
  if (!existsSync(path)) throw new FileFormatError("does not exist", { path });
  if (statSync(path).isDirectory()) {
    readRunInfo(path);
    const file = join(path, RUN_FILES.policy);
    if (!existsSync(file)) throw new FileFormatError(`has no ${RUN_FILES.policy} yet; create it with  rl3 export --run ${path}`, { path });
    return { file, runDir: path };
  }
  return { file: path };
}

export async function evalCommand(options: { policy: string; tasks?: string; episodes: number; horizon?: number; seed?: number }, output: Output): Promise<EvaluationSummary> {
  const { file, runDir } = locatePolicy(options.policy);
  const agent = await OnnxPolicyAgent.load(file);
  const family = requireKnown("task family", options.tasks ?? agent.encoderConfig.family, TASK_FAMILY_NAMES);
  const horizon = options.horizon ?? agent.encoderConfig.horizon;
  const result = await evaluate(agent, { family, horizon, episodes: options.episodes, seed: options.seed });
  const summary = summarize(result);
  // eval.json keeps one entry per test family, with every task's return for paired comparisons.
  if (runDir) recordEvaluation(runDir, family, result);
  output.result(summary, () => formatResult(summary));
  return summary;
}

export async function baselineCommand(options: { agent: string; tasks: string; horizon: number; episodes: number; seed?: number }, output: Output): Promise<EvaluationSummary> {
  const name = requireKnown("agent", options.agent, BASELINE_NAMES) as BaselineName;
  const family = requireKnown("task family", options.tasks, TASK_FAMILY_NAMES);
  const summary = summarize(await evaluate(createBaseline(name), { family, horizon: options.horizon, episodes: options.episodes, seed: options.seed }));
  output.result(summary, () => formatResult(summary));
  return summary;
}
