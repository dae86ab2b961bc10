export type Method = "rl2" | "rl2-transition" | "rl3" | "rl3-coarse" | "rl3-transition";
/**
 * `rl2`, `rl3`, `rl3-coarse`: the paper's methods (§2). `rl2-transition` and `rl3-transition` are rl3's additions,
 * not the paper's: the same inputs plus the previous state, so that each token carries a whole transition
 * (s_{t−1}, a_{t−1}, r_{t−1}, s_t) — see docs/method.md, "Transition tokens".
 */
export const METHODS: readonly Method[] = ["rl2", "rl2-transition", "rl3", "rl3-coarse", "rl3-transition"];

/** Whether a method's inputs carry the object-level learner's Q-estimates and counts (RL³ and its variants). */
export function isAugmented(method: Method): boolean {
  return method === "rl3" || method === "rl3-coarse" || method === "rl3-transition";
}

/** Whether a method's tokens carry the previous state (the transition-token variants). */
export function carriesPreviousState(method: Method): boolean {
  return method === "rl2-transition" || method === "rl3-transition";
}

/** How reports, plots and the web page name each method. */
export const METHOD_LABELS: Readonly<Record<Method, string>> = {
  rl2: "RL²",
  "rl2-transition": "RL²-transition",
  rl3: "RL³",
  "rl3-coarse": "RL³-coarse",
  "rl3-transition": "RL³-transition",
};

/** The label of a method name, or the name itself for anything else (a baseline, a future method). */
export function methodLabel(name: string): string {
  return (METHOD_LABELS as Record<string, string>)[name] ?? name;
}
