import { Rng, UnknownNameError } from "@rl3/core";
import { describe, expect, it } from "vitest";
import { TASK_FAMILY_NAMES, taskFamily } from "./families.js";

describe("taskFamily", () => {
  it("knows every name of the architecture doc", () => {
    const required = [
      "bandits", "bandits:ood", "mdps", "mdps:ood", "mdps:ood-uniform", "grid11", "grid13", "grid13:dense",
      "grid13:deterministic", "grid13:watery", "grid13:dangerous", "grid13:corner",
    ];
    for (const name of required) {
      expect(TASK_FAMILY_NAMES).toContain(name);
      const family = taskFamily(name);
      expect(family.name).toBe(name);
      const task = family.sample(new Rng(1));
      expect(task.numActions).toBe(family.numActions);
      expect(task.observationSize).toBe(family.observationSize);
    }
  });

  it("gives the §2.1 observation sizes and 5 actions", () => {
    expect([taskFamily("bandits").observationSize, taskFamily("mdps").observationSize, taskFamily("grid13").observationSize]).toEqual([2, 10, 2]);
    for (const name of ["bandits", "mdps", "grid11"]) expect(taskFamily(name).numActions).toBe(5);
  });

  it.each([
    ["bandits:ood", "bandits", { prior: "normal" }],
    ["mdps:ood", "mdps", { alpha: 0.25 }],
    ["mdps:ood-uniform", "mdps", { meanRewardPrior: "uniform" }],
    ["grid13:dense", "grid13", { obstacleLength: 4 }],
    ["grid13:deterministic", "grid13", { slipProbability: 0 }],
    ["grid13:watery", "grid13", { waterSets: 8 }],
    ["grid13:dangerous", "grid13", { dangers: 4 }],
    ["grid13:corner", "grid13", { minGoalManhattan: 12 }],
  ])("%s differs from %s in exactly the parameter the spec names", (ood, base, change) => {
    const oodParameters = taskFamily(ood).parameters;
    const baseParameters = taskFamily(base).parameters;
    const differing = Object.keys({ ...oodParameters, ...baseParameters }).filter((key) => oodParameters[key] !== baseParameters[key]);
    expect(Object.fromEntries(differing.map((key) => [key, oodParameters[key]]))).toEqual(change);
  });

  it("the same seed gives the same tasks", () => {
    for (const name of ["bandits", "mdps", "grid11"]) {
      const family = taskFamily(name);
      const first = family.sample(new Rng(7));
      const second = family.sample(new Rng(7));
      for (let state = 0; state < Math.min(first.numStates, 20); state++) {
        expect(Array.from(first.transitionProbs(state, 1))).toEqual(Array.from(second.transitionProbs(state, 1)));
        expect(first.meanReward(state, 1, 0)).toBe(second.meanReward(state, 1, 0));
      }
    }
  });

  it("rejects an unknown name with the list of known ones", () => {
    expect(() => taskFamily("grid12")).toThrow(UnknownNameError);
    expect(() => taskFamily("grid12")).toThrow(/unknown task family "grid12" \(did you mean "grid11"\?\); known: bandits, bandits:ood, mdps/);
  });
});
