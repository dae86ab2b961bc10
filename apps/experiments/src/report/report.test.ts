import { describe, expect, it } from "vitest";
import { TASK_FAMILY_NAMES } from "@rl3/envs";
import type { AgentFigures, PairFigures } from "./comparison.js";
import { PAPER_RESULTS, besidePaperTable } from "./paper-results.js";
import { AGENT_COLOURS, agentColourScale, learningCurveSpec } from "./plots.js";
import { PRESETS } from "../presets.js";
import { FAMILY_NOTES, glossary } from "./report-glossary.js";

const interval = (estimate: number) => ({ estimate, low: estimate - 0.01, high: estimate + 0.01 });
const agent = (family: string, name: string, mean: number, normalized?: number): AgentFigures => ({
  family,
  horizon: 350,
  testSeed: 1,
  agent: name,
  seeds: 1,
  tasks: 1000,
  mean,
  stderr: 5,
  aggregate: { seeds: 1, tasks: 1000, mean: interval(mean), iqm: interval(mean), ...(normalized === undefined ? {} : { normalized: interval(normalized) }), seedsResampled: false },
});
const pair = (family: string, ratio: number): PairFigures => ({ family, a: "rl3", b: "rl2", shared: true, ratio: interval(ratio) });

describe("beside the paper", () => {
  it("puts each of our returns beside the paper's, with ours ÷ paper, the RL³ ÷ RL² ratios and the experience ratio", () => {
    const table = besidePaperTable("grid13-350", [agent("grid13", "rl2", 292), agent("grid13", "rl3", 451)], [pair("grid13", 1.54)], {
      ours: 4_032_000,
      paper: 403_200_000,
      paperBudget: "12,000 iterations × 33,600 steps",
    })!;
    expect(table).toContain("[v4] Table 4");
    expect(table).toContain("a ratio of 0.010 (1.0%)");
    expect(table).toContain("| grid13 | rl2 | 292.0 ± 5.0 | 584.0 ± 28.0 | 0.50 |");
    expect(table).toContain("| grid13 | rl3 | 451.0 ± 5.0 | 902.0 ± 27.0 | 0.50 |");
    // Ours from the paired bootstrap; the paper's from its two means (902 / 584).
    expect(table).toContain("| grid13 | rl3 ÷ rl2 | 1.54 [1.53, 1.55] | 1.54 |  |");
    expect(table).not.toContain("rl3-coarse"); // not trained here: no row
  });

  it("compares normalised scores on the RLC sweep and has no table where the paper has no numbers", () => {
    const table = besidePaperTable("mdps-512", [agent("mdps", "rl3", 900, 0.812)], [], { ours: 4_915_200, paper: 491_520_000, paperBudget: "15,000 × 32,768" })!;
    expect(table).toContain("test return ÷ oracle");
    expect(table).toContain("| mdps | rl3 | 0.812 [0.802, 0.822] | 0.865 | 0.94 |");
    expect(besidePaperTable("grid15-350", [agent("grid15", "rl3", 1)], [], { ours: 1, paper: 1, paperBudget: "" })).toBeNull();
  });

  it("shows no share of the paper's score for a negative return (−333 is not −57% of 584)", () => {
    const table = besidePaperTable("grid13-350", [agent("grid13", "rl2", -333)], [], { ours: 4_032_000, paper: 403_200_000, paperBudget: "" })!;
    expect(table).toContain("| grid13 | rl2 | -333.0 ± 5.0 | 584.0 ± 28.0 | — |");
  });

  it("has the paper's numbers only for presets that exist, on their own test families", () => {
    for (const [name, setting] of Object.entries(PAPER_RESULTS)) {
      const preset = PRESETS.find((candidate) => candidate.name === name);
      expect(preset, name).toBeDefined();
      for (const family of Object.keys(setting.results)) expect(preset!.testFamilies, `${name}: ${family}`).toContain(family);
    }
  });
});

describe("report glossary", () => {
  it("describes every task family and every preset's test families and agents", () => {
    expect(Object.keys(FAMILY_NOTES).sort()).toEqual([...TASK_FAMILY_NAMES].sort());
    const text = glossary(["grid13", "grid13:corner"], ["rl2", "rl3", "random", "oracle"]);
    expect(text).toContain("| `grid13:corner` | out of distribution: the goal in a corner");
    expect(text).toContain("| `oracle` | knows the task");
    expect(text).toContain("*± s.e.* is the standard error over those test tasks");
  });
});

describe("plot colours", () => {
  it("gives each method the same colour in every figure, whatever else the figure shows", () => {
    const alone = agentColourScale(["rl3"]);
    const crowded = agentColourScale(["oracle", "rl2", "random", "rl3", "something-new"]);
    expect(alone.range[alone.domain.indexOf("rl3")]).toBe(AGENT_COLOURS.rl3);
    expect(crowded.range[crowded.domain.indexOf("rl3")]).toBe(AGENT_COLOURS.rl3);
    expect(crowded.range[crowded.domain.indexOf("something-new")]).not.toBe(AGENT_COLOURS.rl3);
    expect(new Set(Object.values(AGENT_COLOURS)).size).toBe(Object.keys(AGENT_COLOURS).length);
  });

  it("states the smoothing on the axis, dashes only groups that share a method, and draws the reference lines", () => {
    const point = (curve: string, method: string) => ({ curve, method, envSteps: 10, mean: 1, low: 1, high: 1, seeds: 1 });
    const serialise = (spec: unknown) => JSON.stringify(spec);
    const one = serialise(learningCurveSpec([point("rl2", "rl2"), point("rl3", "rl3")], "t", { smoothing: 5, references: [{ agent: "random", value: -624 }] }));
    expect(one).toContain("mean of the last 5 iterations");
    expect(one).toContain("dashed: baselines");
    expect(one).not.toContain("strokeDash\":{\"field");
    expect(one).toContain("random: -624");
    const two = serialise(learningCurveSpec([point("rl3 · lr=0.001", "rl3"), point("rl3 · lr=0.0002", "rl3")], "t", { smoothing: 5 }));
    expect(two).toContain("strokeDash\":{\"field\":\"curve\"");
  });
});
