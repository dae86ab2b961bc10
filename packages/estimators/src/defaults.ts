import { InputError, requireObject, requireInteger } from "@rl3/core";
import { ENV_LIMITS, type TaskFamily, requireTaskFamily } from "@rl3/envs";
import { CoarseAbstraction } from "./coarse-abstraction.js";
import { ModelBasedEstimator, type ModelBasedEstimatorOptions } from "./model-based-estimator.js";

export interface EstimatorDefaultsOptions {
  /** The meta-episode budget H (gridworlds run VI for up to H sweeps). */
  horizon: number;
  /** RL³-coarse (gridworlds only, §3.3). */
  coarse?: boolean;
}

/**
 * The §3 / decisions.md settings of RL³'s object-level learner for a task family:
 * bandits and MDPs — all states known up front, α 0.1, K = task horizon (1 / 10), ε 0.01, cold starts;
 * gridworlds — states added as seen, α 0.01, K = H, ε 0.1, warm starts; γ 0.95 everywhere.
 */
export function estimatorDefaults(family: TaskFamily, options: EstimatorDefaultsOptions): ModelBasedEstimatorOptions {
  requireTaskFamily("family", family);
  requireObject("options", options);
  const horizon = requireInteger("horizon", options.horizon, 1, ENV_LIMITS.horizon);
  const base = {
    numActions: family.numActions,
    maxStates: family.numStates,
    gamma: 0.95,
    prior: "laplace" as const,
    maxSweeps: Math.min(family.taskHorizon, horizon),
    warmStart: "auto" as const,
  };
  if (family.domain !== "gridworld") {
    if (options.coarse) {
      throw new InputError({ field: "coarse", value: true, expected: `false for ${family.domain}: RL³-coarse abstracts gridworld cells only` });
    }
    return { ...base, knownStates: "all", laplace: 0.1, tolerance: 0.01 };
  }
  const size = Math.round(Math.sqrt(family.numStates));
  // Features and the coarse radius divide by the side: a family that is not an n × n grid would make them NaN.
  if (options.coarse && size * size !== family.numStates) {
    throw new InputError({ field: "family.numStates", value: family.numStates, expected: "n × n for a gridworld family (a square grid)" });
  }
  const abstraction = options.coarse
    ? new CoarseAbstraction({
        maxStates: family.numStates,
        radius: CoarseAbstraction.radiusForGrid(size),
        // Gridworld observations: 1-based (row/n, column/n), exactly what the meta-learner sees.
        features: (cell) => [(Math.floor(cell / size) + 1) / size, ((cell % size) + 1) / size],
      })
    : undefined;
  return { ...base, knownStates: "incremental", laplace: 0.01, tolerance: 0.1, abstraction };
}

/** A `ModelBasedEstimator` with the spec's settings for `family`, optionally overridden. */
export function createEstimator(
  family: TaskFamily,
  options: EstimatorDefaultsOptions & Partial<Omit<ModelBasedEstimatorOptions, "numActions" | "maxStates">>,
): ModelBasedEstimator {
  const { horizon, coarse, ...overrides } = options;
  return new ModelBasedEstimator({ ...estimatorDefaults(family, { horizon, coarse }), ...overrides });
}
