import { type AgentFigures, type PairFigures, formatInterval } from "./comparison.js";
import { PAPER_BUDGET_SWEEP } from "./budget-sweep.js";
import { markdownTable } from "../output.js";

/** One number the paper reports for one method on one test family: a return (mean ± s.e.) or a score ÷ oracle. */
export interface PaperFigure {
  mean: number;
  /** Over the paper's 1000 test tasks; absent where the number was read from a plot. */
  stderr?: number;
}

/** What the paper reports for one preset: per test family, per method. */
export interface PaperSetting {
  /** Where the numbers come from (a table or figure of the paper, as the specification cites it). */
  source: string;
  /** "return": mean test return; "normalised": test return ÷ the oracle's (the RLC budget-sweep plots). */
  measure: "return" | "normalised";
  results: Readonly<Record<string, Readonly<Record<string, PaperFigure>>>>;
}

const figure = (mean: number, stderr?: number): PaperFigure => (stderr === undefined ? { mean } : { mean, stderr });

/** The gridworld table, [v4] Table 4 (spec §7.3): RL², RL³, RL³-coarse on grid11, grid13 and the five OOD variants. */
const grid = (rl2: [number, number], rl3: [number, number], coarse: [number, number]) => ({ rl2: figure(...rl2), rl3: figure(...rl3), "rl3-coarse": figure(...coarse) });

/**
 * The paper's greedy test results for every preset that has them (spec §7; 1000 test tasks, mean ± s.e.). Only
 * families whose task distribution is the one the paper tested appear: the v4 MDP OOD (R̄ ~ U(0, 2)) is
 * `mdps:ood-uniform`, the RLC one (Dirichlet 0.25) `mdps:ood`.
 */
export const PAPER_RESULTS: Readonly<Record<string, PaperSetting>> = {
  "bandits-100": { source: "[v4] Table 2 (spec §7.1)", measure: "return", results: { bandits: { rl2: figure(76.9, 0.6), rl3: figure(77.5, 0.5) } } },
  "bandits-500": {
    source: "[v4] Table 2 (spec §7.1)",
    measure: "return",
    results: { bandits: { rl2: figure(392.1, 2.5), rl3: figure(393.2, 2.7) }, "bandits:ood": { rl2: figure(430.2, 2.8), rl3: figure(434.9, 2.8) } },
  },
  "mdps-100": { source: "[v4] Table 3 (spec §7.2)", measure: "return", results: { mdps: { rl2: figure(159.5, 0.8), rl3: figure(158.9, 0.8) } } },
  "mdps-500": {
    source: "[v4] Table 3 (spec §7.2)",
    measure: "return",
    results: { mdps: { rl2: figure(927.8, 3.7), rl3: figure(926.9, 3.7) }, "mdps:ood-uniform": { rl2: figure(772.8, 1.7), rl3: figure(775.9, 1.7) } },
  },
  ...Object.fromEntries(
    Object.entries(PAPER_BUDGET_SWEEP).map(([horizon, row]) => [
      `mdps-${horizon}`,
      {
        source: "RLC budget-sweep plots, read to ±0.005 (spec §7.4)",
        measure: "normalised",
        results: { mdps: { rl2: figure(row.rl2), rl3: figure(row.rl3) }, "mdps:ood": { rl2: figure(row.rl2Ood), rl3: figure(row.rl3Ood) } },
      } satisfies PaperSetting,
    ]),
  ),
  "grid11-250": { source: "[v4] Table 4 (spec §7.3)", measure: "return", results: { grid11: grid([524, 22], [630, 22], [613, 21]) } },
  "grid13-350": {
    source: "[v4] Table 4 (spec §7.3)",
    measure: "return",
    results: {
      grid13: grid([584, 28], [902, 27], [831, 28]),
      "grid13:dense": grid([384, 26], [691, 28], [674, 28]),
      "grid13:deterministic": grid([960, 38], [1574, 35], [1464, 36]),
      "grid13:watery": grid([513, 26], [826, 27], [822, 28]),
      "grid13:dangerous": grid([283, 28], [647, 30], [657, 30]),
      "grid13:corner": grid([319, 23], [508, 23], [645, 23]),
    },
  },
};

/** Env steps of our runs and of the paper's setting, for the experience ratio beside every comparison. */
export interface Experience {
  ours: number;
  paper: number;
  /** How the paper's figure is made up (e.g. "12,000 × 33,600"). */
  paperBudget: string;
}

const formatSteps = (steps: number) => steps.toLocaleString("en-US");

function formatFigure(value: PaperFigure, measure: PaperSetting["measure"]): string {
  const digits = measure === "normalised" ? 3 : 1;
  return value.stderr === undefined ? value.mean.toFixed(digits) : `${value.mean.toFixed(digits)} ± ${value.stderr.toFixed(digits)}`;
}

/**
 * "Beside the paper": our figure and the paper's for every (test family, method) the paper reports, their ratio,
 * and the RL³ ÷ RL² ratio of both, headed by the experience ratio. Null when the paper has no numbers for `preset`.
 */
export function besidePaperTable(preset: string, agents: readonly AgentFigures[], pairs: readonly PairFigures[], experience: Experience): string | null {
  const setting = PAPER_RESULTS[preset];
  if (!setting) return null;
  const rows: string[][] = [];
  for (const [family, methods] of Object.entries(setting.results)) {
    for (const [method, paper] of Object.entries(methods)) {
      const ours = agents.find((row) => row.family === family && row.agent === method);
      if (!ours) continue;
      const value = setting.measure === "normalised" ? ours.aggregate.normalized?.estimate : ours.mean;
      const shown = setting.measure === "normalised" ? formatInterval(ours.aggregate.normalized, 3) : `${ours.mean.toFixed(1)} ± ${ours.stderr.toFixed(1)}`;
      // A share of the paper's score only reads as one when both are positive (a −333 "÷ 584" is not −57% of it).
      const share = value !== undefined && value > 0 && paper.mean > 0 ? (value / paper.mean).toFixed(2) : "—";
      rows.push([family, method, shown, formatFigure(paper, setting.measure), share]);
    }
    const rl2 = methods.rl2;
    const pair = pairs.find((candidate) => candidate.family === family && candidate.a === "rl3" && candidate.b === "rl2");
    if (rl2 && methods.rl3 && pair?.ratio) rows.push([family, "rl3 ÷ rl2", formatInterval(pair.ratio, 2), (methods.rl3.mean / rl2.mean).toFixed(2), ""]);
  }
  if (rows.length === 0) return null;
  const ratio = experience.ours / experience.paper;
  const what = setting.measure === "normalised" ? "test return ÷ oracle (ours: [95% CI])" : "mean test return ± s.e. over tasks";
  return [
    `Beside the paper (${setting.source}): ${what}. Experience: ${formatSteps(experience.ours)} env steps per run here, ` +
      `${formatSteps(experience.paper)} (${experience.paperBudget}) in the paper's setting, a ratio of ${ratio < 0.01 ? ratio.toPrecision(2) : ratio.toFixed(3)} (${(ratio * 100).toPrecision(2)}%).`,
    "",
    markdownTable(["test tasks", "method", "ours", "paper", "ours ÷ paper"], rows),
  ].join("\n");
}
