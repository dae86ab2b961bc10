import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { writeAtomic } from "./run-dir.js";

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

export interface CurvePoint {
  /** The curve's legend label (a method, or a method and what tells its experiment apart: `curve-groups.ts`). */
  curve: string;
  envSteps: number;
  mean: number;
  low: number;
  high: number;
  /** Runs averaged at this point: fewer towards the end when the runs have different lengths. */
  seeds: number;
}

/** Learning curves: meta-episode return vs env steps, one line per curve, shaded ± s.e. across seeds. */
export function learningCurveSpec(points: CurvePoint[], title: string): vegaLite.TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 520,
    height: 300,
    data: { values: points },
    encoding: {
      x: { field: "envSteps", type: "quantitative", title: "environment steps" },
      color: { field: "curve", type: "nominal", title: "run group", legend: { labelLimit: 600 } },
    },
    layer: [
      { mark: { type: "area", opacity: 0.2 }, encoding: { y: { field: "low", type: "quantitative", title: "meta-episode return (training policy)" }, y2: { field: "high" } } },
      { mark: { type: "line" }, encoding: { y: { field: "mean", type: "quantitative" } } },
    ],
  } as vegaLite.TopLevelSpec;
}

export interface BarPoint {
  agent: string;
  family: string;
  mean: number;
  low: number;
  high: number;
}

/** Evaluation bars: mean ± s.e. per agent, one panel per test family (in-distribution and OOD). */
export function evaluationBarsSpec(points: BarPoint[], title: string): vegaLite.TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    data: { values: points },
    facet: { column: { field: "family", type: "nominal", title: "test tasks" } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 220,
      height: 260,
      encoding: { x: { field: "agent", type: "nominal", title: null, sort: null } },
      layer: [
        { mark: "bar", encoding: { y: { field: "mean", type: "quantitative", title: "mean return" }, color: { field: "agent", type: "nominal", legend: null } } },
        { mark: { type: "rule", color: "black" }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
      ],
    },
  } as vegaLite.TopLevelSpec;
}

/**
 * Averages the runs of each curve over seeds, per iteration: mean ± standard error (one run: no band). Runs of
 * different lengths are shown as they are: each point averages the runs that reached it (`seeds` says how many),
 * so a long run is never cut to the length of a short one.
 */
export function curvePoints(runs: { curve: string; rows: { envSteps: number; value: number }[] }[], smoothing = 5): CurvePoint[] {
  const byCurve = new Map<string, { envSteps: number; value: number }[][]>();
  for (const run of runs) {
    // A short moving average: per-iteration returns of 16 tasks are noisy.
    const smoothed = run.rows.map((row, index) => {
      const window = run.rows.slice(Math.max(0, index - smoothing + 1), index + 1);
      return { envSteps: row.envSteps, value: window.reduce((sum, entry) => sum + entry.value, 0) / window.length };
    });
    byCurve.set(run.curve, [...(byCurve.get(run.curve) ?? []), smoothed]);
  }
  const points: CurvePoint[] = [];
  for (const [curve, seeds] of byCurve) {
    const length = Math.max(0, ...seeds.map((rows) => rows.length));
    for (let index = 0; index < length; index++) {
      const reached = seeds.filter((rows) => index < rows.length).map((rows) => rows[index]!);
      const values = reached.map((row) => row.value);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const stderr = values.length > 1 ? Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) / values.length) : 0;
      points.push({ curve, envSteps: reached[0]!.envSteps, mean, low: mean - stderr, high: mean + stderr, seeds: values.length });
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
 * Aggregates with their confidence intervals (rliable's interval plot): one panel per statistic × test family,
 * one row per agent, a dot at the estimate and a bar over the interval, one colour per agent throughout.
 */
export function aggregatesSpec(points: AggregatePoint[], title: string): vegaLite.TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    data: { values: points },
    facet: {
      row: { field: "statistic", type: "nominal", title: null, sort: ["mean", "IQM", "normalised"] },
      column: { field: "tasks", type: "nominal", title: "test tasks", sort: null },
    },
    resolve: { scale: { x: "independent" } },
    spec: {
      width: 220,
      height: { step: 22 },
      encoding: {
        y: { field: "agent", type: "nominal", title: null, sort: null },
        color: { field: "agent", type: "nominal", title: "agent", sort: null },
      },
      // A thick bar with end ticks over the interval and a small dot at the estimate: narrow intervals stay visible.
      layer: [
        { mark: { type: "rule", strokeWidth: 7, opacity: 0.45 }, encoding: { x: { field: "low", type: "quantitative", title: null, scale: { zero: false } }, x2: { field: "high" } } },
        { mark: { type: "tick", orient: "vertical", thickness: 1.5, size: 14 }, encoding: { x: { field: "low", type: "quantitative" } } },
        { mark: { type: "tick", orient: "vertical", thickness: 1.5, size: 14 }, encoding: { x: { field: "high", type: "quantitative" } } },
        { mark: { type: "point", filled: true, size: 18, opacity: 1 }, encoding: { x: { field: "estimate", type: "quantitative" } } },
      ],
    },
  } as vegaLite.TopLevelSpec;
}
