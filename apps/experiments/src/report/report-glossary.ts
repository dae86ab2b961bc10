import type { TaskFamilyName } from "@rl3/envs";
import { markdownTable } from "../output.js";

/**
 * What each test family is, in the words a report reader needs (the exact definitions: docs/envs.md and the
 * specification's §6). Typed against `TaskFamilyName`, so a new family cannot be added without its line here.
 */
export const FAMILY_NOTES: Readonly<Record<TaskFamilyName, string>> = {
  bandits: "5-armed Bernoulli bandits, arm means drawn U(0, 1)",
  "bandits:ood": "out of distribution: arm means drawn N(0.5, 0.5), clipped to [0, 1]",
  mdps: "random MDPs, 10 states × 5 actions, Dirichlet(1) transitions, mean rewards 1 + N(0, 1) plus N(0, 1) noise, inner episodes of 10 steps",
  "mdps:ood": "out of distribution (the RLC test): Dirichlet(0.25) transitions, i.e. nearly deterministic",
  "mdps:ood-uniform": "out of distribution (the v4 test): mean rewards drawn U(0, 2)",
  grid11: "procedural 11×11 gridworlds from the centre: goal +100 and danger −100 end the inner episode (then back to the start), warning −10 around each danger, water −2 and always slips sideways, −1 elsewhere, slip 0.2",
  grid13: "procedural 13×13 gridworlds, as grid11",
  "grid13:dense": "out of distribution: obstacle segments of 4 cells instead of 3",
  "grid13:deterministic": "out of distribution: no slip (water still slips)",
  "grid13:watery": "out of distribution: 8 water segments instead of 5",
  "grid13:dangerous": "out of distribution: 4 dangers instead of 2",
  "grid13:corner": "out of distribution: the goal in a corner (Manhattan distance ≥ 12 from the start)",
  "grid11:deterministic": "11×11 gridworlds without slip (defined by the reference code; not a paper test)",
  grid15: "15×15 gridworlds with denser obstacles and 3 dangers (defined by the reference code; not a paper test)",
};

/** What each agent of a report is. */
export const AGENT_NOTES: Readonly<Record<string, string>> = {
  rl2: "RL²: a transformer policy meta-trained with PPO, reading the whole history of (state, action, reward) of the current task",
  rl3: "RL³: RL² whose every input also carries the Q-value estimates and visit counts of a tabular model-based learner run on the current task",
  "rl2-transition": "RL² whose every input also carries the previous state, so each token is a whole transition (s, a, r, s'); rl3's stronger baseline, not in the paper",
  "rl3-transition": "RL³ whose every input also carries the previous state, as RL²-transition's does; rl3's variant, not in the paper",
  "rl3-coarse": "RL³ with the learner's model over pairs of adjacent cells (a coarse state abstraction), for gridworlds",
  random: "uniformly random actions",
  "model-based": "no meta-learning: greedy on the same learned model and value iteration RL³ reads, plus a count bonus for exploration",
  oracle: "knows the task: the optimal policy's expected return over the budget (the normaliser of every normalised score)",
  ucb1: "UCB1 (bandits only)",
  thompson: "Thompson sampling with Beta posteriors (bandits only)",
};

/** The glossary section of a report: the families and agents it shows, and how to read its numbers. */
export function glossary(families: readonly string[], agents: readonly string[]): string {
  const familyRows = families.map((family) => [`\`${family}\``, FAMILY_NOTES[family as TaskFamilyName] ?? "(no description)"]);
  const agentRows = agents.map((agent) => [`\`${agent}\``, AGENT_NOTES[agent] ?? "(no description)"]);
  return [
    "### How to read this report",
    "",
    markdownTable(["test tasks", "what they are"], familyRows),
    "",
    markdownTable(["agent", "what it is"], agentRows),
    "",
    "Every agent is scored on the same fixed test tasks (never used in training), one meta-episode of H steps per task, " +
      "acting greedily. A meta-episode's return is the undiscounted sum of its H rewards. *± s.e.* is the standard error over " +
      "those test tasks of one training seed's policy (or of the seed-averaged return): it says how precisely the test tasks " +
      "pin the mean down, not how much another training seed would differ. Learning curves show the stochastic training " +
      "policy on training tasks, so they sit below or above the greedy test numbers.",
  ].join("\n");
}
