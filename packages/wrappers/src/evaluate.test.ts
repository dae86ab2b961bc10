import { describe, expect, it } from "vitest";
import { TASK_FAMILY_NAMES, taskFamily } from "@rl3/envs";
import { type MetaAgent, ModelBasedAgent, OracleAgent, RandomAgent, ThompsonAgent, Ucb1Agent } from "./agents.js";
import { evaluate, testTasks } from "./evaluate.js";
import { trainingStreams } from "./streams.js";
import { startTestEpisodes } from "./test-episodes.js";

describe("evaluate: per-task randomness", () => {
  const horizonOf = (family: string) => (family.startsWith("grid") ? 40 : 20);

  it.each(TASK_FAMILY_NAMES)("%s: a task's return is the same whatever the batch size, the order or how many tasks are evaluated", async (family) => {
    const horizon = horizonOf(family);
    const run = (agent: MetaAgent, options: { episodes?: number; batchSize?: number; taskIndices?: number[] }) => evaluate(agent, { family, horizon, oracle: false, ...options }).then((result) => result.returns);
    const reference = await run(new RandomAgent(), { episodes: 8, batchSize: 8 });
    expect(new Set(reference).size).toBeGreaterThan(1);
    expect(await run(new RandomAgent(), { episodes: 8, batchSize: 3 })).toEqual(reference);
    expect(await run(new RandomAgent(), { episodes: 8, batchSize: 1 })).toEqual(reference);
    expect(await run(new RandomAgent(), { episodes: 3 })).toEqual(reference.slice(0, 3));
    expect(await run(new RandomAgent(), { taskIndices: [7, 2, 5, 0], batchSize: 2 })).toEqual([7, 2, 5, 0].map((index) => reference[index]));
    // The learning baseline's tie-breaking draws from the task's agent stream too.
    const modelBased = await run(new ModelBasedAgent(), { episodes: 6, batchSize: 6 });
    expect(await run(new ModelBasedAgent(), { taskIndices: [5, 1, 3], batchSize: 2 })).toEqual([modelBased[5], modelBased[1], modelBased[3]]);
  });

  it("bandit baselines' sampling is per task too (Thompson, UCB1)", async () => {
    for (const agent of [() => new ThompsonAgent(), () => new Ucb1Agent()]) {
      const whole = await evaluate(agent(), { family: "bandits", horizon: 50, episodes: 10, batchSize: 10, oracle: false });
      const pieces = await evaluate(agent(), { family: "bandits", horizon: 50, episodes: 10, batchSize: 4, oracle: false });
      expect(pieces.returns).toEqual(whole.returns);
    }
  });

  it("records the test seed and, when asked for, the task indices and each task's oracle return", async () => {
    const result = await evaluate(new RandomAgent(), { family: "mdps", horizon: 10, taskIndices: [4, 1], seed: 7 });
    expect(result).toMatchObject({ seed: 7, episodes: 2, taskIndices: [4, 1] });
    const whole = await evaluate(new OracleAgent(), { family: "mdps", horizon: 10, episodes: 5, seed: 7 });
    expect(result.oracleReturns).toEqual([whole.oracleReturns![4], whole.oracleReturns![1]]);
    expect(whole.oracleMean).toBeCloseTo(whole.oracleReturns!.reduce((sum, value) => sum + value, 0) / 5, 12);
    expect((await evaluate(new RandomAgent(), { family: "mdps", horizon: 10, episodes: 2 })).taskIndices).toBeUndefined();
  });
});

describe("evaluate (§6.4)", () => {
  it("gives every agent the same fixed test tasks, disjoint from the training stream", async () => {
    const family = taskFamily("mdps");
    const first = testTasks(family, 5);
    const second = testTasks(family, 5);
    first.forEach((task, index) => expect(Array.from(task.transitionProbs(0, 0))).toEqual(Array.from(second[index]!.transitionProbs(0, 0))));
    const training = family.sample(trainingStreams(1_000_000, 0).environment.split());
    expect(Array.from(training.transitionProbs(0, 0))).not.toEqual(Array.from(first[0]!.transitionProbs(0, 0)));
    const random = await evaluate(new RandomAgent(), { family: "mdps", horizon: 20, episodes: 50 });
    const oracle = await evaluate(new OracleAgent(), { family: "mdps", horizon: 20, episodes: 50 });
    expect(random.oracleMean).toBe(oracle.oracleMean);
  });

  it("orders the baselines on random MDPs: oracle ≥ model-based ≥ random", async () => {
    const options = { family: "mdps", horizon: 100, episodes: 300 };
    const [oracle, modelBased, random] = await Promise.all([
      evaluate(new OracleAgent(), options),
      evaluate(new ModelBasedAgent(), options),
      evaluate(new RandomAgent(), options),
    ]);
    expect(oracle.mean).toBeGreaterThan(modelBased.mean);
    expect(modelBased.mean).toBeGreaterThan(random.mean + 2 * Math.hypot(modelBased.stderr, random.stderr));
    // The oracle agent's realised mean matches the exact expectation within 4 s.e.
    expect(Math.abs(oracle.mean - oracle.oracleMean!)).toBeLessThan(4 * oracle.stderr);
    expect(random.normalized).toBeCloseTo(random.mean / random.oracleMean!, 12);
  });

  it("bandit baselines beat random and approach the oracle (H = 100)", async () => {
    const options = { family: "bandits", horizon: 100, episodes: 300 };
    const [ucb, thompson, random, oracle] = await Promise.all([
      evaluate(new Ucb1Agent(), options),
      evaluate(new ThompsonAgent(), options),
      evaluate(new RandomAgent(), options),
      evaluate(new OracleAgent(), options),
    ]);
    expect(random.mean).toBeGreaterThan(45);
    expect(random.mean).toBeLessThan(55);
    expect(thompson.mean).toBeGreaterThan(ucb.mean - 3 * Math.hypot(ucb.stderr, thompson.stderr));
    expect(ucb.mean).toBeGreaterThan(random.mean + 10);
    expect(oracle.mean).toBeGreaterThan(thompson.mean);
    await expect(evaluate(new Ucb1Agent(), { family: "mdps", horizon: 10, episodes: 2 })).rejects.toThrow(/^family must be a bandit family/);
  });

  it("rejects bad options", async () => {
    await expect(evaluate(new RandomAgent(), { family: "mdps", horizon: 0 })).rejects.toThrow(/^horizon must be/);
    await expect(evaluate(new RandomAgent(), { family: "mdps", horizon: 5, taskIndices: [0, -1] })).rejects.toThrow(/^taskIndices\[1\] must be an integer/);
    await expect(evaluate(new RandomAgent(), { family: "mdps", horizon: 5, taskIndices: [0], episodes: 3 })).rejects.toThrow(/^episodes must be left out when taskIndices is given/);
    await expect(evaluate(new RandomAgent(), { family: "nope", horizon: 10 })).rejects.toThrow(/unknown task family "nope"/);
  });

  it("steps meta-episodes by hand to exactly the returns evaluate reports (what a page shows)", async () => {
    const options = { family: "grid13", horizon: 60, taskIndices: [4, 1] };
    const whole = await evaluate(new ModelBasedAgent(), { ...options, oracle: false });
    for (const [position, index] of options.taskIndices.entries()) {
      const run = await startTestEpisodes(new ModelBasedAgent(), { ...options, taskIndices: [index] });
      let steps = 0;
      while (!run.done) {
        await run.step();
        steps++;
      }
      expect(steps).toBe(60);
      expect(run.totals[0]).toBe(whole.returns[position]);
    }
    await expect(startTestEpisodes(new RandomAgent(), { ...options, taskIndices: [] })).rejects.toThrow(/^taskIndices must be at least one/);
  });
});
