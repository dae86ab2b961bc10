import { InputError, UnknownNameError } from "@rl3/core";
import { banditFamily } from "./bandit.js";
import { gridFamily } from "./gridworld/family.js";
import { GRID_PRESETS, type GridPresetName } from "./gridworld/presets.js";
import { randomMdpFamily } from "./random-mdp.js";
import type { TaskFamily } from "./tabular-task.js";

const NON_GRID_FAMILIES = {
  /** §6.1: 5 arms, pᵢ ~ U(0, 1). */
  bandits: () => banditFamily({ name: "bandits" }),
  /** §6.1 OOD: pᵢ ~ N(0.5, 0.5). */
  "bandits:ood": () => banditFamily({ prior: "normal", name: "bandits:ood" }),
  /** §6.2: 10 states, 5 actions, Dirichlet(1) rows, R̄ = 1 + N(0, 1), noise N(0, 1), episodes of 10. */
  mdps: () => randomMdpFamily({ name: "mdps" }),
  /** §6.2 RLC OOD (our default, decisions.md): Dirichlet(0.25) rows. */
  "mdps:ood": () => randomMdpFamily({ alpha: 0.25, name: "mdps:ood" }),
  /** §6.2 v4 OOD: R̄ ~ U(0, 2) (noise still added, as in the reference code). */
  "mdps:ood-uniform": () => randomMdpFamily({ meanRewardPrior: "uniform", name: "mdps:ood-uniform" }),
} as const;

export type TaskFamilyName = keyof typeof NON_GRID_FAMILIES | GridPresetName;

/** Every name `taskFamily` accepts. */
export const TASK_FAMILY_NAMES: readonly TaskFamilyName[] = [
  ...(Object.keys(NON_GRID_FAMILIES) as (keyof typeof NON_GRID_FAMILIES)[]),
  ...(Object.keys(GRID_PRESETS) as GridPresetName[]),
];

/** The task distribution called `name` (see `TASK_FAMILY_NAMES`); unknown names throw with the list of known ones. */
export function taskFamily(name: TaskFamilyName | (string & {})): TaskFamily {
  if (typeof name !== "string") throw new InputError({ field: "family", value: name, expected: `a task family name: one of ${TASK_FAMILY_NAMES.join(", ")}` });
  if (Object.hasOwn(NON_GRID_FAMILIES, name)) return NON_GRID_FAMILIES[name as keyof typeof NON_GRID_FAMILIES]();
  if (Object.hasOwn(GRID_PRESETS, name)) return gridFamily(GRID_PRESETS[name as GridPresetName], name);
  throw new UnknownNameError("task family", name, TASK_FAMILY_NAMES);
}
