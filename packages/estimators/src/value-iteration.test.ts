import { Rl3Error, Rng } from "@rl3/core";
import { RandomMdp, taskFamily } from "@rl3/envs";
import { describe, expect, it } from "vitest";
import { bellmanSystemOfTask } from "./bellman-system.js";
import { valueIteration } from "./solve.js";
import { ValueIterationWorkspace, runValueIteration } from "./value-iteration.js";

/** Two states, two actions, deterministic: a0 in s0 stays (+1), a1 in s0 → s1 (0); a0 in s1 stays (+2), a1 in s1 → s0 (0). */
const twoStates = new RandomMdp({
  numStates: 2,
  numActions: 2,
  transitions: [1, 0, 0, 1, 0, 1, 1, 0],
  meanRewards: [1, 0, 2, 0],
  rewardNoise: 0,
});

describe("valueIteration on known tasks", () => {
  it("equals the closed-form infinite-horizon values", () => {
    const gamma = 0.9;
    const { q, v } = valueIteration(twoStates, { gamma, maxSweeps: 10_000, tolerance: 1e-12 });
    // V(s1) = 2/(1−γ) = 20; V(s0) = max(1/(1−γ), γ·V(s1)) = max(10, 18) = 18.
    expect(v[1]).toBeCloseTo(20, 9);
    expect(v[0]).toBeCloseTo(18, 9);
    expect(q[0]).toBeCloseTo(1 + gamma * 18, 9); // Q(s0, a0)
    expect(q[3]).toBeCloseTo(gamma * 18, 9); // Q(s1, a1)
  });

  it("K sweeps from zero give the K-step finite-horizon values", () => {
    const { v, sweeps } = valueIteration(twoStates, { gamma: 1, maxSweeps: 3, tolerance: 0 });
    expect(sweeps).toBe(3);
    // s1: stay thrice = 6; s0: a1 then stay twice = 0 + 2 + 2 = 4 > 3.
    expect(Array.from(v)).toEqual([4, 6]);
  });

  it("one sweep contracts the sup-norm error by at most γ", () => {
    const task = taskFamily("mdps").sample(new Rng(1));
    const gamma = 0.95;
    const exact = valueIteration(task, { gamma, maxSweeps: 100_000, tolerance: 1e-13 });
    const rng = new Rng(2);
    for (let trial = 0; trial < 20; trial++) {
      const workspace = new ValueIterationWorkspace();
      workspace.ensure(task.numStates, task.numActions);
      for (let state = 0; state < task.numStates; state++) workspace.v[state] = exact.v[state]! + 20 * (rng.float() - 0.5);
      let before = 0;
      for (let state = 0; state < task.numStates; state++) before = Math.max(before, Math.abs(workspace.v[state]! - exact.v[state]!));
      const after = runValueIteration(bellmanSystemOfTask(task), { gamma, maxSweeps: 1, tolerance: 0, warmStart: true }, workspace);
      let qError = 0;
      for (let row = 0; row < after.q.length; row++) qError = Math.max(qError, Math.abs(after.q[row]! - exact.q[row]!));
      expect(qError).toBeLessThanOrEqual(gamma * before + 1e-9);
    }
  });

  it("stops at the tolerance after at least one sweep", () => {
    const result = valueIteration(twoStates, { gamma: 0.5, maxSweeps: 1000, tolerance: 1e-3 });
    expect(result.sweeps).toBeGreaterThan(1);
    expect(result.sweeps).toBeLessThan(1000);
    expect(result.lastChange).toBeLessThan(1e-3);
    expect(valueIteration(twoStates, { gamma: 0.5, maxSweeps: 1000, tolerance: 1e9 }).sweeps).toBe(1);
  });

  it("treats absorbing gridworld states as worth 0", () => {
    const grid = taskFamily("grid11").sample(new Rng(3));
    const { v } = valueIteration(grid, { gamma: 0.95, maxSweeps: 500, tolerance: 1e-6 });
    for (let state = 0; state < grid.numStates; state++) if (grid.isAbsorbing(state)) expect(v[state]).toBe(0);
    expect(v[grid.startState]).toBeGreaterThan(0);
  });

  it("rejects γ outside (0, 1], a negative tolerance and a sweep count < 1", () => {
    expect(() => valueIteration(twoStates, { gamma: 0, maxSweeps: 1, tolerance: 0 })).toThrow(/^gamma must be a discount in \(0, 1\]; got 0/);
    expect(() => valueIteration(twoStates, { gamma: 1.5, maxSweeps: 1, tolerance: 0 })).toThrow(Rl3Error);
    expect(() => valueIteration(twoStates, { gamma: Number.NaN, maxSweeps: 1, tolerance: 0 })).toThrow(/^gamma/);
    expect(() => valueIteration(twoStates, { gamma: 0.9, maxSweeps: 1, tolerance: -1 })).toThrow(/^tolerance must be a number ≥ 0; got -1/);
    expect(() => valueIteration(twoStates, { gamma: 0.9, maxSweeps: 0, tolerance: 0 })).toThrow(/^maxSweeps must be/);
  });
});
