import { InputError, requireInteger } from "@rl3/core";
import { ENV_LIMITS } from "./limits.js";

/**
 * A task's exact dynamics in sparse row form (CSR): for every (state, action) the list of possible next states
 * with their probabilities and mean rewards. Sampling, `transitionProbs`, value iteration and the oracle all
 * read this one table, so they can never disagree. Gridworld rows hold ≤ 3 entries, random-MDP rows 10.
 */
export class TransitionTable {
  readonly numStates: number;
  readonly numActions: number;
  /** Entries of (s, a) are `rowStart[s * numActions + a]` up to `rowStart[s * numActions + a + 1]`. */
  readonly rowStart: Int32Array;
  readonly nextState: Int32Array;
  readonly probability: Float64Array;
  /** Running sum of `probability` within the row, for inverse-CDF sampling. */
  readonly cumulative: Float64Array;
  /** Mean reward of the transition (s, a, s'). */
  readonly meanReward: Float64Array;
  /** 1 where the state is absorbing (entering it ends the inner episode). */
  readonly absorbing: Uint8Array;

  private constructor(
    numStates: number,
    numActions: number,
    rowStart: Int32Array,
    nextState: Int32Array,
    probability: Float64Array,
    meanReward: Float64Array,
    absorbing: Uint8Array,
  ) {
    this.numStates = numStates;
    this.numActions = numActions;
    this.rowStart = rowStart;
    this.nextState = nextState;
    this.probability = probability;
    this.meanReward = meanReward;
    this.absorbing = absorbing;
    this.cumulative = new Float64Array(probability.length);
    for (let row = 0; row < numStates * numActions; row++) {
      let running = 0;
      for (let entry = rowStart[row]!; entry < rowStart[row + 1]!; entry++) {
        running += probability[entry]!;
        this.cumulative[entry] = running;
      }
    }
  }

  /**
   * Builds a table by asking `describe(state, action, emit)` for the outcomes of every pair. Outcomes that land on
   * the same next state are merged (their mean rewards weighted by probability); zero-probability ones dropped.
   */
  static build(
    numStates: number,
    numActions: number,
    absorbing: Uint8Array,
    describe: (state: number, action: number, emit: (nextState: number, probability: number, reward: number) => void) => void,
  ): TransitionTable {
    // Sizes bounded by the largest task ENV_LIMITS allows (a 250,000-cell grid, 10,000 arms) before allocating.
    requireInteger("numStates", numStates, 1, ENV_LIMITS.gridCells);
    requireInteger("numActions", numActions, 1, ENV_LIMITS.banditArms);
    if (numStates * numActions > 5 * ENV_LIMITS.gridCells) {
      throw new InputError({ field: "numStates × numActions", value: numStates * numActions, expected: `at most ${5 * ENV_LIMITS.gridCells}` });
    }
    if (!(absorbing instanceof Uint8Array) || absorbing.length !== numStates) throw new InputError({ field: "absorbing", value: absorbing, expected: `a Uint8Array of ${numStates} flags` });
    if (typeof describe !== "function") throw new InputError({ field: "describe", value: describe, expected: "a function (state, action, emit)" });
    const rowStart = new Int32Array(numStates * numActions + 1);
    const nextStates: number[] = [];
    const probabilities: number[] = [];
    const rewards: number[] = [];
    let rowBegin = 0;
    const emit = (nextState: number, probability: number, reward: number): void => {
      // A NaN probability would pass `<= 0` and poison sampling; a NaN reward every value computed from the table.
      if (!(probability >= 0 && probability <= 1)) throw new InputError({ field: "probability", value: probability, expected: "a probability in [0, 1]" });
      if (probability === 0) return;
      if (!Number.isInteger(nextState) || nextState < 0 || nextState >= numStates) throw new InputError({ field: "nextState", value: nextState, expected: `an integer in [0, ${numStates - 1}]` });
      if (!Number.isFinite(reward)) throw new InputError({ field: "reward", value: reward, expected: "a finite number" });
      for (let entry = rowBegin; entry < nextStates.length; entry++) {
        if (nextStates[entry] === nextState) {
          const merged = probabilities[entry]! + probability;
          rewards[entry] = (rewards[entry]! * probabilities[entry]! + reward * probability) / merged;
          probabilities[entry] = merged;
          return;
        }
      }
      nextStates.push(nextState);
      probabilities.push(probability);
      rewards.push(reward);
    };
    for (let state = 0; state < numStates; state++) {
      for (let action = 0; action < numActions; action++) {
        rowBegin = nextStates.length;
        describe(state, action, emit);
        rowStart[state * numActions + action + 1] = nextStates.length;
      }
    }
    return new TransitionTable(
      numStates,
      numActions,
      rowStart,
      Int32Array.from(nextStates),
      Float64Array.from(probabilities),
      Float64Array.from(rewards),
      absorbing,
    );
  }

  /** The entry index of the outcome of (state, action) for a uniform draw `uniform` ∈ [0, 1). */
  sampleEntry(state: number, action: number, uniform: number): number {
    const row = state * this.numActions + action;
    const last = this.rowStart[row + 1]! - 1;
    let entry = this.rowStart[row]!;
    while (entry < last && uniform >= this.cumulative[entry]!) entry++;
    return entry;
  }

  /** The dense next-state distribution of (state, action). */
  denseRow(state: number, action: number, out = new Float64Array(this.numStates)): Float64Array {
    out.fill(0);
    const row = state * this.numActions + action;
    for (let entry = this.rowStart[row]!; entry < this.rowStart[row + 1]!; entry++) {
      out[this.nextState[entry]!] = this.probability[entry]!;
    }
    return out;
  }

  /** Mean reward of (state, action, nextState); 0 for an impossible transition. */
  rewardOf(state: number, action: number, nextState: number): number {
    const row = state * this.numActions + action;
    for (let entry = this.rowStart[row]!; entry < this.rowStart[row + 1]!; entry++) {
      if (this.nextState[entry] === nextState) return this.meanReward[entry]!;
    }
    return 0;
  }
}
