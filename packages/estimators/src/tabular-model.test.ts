import { Rl3Error, Rng } from "@rl3/core";
import { taskFamily } from "@rl3/envs";
import { describe, expect, it } from "vitest";
import { valueIteration } from "./solve.js";
import { TabularModel } from "./tabular-model.js";

describe("TabularModel (§3.1)", () => {
  it("applies the Laplace formula exactly", () => {
    const model = new TabularModel({ numActions: 2, maxStates: 3, knownStates: "all", laplace: 0.1 });
    model.record(0, 0, 1, 1, false);
    model.record(0, 0, 3, 1, false);
    model.record(0, 0, -2, 2, false);
    // (N(s,a,s') + α) / (N(s,a) + α|S|) with N(0,0) = 3, |S| = 3.
    expect(model.transitionProbability(0, 0, 1)).toBeCloseTo(2.1 / 3.3, 15);
    expect(model.transitionProbability(0, 0, 2)).toBeCloseTo(1.1 / 3.3, 15);
    expect(model.transitionProbability(0, 0, 0)).toBeCloseTo(0.1 / 3.3, 15);
    // Untried: uniform over the known states, reward 0.
    expect(model.transitionProbability(0, 1, 2)).toBeCloseTo(1 / 3, 15);
    expect(model.meanReward(0, 0, 1)).toBe(2);
    expect(model.meanReward(0, 0, 2)).toBe(-2);
    expect(model.meanReward(0, 0, 0)).toBe(0);
    expect(model.visitCount(0, 0)).toBe(3);

    // One undiscounted sweep from zero = the expected immediate reward under the smoothed model.
    const { q } = valueIteration(model, { gamma: 1, maxSweeps: 1, tolerance: 0 });
    expect(q[0]).toBeCloseTo((2.1 * 2 + 1.1 * -2 + 0.1 * 0) / 3.3, 14);
    expect(q[1]).toBe(0);
  });

  it("smooths only over states known so far in incremental mode", () => {
    const model = new TabularModel({ numActions: 1, maxStates: 100, knownStates: "incremental", laplace: 0.01 });
    model.record(40, 0, -1, 41, false);
    expect(model.knownStateCount).toBe(2);
    expect([model.idOf(40), model.idOf(41), model.idOf(7)]).toEqual([0, 1, -1]);
    expect(model.transitionProbability(40, 0, 41)).toBeCloseTo(1.01 / 1.02, 15);
    expect(model.transitionProbability(41, 0, 40)).toBeCloseTo(0.5, 15);
    model.record(41, 0, 100, 42, true);
    expect(model.isAbsorbing(42)).toBe(true);
    expect(model.transitionProbability(42, 0, 42)).toBe(1);
    expect(model.transitionProbability(40, 0, 41)).toBeCloseTo(1.01 / 1.03, 15);
  });

  it("offers the mle-self-loop prior of the v4 code", () => {
    const model = new TabularModel({ numActions: 2, maxStates: 2, knownStates: "all", prior: "mle-self-loop" });
    model.record(0, 0, 1, 1, false);
    model.record(0, 0, 1, 0, false);
    expect(model.transitionProbability(0, 0, 1)).toBe(0.5);
    expect(model.transitionProbability(0, 1, 0)).toBe(1);
    expect(model.transitionProbability(0, 1, 1)).toBe(0);
    const { q } = valueIteration(model, { gamma: 0.5, maxSweeps: 200, tolerance: 0 });
    // Untried (1, ·) self-loop with reward 0 → 0; Q(0,0) = 1 + 0.5·(0.5·V(0) + 0.5·0) with V(0) = Q(0,0) → 4/3.
    expect(q[0]).toBeCloseTo(4 / 3, 12);
    expect(q[2]).toBe(0);
  });

  it("converges to the true transitions and values of a random MDP", () => {
    const task = taskFamily("mdps").sample(new Rng(4));
    const model = new TabularModel({ numActions: 5, maxStates: 10, knownStates: "all", laplace: 0.1 });
    const rng = new Rng(5);
    for (let state = 0; state < 10; state++) {
      for (let action = 0; action < 5; action++) {
        for (let draw = 0; draw < 4000; draw++) {
          const step = task.sampleStep(state, action, rng);
          model.record(state, action, step.reward, step.nextState, step.terminal);
        }
      }
    }
    let worst = 0;
    for (let state = 0; state < 10; state++) {
      for (let action = 0; action < 5; action++) {
        const truth = task.transitionProbs(state, action);
        for (let next = 0; next < 10; next++) worst = Math.max(worst, Math.abs(model.transitionProbability(state, action, next) - truth[next]!));
      }
    }
    expect(worst).toBeLessThan(0.03);
    const options = { gamma: 0.95, maxSweeps: 10, tolerance: 0 };
    const learned = valueIteration(model, options);
    const exact = valueIteration(task, options);
    for (let row = 0; row < 50; row++) expect(Math.abs(learned.q[row]! - exact.q[row]!)).toBeLessThan(0.25);
  });

  it("grows its sparse successor storage without losing counts", () => {
    const model = new TabularModel({ numActions: 1, maxStates: 20, knownStates: "all", laplace: 0 });
    for (let next = 0; next < 20; next++) model.record(0, 0, next, next, false);
    for (let next = 0; next < 20; next++) {
      expect(model.transitionProbability(0, 0, next)).toBeCloseTo(1 / 20, 15);
      expect(model.meanReward(0, 0, next)).toBe(next);
    }
  });

  it("rejects states or actions out of range and non-finite rewards", () => {
    const model = new TabularModel({ numActions: 2, maxStates: 3 });
    expect(() => model.record(3, 0, 0, 1, false)).toThrow(/^state must be an integer in \[0, 2\]; got 3/);
    expect(() => model.record(0, 2, 0, 1, false)).toThrow(/^action must be/);
    expect(() => model.record(0, 0, 0, -1, false)).toThrow(/^nextState must be/);
    expect(() => model.record(0, 0, Number.NaN, 1, false)).toThrow(/^reward must be a finite number; got NaN/);
    expect(() => model.record(0, 0, Number.POSITIVE_INFINITY, 1, false)).toThrow(Rl3Error);
    expect(() => new TabularModel({ numActions: 2, maxStates: 3, laplace: -0.1 })).toThrow(/^laplace must be/);
  });
});
