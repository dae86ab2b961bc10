import {
  InputError,
  requireFinite,
  requireIndex,
  requireInteger,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
  requireObject,
  type Rng,
} from "@rl3/core";
import { requireOutput, requireRng } from "./checks.js";
import { ENV_LIMITS } from "./limits.js";
import { writeOneHot } from "./one-hot.js";
import type { StepSample, TabularTask, TaskFamily } from "./tabular-task.js";
import { TransitionTable } from "./transition-table.js";

const ROW_SUM_TOLERANCE = 1e-9;

/** |S| and |A| within `ENV_LIMITS`, checked before anything of size S · A · S is read or allocated. */
function requireMdpSize(states: number, actions: number): { numStates: number; numActions: number } {
  const numStates = requireInteger("numStates", states, 1, ENV_LIMITS.mdpStates);
  const numActions = requireInteger("numActions", actions, 1, ENV_LIMITS.mdpActions);
  if (numStates * numActions * numStates > ENV_LIMITS.mdpTransitions) {
    throw new InputError({
      field: "numStates",
      value: numStates,
      expected: `at most ${Math.floor(Math.sqrt(ENV_LIMITS.mdpTransitions / numActions))} with ${numActions} actions (S · A · S ≤ ${ENV_LIMITS.mdpTransitions})`,
    });
  }
  return { numStates, numActions };
}

export interface RandomMdpDefinition {
  /** T[s][a][s'], flattened row-major: length numStates·numActions·numStates; each row sums to 1. */
  transitions: ArrayLike<number>;
  /** R̄(s, a), flattened: length numStates·numActions. */
  meanRewards: ArrayLike<number>;
  numStates: number;
  numActions: number;
  /** Standard deviation of the observed reward around R̄(s, a) (§6.2: 1). */
  rewardNoise?: number;
  /** Steps per inner episode (§6.2: 10). */
  taskHorizon?: number;
  startState?: number;
}

/**
 * A random tabular MDP (§6.2): no absorbing states, a fixed start state, inner episodes cut after `taskHorizon`
 * steps. Observed reward = R̄(s, a) + rewardNoise · N(0, 1); the mean reward does not depend on s'.
 */
export class RandomMdp implements TabularTask {
  readonly domain = "mdps" as const;
  readonly numStates: number;
  readonly numActions: number;
  readonly startState: number;
  readonly taskHorizon: number;
  readonly observationSize: number;
  readonly rewardNoise: number;
  readonly meanRewards: Float64Array;
  private readonly table: TransitionTable;

  constructor(definition: RandomMdpDefinition) {
    requireObject("definition", definition);
    const { numStates, numActions } = requireMdpSize(definition.numStates, definition.numActions);
    this.numStates = numStates;
    this.numActions = numActions;
    this.observationSize = numStates;
    this.startState = requireIndex("startState", definition.startState ?? 0, numStates);
    this.taskHorizon = requirePositiveInteger("taskHorizon", definition.taskHorizon ?? 10);
    this.rewardNoise = requireNonNegative("rewardNoise", definition.rewardNoise ?? 1);
    const { transitions, meanRewards } = definition;
    for (const [field, values] of [["transitions", transitions], ["meanRewards", meanRewards]] as const) {
      if (!(Array.isArray(values) || ArrayBuffer.isView(values))) throw new InputError({ field, value: values, expected: "an array of numbers" });
    }
    if (transitions.length !== numStates * numActions * numStates) {
      throw new InputError({ field: "transitions.length", value: transitions.length, expected: `${numStates * numActions * numStates} (S·A·S)` });
    }
    if (meanRewards.length !== numStates * numActions) {
      throw new InputError({ field: "meanRewards.length", value: meanRewards.length, expected: `${numStates * numActions} (S·A)` });
    }
    this.meanRewards = Float64Array.from(meanRewards, (reward, index) => requireFinite(`meanRewards[${index}]`, reward));
    for (let row = 0; row < numStates * numActions; row++) {
      let sum = 0;
      for (let next = 0; next < numStates; next++) {
        const probability = transitions[row * numStates + next]!;
        if (!(probability >= 0 && probability <= 1)) {
          throw new InputError({ field: `transitions[${row * numStates + next}]`, value: probability, expected: "a probability in [0, 1]" });
        }
        sum += probability;
      }
      if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) {
        const state = Math.floor(row / numActions);
        throw new InputError({ field: `transitions[${state}][${row % numActions}]`, value: sum, expected: "a row summing to 1" });
      }
    }
    this.table = TransitionTable.build(numStates, numActions, new Uint8Array(numStates), (state, action, emit) => {
      const row = state * numActions + action;
      for (let next = 0; next < numStates; next++) emit(next, transitions[row * numStates + next]!, this.meanRewards[row]!);
    });
  }

  sampleStep(state: number, action: number, rng: Rng, out: StepSample = { nextState: 0, reward: 0, terminal: false }): StepSample {
    requireIndex("state", state, this.numStates);
    requireIndex("action", action, this.numActions);
    requireRng("rng", rng);
    const table = this.table;
    out.nextState = table.nextState[table.sampleEntry(state, action, rng.float())]!;
    out.reward = this.meanRewards[state * this.numActions + action]! + (this.rewardNoise === 0 ? 0 : this.rewardNoise * rng.normal());
    out.terminal = false;
    return out;
  }

  transitionProbs(state: number, action: number): Float64Array {
    requireIndex("state", state, this.numStates);
    requireIndex("action", action, this.numActions);
    return this.table.denseRow(state, action);
  }

  meanReward(state: number, action: number, nextState: number): number {
    requireIndex("state", state, this.numStates);
    requireIndex("action", action, this.numActions);
    requireIndex("nextState", nextState, this.numStates);
    return this.meanRewards[state * this.numActions + action]!;
  }

  observation(state: number, out = new Float64Array(this.numStates), offset = 0): Float64Array {
    requireIndex("state", state, this.numStates);
    requireOutput(out, offset, this.observationSize);
    return writeOneHot(state, this.numStates, out, offset);
  }

  isAbsorbing(): boolean {
    return false;
  }

  transitionTable(): TransitionTable {
    return this.table;
  }
}

export interface RandomMdpFamilyOptions {
  numStates?: number;
  numActions?: number;
  /** Dirichlet concentration of each transition row (§6.2: 1; RLC OOD: 0.25). */
  alpha?: number;
  /** Spread of mean rewards R̄ = 1 + β·N(0, 1) (§6.2: 1). */
  beta?: number;
  /** `normal`: R̄ = 1 + β·N(0, 1); `uniform`: R̄ ~ U(0, 2) (the v4 OOD test). */
  meanRewardPrior?: "normal" | "uniform";
  rewardNoise?: number;
  taskHorizon?: number;
  name?: string;
}

export function randomMdpFamily(options: RandomMdpFamilyOptions = {}): TaskFamily {
  requireObject("options", options);
  const { numStates, numActions } = requireMdpSize(options.numStates ?? 10, options.numActions ?? 5);
  const alpha = requirePositive("alpha", options.alpha ?? 1);
  const beta = requireNonNegative("beta", options.beta ?? 1);
  const rewardNoise = requireNonNegative("rewardNoise", options.rewardNoise ?? 1);
  const taskHorizon = requirePositiveInteger("taskHorizon", options.taskHorizon ?? 10);
  const meanRewardPrior = options.meanRewardPrior ?? "normal";
  if (options.name !== undefined && (typeof options.name !== "string" || options.name.length === 0)) {
    throw new InputError({ field: "name", value: options.name, expected: "a non-empty string" });
  }
  if (meanRewardPrior !== "normal" && meanRewardPrior !== "uniform") {
    throw new InputError({ field: "meanRewardPrior", value: meanRewardPrior, expected: '"normal" or "uniform"' });
  }
  return {
    name: options.name ?? "mdps",
    domain: "mdps",
    numStates,
    numActions,
    observationSize: numStates,
    taskHorizon,
    parameters: Object.freeze({ numStates, numActions, alpha, beta, meanRewardPrior, rewardNoise, taskHorizon }),
    sample(rng: Rng): RandomMdp {
      requireRng("rng", rng);
      const transitions = new Float64Array(numStates * numActions * numStates);
      const meanRewards = new Float64Array(numStates * numActions);
      const row = new Float64Array(numStates);
      for (let pair = 0; pair < numStates * numActions; pair++) {
        rng.dirichlet(alpha, numStates, row);
        transitions.set(row, pair * numStates);
        meanRewards[pair] = meanRewardPrior === "normal" ? 1 + beta * rng.normal() : 2 * rng.float();
      }
      return new RandomMdp({ transitions, meanRewards, numStates, numActions, rewardNoise, taskHorizon });
    },
  };
}
