import { InputError, Rl3Error, StateError } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { typedErrorOrValid } from "@rl3/tools/property-testing";
import { ModelBasedEstimator } from "./model-based-estimator.js";
import { QLearningEstimator } from "./q-learning-estimator.js";
import { TabularModel } from "./tabular-model.js";
import type { ValueEstimator } from "./value-estimator.js";
import { valueIteration } from "./solve.js";

const edgeNumber = fc.oneof(
  fc.constantFrom(0, -1, 0.5, 2, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e9, 1e300, -1e300),
  fc.double(),
);

const estimators: [string, (maxStates: number, numActions: number) => ValueEstimator][] = [
  ["ModelBasedEstimator", (maxStates, numActions) => new ModelBasedEstimator({ maxStates, numActions, maxSweeps: 10 })],
  ["QLearningEstimator", (maxStates, numActions) => new QLearningEstimator({ maxStates, numActions })],
];

describe.each(estimators)("%s", (_name, create) => {
  it("constructed from arbitrary sizes: a typed error, or an estimator with finite Q-values", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -1, max: 6 }), edgeNumber), fc.oneof(fc.integer({ min: -1, max: 6 }), edgeNumber), (maxStates, numActions) => {
        typedErrorOrValid(Rl3Error, () => create(maxStates, numActions), (estimator) => expect(Array.from(estimator.qValues(0)).every(Number.isFinite)).toBe(true));
      }),
      { numRuns: 200 },
    );
  });

  it("fed arbitrary transitions: each update is a typed error or leaves every Q-value finite (overflow included)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 2 }), edgeNumber, fc.integer({ min: -1, max: 4 }), fc.boolean()), { maxLength: 12 }), (transitions) => {
        const estimator = create(4, 2);
        for (const [state, action, reward, nextState, terminal] of transitions) {
          typedErrorOrValid(Rl3Error, 
            () => {
              estimator.update(state, action, reward, nextState, terminal);
              return [0, 1, 2, 3].map((key) => Array.from(estimator.qValues(key)));
            },
            (rows) => expect(rows.flat().every(Number.isFinite)).toBe(true),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a non-finite reward is an InputError naming the reward", () => {
    const estimator = create(3, 2);
    expect(() => estimator.update(0, 0, Number.NaN, 1, false)).toThrow(InputError);
    expect(() => estimator.update(0, 0, Number.POSITIVE_INFINITY, 1, false)).toThrow(/^reward must be a finite number; got Infinity$/);
  });
});

describe("size limits and overflow", () => {
  it("1e9 states is a typed error, not an allocation", () => {
    expect(() => new TabularModel({ maxStates: 1e9, numActions: 5 })).toThrow(/^maxStates must be an integer in \[1, 250000\]; got 1000000000$/);
    expect(() => new QLearningEstimator({ maxStates: 250_000, numActions: 100 })).toThrow(/^maxStates must be at most 25000 with 100 actions/);
  });

  it("value iteration whose finite rewards sum past the largest double is a StateError, never Infinity in Q", () => {
    const model = new TabularModel({ maxStates: 2, numActions: 1 });
    model.record(0, 0, 1e308, 0, false);
    expect(() => valueIteration(model, { gamma: 1, maxSweeps: 10, tolerance: 0 })).toThrow(StateError);
    expect(() => valueIteration(model, { gamma: 1, maxSweeps: 10, tolerance: 0 })).toThrow(/^value iteration overflowed: Q\(0, 0\) is (Infinity|NaN)/);
  });
});
