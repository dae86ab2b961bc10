import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { BASELINE_NAMES, type BaselineName, type EvaluationResult, createBaseline, evaluate } from "@rl3/algorithms";
import { OnnxPolicyAgent } from "../runs/policy-agent.js";
import { ConfigError, FileFormatError } from "@rl3/core";
import { TASK_FAMILY_NAMES, taskFamily } from "@rl3/envs";
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

/**
 * A transformer policy has learned positions for its training H only (its `maxSequenceLength`): a longer
 * `--horizon` used to fail with a StateError at that step of the first batch. Refused before any task runs.
 */
function checkPolicyHorizon(agent: OnnxPolicyAgent, horizon: number, file: string): void {
  const spec = agent.policy.metadata.spec;
  if (spec.kind === "transformer" && horizon > spec.maxSequenceLength) {
    throw new ConfigError({
      field: "--horizon",
      value: horizon,
      expected: `at most ${spec.maxSequenceLength}, the longest meta-episode the policy in ${file} reads (trained at H ${agent.encoderConfig.horizon ?? spec.maxSequenceLength})`,
    });
  }
}

/**
 * A policy plays its own domain only (its training family and that family's OOD variants): a bandits policy reads
 * grid11's observations without a size error, because the sizes happen to match, and would report a meaningless
 * score. Checked by identity here until @rl3/wrappers' PolicyAgent refuses it itself.
 */
function checkPolicyDomain(agent: OnnxPolicyAgent, family: string): void {
  const trained = taskFamily(agent.encoderConfig.family);
  const wanted = taskFamily(family);
  if (trained.domain !== wanted.domain) {
    throw new ConfigError({ field: "--tasks", value: family, expected: `a ${trained.domain} family like ${trained.name}, the policy's training family (it was never trained on ${wanted.domain})` });
  }
}

export async function evalCommand(options: { policy: string; tasks?: string; episodes: number; horizon?: number; seed?: number }, output: Output): Promise<EvaluationSummary> {
  if (options.tasks !== undefined) requireKnown("task family", options.tasks, TASK_FAMILY_NAMES);
  const { file, runDir } = locatePolicy(options.policy);
  const agent = await OnnxPolicyAgent.load(file);
  let family: string;
  let horizon: number;
  try {
    family = requireKnown("task family", options.tasks ?? agent.encoderConfig.family, TASK_FAMILY_NAMES);
    horizon = options.horizon ?? agent.encoderConfig.horizon;
    checkPolicyHorizon(agent, horizon, file);
    checkPolicyDomain(agent, family);
    // The family's encoded observations and actions are checked before the first task, not at its first step.
    agent.checkFamily(taskFamily(family), horizon);
  } catch (error) {
    await agent.release(); // evaluate() releases it otherwise
    throw error;
  }
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
