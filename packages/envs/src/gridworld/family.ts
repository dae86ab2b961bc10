import type { Rng } from "@rl3/core";
import type { TaskFamily } from "../tabular-task.js";
import { type GridParameters, generateGrid, validateGridParameters } from "./generator.js";
import type { GridWorld } from "./gridworld.js";

export interface GridFamily extends TaskFamily {
  readonly parameters: Readonly<GridParameters & Record<string, number>>;
  sample(rng: Rng): GridWorld;
}

/** Procedurally generated gridworlds with the given parameters (§6.3). */
export function gridFamily(parameters: GridParameters, name = `grid${parameters.size}`): GridFamily {
  validateGridParameters(parameters);
  const frozen = Object.freeze({ ...parameters }) as Readonly<GridParameters & Record<string, number>>;
  return {
    name,
    domain: "gridworld",
    numStates: parameters.size * parameters.size,
    numActions: 5,
    observationSize: 2,
    taskHorizon: Number.POSITIVE_INFINITY,
    parameters: frozen,
    sample: (rng: Rng) => generateGrid(frozen, rng),
  };
}
