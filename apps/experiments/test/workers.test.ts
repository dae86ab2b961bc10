import { type SpawnSyncReturns, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PpoTrainer } from "@rl3/algorithms";
import { StateError } from "@rl3/core";
import { GridWorld, type TaskFamily } from "@rl3/envs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES } from "../src/runs/engines.js";
import { threadShards } from "../src/runs/thread-shards.js";

// `rl3 train --workers N`: the built CLI and its shard worker threads, on tiny configs.
const appDir = new URL("..", import.meta.url).pathname;
const cli = join(appDir, "dist/cli.js");
const TINY = ["--set", "iterations=2", "--set", "batchSize=400", "--set", "minibatchSize=200", "--set", "checkpointEvery=1", "--set", "model.dModel=8", "--set", "model.embedSize=8", "--set", "model.feedForwardSize=8"];

function rl3(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout: 300_000 });
}

function metrics(dir: string): Record<string, number>[] {
  return readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, number>);
}

describe("rl3 train --workers", () => {
  let work: string;
  beforeAll(() => {
    if (!existsSync(join(appDir, "dist/runs/shard-worker.js"))) execFileSync("pnpm", ["exec", "turbo", "run", "build", "--filter=experiments...", "--output-logs=errors-only"], { cwd: appDir, stdio: "inherit" });
    work = mkdtempSync(join(tmpdir(), "rl3-workers-"));
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("2 workers train what 1 does: the same rollouts, losses to 1e-5; recorded in config.json, changeable on resume", () => {
    for (const workers of [1, 2]) {
      const result = rl3(["train", "--preset", "mdps-100", "--method", "rl3", "--seed", "3", "--workers", String(workers), "--out", `w${workers}`, ...TINY, "--json"], work);
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(work, `w${workers}/config.json`), "utf8")).config.workers).toBe(workers);
    }
    const [one, two] = [metrics(join(work, "w1")), metrics(join(work, "w2"))];
    // The first rollout is the same whatever the workers (env i draws from its own streams); later ones follow
    // weights that differ in float rounding, so only the first is compared exactly.
    expect(two[0]!["charts/episodic_return"]).toBe(one[0]!["charts/episodic_return"]);
    for (const key of ["losses/policy_loss", "losses/value_loss", "losses/entropy"]) {
      expect(Math.abs(two[0]![key]! - one[0]![key]!) / Math.max(1, Math.abs(one[0]![key]!)), key).toBeLessThan(1e-5);
    }
    const resumed = rl3(["train", "--resume", "w2", "--workers", "1", "--set", "iterations=3", "--json"], work);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(work, "w2/config.json"), "utf8")).config).toMatchObject({ workers: 1, iterations: 3 });
    expect(metrics(join(work, "w2"))).toHaveLength(3);
  }, 300_000);

  it("refuses 0, a fraction and more workers than envs before training, naming the flag", () => {
    for (const [value, message] of [
      ["0", /--workers must be an integer in \[1, 256\]; got "0"/],
      ["1.5", /--workers must be an integer in \[1, 256\]; got "1.5"/],
      ["5", /workers must be at most one per env: an integer in \[1, 4\]; got 5/],
    ] as const) {
      const result = rl3(["train", "--preset", "mdps-100", "--method", "rl2", "--workers", value, "--out", `bad-${value}`, ...TINY], work);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack
      expect(existsSync(join(work, `bad-${value}`))).toBe(false);
    }
  }, 120_000);
});

describe("a worker thread that fails", () => {
  it("stops the iteration with a StateError naming the worker and the cause", async () => {
    // A family object the main thread has but a worker cannot rebuild by name: worker 2 fails at its first call.
    const grid = GridWorld.fromAscii(["S G"], { slipProbability: 0 });
    const family: TaskFamily = { name: "two-cells", domain: "gridworld", numStates: grid.numStates, numActions: grid.numActions, observationSize: 2, taskHorizon: grid.taskHorizon, parameters: {}, sample: () => grid };
    let trainer: PpoTrainer | undefined;
    trainer = PpoTrainer.create(
      { family: "two-cells", horizon: 5, method: "rl2", model: { kind: "transformer", dModel: 8, embedSize: 8, layers: 1, heads: 2, feedForwardSize: 8 }, iterations: 1, batchSize: 20, minibatchSize: 10, learningRate: 1e-3, entropyCoefficient: 0.01, workers: 2 },
      { engines: ENGINES, family, remoteShards: threadShards(() => trainer!, "wasm") },
    );
    const before = Float32Array.from(trainer.weights("actor")["head.kernel"]!.data);
    const failure = trainer.trainIteration();
    await expect(failure).rejects.toThrow(StateError);
    await expect(failure).rejects.toThrow(/^worker 2 failed: .*two-cells/);
    // Nothing was applied: the weights (and so any checkpoint written from them) are as they were.
    expect(trainer.weights("actor")["head.kernel"]!.data).toEqual(before);
    expect(trainer.iteration).toBe(0);
    await trainer.dispose();
  }, 120_000);
});
