import { InputError, type Rng } from "@rl3/core";
import { requireRng } from "../checks.js";
import type { TaskFamily } from "../tabular-task.js";
import { type GridParameters, generateGrid, validateGridParameters } from "./generator.js";
import type { GridWorld } from "./gridworld.js";

export interface GridFamily extends TaskFamily {
  readonly parameters: Readonly<GridParameters & Record<string, number>>;
  sample(rng: Rng): GridWorld;
}

/** Procedurally generated gridworlds with the given parameters (§6.3). */
export function gridFamily(parameters: GridParameters, givenName?: string): GridFamily {
  validateGridParameters(parameters);
  // Defaulted after the check: reading `parameters.size` in the signature would be a TypeError on null.
  const name = givenName ?? `grid${parameters.size}`;
  if (typeof name !== "string" || name.length === 0) throw new InputError({ field: "name", value: name, expected: "a non-empty string" });
  const frozen = Object.freeze({ ...parameters }) as Readonly<GridParameters & Record<string, number>>;
  return {
    name,
    domain: "gridworld",
    numStates: parameters.size * parameters.size,
    numActions: 5,
    observationSize: 2,
    taskHorizon: Number.POSITIVE_INFINITY,
    parameters: frozen,
    sample: (rng: Rng) => generateGrid(frozen, requireRng("rng", rng)),
  };
}
