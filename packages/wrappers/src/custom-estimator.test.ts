import { VecMetaEnv, taskFamily } from "@rl3/envs";
import { QLearningEstimator, type ValueEstimator } from "@rl3/estimators";
import { describe, expect, it } from "vitest";
import { rl3Wrapper } from "./observation-wrapper.js";

// RL³ with an inner learner of the user's own: any object implementing the ValueEstimator contract.
describe("rl3Wrapper({ estimator })", () => {
  const family = taskFamily("mdps");
  const qLearning = () => new QLearningEstimator({ numActions: family.numActions, maxStates: family.numStates, learningRate: 0.5, gamma: 0.9, initialValue: 0 });

  it("shows the custom learner's Q̂ and counts: one Q-learning update of (s, a, r) gives Q(s, a) = 0.5 r", async () => {
    const wrapper = rl3Wrapper(new VecMetaEnv(family, { numEnvs: 1, horizon: 20, seed: 2 }), { estimator: () => qLearning() });
    const first = wrapper.reset();
    const state = first.info.states[0]!;
    const { reward, info, observation } = wrapper.step([3]);
    const learner = wrapper.encoder.estimatorOf(0)!;
    expect(learner).toBeInstanceOf(QLearningEstimator);
    expect(learner.qValues(state)[3]).toBeCloseTo(0.5 * reward[0]!, 12);
    expect(learner.visitCounts(state)[3]).toBe(1);
    // The next state's row is what the observation shows (fresh Q, §2.1 layout): untouched, so all zeros.
    if (info.states[0] !== state) {
      const offset = 5 + 1 + 1 + 2 + 10; // prev action, prev reward, start, t/H, τ/TH, one-hot state
      expect(Array.from(observation.subarray(offset, offset + 6))).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  it("refuses a learner missing a method, or sized for other actions, before the first task", () => {
    const env = () => new VecMetaEnv(family, { numEnvs: 1, horizon: 20, seed: 2 });
    const withoutCounts = () => ({ numActions: 5, reset() {}, update() {}, qValues: () => new Float64Array(5) }) as unknown as ValueEstimator;
    expect(() => rl3Wrapper(env(), { estimator: withoutCounts })).toThrow(/^estimator\.visitCounts must be a function \(the ValueEstimator contract/);
    expect(() => rl3Wrapper(env(), { estimator: () => new QLearningEstimator({ numActions: 3, maxStates: 10 }) })).toThrow(/^estimator\.numActions must be 5, the actions of mdps; got 3$/);
    expect(() => rl3Wrapper(env(), { estimator: "q-learning" as never })).toThrow(/^estimator must be a function/);
  });

  it("a learner returning NaN stops the step with a StateError naming the env, the state, the action and the step", () => {
    const broken = (): ValueEstimator => {
      const inner = qLearning();
      return { numActions: 5, reset: () => inner.reset(), update: (...args) => inner.update(...args), qValues: () => Float64Array.of(0, Number.NaN, 0, 0, 0), visitCounts: (state, out) => inner.visitCounts(state, out) };
    };
    const wrapper = rl3Wrapper(new VecMetaEnv(family, { numEnvs: 2, horizon: 20, seed: 2 }), { estimator: broken });
    expect(() => wrapper.reset()).toThrow(/^the estimator of env 0 returned Q\(\d+, 1\) = NaN at step 0 \(task mdps\); expected a finite value$/);
  });
});
