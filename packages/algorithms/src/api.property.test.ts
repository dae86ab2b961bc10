import { InputError, Rl3Error, UnknownNameError } from "@rl3/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { edgeArray, edgeNumber, hostile, mostly, typedOrValid } from "@rl3/tools/hostile-values";
import { Adam, addWeightDecay } from "./adam.js";
import { SCALES, defaultTrainConfig, parseTrainConfig } from "./config.js";
import { generalizedAdvantages } from "./gae.js";
import { PpoTrainer } from "./ppo/trainer.js";
import { seedDifferenceInterval, seedMeanInterval, studentTCdf, studentTQuantile } from "./seed-intervals.js";
import { aggregateScores, bootstrapInterval, interquartileMean, mean, pairedBootstrap, probabilityOfImprovement, standardError, stratifiedBootstrap } from "./statistics.js";
import { METHODS } from "@rl3/wrappers";

// Issue 31: every public function of @rl3/algorithms, given anything, throws an Rl3Error or returns finite
// results. Resample counts are drawn small (or refused), so no call runs long.
const call = <R,>(fn: (...args: never[]) => R, args: unknown[]) => (): R => fn(...(args as never[]));
const intervalFinite = (interval: { estimate: number; low: number; high: number }) => {
  for (const value of [interval.estimate, interval.low, interval.high]) expect(Number.isFinite(value), `interval ${JSON.stringify(interval)}`).toBe(true);
};
const options = fc.record({ resamples: mostly(fc.integer({ min: 1, max: 50 })), confidence: mostly(fc.double({ min: 0.5, max: 0.99 })), seed: mostly(fc.integer()) }, { requiredKeys: [] });

describe("@rl3/algorithms public API on hostile input", () => {
  it("defaultTrainConfig: horizon 0, negative or huge horizons, unknown methods, scales and families are typed errors at once", async () => {
    for (const horizon of [0, -5, 0.5, Number.NaN, 1e12]) expect(() => defaultTrainConfig("bandits", horizon, "rl3")).toThrow(/^horizon must be an integer in \[1, 10000000\]/);
    expect(() => defaultTrainConfig("bandits", 10, "rl4" as never)).toThrow(/^method must be one of/);
    expect(() => defaultTrainConfig("bandits", 10, "rl3", "huge" as never)).toThrow(/^scale must be one of/);
    expect(() => defaultTrainConfig("bandit", 10, "rl3")).toThrow(UnknownNameError);
    await fc.assert(
      fc.asyncProperty(mostly(fc.constantFrom("bandits", "mdps", "grid11")), mostly(fc.integer({ min: 1, max: 600 })), mostly(fc.constantFrom(...METHODS)), mostly(fc.constantFrom(...SCALES)), async (family, horizon, method, scale) => {
        await typedOrValid(Rl3Error, call(defaultTrainConfig, [family, horizon, method, scale]), (config) => {
          // A config from defaults is one the trainer accepts (rl3-coarse outside gridworlds aside).
          if (!(config.method === "rl3-coarse" && !config.family.startsWith("grid"))) expect(parseTrainConfig(config).batchSize % config.horizon).toBe(0);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("parseTrainConfig and PpoTrainer.create/fromCheckpoint with hostile configs, bytes and options are typed errors", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (config, other) => {
        await typedOrValid(Rl3Error, () => Object.keys(parseTrainConfig(config)).length);
        await typedOrValid(Rl3Error, () => PpoTrainer.create(config as never, other as never) && 0);
        await typedOrValid(Rl3Error, () => PpoTrainer.fromCheckpoint(other as never, config as never, { engines: {} } as never) && 0);
      }),
      { numRuns: 150 },
    );
  });

  it("generalizedAdvantages: NaN values or rewards, wrong lengths and bad γ/λ are typed errors; otherwise finite", async () => {
    expect(() => generalizedAdvantages(Float64Array.of(1, 2), Float32Array.of(0, Number.NaN, 0), 1, 2, 0.9, 0.5)).toThrow(/^values\[1\] must be a finite number; got NaN$/);
    expect(() => generalizedAdvantages(Float64Array.of(1, 2), Float32Array.of(0, 0, 0), 1, 2, Number.NaN, 0.5)).toThrow(/^gamma must be a number in \[0, 1\]/);
    await fc.assert(
      fc.asyncProperty(edgeArray, edgeArray, mostly(fc.integer({ min: 1, max: 3 })), mostly(fc.integer({ min: 1, max: 3 })), mostly(fc.double({ min: 0, max: 1 })), mostly(fc.double({ min: 0, max: 1 })), async (rewards, values, numEnvs, horizon, gamma, lambda) => {
        await typedOrValid(Rl3Error, call(generalizedAdvantages, [Float64Array.from(rewards), Float32Array.from(values), numEnvs, horizon, gamma, lambda]), (result) => {
          // The fp32 result of finite fp32 inputs may still overflow: the check is on the recursion's input, and
          // what comes out for in-range inputs is finite.
          if ([...rewards, ...values].every((value) => Math.abs(value) < 1e30)) {
            expect(Array.from(result.advantages).every(Number.isFinite)).toBe(true);
          }
        });
        await typedOrValid(Rl3Error, call(generalizedAdvantages, [rewards, values, numEnvs, horizon, gamma, lambda]), () => {});
      }),
      { numRuns: 300 },
    );
  });

  it("statistics and seed intervals with hostile samples, matrices and options", async () => {
    await fc.assert(
      fc.asyncProperty(mostly(edgeArray), mostly(edgeArray), options, hostile, mostly(fc.integer({ min: 1, max: 30 })), mostly(fc.double({ min: 0.01, max: 0.99 })), async (a, b, opts, other, df, q) => {
        await typedOrValid(Rl3Error, call(mean, [a]));
        await typedOrValid(Rl3Error, call(standardError, [a]));
        await typedOrValid(Rl3Error, call(interquartileMean, [a]));
        await typedOrValid(Rl3Error, call(bootstrapInterval, [a, opts]), intervalFinite);
        await typedOrValid(Rl3Error, call(pairedBootstrap, [a, b, opts]), (result) => intervalFinite(result.difference));
        await typedOrValid(Rl3Error, call(aggregateScores, [[a, b], opts]), () => {});
        await typedOrValid(Rl3Error, call(aggregateScores, [other, opts]), () => {});
        await typedOrValid(Rl3Error, call(probabilityOfImprovement, [[a], [b], opts]), intervalFinite);
        await typedOrValid(Rl3Error, call(stratifiedBootstrap, [[[a]], () => 0, opts]), intervalFinite);
        await typedOrValid(Rl3Error, call(stratifiedBootstrap, [other, other, other]), intervalFinite);
        await typedOrValid(Rl3Error, call(seedMeanInterval, [a, q]), intervalFinite);
        await typedOrValid(Rl3Error, call(seedDifferenceInterval, [a, b, q]), intervalFinite);
        await typedOrValid(Rl3Error, call(studentTCdf, [q, df]));
        await typedOrValid(Rl3Error, call(studentTQuantile, [q, df]));
        await typedOrValid(Rl3Error, call(studentTQuantile, [other, other]));
      }),
      { numRuns: 200 },
    );
  });

  it("Adam and addWeightDecay with hostile shapes, options, weights and gradients", async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.record({ learningRate: mostly(fc.double({ min: 1e-5, max: 0.1 })), epsilon: mostly(fc.double({ min: 1e-9, max: 1e-3 })) }, { requiredKeys: [] }), edgeArray, hostile, async (shapes, adamOptions, gradient, other) => {
        await typedOrValid(Rl3Error, () => new Adam(shapes as never, adamOptions as never) && 0);
        await typedOrValid(Rl3Error, () => new Adam([{ name: "w", shape: [2] }], adamOptions as never) && 0);
        const adam = new Adam([{ name: "w", shape: [2] }], { learningRate: 0.01 });
        const weights: Record<string, { data: Float32Array }> = { w: { data: Float32Array.of(1, 2) } };
        await typedOrValid(Rl3Error, () => adam.step(weights, { w: { data: Float32Array.from(gradient.slice(0, 2).concat([0, 0]).slice(0, 2)) } }));
        await typedOrValid(Rl3Error, () => adam.step(weights, { w: { data: Float32Array.from(gradient) } }));
        expect(Array.from(weights.w!.data).every(Number.isFinite)).toBe(true);
        await typedOrValid(Rl3Error, () => adam.step(weights, other as never));
        await typedOrValid(Rl3Error, () => adam.loadSlots(other as never));
        await typedOrValid(Rl3Error, call(addWeightDecay, [other, weights, 0.01]));
      }),
      { numRuns: 200 },
    );
    expect(() => new Adam([{ name: "w", shape: [2] }], { learningRate: Number.NaN })).toThrow(InputError);
  });

  it("studentTCdf and studentTQuantile at extreme degrees of freedom: finite or a typed error (a subnormal df gave NaN)", async () => {
    for (const df of [5e-324, 1e-300, 1e-10, 0.5, 1, 1e10, 1e300, Number.MAX_VALUE]) {
      for (const q of [1e-300, 0.01, 0.5, 0.99]) {
        await typedOrValid(Rl3Error, call(studentTCdf, [q, df]));
        await typedOrValid(Rl3Error, call(studentTQuantile, [q, df]));
      }
    }
    expect(() => studentTCdf(1, 5e-324)).toThrow(/^df must be a finite number > 0 that is not subnormal/);
  });
});
