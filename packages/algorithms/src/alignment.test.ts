import { Rng } from "@rl3/core";
import { GridAction, GridWorld, TILE_ENTER_REWARD, type TaskFamily } from "@rl3/envs";
import { describe, expect, it } from "vitest";
import { generalizedAdvantages } from "./gae.js";
import { type Method, ObservationEncoder } from "@rl3/wrappers";
import { collectRollout } from "./ppo/rollout.js";

/*
 * Index-alignment canary (gridworld issue): a scripted meta-episode through a goal, a '!' tile, a danger and the
 * inner resets they cause, laid out as the PPO trainer lays it out. Every reward, observation field, value target
 * and advantage must land on the step that caused it. The expectations are written by hand from the script, never
 * read back from the environment or the encoder.
 */

const { Noop, North, East, South, West } = GridAction;

// 3 × 3, no slip, cells row-major:   0 G   1 ' '  2 ' '
//                                    3 ' ' 4 S    5 '!'
//                                    6 ' ' 7 ' '  8 X
const GRID = GridWorld.fromAscii(["G  ", " S!", "  X"], { slipProbability: 0 });
const START = 4;
const GOAL = 0;
const DANGER = 8;
const WARNING = 5;
const ABSORBING = new Set([GOAL, DANGER]);
/** (row/3, column/3) with 1-based row and column (§2.1, gridworlds). */
const coordinatesOf = (cell: number) => [(Math.floor(cell / 3) + 1) / 3, ((cell % 3) + 1) / 3];

const FAMILY: TaskFamily = {
  name: "alignment-canary",
  domain: "gridworld",
  numStates: GRID.numStates,
  numActions: 5,
  observationSize: 2,
  taskHorizon: Number.POSITIVE_INFINITY,
  parameters: {},
  sample: () => GRID,
};

/** One scripted step: the action, the cell it leads to (before any inner reset) and the reward it earns. */
interface ScriptedStep {
  action: number;
  to: number;
  reward: number;
}
const step = (action: number, to: number, reward: number): ScriptedStep => ({ action, to, reward });

const HORIZON = 10;
// Two envs with different scripts (goal first / danger first), so that mixing up envs fails. Both end mid-episode.
const SCRIPTS: ScriptedStep[][] = [
  [
    step(North, 1, -1),
    step(West, GOAL, 100), // inner reset to S
    step(East, WARNING, -10),
    step(Noop, WARNING, -10), // NOOP stays and pays the tile again
    step(South, DANGER, -100), // inner reset to S
    step(Noop, START, -1),
    step(South, 7, -1),
    step(South, 7, -1), // the wall keeps the agent in place
    step(North, START, -1),
    step(East, WARNING, -10), // t = H − 1: the budget ends on '!', τ = 2
  ],
  [
    step(East, WARNING, -10),
    step(South, DANGER, -100), // inner reset to S
    step(Noop, START, -1),
    step(West, 3, -1),
    step(North, GOAL, 100), // inner reset to S
    step(North, 1, -1),
    step(North, 1, -1), // wall
    step(East, 2, -1),
    step(South, WARNING, -10),
    step(Noop, WARNING, -10),
  ],
];

/** What the test derives from a script: the state observed and τ at every observation 0 … H, the state acted from. */
function expectedTrajectory(script: readonly ScriptedStep[]) {
  const observed = [START];
  const episodeSteps = [0];
  for (const [t, { to }] of script.entries()) {
    const ended = ABSORBING.has(to);
    observed.push(ended ? START : to);
    episodeSteps.push(ended ? 0 : episodeSteps[t]! + 1);
  }
  return { observed, episodeSteps, actedFrom: observed.slice(0, script.length) };
}

/** The trainer's rollout layout: observations [env × (H+1) × size], actions and rewards [env × H]. */
interface Rollout {
  observations: Float32Array;
  actions: Int32Array;
  rewards: Float64Array;
  size: number;
}

/**
 * The trainer's own rollout (`collectRollout`, what `PpoTrainer.trainIteration` runs) with the scripted actions
 * in place of the actor's samples, so the canary guards the code that trains.
 */
async function scriptedRollout(family: TaskFamily, scripts: readonly (readonly ScriptedStep[])[], horizon: number, method: Method): Promise<Rollout> {
  const numEnvs = scripts.length;
  const encoder = new ObservationEncoder(family, numEnvs, { method, horizon });
  const logits = new Float32Array(numEnvs * family.numActions);
  const rollout = await collectRollout({
    family,
    numEnvs,
    horizon,
    encoder,
    policy: { reset: () => {}, logits: async () => logits, release: async () => {} },
    environments: Array.from({ length: numEnvs }, (_, env) => new Rng(1 + env)),
    actions: Array.from({ length: numEnvs }, (_, env) => new Rng(100 + env)),
    choose: (env, t) => scripts[env]![t]!.action,
  });
  return { observations: rollout.observations, actions: rollout.actions, rewards: rollout.rewards, size: rollout.size };
}

/** §2.1 rlc layout for 5 actions and 2 state coordinates. */
const LAYOUT = { previousAction: 0, previousReward: 5, startFlag: 6, metaTime: 7, episodeTime: 8, state: 9, advantages: 11, value: 16, standardErrors: 17, counts: 23 };
const SIZE = { rl2: 11, rl3: 28 } as const;
const TOLERANCE = 1e-6;

/** Every place where the rollout disagrees with the script; empty when everything is aligned. */
function rolloutViolations(rollout: Rollout, scripts: readonly (readonly ScriptedStep[])[], horizon: number, method: "rl2" | "rl3"): string[] {
  const violations: string[] = [];
  const check = (where: string, actual: number | undefined, expected: number) => {
    if (actual === undefined || !(Math.abs(actual - expected) <= TOLERANCE)) violations.push(`${where}: got ${actual}, expected ${expected}`);
  };
  const numEnvs = scripts.length;
  const { size } = rollout;
  if (size !== SIZE[method]) violations.push(`size: got ${size}, expected ${SIZE[method]}`);
  if (rollout.observations.length !== numEnvs * (horizon + 1) * size) violations.push(`observations.length: got ${rollout.observations.length}`);
  if (rollout.actions.length !== numEnvs * horizon) violations.push(`actions.length: got ${rollout.actions.length}`);
  if (rollout.rewards.length !== numEnvs * horizon) violations.push(`rewards.length: got ${rollout.rewards.length}`);

  for (const [e, script] of scripts.entries()) {
    const { observed, episodeSteps, actedFrom } = expectedTrajectory(script);
    const counts = new Float64Array(GRID.numStates * 5);
    for (let t = 0; t < horizon; t++) {
      check(`env ${e}, t ${t}: action`, rollout.actions[e * horizon + t], script[t]!.action);
      check(`env ${e}, t ${t}: reward`, rollout.rewards[e * horizon + t], script[t]!.reward);
    }
    // Observation k = x_k: x_0 is the fresh task, x_{t+1} follows action a_t.
    for (let k = 0; k <= horizon; k++) {
      const base = (e * (horizon + 1) + k) * size;
      const at = (offset: number) => rollout.observations[base + offset];
      const where = `env ${e}, observation ${k}`;
      const previous = k === 0 ? undefined : script[k - 1]!;
      if (previous !== undefined) counts[actedFrom[k - 1]! * 5 + previous.action]!++;
      for (let action = 0; action < 5; action++) check(`${where}: prev action[${action}]`, at(LAYOUT.previousAction + action), previous?.action === action ? 1 : 0);
      check(`${where}: prev reward`, at(LAYOUT.previousReward), previous?.reward ?? 0);
      check(`${where}: start flag`, at(LAYOUT.startFlag), k === 0 ? 1 : 0);
      check(`${where}: meta time`, at(LAYOUT.metaTime), k / horizon);
      check(`${where}: episode time`, at(LAYOUT.episodeTime), episodeSteps[k]! / horizon); // TH = H for gridworlds
      const [row, column] = coordinatesOf(observed[k]!);
      check(`${where}: state row`, at(LAYOUT.state), row!);
      check(`${where}: state column`, at(LAYOUT.state + 1), column!);
      if (method !== "rl3") continue;
      // Counts N(s_k, ·)/10 of the observed state over all transitions so far, across inner resets.
      for (let action = 0; action < 5; action++) check(`${where}: count[${action}]`, at(LAYOUT.counts + action), counts[observed[k]! * 5 + action]! / 10);
      const advantages = Array.from({ length: 5 }, (_, action) => at(LAYOUT.advantages + action)!);
      if (![...advantages, at(LAYOUT.value)!].every(Number.isFinite)) violations.push(`${where}: Q block not finite: ${advantages}, ${at(LAYOUT.value)}`);
      if (Math.max(...advantages) !== 0 || advantages.some((value) => value > 0)) violations.push(`${where}: advantages (Q − V) must be ≤ 0 with max 0: ${advantages}`);
      for (let index = 0; index < 6; index++) check(`${where}: standard error[${index}]`, at(LAYOUT.standardErrors + index), 0);
    }
  }
  return violations;
}

/** GAE written independently: A_t = Σ_{k ≥ t} (γλ)^{k−t} δ_k, δ_t = r_t + γ V(x_{t+1})·[t < H−1] − V(x_t). */
function referenceAdvantages(rewards: readonly number[], values: readonly number[], gamma: number, lambda: number): number[] {
  const horizon = rewards.length;
  const delta = (t: number) => rewards[t]! + (t < horizon - 1 ? gamma * values[t + 1]! : 0) - values[t]!;
  return rewards.map((_, t) => {
    let sum = 0;
    for (let k = t; k < horizon; k++) sum += (gamma * lambda) ** (k - t) * delta(k);
    return sum;
  });
}

/** Every place where GAE's advantages or targets disagree with the reference built from the script's rewards. */
function advantageViolations(
  result: { advantages: Float32Array; returns: Float32Array },
  values: Float64Array,
  scripts: readonly (readonly ScriptedStep[])[],
  horizon: number,
  gamma: number,
  lambda: number,
): string[] {
  const violations: string[] = [];
  const close = (where: string, actual: number | undefined, expected: number) => {
    if (actual === undefined || !(Math.abs(actual - expected) <= 1e-4 * Math.max(1, Math.abs(expected)))) violations.push(`${where}: got ${actual}, expected ${expected}`);
  };
  for (const [e, script] of scripts.entries()) {
    const envValues = Array.from(values.subarray(e * (horizon + 1), (e + 1) * (horizon + 1)));
    const reference = referenceAdvantages(script.map((scripted) => scripted.reward), envValues, gamma, lambda);
    for (let t = 0; t < horizon; t++) {
      close(`env ${e}, t ${t}: advantage`, result.advantages[e * horizon + t], reference[t]!);
      close(`env ${e}, t ${t}: return`, result.returns[e * horizon + t], envValues[t]! + reference[t]!);
      // The target at [env, t] is V(x_t) + A_t, never V(x_{t+1}) + A_t.
      close(`env ${e}, t ${t}: return − advantage`, result.returns[e * horizon + t]! - result.advantages[e * horizon + t]!, envValues[t]!);
    }
  }
  return violations;
}

/** V(x_t) = 0.5 t + 10 env: distinct, known numbers, [env × (H+1)]. */
function chosenValues(numEnvs: number, horizon: number): Float64Array {
  const values = new Float64Array(numEnvs * (horizon + 1));
  for (let e = 0; e < numEnvs; e++) for (let t = 0; t <= horizon; t++) values[e * (horizon + 1) + t] = 0.5 * t + 10 * e;
  return values;
}

const GAMMA = 0.99;
const LAMBDA = 0.3;
const NUM_ENVS = SCRIPTS.length;
const ROLLOUTS = { rl2: await scriptedRollout(FAMILY, SCRIPTS, HORIZON, "rl2"), rl3: await scriptedRollout(FAMILY, SCRIPTS, HORIZON, "rl3") };
/** Steps whose action enters G or X, per env. */
const ABSORBING_STEPS = SCRIPTS.map((script) => script.flatMap((scripted, t) => (ABSORBING.has(scripted.to) ? [t] : [])));

describe("index-alignment canary: scripted gridworld meta-episode (§5.1, §2.1, §5.2, §6.3)", () => {
  it("the script is what the §6.3 rules say, and covers G, X, '!', NOOP, a wall and a mid-episode end", () => {
    expect(GRID.startState).toBe(START);
    for (const cell of [GOAL, DANGER]) expect(GRID.isAbsorbing(cell)).toBe(true);
    for (const script of SCRIPTS) {
      expect(script).toHaveLength(HORIZON);
      const { actedFrom } = expectedTrajectory(script);
      script.forEach(({ action, to, reward }, t) => {
        expect(GRID.transitionProbs(actedFrom[t]!, action)[to], `t ${t}`).toBe(1);
        expect(reward, `t ${t}`).toBe(TILE_ENTER_REWARD[GRID.tiles[to]!]);
      });
      const rewards = script.map((scripted) => scripted.reward);
      expect(rewards).toContain(100);
      expect(rewards).toContain(-100);
      expect(rewards).toContain(-10);
      expect(script.some((scripted) => scripted.action === Noop)).toBe(true);
      expect(ABSORBING.has(script[HORIZON - 1]!.to)).toBe(false);
    }
    expect(ABSORBING_STEPS).toEqual([[1, 4], [1, 4]]);
    expect(SCRIPTS[0]!.map((s) => s.reward)).not.toEqual(SCRIPTS[1]!.map((s) => s.reward));
  });

  it.each(["rl2", "rl3"] as const)("%s: every action, reward and observation field lands on its step", (method) => {
    expect(rolloutViolations(ROLLOUTS[method], SCRIPTS, HORIZON, method)).toEqual([]);
  });

  it("rl2 sees the same rewards, actions and first 11 inputs as rl3; the meta-episode earns exactly the scripted sum", () => {
    const { rl2, rl3 } = ROLLOUTS;
    expect(Array.from(rl2.rewards)).toEqual(Array.from(rl3.rewards));
    expect(Array.from(rl2.actions)).toEqual(Array.from(rl3.actions));
    for (let row = 0; row < NUM_ENVS * (HORIZON + 1); row++) {
      expect(Array.from(rl2.observations.subarray(row * rl2.size, (row + 1) * rl2.size))).toEqual(Array.from(rl3.observations.subarray(row * rl3.size, row * rl3.size + rl2.size)));
    }
    SCRIPTS.forEach((script, e) => {
      const total = rl3.rewards.subarray(e * HORIZON, (e + 1) * HORIZON).reduce((sum, reward) => sum + reward, 0);
      expect(total).toBe(script.reduce((sum, scripted) => sum + scripted.reward, 0));
    });
  });

  it("rl3: counts persist across inner resets (the start cell after the reset shows the moves made from it)", () => {
    const { observations, size } = ROLLOUTS.rl3;
    const count = (e: number, k: number, action: number) => observations[(e * (HORIZON + 1) + k) * size + LAYOUT.counts + action]!;
    // env 0: x_5 is S after the X reset; from S it went North (t 0) and East (t 2).
    expect([0, 1, 2, 3, 4].map((action) => count(0, 5, action))).toEqual([0, 1, 1, 0, 0].map((n) => Math.fround(n / 10)));
    // env 1: x_5 is S after the G reset; from S it went East (t 0), NOOP (t 2) and West (t 3).
    expect([0, 1, 2, 3, 4].map((action) => count(1, 5, action))).toEqual([1, 0, 1, 0, 1].map((n) => Math.fround(n / 10)));
  });

  it("GAE: advantages and λ-return targets equal the hand-computed reference; returns = values + advantages", () => {
    const values = chosenValues(NUM_ENVS, HORIZON);
    const result = generalizedAdvantages(ROLLOUTS.rl3.rewards, values, NUM_ENVS, HORIZON, GAMMA, LAMBDA);
    expect(result.advantages).toHaveLength(NUM_ENVS * HORIZON);
    expect(result.returns).toHaveLength(NUM_ENVS * HORIZON);
    expect(advantageViolations(result, values, SCRIPTS, HORIZON, GAMMA, LAMBDA)).toEqual([]);
    for (let e = 0; e < NUM_ENVS; e++) {
      // t = H − 1 is terminal: A = r − V(x_{H−1}).
      const last = e * HORIZON + HORIZON - 1;
      expect(result.advantages[last]).toBeCloseTo(SCRIPTS[e]![HORIZON - 1]!.reward - values[e * (HORIZON + 1) + HORIZON - 1]!, 4);
    }
  });

  it("GAE bootstraps across inner resets and uses V(x_H) nowhere (it is multiplied by 0 at t = H − 1)", () => {
    const values = chosenValues(NUM_ENVS, HORIZON);
    const base = generalizedAdvantages(ROLLOUTS.rl3.rewards, values, NUM_ENVS, HORIZON, GAMMA, LAMBDA);
    const change = 1000;
    for (let e = 0; e < NUM_ENVS; e++) {
      const bootstrap = Float64Array.from(values);
      bootstrap[e * (HORIZON + 1) + HORIZON]! += change;
      const withBootstrap = generalizedAdvantages(ROLLOUTS.rl3.rewards, bootstrap, NUM_ENVS, HORIZON, GAMMA, LAMBDA);
      expect(Array.from(withBootstrap.advantages)).toEqual(Array.from(base.advantages));
      expect(Array.from(withBootstrap.returns)).toEqual(Array.from(base.returns));
      for (const t of ABSORBING_STEPS[e]!) {
        // V(x_{t+1}) after a G/X step (the start cell) enters δ_t with +γ and δ_{t+1} with −1: A_t moves by γ(1 − λ)·change.
        const shifted = Float64Array.from(values);
        shifted[e * (HORIZON + 1) + t + 1]! += change;
        const moved = generalizedAdvantages(ROLLOUTS.rl3.rewards, shifted, NUM_ENVS, HORIZON, GAMMA, LAMBDA);
        expect(moved.advantages[e * HORIZON + t]! - base.advantages[e * HORIZON + t]!, `env ${e}, t ${t}`).toBeCloseTo(GAMMA * (1 - LAMBDA) * change, 2);
      }
    }
  });

  it("with zero values the G/X reward is credited to the step whose action entered G/X", () => {
    const zero = new Float64Array(NUM_ENVS * (HORIZON + 1));
    for (const lambda of [LAMBDA, 1]) {
      const { advantages } = generalizedAdvantages(ROLLOUTS.rl3.rewards, zero, NUM_ENVS, HORIZON, GAMMA, lambda);
      const discount = GAMMA * lambda;
      SCRIPTS.forEach((script, e) => {
        const at = (t: number) => advantages[e * HORIZON + t]!;
        // δ_t = r_t: each step's own reward is what A_t adds to the discounted A_{t+1}.
        for (let t = 0; t < HORIZON; t++) {
          expect(at(t) - (t < HORIZON - 1 ? discount * at(t + 1) : 0), `λ ${lambda}, env ${e}, t ${t}`).toBeCloseTo(script[t]!.reward, 3);
        }
        for (const t of ABSORBING_STEPS[e]!) {
          let sum = 0;
          for (let k = t; k < HORIZON; k++) sum += discount ** (k - t) * script[k]!.reward;
          expect(at(t), `λ ${lambda}, env ${e}, t ${t}`).toBeCloseTo(sum, 3);
        }
      });
    }
  });

  it("the canary can fail: one-step shifts and an env swap are caught", () => {
    const rollout = ROLLOUTS.rl3;
    const values = chosenValues(NUM_ENVS, HORIZON);
    const perEnv = (source: Float64Array, map: (e: number, t: number) => number) => {
      const out = new Float64Array(source.length);
      for (let e = 0; e < NUM_ENVS; e++) for (let t = 0; t < HORIZON; t++) out[e * HORIZON + t] = source[map(e, t)]!;
      return out;
    };
    const shiftedRewards = {
      "rewards one step later": perEnv(rollout.rewards, (e, t) => e * HORIZON + ((t + HORIZON - 1) % HORIZON)),
      "rewards one step earlier": perEnv(rollout.rewards, (e, t) => e * HORIZON + ((t + 1) % HORIZON)),
      "flat array shifted by one": Float64Array.from(rollout.rewards, (_, index) => rollout.rewards[(index + 1) % rollout.rewards.length]!),
      "envs swapped": perEnv(rollout.rewards, (e, t) => (NUM_ENVS - 1 - e) * HORIZON + t),
    };
    for (const [name, rewards] of Object.entries(shiftedRewards)) {
      expect(rolloutViolations({ ...rollout, rewards }, SCRIPTS, HORIZON, "rl3").length, name).toBeGreaterThan(0);
      const advantages = generalizedAdvantages(rewards, values, NUM_ENVS, HORIZON, GAMMA, LAMBDA);
      expect(advantageViolations(advantages, values, SCRIPTS, HORIZON, GAMMA, LAMBDA).length, name).toBeGreaterThan(0);
    }
    // Observations read one step late (x_t where x_{t+1} belongs) and the values read one step early.
    const { size } = rollout;
    const lateObservations = Float32Array.from(rollout.observations);
    for (let e = 0; e < NUM_ENVS; e++) {
      for (let k = HORIZON; k >= 1; k--) lateObservations.copyWithin((e * (HORIZON + 1) + k) * size, (e * (HORIZON + 1) + k - 1) * size, (e * (HORIZON + 1) + k) * size);
    }
    expect(rolloutViolations({ ...rollout, observations: lateObservations }, SCRIPTS, HORIZON, "rl3").length).toBeGreaterThan(0);
    const earlyValues = Float64Array.from(values, (_, index) => (index % (HORIZON + 1) === HORIZON ? values[index]! : values[index + 1]!));
    const withEarlyValues = generalizedAdvantages(rollout.rewards, earlyValues, NUM_ENVS, HORIZON, GAMMA, LAMBDA);
    expect(advantageViolations(withEarlyValues, values, SCRIPTS, HORIZON, GAMMA, LAMBDA).length).toBeGreaterThan(0);
    // And the untouched data passes, so the failures above come from the shifts alone.
    expect(rolloutViolations(rollout, SCRIPTS, HORIZON, "rl3")).toEqual([]);
    expect(advantageViolations(generalizedAdvantages(rollout.rewards, values, NUM_ENVS, HORIZON, GAMMA, LAMBDA), values, SCRIPTS, HORIZON, GAMMA, LAMBDA)).toEqual([]);
  });
});
