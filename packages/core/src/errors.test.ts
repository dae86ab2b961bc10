import { describe, expect, it } from "vitest";
import { ConfigError, InputError, Rl3Error, UnknownNameError, closestName, describeValue } from "./errors.js";

describe("errors", () => {
  it("name the field, the value and what was expected", () => {
    const error = new ConfigError({ field: "ppo.learningRate", value: -1, expected: "a finite number > 0" });
    expect(error).toBeInstanceOf(Rl3Error);
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toBe("ppo.learningRate must be a finite number > 0; got -1");
    expect(new InputError({ field: "alpha", value: "x", expected: "a number" }).message).toBe('alpha must be a number; got "x"');
  });

  it("shorten long values", () => {
    expect(describeValue(new Float64Array(100))).toMatch(/… \(100 items\)\]$/);
  });

  it("suggest the closest known name for a typo and none for nonsense", () => {
    expect(closestName("grid12", ["grid11", "grid13:corner", "mdps"])).toBe("grid11");
    expect(closestName("rl3-corse", ["rl2", "rl3", "rl3-coarse"])).toBe("rl3-coarse");
    expect(closestName("zzzzzzzz", ["rl2", "rl3"])).toBeUndefined();
    const error = new UnknownNameError("method", "rl4", ["rl2", "rl3"]);
    expect(error.code).toBe("UNKNOWN_NAME");
    expect(error.suggestion).toBe("rl2");
  });
});
