import { describe, expect, it } from "vitest";
import { STANDARD_SHARE, TRAIN_LIMITS, defaultTrainConfig, parseTrainConfig } from "./config.js";

const SETTINGS: [string, number][] = [
  ["bandits", 100],
  ["bandits", 500],
  ["mdps", 100],
  ["mdps", 500],
  ...[128, 256, 512, 1024, 1500, 2048].map((horizon): [string, number] => ["mdps", horizon]),
  ["grid11", 250],
  ["grid13", 350],
];

describe("defaultTrainConfig scales", () => {
  it("paper gridworld batches are the RLC README's (§5.3): 96 × 350 = 33,600 and 128 × 250 = 32,000, 8 minibatches", () => {
    expect(defaultTrainConfig("grid13", 350, "rl3", "paper")).toMatchObject({ batchSize: 33600, minibatchSize: 4200, iterations: 12000, learningRate: 2e-4, entropyCoefficient: 0.04 });
    expect(defaultTrainConfig("grid11", 250, "rl3", "paper")).toMatchObject({ batchSize: 32000, minibatchSize: 4000, iterations: 20000 });
  });

  it("paper RLC-sweep MDPs take the RLC README's entropy 0.1, decayed (§5.3); Table 5's 0.01 at H 100 and 500", () => {
    expect(defaultTrainConfig("mdps", 1024, "rl3", "paper")).toMatchObject({ batchSize: 32768, minibatchSize: 4096, entropyCoefficient: 0.1, entropyDecay: true, learningRate: 3e-4 });
    expect(defaultTrainConfig("mdps", 500, "rl3", "paper")).toMatchObject({ entropyCoefficient: 0.01, entropyDecay: false });
  });

  it.each(SETTINGS)("standard %s H %i: valid, ≥ 1%% of the paper's env steps (less than one extra iteration over); the quick hyperparameters, or the paper's for gridworlds", (family, horizon) => {
    const paper = parseTrainConfig(defaultTrainConfig(family, horizon, "rl3", "paper"));
    const quick = parseTrainConfig(defaultTrainConfig(family, horizon, "rl3", "quick"));
    const standard = parseTrainConfig(defaultTrainConfig(family, horizon, "rl3", "standard"));
    const share = STANDARD_SHARE * paper.iterations * paper.batchSize;
    expect(standard.iterations * standard.batchSize).toBeGreaterThanOrEqual(share);
    expect((standard.iterations - 1) * standard.batchSize).toBeLessThan(share);
    const hyperparameters = family.startsWith("grid") ? paper : quick;
    expect({ ...standard, iterations: hyperparameters.iterations, checkpointEvery: hyperparameters.checkpointEvery, validateEvery: hyperparameters.validateEvery }).toEqual(hyperparameters);
  });

  it("standard and quick grid13-350 are both the §5.3 configuration for 120 iterations of 33,600 steps (1% of 12K), raw critic", () => {
    const standard = defaultTrainConfig("grid13", 350, "rl2", "standard");
    expect(standard).toMatchObject({ iterations: 120, batchSize: 33600, minibatchSize: 4200, learningRate: 2e-4, epochs: 8, entropyCoefficient: 0.04, entropyDecay: false });
    expect(parseTrainConfig(standard).valueScale).toBe(1);
    // The greedy validation return is logged every 10 iterations (docs/method.md, "Greedy evaluation").
    expect(parseTrainConfig(standard)).toMatchObject({ validateEvery: 10, validationEpisodes: 64 });
    expect(parseTrainConfig(standard).model).toEqual(parseTrainConfig(defaultTrainConfig("grid13", 350, "rl2", "paper")).model);
    expect(defaultTrainConfig("grid13", 350, "rl2", "quick")).toEqual(standard);
  });

  it("refuses sizes past TRAIN_LIMITS before anything is built: H past the models' sequences, more envs than a run holds", () => {
    const base = { ...defaultTrainConfig("mdps", 100, "rl2", "quick") };
    expect(() => parseTrainConfig({ ...base, horizon: 1_000_000, batchSize: 1_000_000, minibatchSize: 1_000_000 })).toThrow(
      new RegExp(`^horizon must be an integer in \\[1, ${TRAIN_LIMITS.horizon}\\] \\(the critic reads H \\+ 1 steps`),
    );
    expect(() => parseTrainConfig({ ...base, batchSize: 100 * (TRAIN_LIMITS.envs + 1), minibatchSize: 100 })).toThrow(/^batchSize must be at most 65536 × horizon/);
    expect(() => parseTrainConfig({ ...base, validationEpisodes: TRAIN_LIMITS.envs + 1 })).toThrow(/^validationEpisodes must be an integer in \[2, 65536\]/);
    expect(parseTrainConfig({ ...base, horizon: TRAIN_LIMITS.horizon, batchSize: TRAIN_LIMITS.horizon, minibatchSize: TRAIN_LIMITS.horizon }).horizon).toBe(999_999);
  });
});
