import { Rng } from "@rl3/core";
import { describe, expect, it } from "vitest";
import { taskStreams, testStream, testTaskStreams, trainingStreams } from "./streams.js";

const firstDraws = (rngs: Rng[]) => rngs.map((rng) => rng.uint32());

describe("taskStreams", () => {
  it("derives task i's streams from the root and i alone (a prefix of a longer list), without advancing the root", () => {
    const root = new Rng(3);
    const before = root.getState();
    const long = taskStreams(root, 50);
    const short = taskStreams(root, 10);
    expect(root.getState()).toEqual(before);
    for (const kind of ["task", "environment", "agent"] as const) {
      expect(firstDraws(short.map((streams) => streams[kind]))).toEqual(firstDraws(long.slice(0, 10).map((streams) => streams[kind])));
    }
  });

  it("gives every task and every role a different stream", () => {
    const streams = testTaskStreams(1_000_000, 200);
    const draws = firstDraws(streams.flatMap((entry) => [entry.task, entry.environment, entry.agent]));
    expect(new Set(draws).size).toBe(draws.length);
    // …and none of them is a training stream of the same seed.
    const training = trainingStreams(1_000_000, 0);
    expect(draws).not.toContain(training.environment.uint32());
    expect(firstDraws(testTaskStreams(1_000_000, 1).map((entry) => entry.task))).toEqual(firstDraws(taskStreams(testStream(1_000_000), 1).map((entry) => entry.task)));
  });

  it("rejects a negative or fractional count", () => {
    expect(() => taskStreams(new Rng(1), -1)).toThrow(/^count must be an integer/);
    expect(() => taskStreams(new Rng(1), 1.5)).toThrow(/^count must be an integer/);
  });
});
