import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { typedErrorOrValid } from "@rl3/tools/property-testing";
import { Rl3Error } from "./errors.js";
import { initialWeights } from "./initial-weights.js";
import { MODEL_LIMITS, createModelSpec, elementCount } from "./model-spec.js";
import { Rng } from "./rng.js";

const edgeNumber = fc.oneof(
  fc.constantFrom(0, -1, 0.5, 3, 8, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e9, 1e300, Number.MAX_SAFE_INTEGER, 2 ** 53),
  fc.integer({ min: -3, max: 40 }),
  fc.double(),
);
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

describe("core constructors: typed error or valid result, never NaN, never a hang", () => {
  it("new Rng(seed) and Rng.fromState(anything)", () => {
    fc.assert(
      fc.property(edgeNumber, fc.anything(), (seed, state) => {
        typedErrorOrValid(Rl3Error, () => new Rng(seed), (rng) => {
          const value = rng.float();
          expect(value >= 0 && value < 1).toBe(true);
        });
        typedErrorOrValid(Rl3Error, () => Rng.fromState(state as never), (rng) => expect(Number.isFinite(rng.normal())).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it("createModelSpec from arbitrary sizes: a spec within MODEL_LIMITS whose initial weights are finite", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("transformer", "gru", "markov", "lstm"),
        fc.record({ inputSize: edgeNumber, outputSize: edgeNumber, maxSequenceLength: edgeNumber, dModel: maybe(edgeNumber), embedSize: maybe(edgeNumber), layers: maybe(edgeNumber), heads: maybe(edgeNumber), feedForwardSize: maybe(edgeNumber) }),
        (kind, sizes) => {
          typedErrorOrValid(Rl3Error, () => createModelSpec({ kind: kind as never, ...sizes }), (spec) => {
            const parameters = spec.weights.reduce((sum, weight) => sum + elementCount(weight.shape), 0);
            expect(parameters).toBeLessThanOrEqual(MODEL_LIMITS.parameters);
            // Allocating is only cheap for small specs; those are the ones checked for finite values.
            if (parameters < 200_000) for (const tensor of Object.values(initialWeights(spec, 1))) expect(tensor.data.every(Number.isFinite)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("1e9 layers or a huge width is an InputError at once", () => {
    const started = performance.now();
    expect(() => createModelSpec({ kind: "markov", inputSize: 2, outputSize: 2, maxSequenceLength: 4, layers: 1e9 })).toThrow(/^layers must be an integer in \[1, 64\]; got 1000000000$/);
    expect(() => createModelSpec({ kind: "gru", inputSize: 2, outputSize: 2, maxSequenceLength: 4, dModel: 60_000 })).toThrow(/^parameters must be at most 100000000/);
    expect(performance.now() - started).toBeLessThan(100);
  });
});
