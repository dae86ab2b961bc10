import type { TrainConfig } from "@rl3/algorithms";
import { describe, expect, it } from "vitest";
import { experimentSettings, groupRuns } from "./curve-groups.js";
import { curvePoints } from "./plots.js";
import type { RunInfo } from "../run-dir.js";

const base = { family: "mdps", horizon: 100, method: "rl3", iterations: 150, batchSize: 1600, minibatchSize: 400, learningRate: 0.001, seed: 1, model: { kind: "transformer", dModel: 32 } };
const run = (name: string, changes: Record<string, unknown>, scale = "quick") => ({ name, info: { preset: "p", scale, config: { ...base, ...changes } as unknown as TrainConfig } satisfies RunInfo });

describe("groupRuns", () => {
  it("puts seeds (and runs of different lengths or engines) of one experiment in one group labelled by the method", () => {
    const groups = groupRuns([run("a", { seed: 1 }), run("b", { seed: 2, iterations: 9, engine: "tfjs", threads: 2 }), run("c", { method: "rl2" })]);
    expect(groups.map((group) => [group.label, group.runs.map((entry) => entry.name)])).toEqual([
      ["rl3", ["a", "b"]],
      ["rl2", ["c"]],
    ]);
  });

  it("never averages runs of another family, horizon, scale or setting, and labels each by what differs", () => {
    const groups = groupRuns([run("mdps", {}), run("grid", { family: "grid11", horizon: 250 }), run("standard", {}, "standard"), run("lr", { learningRate: 0.0003 }), run("d", { model: { kind: "transformer", dModel: 64 } })]);
    expect(groups).toHaveLength(5);
    const labels = groups.map((group) => group.label);
    expect(new Set(labels).size).toBe(5);
    expect(labels[1]).toContain("family=grid11");
    expect(labels[1]).toContain("horizon=250");
    expect(labels[2]).toContain("scale=standard");
    expect(labels[3]).toContain("learningRate=0.0003");
    expect(labels[4]).toContain("model.dModel=64");
  });

  it("a setting present in one config only counts as a difference", () => {
    expect(experimentSettings(run("x", { valueScale: 100 }).info)).toHaveProperty("valueScale", "100");
    expect(groupRuns([run("x", { valueScale: 100 }), run("y", {})])).toHaveLength(2);
  });
});

describe("curvePoints", () => {
  const rows = (count: number, value: number) => Array.from({ length: count }, (_, index) => ({ envSteps: (index + 1) * 10, value }));
  it("keeps every run's full length: the tail averages the runs that reached it", () => {
    const points = curvePoints([{ curve: "rl3", method: "rl3", rows: rows(3, 1) }, { curve: "rl3", method: "rl3", rows: rows(6, 3) }], 1);
    expect(points).toHaveLength(6);
    expect(points.slice(0, 3).map((point) => [point.mean, point.seeds])).toEqual([[2, 2], [2, 2], [2, 2]]);
    expect(points.slice(3).map((point) => [point.mean, point.seeds, point.low])).toEqual([[3, 1, 3], [3, 1, 3], [3, 1, 3]]);
    expect(points.at(-1)!.envSteps).toBe(60);
  });

  it("keeps curves apart", () => {
    const points = curvePoints([{ curve: "a", method: "rl2", rows: rows(2, 1) }, { curve: "b", method: "rl3", rows: rows(9, 5) }], 1);
    expect(points.filter((point) => point.curve === "a")).toHaveLength(2);
    expect(points.filter((point) => point.curve === "b").every((point) => point.mean === 5)).toBe(true);
  });
});
