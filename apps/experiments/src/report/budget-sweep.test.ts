import { describe, expect, it } from "vitest";
import { PAPER_BUDGET_SWEEP, budgetSweepTables, finalScore, iterationsToMatch, meanCurve, sweepPlotPoints } from "./budget-sweep.js";

const ramp = (length: number, slope: number, cap: number) => Array.from({ length }, (_, index) => Math.min(cap, (index + 1) * slope));

describe("the budget sweep's figures", () => {
  it("RL²'s final score is the mean of its last 10% of iterations (at least 10), averaged over seeds", () => {
    expect(finalScore([ramp(200, 1, 1e9)])).toBeCloseTo((181 + 200) / 2); // iterations 181 … 200
    expect(finalScore([Array(50).fill(2), Array(50).fill(4)])).toBe(3);
  });

  it("iterations to match: RL³ climbing twice as fast reaches RL²'s plateau at half its iterations", () => {
    // RL² plateaus at 100 from iteration 200 of 400; RL³ rises 1 per iteration, reaches 100 at iteration 100
    // (the smoothing window of 8 iterations delays it by under 4).
    const rl2 = [ramp(400, 0.5, 100), ramp(400, 0.5, 100)];
    const rl3 = [ramp(400, 1, 120)];
    const match = iterationsToMatch(rl2, rl3);
    expect(match.target).toBe(100);
    expect(match.rl2Iterations).toBe(400);
    expect(match.rl3Iterations).toBeGreaterThanOrEqual(100);
    expect(match.rl3Iterations).toBeLessThanOrEqual(104);
    expect(match.fraction).toBeCloseTo(match.rl3Iterations! / 400);
  });

  it("a single lucky iteration is smoothed away, and a curve that never reaches the target gives null", () => {
    const rl2 = [Array(100).fill(10)];
    const spiky = Array(100).fill(0);
    spiky[20] = 1000;
    expect(iterationsToMatch(rl2, [spiky]).rl3Iterations).toBe(21); // 1000 / 5 = 200 ≥ 10 over the 5-wide window…
    expect(meanCurve([spiky], 5)[25]).toBe(0); // …and gone five iterations later
    const never = iterationsToMatch(rl2, [Array(100).fill(9)]);
    expect(never).toMatchObject({ rl3Iterations: null, fraction: null });
    expect(budgetSweepTables([], new Map([[128, never]]))).toContain("not reached in 100");
  });

  it("the plot carries the paper's points (§7.4) beside ours, for the methods and horizons measured", () => {
    const points = sweepPlotPoints([{ horizon: 1024, method: "rl3", family: "mdps", normalized: { estimate: 0.8, low: 0.78, high: 0.82 } }], "standard");
    expect(points).toContainEqual(expect.objectContaining({ source: "paper (RLC)", horizon: 1024, method: "rl3", estimate: PAPER_BUDGET_SWEEP[1024]!.rl3 }));
    expect(points.filter((point) => point.source === "paper (RLC)")).toHaveLength(2); // rl3 in distribution and OOD
    const table = budgetSweepTables([{ horizon: 1024, method: "rl3", family: "mdps", normalized: { estimate: 0.8, low: 0.78, high: 0.82 } }], new Map());
    expect(table).toContain("0.800 [0.780, 0.820]");
    expect(table).toContain("(0.034)"); // the paper's lead at H 1024: 0.898 − 0.864
  });
});
