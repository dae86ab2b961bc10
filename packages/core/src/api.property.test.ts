import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edgeArray, edgeNumber, hostile, mostly, typedOrValid } from "@rl3/tools/hostile-values";
import { Rl3Error, UnknownNameError, describeValue } from "./errors.js";
import { initialWeights } from "./initial-weights.js";
import { checkNamedWeights, createModelSpec, elementCount, requireSpec } from "./model-spec.js";
import { Rng } from "./rng.js";
import { softmaxRow } from "./softmax.js";
import { requireFiniteArray, requireIndex, requireInteger, requireObject, requireOneOf, requireSafeSize } from "./validate.js";

// Issue 31: every public function of @rl3/core, given anything, throws an Rl3Error or returns a finite result.
const call = <R,>(fn: (...args: never[]) => R, args: unknown[]) => (): R => fn(...(args as never[]));

describe("@rl3/core public API on hostile input", () => {
  it("Rng methods: typed error or a finite draw, and a refused call does not advance the stream", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("int", "bernoulli", "normal", "gamma", "dirichlet", "categorical", "shuffle"), fc.array(mostly(edgeNumber), { maxLength: 3 }), fc.option(edgeArray), async (method, args, array) => {
        const rng = new Rng(7);
        const twin = new Rng(7);
        const values = method === "categorical" || method === "shuffle" || (method === "dirichlet" && array !== null) ? [array ?? args[0], ...args.slice(1)] : args;
        let threw = false;
        await typedOrValid(Rl3Error, () => {
          try {
            const result = (rng[method as "int"] as (...a: unknown[]) => unknown).apply(rng, values);
            // shuffle permutes whatever it is given (NaN items included): only its length is a result to check.
            return method === "shuffle" ? (result as unknown[]).length : result;
          } catch (error) {
            threw = true;
            throw error;
          }
        });
        if (threw && method !== "dirichlet" && method !== "categorical") expect(rng.uint32()).toBe(twin.uint32());
      }),
      { numRuns: 400 },
    );
  });

  it("Rng.normal refuses a negative, NaN or infinite standard deviation and a non-finite mean", () => {
    const rng = new Rng(1);
    for (const sd of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => rng.normal(0, sd)).toThrow(/^standardDeviation must be a finite number ≥ 0/);
    expect(() => rng.normal(Number.NaN, 1)).toThrow(/^mean must be a finite number/);
    expect(rng.normal(3, 0)).toBe(3);
  });

  it("UnknownNameError and describeValue accept anything without throwing", () => {
    fc.assert(
      fc.property(hostile, fc.array(fc.string(), { maxLength: 4 }), (given, known) => {
        const error = new UnknownNameError("thing", given as string, known);
        expect(error.message).toMatch(/^unknown thing /);
        expect(typeof describeValue(given)).toBe("string");
      }),
      { numRuns: 300 },
    );
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeValue(circular)).toBe("[object Object]");
  });

  it("validators: typed error or the value back", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, edgeNumber, edgeNumber, async (value, a, b) => {
        await typedOrValid(Rl3Error, () => requireInteger("f", value as number, a, b) && undefined);
        await typedOrValid(Rl3Error, () => requireIndex("f", value as number, a) && undefined);
        await typedOrValid(Rl3Error, () => requireSafeSize("f", value as number, 1000) && undefined);
        await typedOrValid(Rl3Error, () => requireObject("f", value as object) && undefined);
        await typedOrValid(Rl3Error, () => requireOneOf("f", value as string, ["a", "b"]) && undefined);
        await typedOrValid(Rl3Error, () => requireFiniteArray("f", value as number[]), (array) => expect(Array.from(array).every(Number.isFinite)).toBe(true));
      }),
      { numRuns: 300 },
    );
  });

  it("softmaxRow: a probability row summing to 1, or a typed error (NaN logits, a row outside the array)", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(edgeArray), mostly(fc.integer({ min: -1, max: 6 })), mostly(fc.integer({ min: 0, max: 6 })), fc.integer({ min: 0, max: 8 }), async (logits, offset, length, outLength) => {
        await typedOrValid(Rl3Error, call(softmaxRow, [logits, offset, length, new Float64Array(outLength)]), (out) => {
          let sum = 0;
          for (let index = 0; index < (length as number); index++) sum += out[index]!;
          expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("checkNamedWeights, requireSpec, initialWeights and elementCount on hostile specs and weights", async () => {
    const spec = createModelSpec({ kind: "markov", inputSize: 2, outputSize: 2, maxSequenceLength: 3, dModel: 3, layers: 1 });
    const good = initialWeights(spec, 1);
    await fc.assert(
      fc.asyncProperty(mostly(fc.constant(spec)), hostile, fc.option(fc.tuple(fc.constantFrom(...Object.keys(good)), fc.nat({ max: 5 }), edgeNumber)), mostly(fc.integer({ min: -2, max: 9 })), async (maybeSpec, weights, damage, seed) => {
        const damaged = Object.fromEntries(Object.entries(good).map(([name, tensor]) => [name, { shape: tensor.shape, data: tensor.data.slice() }]));
        if (damage) {
          const [name, index, value] = damage;
          if (index < damaged[name]!.data.length) damaged[name]!.data[index] = value;
        }
        await typedOrValid(Rl3Error, call(checkNamedWeights, [maybeSpec, damage ? damaged : weights]));
        await typedOrValid(Rl3Error, call(requireSpec, [weights]));
        await typedOrValid(Rl3Error, call(initialWeights, [maybeSpec, seed]), (result) => {
          for (const tensor of Object.values(result)) expect(tensor.data.every(Number.isFinite)).toBe(true);
        });
        await typedOrValid(Rl3Error, call(elementCount, [weights]));
        await typedOrValid(Rl3Error, call(createModelSpec, [weights]));
      }),
      { numRuns: 300 },
    );
  });

  it("a NaN weight is refused by checkNamedWeights, naming the tensor and index", () => {
    const spec = createModelSpec({ kind: "markov", inputSize: 2, outputSize: 2, maxSequenceLength: 3, dModel: 3, layers: 1 });
    const weights = initialWeights(spec, 1);
    weights["head.bias"]!.data[1] = Number.NaN;
    expect(() => checkNamedWeights(spec, weights)).toThrow(/^weights\.head\.bias\.data\[1\] must be a finite number; got NaN$/);
  });
});
