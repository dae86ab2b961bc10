import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { evaluate } from "@rl3/algorithms";
import { PolicyAgent } from "@rl3/wrappers";
import { UnknownNameError } from "@rl3/core";
import { readPolicyMetadata } from "@rl3/onnx";
import { OnnxPolicy } from "@rl3/onnx/node";
import { describe, expect, it } from "vitest";
import { ZOO_ENTRIES, ZOO_NAMES, zooEntry, zooPolicyPath } from "./index.js";

describe("@rl3/zoo", () => {
  it("ships at least one policy, each named <preset>/<method> with scores on every test family", () => {
    expect(ZOO_ENTRIES.length).toBeGreaterThan(0);
    for (const entry of ZOO_ENTRIES) {
      expect(entry.name).toBe(`${entry.preset}/${entry.method}`);
      expect(entry.scores.length).toBeGreaterThan(0);
      for (const score of entry.scores) expect(score.episodes).toBe(1000);
      expect(entry.training.envSteps).toBe(entry.training.iterations * entry.training.batchSize);
    }
    expect(new Set(ZOO_NAMES).size).toBe(ZOO_NAMES.length);
  });

  it("an unknown name is an UnknownNameError listing the known ones", () => {
    expect(() => zooEntry("grid13-350/rl4")).toThrow(UnknownNameError);
    expect(() => zooEntry("grid13-350/rl4")).toThrow(/unknown zoo policy "grid13-350\/rl4"/);
  });

  it.each(ZOO_NAMES)("%s: the file is the one recorded (sha256) and self-describing, loadable with @rl3/onnx alone", async (name) => {
    const entry = zooEntry(name);
    const bytes = readFileSync(zooPolicyPath(name));
    expect(bytes.length).toBe(entry.bytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(entry.sha256);
    const metadata = readPolicyMetadata(bytes);
    expect(metadata.encoder?.method).toBe(entry.method);
    expect(metadata.horizon).toBe(entry.check.horizon);
    const policy = await OnnxPolicy.load(zooPolicyPath(name));
    expect(policy.metadata.family).toBe(metadata.family);
    await policy.release();
  });

  // The results check: a change that breaks inference, the encoders or the test-task stream moves these scores.
  it.each(ZOO_NAMES)("%s: re-evaluated on its check tasks, it scores what was recorded (within the recorded s.e.)", async (name) => {
    const { check } = zooEntry(name);
    const agent = new PolicyAgent(await OnnxPolicy.load(zooPolicyPath(name)));
    const result = await evaluate(agent, { family: check.family, horizon: check.horizon, episodes: check.episodes, seed: check.testSeed, oracle: false });
    expect(Math.abs(result.mean - check.mean)).toBeLessThanOrEqual(check.stderr);
  }, 120_000);
});
