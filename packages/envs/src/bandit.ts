import { InputError, requireFinite, requireIndex, requireInteger, requireObject, type Rng } from "@rl3/core";
import { requireOutput, requireRng } from "./checks.js";
import { ENV_LIMITS } from "./limits.js";
import { writeOneHot } from "./one-hot.js";
import type { StepSample, TabularTask, TaskFamily } from "./tabular-task.js";
import { TransitionTable } from "./transition-table.js";

const READY = 0;
const PULLED = 1;

/**
 * A k-armed Bernoulli bandit as the 2-state MDP of §6.1: state 0 = "not pulled", pulling arm i moves to the
 * absorbing state 1 with reward 1 w.p. pᵢ (else 0). Task horizon 1, so every pull is one inner episode.
 *
 * `successProbabilities` may lie outside [0, 1] (the OOD family draws pᵢ ~ N(0.5, 0.5)); such arms act as
 * always (> 1) or never (< 0) paying, which is what the reference code's `rand() <= p` does.
 */
export class BernoulliBandit implements TabularTask {
  readonly domain = "bandits" as const;
  readonly numStates = 2;
  readonly numActions: number;
  readonly startState = READY;
  readonly taskHorizon = 1;
  readonly observationSize = 2;
  readonly successProbabilities: Float64Array;
  private table: TransitionTable | undefined;

  constructor(successProbabilities: ArrayLike<number>) {
    if (!(Array.isArray(successProbabilities) || ArrayBuffer.isView(successProbabilities))) {
      throw new InputError({ field: "successProbabilities", value: successProbabilities, expected: "an array of success probabilities" });
    }
    if (successProbabilities.length < 1 || successProbabilities.length > ENV_LIMITS.banditArms) {
      throw new InputError({ field: "successProbabilities.length", value: successProbabilities.length, expected: `between 1 and ${ENV_LIMITS.banditArms} arms` });
    }
    this.successProbabilities = Float64Array.from(successProbabilities, (probability, arm) =>
      requireFinite(`successProbabilities[${arm}]`, probability),
    );
    this.numActions = this.successProbabilities.length;
  }

  /** The probability that arm `action` pays 1: pᵢ clipped to [0, 1]. */
  payoutProbability(action: number): number {
    return Math.min(1, Math.max(0, this.successProbabilities[action]!));
  }

  sampleStep(state: number, action: number, rng: Rng, out: StepSample = { nextState: 0, reward: 0, terminal: false }): StepSample {
    requireIndex("state", state, 2);
    requireIndex("action", action, this.numActions);
    requireRng("rng", rng);
    out.nextState = PULLED;
    out.terminal = true;
    // From the absorbing state nothing pays (self-loop, reward 0); the meta-env never acts there.
    out.reward = state === READY && rng.float() < this.successProbabilities[action]! ? 1 : 0;
    return out;
  }

  transitionProbs(state: number, action: number): Float64Array {
    requireIndex("state", state, 2);
    requireIndex("action", action, this.numActions);
    return this.transitionTable().denseRow(state, action);
  }

  meanReward(state: number, action: number, nextState: number): number {
    requireIndex("state", state, 2);
    requireIndex("action", action, this.numActions);
    requireIndex("nextState", nextState, 2);
    return this.transitionTable().rewardOf(state, action, nextState);
  }

  observation(state: number, out = new Float64Array(2), offset = 0): Float64Array {
    requireIndex("state", state, 2);
    requireOutput(out, offset, this.observationSize);
    return writeOneHot(state, 2, out, offset);
  }

  isAbsorbing(state: number): boolean {
    return state === PULLED;
  }

  transitionTable(): TransitionTable {
    this.table ??= TransitionTable.build(2, this.numActions, Uint8Array.of(0, 1), (state, action, emit) => {
      emit(PULLED, 1, state === READY ? this.payoutProbability(action) : 0);
    });
    return this.table;
  }
}

export interface BanditFamilyOptions {
  /** Number of arms (§6.1: 5). */
  arms?: number;
  /** `uniform`: pᵢ ~ U(0, 1) (training); `normal`: pᵢ ~ N(0.5, 0.5) (the OOD test of [v4] Table 2). */
  prior?: "uniform" | "normal";
  name?: string;
}

export function banditFamily(options: BanditFamilyOptions = {}): TaskFamily {
  requireObject("options", options);
  const arms = requireInteger("arms", options.arms ?? 5, 1, ENV_LIMITS.banditArms);
  const prior = options.prior ?? "uniform";
  if (options.name !== undefined && (typeof options.name !== "string" || options.name.length === 0)) {
    throw new InputError({ field: "name", value: options.name, expected: "a non-empty string" });
  }
  if (prior !== "uniform" && prior !== "normal") {
    throw new InputError({ field: "prior", value: prior, expected: '"uniform" or "normal"' });
  }
  return {
    name: options.name ?? (prior === "uniform" ? "bandits" : "bandits:ood"),
    domain: "bandits",
    numStates: 2,
    numActions: arms,
    observationSize: 2,
    taskHorizon: 1,
    parameters: Object.freeze({ arms, prior }),
    sample(rng: Rng): BernoulliBandit {
      requireRng("rng", rng);
      const probabilities = new Float64Array(arms);
      for (let arm = 0; arm < arms; arm++) probabilities[arm] = prior === "uniform" ? rng.float() : rng.normal(0.5, 0.5);
      return new BernoulliBandit(probabilities);
    },
  };
}
