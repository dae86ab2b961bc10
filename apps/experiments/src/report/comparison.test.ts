import type { EvaluationResult } from "@rl3/algorithms";
import { InputError, Rng } from "@rl3/core";
import { describe, expect, it } from "vitest";
import { type ScoredRun, aggregatePoints, compareRuns, comparisonTables } from "./comparison.js";

/** A synthetic evaluation: task i's return is `difficulty[i] + offset + noise`, like real runs on shared tasks. */
function run(agent: string, trainingSeed: number | undefined, offset: number, options: { tasks?: number; horizon?: number; seed?: number; taskIndices?: number[]; family?: string } = {}): ScoredRun {
  const tasks = options.taskIndices ?? Array.from({ length: options.tasks ?? 200 }, (_, index) => index);
  const noise = new Rng(1000 * (trainingSeed ?? 99) + offset);
  const difficulty = (task: number) => new Rng(task).normal(100, 30);
  const returns = tasks.map((task) => difficulty(task) + offset + noise.normal(0, 3));
  const result: EvaluationResult = {
    agent,
    family: options.family ?? "mdps",
    horizon: options.horizon ?? 100,
    seed: options.seed ?? 1_000_000,
    episodes: tasks.length,
    mean: returns.reduce((sum, value) => sum + value, 0) / tasks.length,
    stderr: 0,
    returns,
    oracleReturns: tasks.map((task) => difficulty(task) + 50),
    ...(options.taskIndices ? { taskIndices: options.taskIndices } : {}),
  };
  return { agent, trainingSeed, source: `runs/${agent}-s${trainingSeed}`, result };
}

describe("compareRuns", () => {
  it("aggregates seeds and pairs the agents on their shared tasks", () => {
    const comparison = compareRuns([run("rl2", 1, 0), run("rl2", 2, 1), run("rl3", 1, 5), run("rl3", 2, 6), run("rl3", 3, 4)], { resamples: 500 });
    expect(comparison.agents.map((row) => [row.agent, row.seeds, row.tasks])).toEqual([
      ["rl2", 2, 200],
      ["rl3", 3, 200],
    ]);
    const [rl2, rl3] = comparison.agents;
    expect(rl3!.aggregate.seedsResampled).toBe(true);
    expect(rl3!.note).toBeUndefined();
    expect(rl3!.aggregate.normalized!.estimate).toBeCloseTo(rl3!.mean / rl3!.oracleMean!, 12);
    expect(rl3!.normalized).toBeCloseTo(rl3!.mean / rl3!.oracleMean!, 12);
    const [pair] = comparison.pairs;
    expect(pair).toMatchObject({ a: "rl3", b: "rl2", shared: true, sharedTasks: 200, horizon: 100, testSeed: 1_000_000 });
    // rl3 is 4.5 ahead on every task; the tasks' spread (s.d. 30) cancels in the paired difference.
    expect(pair!.difference!.estimate).toBeCloseTo(rl3!.mean - rl2!.mean, 9);
    expect(pair!.difference!.low).toBeGreaterThan(3.5);
    expect(pair!.difference!.high).toBeLessThan(5.5);
    expect(pair!.difference!.high - pair!.difference!.low).toBeLessThan(0.2 * 1.96 * 2 * rl2!.stderr);
    expect(pair!.ratio!.estimate).toBeCloseTo(rl3!.mean / rl2!.mean, 9);
    // Resampling the seeds too: the same estimate, an interval that also holds the seeds' spread (offsets ±1).
    expect(pair!.differenceAcrossSeeds!.estimate).toBeCloseTo(pair!.difference!.estimate, 9);
    expect(pair!.differenceAcrossSeeds!.high - pair!.differenceAcrossSeeds!.low).toBeGreaterThan(1.5 * (pair!.difference!.high - pair!.difference!.low));
    // Per task, a run of rl3 beats a run of rl2 with probability Φ(4.5 / √(3² + 3²)) ≈ 0.86.
    expect(Math.abs(pair!.probabilityOfImprovement!.estimate - 0.86)).toBeLessThan(0.04);
    expect(pair!.probabilityOfImprovement!.low).toBeGreaterThan(0.7);
    // Deterministic: the same inputs give the same figures.
    expect(compareRuns([run("rl2", 1, 0), run("rl2", 2, 1), run("rl3", 1, 5), run("rl3", 2, 6), run("rl3", 3, 4)], { resamples: 500 })).toEqual(comparison);
  });

  it("gives seed-level t-intervals from 2 seeds: the runs are the unit, t(0.975, 1) = 12.7", () => {
    const comparison = compareRuns([run("rl2", 1, 0), run("rl2", 2, 1), run("rl3", 1, 5), run("rl3", 2, 6), run("rl3", 3, 4)], { resamples: 500 });
    const [rl2, rl3] = comparison.agents;
    // The t-interval is centred on the mean of the per-seed means, which is the pooled mean here (same tasks per seed).
    expect(rl3!.seedLevel!.mean.estimate).toBeCloseTo(rl3!.mean, 9);
    expect(rl3!.seedLevel!.normalized!.estimate).toBeCloseTo(rl3!.normalized!, 9);
    // With 2 seeds the half-width is t(0.975, 1) · s/√2 = 12.706 · |m₁ − m₂| / 2, whatever the tasks' spread.
    const perSeed = [run("rl2", 1, 0), run("rl2", 2, 1)].map((entry) => entry.result.mean);
    const half = (rl2!.seedLevel!.mean.high - rl2!.seedLevel!.mean.low) / 2;
    expect(half).toBeCloseTo((12.706204736174694 * Math.abs(perSeed[0]! - perSeed[1]!)) / 2, 6);
    const [pair] = comparison.pairs;
    expect(pair!.differenceSeedLevel!.estimate).toBeCloseTo(rl3!.seedLevel!.mean.estimate - rl2!.seedLevel!.mean.estimate, 9);
    expect(pair!.differenceSeedLevel!.low).toBeLessThan(pair!.differenceSeedLevel!.estimate);
    expect(comparisonTables(comparison)).toContain("A − B over seeds [t 95%]");
    // One seed: no seed-level interval at all.
    const single = compareRuns([run("rl2", 1, 0), run("rl3", 1, 5), run("rl3", 2, 5)], { resamples: 200 });
    expect(single.agents[0]!.seedLevel).toBeUndefined();
    expect(single.pairs[0]!.differenceSeedLevel).toBeUndefined();
  });

  it("says when an agent has one seed, instead of an across-seed interval", () => {
    const comparison = compareRuns([run("rl2", 1, 0), run("rl3", 1, 5)], { resamples: 200 });
    expect(comparison.agents.every((row) => !row.aggregate.seedsResampled && /one seed/.test(row.note!))).toBe(true);
    expect(comparison.pairs[0]!.note).toMatch(/one seed of rl3 and rl2: the across-seed difference and P\(rl3 > rl2\)/);
    const tables = comparisonTables(comparison);
    expect(tables).toMatch(/\| mdps, H 100 \| rl3 \| 1 × 200 \| .* \[.*\]† \|/);
    expect(tables).toMatch(/† One seed: the interval covers task-to-task variation only/);
  });

  it("pairs only the tasks both met, and reports pairs on different tasks as not shared", () => {
    const comparison = compareRuns([run("rl2", 1, 0, { taskIndices: [0, 1, 2, 3, 4, 5] }), run("rl3", 1, 5, { taskIndices: [4, 5, 6, 2] }), run("random", undefined, -20, { seed: 7 })], { resamples: 100 });
    expect(comparison.pairs.map((pair) => [pair.a, pair.b, pair.shared, pair.sharedTasks ?? pair.reason])).toEqual([
      ["rl3", "rl2", true, 3],
      ["random", "rl2", false, "test seed 7 vs 1000000"],
      ["random", "rl3", false, "test seed 7 vs 1000000"],
    ]);
    expect(comparisonTables(comparison)).toMatch(/\| random vs rl2 \| not shared \(test seed 7 vs 1000000\) \| — \| — \| — \| — \|/);
    expect(compareRuns([run("rl2", 1, 0), run("rl3", 1, 5, { horizon: 200 })], { resamples: 100 }).pairs[0]!.reason).toBe("H 200 vs 100");
    expect(aggregatePoints(comparison).filter((point) => point.agent === "rl2").map((point) => point.statistic)).toEqual(["mean", "IQM", "normalised"]);
  });

  it("compares only the pairs asked for", () => {
    const comparison = compareRuns([run("rl2", 1, 0), run("rl3", 1, 5), run("random", undefined, -20)], { pairAgents: ["rl2", "rl3"], resamples: 100 });
    expect(comparison.agents).toHaveLength(3);
    expect(comparison.pairs.map((pair) => `${pair.a} vs ${pair.b}`)).toEqual(["rl3 vs rl2"]);
  });

  it("rejects seeds of one agent on different tasks, a run given twice, and fewer than 2 tasks, naming what differs", () => {
    const error = (() => {
      try {
        compareRuns([run("rl3", 1, 0), run("rl3", 2, 0, { horizon: 200 })]);
      } catch (caught) {
        return caught as InputError;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toBe("rl3 on mdps: horizon must be 100 like runs/rl3-s1: every seed of an agent evaluated on the same tasks; got \"200 (runs/rl3-s2)\"");
    expect(() => compareRuns([run("rl3", 1, 0), run("rl3", 2, 0, { seed: 5 })])).toThrow(/^rl3 on mdps: test seed must be 1000000/);
    expect(() => compareRuns([run("rl3", 1, 0), run("rl3", 1, 0)])).toThrow(/^rl3 on mdps: training seed must be one run per seed \(the same run given twice\?\); got "1 in runs\/rl3-s1 and runs\/rl3-s1"$/);
    expect(() => compareRuns([run("rl3", 1, 0, { tasks: 1 })])).toThrow(/^rl3 on mdps: tasks must be at least 2 test tasks/);
    expect(() => compareRuns([run("rl3", 1, 0, { taskIndices: [0, 1] }), run("rl3", 2, 0, { taskIndices: [1, 2] })])).toThrow(/^rl3 on mdps: tasks must be at least 2 .*; got 1$/);
    expect(() => compareRuns([run("rl2", 1, 0, { taskIndices: [0, 1] }), run("rl3", 1, 0, { taskIndices: [1, 2] })])).toThrow(/^rl3 vs rl2 on mdps: shared tasks must be at least 2/);
  });
});
