import type { Interval } from "@rl3/algorithms";
import type * as vegaLite from "vega-lite";
import { markdownTable } from "../output.js";
import { agentColourScale } from "./plots.js";

/**
 * The RLC random-MDP budget sweep as the paper reports it (spec §7.4, read from the RLC slides and poster, ±0.005):
 * test return ÷ oracle in distribution and on mdps:ood (Dirichlet α 0.25), and the fraction of RL²'s PPO iterations
 * RL³ needs to match RL²'s final score.
 */
export const PAPER_BUDGET_SWEEP: Readonly<Record<number, { rl2: number; rl2Ood: number; rl3: number; rl3Ood: number; matchFraction: number }>> = {
  128: { rl2: 0.751, rl2Ood: 0.74, rl3: 0.745, rl3Ood: 0.74, matchFraction: 1.0 },
  256: { rl2: 0.808, rl2Ood: 0.795, rl3: 0.812, rl3Ood: 0.808, matchFraction: 0.37 },
  512: { rl2: 0.848, rl2Ood: 0.835, rl3: 0.865, rl3Ood: 0.86, matchFraction: 0.19 },
  1024: { rl2: 0.864, rl2Ood: 0.851, rl3: 0.898, rl3Ood: 0.898, matchFraction: 0.02 },
  1500: { rl2: 0.82, rl2Ood: 0.81, rl3: 0.912, rl3Ood: 0.909, matchFraction: 0.005 },
  2048: { rl2: 0.804, rl2Ood: 0.802, rl3: 0.923, rl3Ood: 0.921, matchFraction: 0 },
};

/** One training curve: the mean training return of each PPO iteration, in order. */
export type Curve = readonly number[];

/** RL²'s final score: the mean training return over the last 10% of its iterations (at least 10), averaged over seeds. */
export function finalScore(curves: readonly Curve[]): number {
  const perSeed = curves.map((curve) => {
    const tail = curve.slice(-Math.max(10, Math.round(curve.length / 10)));
    return tail.reduce((sum, value) => sum + value, 0) / tail.length;
  });
  return perSeed.reduce((sum, value) => sum + value, 0) / perSeed.length;
}

/** The seed-averaged curve (over the iterations every seed has), smoothed by a trailing moving average of `window`. */
export function meanCurve(curves: readonly Curve[], window: number): number[] {
  const length = Math.min(...curves.map((curve) => curve.length));
  const mean = Array.from({ length }, (_, index) => curves.reduce((sum, curve) => sum + curve[index]!, 0) / curves.length);
  return mean.map((_, index) => {
    const slice = mean.slice(Math.max(0, index - window + 1), index + 1);
    return slice.reduce((sum, value) => sum + value, 0) / slice.length;
  });
}

export interface IterationsToMatch {
  /** RL²'s final score (`finalScore`). */
  target: number;
  rl2Iterations: number;
  /** The first iteration (1-based) at which RL³'s smoothed seed-mean curve reaches `target`; null if it never does. */
  rl3Iterations: number | null;
  /** rl3Iterations ÷ rl2Iterations: the RLC poster's "fraction of RL²'s iterations RL³ needs to match its final score". */
  fraction: number | null;
}

/**
 * How many iterations RL³ needs to reach RL²'s final training score. Both curves are training returns of the
 * stochastic policy (as the paper's figure); RL³'s is smoothed over 2% of the run (at least 5 iterations), so one
 * lucky iteration does not count as reaching it.
 */
export function iterationsToMatch(rl2: readonly Curve[], rl3: readonly Curve[]): IterationsToMatch {
  const target = finalScore(rl2);
  const rl2Iterations = Math.min(...rl2.map((curve) => curve.length));
  const window = Math.max(5, Math.round(rl2Iterations / 50));
  const index = meanCurve(rl3, window).findIndex((value) => value >= target);
  const rl3Iterations = index < 0 ? null : index + 1;
  return { target, rl2Iterations, rl3Iterations, fraction: rl3Iterations === null ? null : rl3Iterations / rl2Iterations };
}

/** One measured point of the sweep: a method's normalised score at one H on one test family, with its interval. */
export interface SweepPoint {
  horizon: number;
  method: string;
  /** "mdps" or "mdps:ood". */
  family: string;
  normalized: Interval;
}

export interface SweepPlotPoint {
  horizon: number;
  method: string;
  tasks: string;
  source: string;
  estimate: number;
  low: number;
  high: number;
}

const TASKS_LABEL: Record<string, string> = { mdps: "in distribution (α 1)", "mdps:ood": "OOD (α 0.25)" };

/** Our points beside the paper's (spec §7.4), for `budgetSweepSpec`. */
export function sweepPlotPoints(points: readonly SweepPoint[], scale: string): SweepPlotPoint[] {
  const ours = points.map((point) => ({
    horizon: point.horizon,
    method: point.method,
    tasks: TASKS_LABEL[point.family] ?? point.family,
    source: `rl3 (${scale})`,
    estimate: point.normalized.estimate,
    low: point.normalized.low,
    high: point.normalized.high,
  }));
  const horizons = [...new Set(points.map((point) => point.horizon))];
  const methods = [...new Set(points.map((point) => point.method))].filter((method) => method === "rl2" || method === "rl3");
  const paper = horizons.flatMap((horizon) => {
    const row = PAPER_BUDGET_SWEEP[horizon];
    if (!row) return [];
    return methods.flatMap((method) =>
      (["mdps", "mdps:ood"] as const).map((family) => {
        const value = method === "rl2" ? (family === "mdps" ? row.rl2 : row.rl2Ood) : family === "mdps" ? row.rl3 : row.rl3Ood;
        return { horizon, method, tasks: TASKS_LABEL[family]!, source: "paper (RLC)", estimate: value, low: value, high: value };
      }),
    );
  });
  return [...ours, ...paper];
}

/** Oracle-normalised score against H (log scale), one colour per method, solid ours with intervals, dashed the paper's. */
export function budgetSweepSpec(points: readonly SweepPlotPoint[], title: string): vegaLite.TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    data: { values: points },
    facet: { column: { field: "tasks", type: "nominal", title: "test tasks", sort: null } },
    spec: {
      width: 300,
      height: 240,
      encoding: {
        x: { field: "horizon", type: "quantitative", title: "meta-episode budget H", scale: { type: "log", base: 2 } },
        color: { field: "method", type: "nominal", title: "method", scale: agentColourScale([...new Set(points.map((point) => point.method))]) },
        strokeDash: { field: "source", type: "nominal", title: "source" },
      },
      layer: [
        { mark: { type: "line", point: true }, encoding: { y: { field: "estimate", type: "quantitative", title: "return ÷ oracle (95% interval)", scale: { zero: false } } } },
        { mark: { type: "rule" }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
      ],
    },
  } as vegaLite.TopLevelSpec;
}

const format = (value: number | null | undefined, digits = 3) => (value === null || value === undefined ? "—" : value.toFixed(digits));
const interval = (value: Interval | undefined) => (value ? `${value.estimate.toFixed(3)} [${value.low.toFixed(3)}, ${value.high.toFixed(3)}]` : "—");

/** The sweep's two tables: normalised scores against the paper's, and iterations-to-match against the paper's. */
export function budgetSweepTables(points: readonly SweepPoint[], matches: ReadonlyMap<number, IterationsToMatch>): string {
  const horizons = [...new Set([...points.map((point) => point.horizon), ...matches.keys()])].sort((a, b) => a - b);
  const find = (horizon: number, method: string, family: string) => points.find((point) => point.horizon === horizon && point.method === method && point.family === family)?.normalized;
  // RL²-transition (rl3's stronger baseline, docs/method.md) gets its columns and RL³'s lead over it when it was run.
  const transition = points.some((point) => point.method === "rl2-transition");
  const lead = (a?: Interval, b?: Interval) => (a && b ? (a.estimate - b.estimate).toFixed(3) : "—");
  const scores = markdownTable(
    [
      "H",
      ...(["in dist.", "OOD"] as const).flatMap((tasks) => [
        `RL² ${tasks}`,
        ...(transition ? [`RL²-transition ${tasks}`] : []),
        `RL³ ${tasks}`,
        `lead over RL²${tasks === "OOD" ? " OOD" : ""} (paper)`,
        ...(transition ? [`lead over RL²-transition${tasks === "OOD" ? " OOD" : ""}`] : []),
      ]),
    ],
    horizons.map((horizon) => {
      const paper = PAPER_BUDGET_SWEEP[horizon];
      const cells = (family: "mdps" | "mdps:ood") => {
        const [rl2, rl2t, rl3] = [find(horizon, "rl2", family), find(horizon, "rl2-transition", family), find(horizon, "rl3", family)];
        const paperLead = paper ? format(family === "mdps" ? paper.rl3 - paper.rl2 : paper.rl3Ood - paper.rl2Ood) : "—";
        return [interval(rl2), ...(transition ? [interval(rl2t)] : []), interval(rl3), `${lead(rl3, rl2)} (${paperLead})`, ...(transition ? [lead(rl3, rl2t)] : [])];
      };
      return [String(horizon), ...cells("mdps"), ...cells("mdps:ood")];
    }),
  );
  const iterations = markdownTable(
    ["H", "RL² final training return", "RL² iterations", "RL³ iterations to reach it", "fraction", "paper's fraction"],
    horizons.map((horizon) => {
      const match = matches.get(horizon);
      return [
        String(horizon),
        format(match?.target, 1),
        String(match?.rl2Iterations ?? "—"),
        match ? (match.rl3Iterations === null ? `not reached in ${match.rl2Iterations}` : String(match.rl3Iterations)) : "—",
        format(match?.fraction, 2),
        format(PAPER_BUDGET_SWEEP[horizon]?.matchFraction, 3),
      ];
    }),
  );
  return `${scores}\n\n${iterations}`;
}
