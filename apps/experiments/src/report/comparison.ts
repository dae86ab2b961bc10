import {
  type BootstrapOptions,
  DEFAULT_RESAMPLES,
  type EvaluationResult,
  type Interval,
  type SeedAggregate,
  aggregateScores,
  mean,
  pairedBootstrap,
  probabilityOfImprovement,
  seedDifferenceInterval,
  seedMeanInterval,
  standardError,
  stratifiedBootstrap,
} from "@rl3/algorithms";
import { InputError } from "@rl3/core";
import { markdownTable } from "../output.js";
import type { AggregatePoint } from "./plots.js";

/**
 * The figures behind every rl3 comparison table (`rl3 reproduce`, the demo, `rl3 compare`): per agent, the mean
 * ± s.e. over tasks and the across-seed aggregates; per pair of agents that met the same tasks, the paired
 * difference, the ratio of means and the probability of improvement.
 */

/** One agent's evaluation on one test family, with its origin for error messages. */
export interface ScoredRun {
  /** A method (rl2, rl3, …) or a baseline name; runs with the same agent are its seeds. */
  agent: string;
  /** The training seed of a trained policy; absent for a baseline. */
  trainingSeed?: number;
  /** The run directory (or other origin) the result came from. */
  source: string;
  result: EvaluationResult;
}

export interface AgentFigures {
  family: string;
  horizon: number;
  testSeed: number;
  agent: string;
  seeds: number;
  /** Test tasks every seed was evaluated on. */
  tasks: number;
  /** Mean over tasks of the seed-averaged return, and its standard error over tasks (the paper's format). */
  mean: number;
  stderr: number;
  oracleMean?: number;
  /** mean ÷ oracleMean. */
  normalized?: number;
  /** Over seeds × tasks, stratified bootstrap: mean, IQM and (where the family has an oracle) the normalised score. */
  aggregate: SeedAggregate;
  /**
   * With 2 or more seeds: Student-t intervals on the per-seed means (each run one observation), of the mean return
   * and the normalised score. With 2–3 seeds this is the interval a claim about "another training run" should use.
   */
  seedLevel?: { mean: Interval; normalized?: Interval };
  note?: string;
}

export interface PairFigures {
  family: string;
  /** The comparison reads "a vs b": differences are a − b, ratios a ÷ b. */
  a: string;
  b: string;
  /** False when the two were evaluated on different tasks (another horizon or test seed): no paired figures. */
  shared: boolean;
  /** Why the tasks are not shared. */
  reason?: string;
  horizon?: number;
  testSeed?: number;
  sharedTasks?: number;
  /** Paired bootstrap over the shared tasks, of each agent's seed-averaged return per task: given these runs. */
  difference?: Interval;
  ratio?: Interval;
  /**
   * The same difference with both agents' seeds resampled too (stratified bootstrap over seeds × tasks): what
   * another set of training runs might give. Wider than `difference` when the seeds disagree.
   */
  differenceAcrossSeeds?: Interval;
  /** P(a > b), stratified bootstrap over both agents' seeds and the shared tasks. */
  probabilityOfImprovement?: Interval;
  /** With 2 or more seeds each: Welch's t-interval of the difference of per-seed mean returns over the shared tasks. */
  differenceSeedLevel?: Interval;
  note?: string;
}

export interface Comparison {
  resamples: number;
  confidence: number;
  bootstrapSeed: number;
  agents: AgentFigures[];
  pairs: PairFigures[];
}

export interface ComparisonOptions extends BootstrapOptions {
  /** Agents to compare pairwise, each later one against each earlier one (default: every agent, in order of appearance). */
  pairAgents?: readonly string[];
}

const ONE_SEED_NOTE = "one seed: the intervals cover task-to-task variation only; seed-to-seed variation is not measured";

interface AgentScores {
  agent: string;
  runs: ScoredRun[];
  /** Task index → one return per seed, for the tasks every seed met. */
  byTask: Map<number, number[]>;
  oracle: Map<number, number>;
}

/** Computes every figure; throws an `InputError` naming what differs when the runs cannot be compared. */
export function compareRuns(runs: readonly ScoredRun[], options: ComparisonOptions = {}): Comparison {
  const bootstrap: BootstrapOptions = { resamples: options.resamples ?? DEFAULT_RESAMPLES, confidence: options.confidence ?? 0.95, seed: options.seed ?? 0 };
  const agents: AgentFigures[] = [];
  const pairs: PairFigures[] = [];
  const agentOrder = [...new Set(runs.map((run) => run.agent))];
  const pairAgents = (options.pairAgents ?? agentOrder).filter((agent) => agentOrder.includes(agent));
  for (const family of [...new Set(runs.map((run) => run.result.family))]) {
    const scores = new Map<string, AgentScores>();
    for (const agent of agentOrder) {
      const ofAgent = runs.filter((run) => run.agent === agent && run.result.family === family);
      if (ofAgent.length > 0) scores.set(agent, collectSeeds(agent, family, ofAgent));
    }
    for (const entry of scores.values()) {
      const result = entry.runs[0]!.result;
      const tasks = [...entry.byTask.keys()];
      const perSeed = entry.runs.map((_, seed) => tasks.map((task) => entry.byTask.get(task)![seed]!));
      const seedAveraged = tasks.map((task) => mean(entry.byTask.get(task)!));
      const oracle = tasks.every((task) => entry.oracle.has(task)) ? tasks.map((task) => entry.oracle.get(task)!) : undefined;
      agents.push({
        family,
        horizon: result.horizon,
        testSeed: result.seed,
        agent: entry.agent,
        seeds: entry.runs.length,
        tasks: tasks.length,
        mean: mean(seedAveraged),
        stderr: standardError(seedAveraged),
        ...(oracle ? { oracleMean: mean(oracle), normalized: mean(seedAveraged) / mean(oracle) } : {}),
        aggregate: aggregateScores(perSeed, { ...bootstrap, ...(oracle ? { oracle } : {}) }),
        ...(perSeed.length >= 2 ? { seedLevel: seedLevelIntervals(perSeed, oracle, bootstrap.confidence!) } : {}),
        ...(entry.runs.length === 1 ? { note: ONE_SEED_NOTE } : {}),
      });
    }
    for (let later = 1; later < pairAgents.length; later++) {
      for (let earlier = 0; earlier < later; earlier++) {
        const a = scores.get(pairAgents[later]!);
        const b = scores.get(pairAgents[earlier]!);
        if (a && b) pairs.push(comparePair(family, a, b, bootstrap));
      }
    }
  }
  return { resamples: bootstrap.resamples!, confidence: bootstrap.confidence!, bootstrapSeed: bootstrap.seed!, agents, pairs };
}

/** The seeds of one agent on one family: same horizon and test seed, restricted to the tasks all of them met. */
function collectSeeds(agent: string, family: string, runs: ScoredRun[]): AgentScores {
  const first = runs[0]!;
  for (const run of runs.slice(1)) {
    for (const [field, value, expected] of [
      ["horizon", run.result.horizon, first.result.horizon],
      ["test seed", run.result.seed, first.result.seed],
    ] as const) {
      if (value !== expected) {
        throw new InputError({ field: `${agent} on ${family}: ${field}`, value: `${value} (${run.source})`, expected: `${expected} like ${first.source}: every seed of an agent evaluated on the same tasks` });
      }
    }
  }
  for (const run of runs) {
    const twins = runs.filter((other) => other.trainingSeed === run.trainingSeed);
    if (twins.length > 1) {
      throw new InputError({ field: `${agent} on ${family}: training seed`, value: `${run.trainingSeed ?? "none"} in ${twins.map((other) => other.source).join(" and ")}`, expected: "one run per seed (the same run given twice?)" });
    }
  }
  const perRun = runs.map((run) => returnsByTask(run));
  const byTask = new Map<number, number[]>();
  const oracle = new Map<number, number>();
  const tasks = [...perRun[0]!.returns.keys()].filter((task) => perRun.every((entry) => entry.returns.has(task))).sort((x, y) => x - y);
  for (const task of tasks) {
    byTask.set(task, perRun.map((entry) => entry.returns.get(task)!));
    const known = perRun.find((entry) => entry.oracle.has(task));
    if (known) oracle.set(task, known.oracle.get(task)!);
  }
  if (tasks.length < 2) {
    throw new InputError({ field: `${agent} on ${family}: tasks`, value: tasks.length, expected: "at least 2 test tasks evaluated by every seed (an interval needs tasks to resample)" });
  }
  return { agent, runs, byTask, oracle };
}

function returnsByTask(run: ScoredRun): { returns: Map<number, number>; oracle: Map<number, number> } {
  const { returns, taskIndices, oracleReturns } = run.result;
  const indices = taskIndices ?? returns.map((_, index) => index);
  return {
    returns: new Map(indices.map((task, position) => [task, returns[position]!])),
    oracle: new Map(oracleReturns ? indices.map((task, position) => [task, oracleReturns[position]!]) : []),
  };
}

function comparePair(family: string, a: AgentScores, b: AgentScores, bootstrap: BootstrapOptions): PairFigures {
  const resultA = a.runs[0]!.result;
  const resultB = b.runs[0]!.result;
  const differences = [
    resultA.horizon !== resultB.horizon ? `H ${resultA.horizon} vs ${resultB.horizon}` : "",
    resultA.seed !== resultB.seed ? `test seed ${resultA.seed} vs ${resultB.seed}` : "",
  ].filter(Boolean);
  if (differences.length > 0) return { family, a: a.agent, b: b.agent, shared: false, reason: differences.join(", ") };
  const tasks = [...a.byTask.keys()].filter((task) => b.byTask.has(task));
  if (tasks.length < 2) {
    throw new InputError({ field: `${a.agent} vs ${b.agent} on ${family}: shared tasks`, value: tasks.length, expected: "at least 2 test tasks both were evaluated on" });
  }
  const seedMeans = (scores: AgentScores) => tasks.map((task) => mean(scores.byTask.get(task)!));
  const matrix = (scores: AgentScores) => scores.runs.map((_, seed) => tasks.map((task) => scores.byTask.get(task)![seed]!));
  const paired = pairedBootstrap(seedMeans(a), seedMeans(b), bootstrap);
  const single = [a, b].filter((scores) => scores.runs.length === 1).map((scores) => scores.agent);
  return {
    family,
    a: a.agent,
    b: b.agent,
    shared: true,
    horizon: resultA.horizon,
    testSeed: resultA.seed,
    sharedTasks: tasks.length,
    difference: paired.difference,
    ...(paired.ratio ? { ratio: paired.ratio } : {}),
    differenceAcrossSeeds: stratifiedBootstrap([matrix(a), matrix(b)], ([first, second]) => mean(first!.values) - mean(second!.values), bootstrap),
    probabilityOfImprovement: probabilityOfImprovement(matrix(a), matrix(b), bootstrap),
    ...(a.runs.length >= 2 && b.runs.length >= 2
      ? { differenceSeedLevel: seedDifferenceInterval(matrix(a).map(mean), matrix(b).map(mean), bootstrap.confidence) }
      : {}),
    ...(single.length > 0 ? { note: `one seed of ${single.join(" and ")}: the across-seed difference and P(${a.agent} > ${b.agent}) cover task-to-task variation only` } : {}),
  };
}

/** The t-intervals of the per-seed mean return and normalised score (seeds as the unit of replication). */
function seedLevelIntervals(perSeed: readonly number[][], oracle: readonly number[] | undefined, confidence: number): { mean: Interval; normalized?: Interval } {
  const means = perSeed.map(mean);
  const oracleMean = oracle ? mean(oracle) : undefined;
  return {
    mean: seedMeanInterval(means, confidence),
    ...(oracleMean !== undefined ? { normalized: seedMeanInterval(means.map((value) => value / oracleMean), confidence) } : {}),
  };
}

const ONE_SEED_MARK = "†";

export function formatInterval(interval: Interval | undefined, digits: number, mark = ""): string {
  if (!interval) return "—";
  return `${interval.estimate.toFixed(digits)} [${interval.low.toFixed(digits)}, ${interval.high.toFixed(digits)}]${mark}`;
}

/** The two markdown tables (agents, then pairs) with their footnotes; `label` prefixes each row (e.g. a preset). */
export function comparisonTables(comparison: Comparison, label?: (family: string, horizon: number | undefined) => string): string {
  const where = (family: string, horizon: number | undefined) => label?.(family, horizon) ?? `${family}, H ${horizon ?? "?"}`;
  const percent = `${Math.round(comparison.confidence * 100)}%`;
  const agentsTable = markdownTable(
    ["test tasks", "agent", "seeds × tasks", "mean ± s.e.", `mean [${percent} CI]`, `IQM [${percent} CI]`, `normalised [${percent} CI]`, `normalised over seeds [t ${percent}]`],
    comparison.agents.map((row) => {
      const mark = row.aggregate.seedsResampled ? "" : ONE_SEED_MARK;
      return [
        where(row.family, row.horizon),
        row.agent,
        `${row.seeds} × ${row.tasks}`,
        `${row.mean.toFixed(1)} ± ${row.stderr.toFixed(1)}`,
        formatInterval(row.aggregate.mean, 1, mark),
        formatInterval(row.aggregate.iqm, 1, mark),
        row.aggregate.normalized ? formatInterval(row.aggregate.normalized, 3, mark) : "",
        seedLevelCell(row),
      ];
    }),
  );
  const lines = [agentsTable];
  if (comparison.pairs.length > 0) {
    lines.push(
      "",
      markdownTable(
        ["test tasks", "comparison", "shared tasks", `A − B [${percent} CI]`, `A ÷ B [${percent} CI]`, `A − B over seeds [${percent} CI]`, `A − B over seeds [t ${percent}]`, `P(A > B) [${percent} CI]`],
        comparison.pairs.map((pair) =>
          pair.shared
            ? [
                where(pair.family, pair.horizon),
                `${pair.a} vs ${pair.b}`,
                String(pair.sharedTasks),
                formatInterval(pair.difference, 1),
                formatInterval(pair.ratio, 3),
                formatInterval(pair.differenceAcrossSeeds, 1, pair.note ? ONE_SEED_MARK : ""),
                formatInterval(pair.differenceSeedLevel, 1),
                formatInterval(pair.probabilityOfImprovement, 2, pair.note ? ONE_SEED_MARK : ""),
              ]
            : [where(pair.family, undefined), `${pair.a} vs ${pair.b}`, `not shared (${pair.reason})`, "—", "—", "—", "—", "—"],
        ),
      ),
    );
  }
  lines.push(
    "",
    `*mean ± s.e.*: over test tasks, of the seed-averaged return. *mean*, *IQM* (interquartile mean) and *normalised* (mean ÷ the oracle's mean on the same tasks): over seeds × tasks, ${percent} stratified-bootstrap intervals (${comparison.resamples} resamples, seed ${comparison.bootstrapSeed}). *A − B* and *A ÷ B*: paired bootstrap over the tasks both met, given these runs; *A − B over seeds*: the same difference with each agent's seeds resampled too. *P(A > B)*: the chance that a run of A beats a run of B on a task. *[t ${percent}]*: Student-t intervals with the training runs as the unit (the per-seed means; Welch's for a difference), shown from 2 seeds per agent: with 2–3 seeds the bootstrap draws from the same few runs and understates seed-to-seed spread, so claims about what another training run would give use the t-interval.`,
  );
  if ([...comparison.agents.map((row) => !row.aggregate.seedsResampled), ...comparison.pairs.map((pair) => Boolean(pair.note))].some(Boolean)) {
    lines.push("", `${ONE_SEED_MARK} One seed: the interval covers task-to-task variation only; seed-to-seed variation is not measured.`);
  }
  return lines.join("\n");
}

/** The seed-level cell of an agent row: the normalised score's t-interval, else the mean's; "—" with one seed. */
function seedLevelCell(row: AgentFigures): string {
  if (!row.seedLevel) return "—";
  return row.seedLevel.normalized ? formatInterval(row.seedLevel.normalized, 3) : `${formatInterval(row.seedLevel.mean, 1)} (mean)`;
}

/** The points of the aggregates plot (`aggregatesSpec`): mean, IQM and the normalised score of every agent. */
export function aggregatePoints(comparison: Comparison, label?: (family: string, horizon: number) => string): AggregatePoint[] {
  return comparison.agents.flatMap((row) => {
    const tasks = label?.(row.family, row.horizon) ?? `${row.family}, H ${row.horizon}`;
    const point = (statistic: AggregatePoint["statistic"], interval: Interval) => ({ tasks, statistic, agent: row.agent, estimate: interval.estimate, low: interval.low, high: interval.high });
    return [point("mean", row.aggregate.mean), point("IQM", row.aggregate.iqm), ...(row.aggregate.normalized ? [point("normalised", row.aggregate.normalized)] : [])];
  });
}
