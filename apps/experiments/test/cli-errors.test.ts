import { type SpawnSyncReturns, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTrainConfig, parseTrainConfig } from "@rl3/algorithms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The CLI's failure modes, end to end, without training anything: run directories are written by hand.
const appDir = new URL("..", import.meta.url).pathname;
const cli = join(appDir, "dist/cli.js");

function rl3(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
}

/** Under --json a failure is exactly one JSON object `{ error }` on stdout, with the usual exit code. */
function jsonError(result: SpawnSyncReturns<string>, exitCode: number): Record<string, unknown> {
  expect(result.status, result.stderr).toBe(exitCode);
  const lines = result.stdout.trim().split("\n");
  expect(lines, result.stdout).toHaveLength(1);
  const parsed = JSON.parse(lines[0]!) as { error: Record<string, unknown> };
  expect(Object.keys(parsed)).toEqual(["error"]);
  expect(typeof parsed.error.code).toBe("string");
  expect(typeof parsed.error.message).toBe("string");
  return parsed.error;
}

/** A run directory as `rl3 train` leaves it, with `iterations` metrics rows. */
function fakeRun(directory: string, family: string, horizon: number, method: "rl2" | "rl3", seed: number, iterations: number, preset: string): string {
  mkdirSync(directory, { recursive: true });
  const config = parseTrainConfig({ ...defaultTrainConfig(family, horizon, method), seed, iterations: Math.max(iterations, 1) });
  writeFileSync(join(directory, "config.json"), `${JSON.stringify({ preset, scale: "quick", config }, null, 2)}\n`);
  const rows = Array.from({ length: iterations }, (_, index) => ({ iteration: index + 1, "charts/env_steps": (index + 1) * config.batchSize, "charts/episodic_return": index }));
  writeFileSync(join(directory, "metrics.jsonl"), rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
  return directory;
}

describe("rl3 CLI failures", () => {
  let work: string;
  beforeAll(() => {
    if (!existsSync(cli)) execFileSync("pnpm", ["exec", "turbo", "run", "build", "--filter=experiments...", "--output-logs=errors-only"], { cwd: appDir, stdio: "inherit" });
    work = mkdtempSync(join(tmpdir(), "rl3-cli-errors-"));
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("--version prints the app's version", () => {
    const result = rl3(["--version"], work);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(appDir, "package.json"), "utf8")).version);
  });

  it("an unknown command gets a did-you-mean, as text and as one JSON object", () => {
    const text = rl3(["trian"], work);
    expect(text.status).toBe(2);
    expect(text.stderr).toBe("error: unknown command 'trian' (Did you mean train?)\n"); // one line
    expect(jsonError(rl3(["trian", "--json"], work), 2)).toMatchObject({ code: "INVALID_USAGE", field: "command", value: "trian", suggestion: "train" });
  });

  it("an unknown --set key gets a did-you-mean and the list of keys, and no zod phrasing", () => {
    const error = jsonError(rl3(["train", "--preset", "mdps-100", "--method", "rl3", "--out", "never", "--set", "itertions=5", "--json"], work), 2);
    expect(error).toMatchObject({ code: "UNKNOWN_NAME", value: "itertions", suggestion: "iterations" });
    expect(error.known).toContain("learningRate");
    const wrongType = rl3(["train", "--preset", "mdps-100", "--method", "rl3", "--out", "never", "--set", "epochs=many"], work);
    expect(wrongType.status).toBe(2);
    expect(wrongType.stderr).toBe('rl3: epochs must be a finite number; got "many"\n');
    expect(existsSync(join(work, "never"))).toBe(false);
  });

  it("--out under /proc is a typed error at once (it used to spin at 100% CPU)", () => {
    const started = Date.now();
    const error = jsonError(rl3(["train", "--preset", "mdps-100", "--method", "rl3", "--out", "/proc/rl3-nowhere/run", "--json"], work), 2);
    expect(error).toMatchObject({ code: "INVALID_CONFIG", field: "--out", value: "/proc/rl3-nowhere/run" });
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it.each([
    [["--preset", "bandits-100"], "--preset", "bandits-100", '"mdps-100"'],
    [["--method", "rl2"], "--method", "rl2", '"rl3"'],
    [["--scale", "paper"], "--scale", "paper", '"quick"'],
    [["--seed", "9"], "--seed", 9, "4"],
  ])("train --resume with %j that the run does not have is an error naming the flag, the value and the run's", (flags, field, value, stored) => {
    const run = fakeRun(join(work, `resume-${field.slice(2)}`), "mdps", 100, "rl3", 4, 2, "mdps-100");
    const before = readFileSync(join(run, "config.json"), "utf8");
    const error = jsonError(rl3(["train", "--resume", run, ...(flags as string[]), "--json"], work), 2);
    expect(error).toMatchObject({ code: "INVALID_CONFIG", field, value });
    expect(error.message).toContain(`must be ${stored}, what the run in ${run} has`);
    expect(readFileSync(join(run, "config.json"), "utf8")).toBe(before);
  });

  it("plot keeps runs of different experiments apart and shows unequal lengths in full", () => {
    const runs = [
      fakeRun(join(work, "plot/mdps-s1"), "mdps", 100, "rl3", 1, 9, "mdps-100"),
      fakeRun(join(work, "plot/mdps-s2"), "mdps", 100, "rl3", 2, 150, "mdps-100"),
      fakeRun(join(work, "plot/grid-s1"), "grid11", 250, "rl3", 1, 5, "grid11-250"),
    ];
    const result = rl3(["plot", "--runs", ...runs, "--out", join(work, "plot/curves"), "--json"], work);
    expect(result.status, result.stderr).toBe(0);
    const { curves } = JSON.parse(result.stdout) as { curves: { label: string; runs: string[]; iterations: number[] }[] };
    expect(curves).toHaveLength(2);
    expect(curves[0]).toMatchObject({ runs: [runs[0], runs[1]], iterations: [9, 150] });
    expect(curves[1]!.runs).toEqual([runs[2]]);
    expect(curves[0]!.label).toMatch(/^rl3 · .*family=mdps/);
    expect(curves[1]!.label).toMatch(/^rl3 · .*family=grid11.*horizon=250/);
    // The 150-iteration seed is drawn to its end: the SVG's x axis reaches its last env step count (the grid run, 5 × 32,000 steps, ends before it).
    const svg = readFileSync(join(work, "plot/curves.svg"), "utf8");
    expect(svg).toContain("family=grid11");
    expect(svg).toMatch(/240,000|240000|240k/i);
  });
});
