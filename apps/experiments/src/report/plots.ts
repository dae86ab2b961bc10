import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { writeAtomic } from "../run-dir.js";

/** Renders a vega-lite spec to SVG (vega, headless) and PNG (resvg), writing `<base>.svg` and `<base>.png`. */
export async function renderChart(spec: vegaLite.TopLevelSpec, base: string): Promise<{ svg: string; png: string; width: number; height: number }> {
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const rendered = new Resvg(svg, { background: "white", fitTo: { mode: "zoom", value: 2 } }).render();
  writeAtomic(`${base}.svg`, svg);
  writeAtomic(`${base}.png`, rendered.asPng());
  return { svg: `${base}.svg`, png: `${base}.png`, width: rendered.width, height: rendered.height };
}

/**
 * One colour per method and baseline in every figure (Tableau 10), so that RL³ is the same orange in the learning
 * curves, the test bars and the aggregates. Agents not listed take the palette's remaining colours in order.
 */
export const AGENT_COLOURS: Readonly<Record<string, string>> = {
  rl2: "#4c78a8",
  "rl2-transition": "#17becf",
  rl3: "#f58518",
  "rl3-coarse": "#54a24b",
  "rl3-transition": "#d62728",
  random: "#9d9d9d",
  "model-based": "#b279a2",
  oracle: "#000000",
  ucb1: "#e45756",
  thompson: "#72b7b2",
};
const SPARE_COLOURS = ["#eeca3b", "#ff9da6", "#9d755d", "#bab0ac"];

/** A vega-lite colour scale giving each of `agents` its `AGENT_COLOURS` entry. */
export function agentColourScale(agents: readonly string[]): { domain: string[]; range: string[] } {
  const domain = [...new Set(agents)];
  let spare = 0;
  return { domain, range: domain.map((agent) => AGENT_COLOURS[agent] ?? SPARE_COLOURS[spare++ % SPARE_COLOURS.length]!) };
}

export interface CurvePoint {
  /** The curve's legend label (a method, or a method and what tells its experiment apart: `curve-groups.ts`). */
  curve: string;
  /** The method the curve trains: its colour. */
  method: string;
  envSteps: number;
  mean: number;
  low: number;
  high: number;
  /** Runs averaged at this point: fewer towards the end when the runs have different lengths. */
  seeds: number;
}

/** A horizontal reference line on a learning curve: a baseline's mean test return. */
export interface ReferenceLine {
  agent: string;
  value: number;
}

/**
 * Learning curves: meta-episode return vs env steps, one line per curve, shaded ± s.e. across seeds, coloured by
 * method (dashed by run group where one method has several); `references` (e.g. random and oracle) as dashed rules.
 */
export function learningCurveSpec(points: CurvePoint[], title: string, options: { smoothing: number; references?: ReferenceLine[]; policy?: "training" | "greedy validation" }): vegaLite.TopLevelSpec {
  const references = options.references ?? [];
  const colour = agentColourScale([...points.map((point) => point.method), ...references.map((line) => line.agent)]);
  const curves = new Set(points.map((point) => point.curve));
  const methods = new Set(points.map((point) => point.method));
  // Dashes tell apart the groups of one method; with one curve per method the colour alone does.
  const dash = curves.size > methods.size ? { strokeDash: { field: "curve", type: "nominal", title: "run group", legend: { labelLimit: 600 } } } : {};
  // The axis title stays short (a long one would widen the figure): smoothing and bands are said in the subtitle.
  const greedy = options.policy === "greedy validation";
  const y = greedy ? "meta-episode return (greedy, validation tasks)" : "meta-episode return (training policy)";
  const subtitle = [
    greedy ? "each point: a validation (validateEvery) of the greedy actor; band: ± s.e. over seeds" : `each point: mean of the last ${options.smoothing} iterations; band: ± s.e. over seeds`,
    ...(references.length > 0 ? ["dashed: baselines' greedy mean return on the test tasks"] : []),
  ];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: title, subtitle },
    width: 520,
    height: 300,
    layer: [
      {
        data: { values: points },
        encoding: {
          x: { field: "envSteps", type: "quantitative", title: "environment steps" },
          color: { field: "method", type: "nominal", title: "agent", scale: colour, legend: { symbolType: "stroke", symbolStrokeWidth: 3, symbolOpacity: 1 } },
        },
        layer: [
          { mark: { type: "area", opacity: 0.2 }, encoding: { y: { field: "low", type: "quantitative", title: y }, y2: { field: "high" }, detail: { field: "curve" } } },
          { mark: { type: "line" }, encoding: { y: { field: "mean", type: "quantitative" }, detail: { field: "curve" }, ...dash } },
        ],
      },
      ...(references.length > 0
        ? [
            {
              data: { values: references.map((line) => ({ ...line, label: `${line.agent}: ${line.value.toFixed(0)}` })) },
              layer: [
                { mark: { type: "rule", strokeDash: [4, 4] }, encoding: { y: { field: "value", type: "quantitative" }, color: { field: "agent", type: "nominal", scale: colour } } },
                { mark: { type: "text", align: "left", dx: 4, dy: -6, fontSize: 10 }, encoding: { y: { field: "value", type: "quantitative" }, x: { value: 0 }, text: { field: "label" }, color: { field: "agent", type: "nominal", scale: colour } } },
              ],
            },
          ]
        : []),
    ],
  } as vegaLite.TopLevelSpec;
}

export interface BarPoint {
  /** The bar's label: an agent, or a run group (`curve-groups.ts`). */
  agent: string;
  /** The method or baseline behind the bar: its colour. */
  method: string;
  family: string;
  mean: number;
  low: number;
  high: number;
}

/** Evaluation bars: mean ± s.e. per agent, one panel per test family (in-distribution and OOD), one shared y-scale. */
export function evaluationBarsSpec(points: BarPoint[], title: string): vegaLite.TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    data: { values: points },
    facet: { column: { field: "family", type: "nominal", title: "test tasks", sort: null } },
    spec: {
      width: 220,
      height: 260,
      encoding: { x: { field: "agent", type: "nominal", title: null, sort: null } },
      layer: [
        { mark: "bar", encoding: { y: { field: "mean", type: "quantitative", title: "mean test return (greedy) ± s.e. over tasks" }, color: { field: "method", type: "nominal", legend: null, scale: agentColourScale(points.map((point) => point.method)) } } },
        { mark: { type: "rule", color: "black" }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
      ],
    },
  } as vegaLite.TopLevelSpec;
}

/** Iterations in the trailing moving average of every learning curve (the y-axis title says so). */
export const CURVE_SMOOTHING = 5;

/**
 * Averages the runs of each curve over seeds, per iteration: mean ± standard error (one run: no band). Runs of
 * different lengths are shown as they are: each point averages the runs that reached it (`seeds` says how many),
 * so a long run is never cut to the length of a short one. A missing value (null in metrics.jsonl: an iteration
 * with no finished episode, or a NaN written as null) is left out of the averages, never counted as 0; rows stay
 * aligned by iteration, and an iteration where no run has a value has no point.
 */
export function curvePoints(runs: { curve: string; method: string; rows: { envSteps: number; value: number | null }[] }[], smoothing = CURVE_SMOOTHING): CurvePoint[] {
  const byCurve = new Map<string, { envSteps: number; value: number | null }[][]>();
  const methodOf = new Map(runs.map((run) => [run.curve, run.method]));
  const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
  for (const run of runs) {
    // A short moving average: per-iteration returns of 16 tasks are noisy.
    const smoothed = run.rows.map((row, index) => {
      const window = run.rows.slice(Math.max(0, index - smoothing + 1), index + 1).map((entry) => entry.value).filter(finite);
      return { envSteps: row.envSteps, value: window.length > 0 ? window.reduce((sum, value) => sum + value, 0) / window.length : null };
    });
    byCurve.set(run.curve, [...(byCurve.get(run.curve) ?? []), smoothed]);
  }
  const points: CurvePoint[] = [];
  for (const [curve, seeds] of byCurve) {
    const length = Math.max(0, ...seeds.map((rows) => rows.length));
    for (let index = 0; index < length; index++) {
      const reached = seeds.filter((rows) => index < rows.length).map((rows) => rows[index]!);
      const values = reached.map((row) => row.value).filter(finite);
      if (values.length === 0) continue;
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const stderr = values.length > 1 ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) / values.length) : 0;
      points.push({ curve, method: methodOf.get(curve)!, envSteps: reached[0]!.envSteps, mean, low: mean - stderr, high: mean + stderr, seeds: values.length });
    }
  }
  return points;
}

export interface AggregatePoint {
  /** The facet column: test family and horizon. */
  tasks: string;
  statistic: "mean" | "IQM" | "normalised";
  agent: string;
  estimate: number;
  low: number;
  high: number;
}

/**
 * Aggregates with their confidence intervals (rliable's interval plot): one row of panels per statistic (mean, IQM,
 * normalised), one panel per test family, one line per agent, a dot at the estimate and a bar over the interval.
 * Panels of one statistic share their x-scale, so families can be compared by eye; one colour per agent throughout.
 */
export function aggregatesSpec(points: AggregatePoint[], title: string): vegaLite.TopLevelSpec {
  const colour = agentColourScale(points.map((point) => point.agent));
  const statistics = (["mean", "IQM", "normalised"] as const).filter((statistic) => points.some((point) => point.statistic === statistic));
  // Families in the order they were given (in-distribution first): a facet inside vconcat ignores "sort: null".
  const families = [...new Set(points.map((point) => point.tasks))];
  const heading: Record<AggregatePoint["statistic"], string> = { mean: "mean test return", IQM: "interquartile mean of test returns", normalised: "test return ÷ oracle" };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    data: { values: points },
    vconcat: statistics.map((statistic) => ({
      transform: [{ filter: { field: "statistic", equal: statistic } }],
      facet: { column: { field: "tasks", type: "nominal", title: heading[statistic], sort: families } },
      resolve: { scale: { x: "shared" } },
      spec: {
        width: 220,
        height: { step: 22 },
        encoding: {
          y: { field: "agent", type: "nominal", title: null, sort: null },
          color: { field: "agent", type: "nominal", title: "agent", sort: null, scale: colour },
        },
        // A thick bar with end ticks over the interval and a small dot at the estimate: narrow intervals stay visible.
        layer: [
          { mark: { type: "rule", strokeWidth: 7, opacity: 0.45 }, encoding: { x: { field: "low", type: "quantitative", title: null, scale: { zero: false } }, x2: { field: "high" } } },
          { mark: { type: "tick", orient: "vertical", thickness: 1.5, size: 14 }, encoding: { x: { field: "low", type: "quantitative" } } },
          { mark: { type: "tick", orient: "vertical", thickness: 1.5, size: 14 }, encoding: { x: { field: "high", type: "quantitative" } } },
          { mark: { type: "point", filled: true, size: 18, opacity: 1 }, encoding: { x: { field: "estimate", type: "quantitative" } } },
        ],
      },
    })),
  } as vegaLite.TopLevelSpec;
}
