import { describe, expect, it } from "vitest";
import { taskFamily } from "@rl3/envs";
import { ModelBasedAgent, OracleAgent, RandomAgent, ThompsonAgent, Ucb1Agent } from "./agents.js";
import { evaluate, testTasks } from "./evaluate.js";
import { trainingStreams } from "./streams.js";

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
    await expect(evaluate(new RandomAgent(), { family: "nope", horizon: 10 })).rejects.toThrow(/unknown task family "nope"/);
  });
});
