import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTrainConfig, parseTrainConfig } from "@rl3/algorithms";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { CLI_LIMITS, integerFlag } from "./flags.js";
import { main } from "./main.js";
import { applyOverrides } from "./overrides.js";
import { curvePoints } from "./report/plots.js";

// The CLI's own fuzz: every command with malformed values for each of its flags, run in-process through main()
// (spawning node per case would take minutes). Every case must fail before any work with exactly one readable
// line on stderr, nothing on stdout, the documented exit code (2 for usage and config mistakes, 1 for missing or
// damaged files), no stack trace, and with --json exactly one JSON object { error } on stdout.

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function rl3(args: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const work = mkdtempSync(join(tmpdir(), "rl3-cli-fuzz-"));
const missing = join(work, "does-not-exist");
/** A path no case may create: flags that point at it must be refused before anything is written. */
const never = join(work, "never");

/** A run directory as `rl3 train` leaves it, with `rows` metrics rows and no checkpoint. */
function fakeRun(name: string, rows: number, returns: (number | null)[] = []): string {
  const directory = join(work, name);
  mkdirSync(directory, { recursive: true });
  const config = parseTrainConfig({ ...defaultTrainConfig("mdps", 100, "rl3"), seed: 1 });
  writeFileSync(join(directory, "config.json"), `${JSON.stringify({ preset: "mdps-100", scale: "quick", config }, null, 2)}\n`);
  const lines = Array.from({ length: rows }, (_, index) => JSON.stringify({ iteration: index + 1, "charts/env_steps": (index + 1) * config.batchSize, "charts/episodic_return": returns[index] ?? index }));
  writeFileSync(join(directory, "metrics.jsonl"), lines.map((line) => `${line}\n`).join(""));
  return directory;
}

const INTEGERS = ["", " ", "-1", "1.5", "1e400", "1000000000000000000000", "NaN", "Infinity", "0x10", "ten", "1 2"];
const PATHS = ["", " ", "a\0b"];
const NAMES = ["", " ", "nope", "__proto__", "constructor"];
const QUEUES = ["", " ", "nope", "http://host:6379", "redis://", "redis://host/99"];

/** [args, exit code, the field the JSON error names (when it names one)]. */
type Case = [args: string[], code: number, field?: string];

const integerCases = (prefix: string[], flag: string, suffix: string[] = []): Case[] => INTEGERS.map((value) => [[...prefix, flag, value, ...suffix], 2, flag]);
const pathCases = (prefix: string[], flag: string, suffix: string[] = []): Case[] => PATHS.map((value) => [[...prefix, flag, value, ...suffix], 2, flag]);
const nameCases = (prefix: string[], flag: string, field: string, suffix: string[] = []): Case[] => NAMES.map((value) => [[...prefix, flag, value, ...suffix], 2, field]);
const queueCases = (prefix: string[], suffix: string[] = []): Case[] => QUEUES.map((value) => [[...prefix, "--queue", value, ...suffix], 2]);

const TRAIN = ["train", "--preset", "mdps-100", "--method", "rl3", "--out", never];
const SETS = [
  "__proto__.polluted=1",
  "constructor.prototype.polluted=1",
  "prototype=1",
  "model.__proto__.polluted=1",
  'model={"__proto__":{"polluted":1}}',
  "toString.polluted=1",
  "=1",
  "iterations",
  "a..b=1",
  " iterations=5",
  "iterations=-1",
  "iterations=1.5",
  "seed=1.5",
  "horizon=0",
  "horizon=1000000",
  "batchSize=1e15",
  "validationEpisodes=1e9",
  "learningRate=NaN",
  "model.kind=lstm",
];

function cases(): Case[] {
  const run = fakeRun("fuzz-run", 2);
  const policy = "zoo:bandits-500/rl3"; // a transformer trained at H 500 on bandits
  const nullEvaluation = fakeRun("fuzz-null-eval", 2);
  writeFileSync(join(nullEvaluation, "eval.json"), JSON.stringify({ mdps: { agent: "rl3", family: "mdps", horizon: 100, seed: 1, episodes: 2, mean: null, stderr: 0, returns: [1, null] } }));
  return [
    // help and unknown commands
    [["help", "trian"], 2, "command"],
    [["help", "zoo", "ad"], 2, "zoo command"],
    [["zoo", "help", "ad"], 2, "zoo command"],
    [["trian"], 2, "command"],
    [["train", "--methd", "rl3"], 2, "--methd"],
    // presets
    [["presets", "--scale", ""], 2, "--scale"],
    [["presets", "--scale", "huge"], 2, "--scale"],
    // train
    ...nameCases(["train", "--method", "rl3", "--out", never], "--preset", "preset"),
    ...nameCases(["train", "--preset", "mdps-100", "--out", never], "--method", "method"),
    [[...TRAIN, "--scale", "huge"], 2, "--scale"],
    ...integerCases(TRAIN, "--seed"),
    [[...TRAIN, "--seed", String(CLI_LIMITS.seed + 2)], 2, "--seed"],
    ...pathCases(["train", "--preset", "mdps-100", "--method", "rl3"], "--out"),
    ...pathCases(["train"], "--resume"),
    [["train", "--resume", missing], 1],
    [["train", "--resume", run, "--out", never], 2, "--out"],
    [["train", "--resume", run, "--seed", "9"], 2, "--seed"],
    [[...TRAIN, "--backend", "gpu"], 2, "--backend"],
    [[...TRAIN, "--engine", "torch"], 2, "--engine"],
    [[...TRAIN, "--device", "tpu"], 2, "--device"],
    ...integerCases(TRAIN, "--threads"),
    [[...TRAIN, "--threads", "0"], 2, "--threads"],
    [[...TRAIN, "--threads", "65"], 2, "--threads"],
    ...integerCases(TRAIN, "--workers"),
    [[...TRAIN, "--workers", "257"], 2, "--workers"],
    ...SETS.map((assignment): Case => [[...TRAIN, "--set", assignment], 2]),
    [["train", "--method", "rl3"], 2, "--preset"],
    // eval
    ...pathCases(["eval"], "--policy"),
    [["eval", "--policy", missing], 1],
    [["eval", "--policy", work], 1],
    [["eval", "--policy", "zoo:nope/rl3"], 2],
    ...nameCases(["eval", "--policy", policy], "--tasks", "task family"),
    ...integerCases(["eval", "--policy", policy], "--episodes"),
    [["eval", "--policy", policy, "--episodes", "0"], 2, "--episodes"],
    [["eval", "--policy", policy, "--episodes", "1000000000"], 2, "--episodes"],
    ...integerCases(["eval", "--policy", policy], "--horizon"),
    [["eval", "--policy", policy, "--horizon", "501"], 2, "--horizon"],
    [["eval", "--policy", policy, "--tasks", "grid11"], 2, "--tasks"],
    [["eval", "--policy", policy, "--tasks", "mdps"], 2, "--tasks"],
    ...integerCases(["eval", "--policy", policy], "--seed"),
    // export
    ...pathCases(["export"], "--run"),
    [["export", "--run", missing], 1],
    [["export", "--run", run], 1], // no checkpoint
    ...pathCases(["export", "--run", run], "--out"),
    [["export", "--run", run, "--out", join(missing, "policy.onnx")], 2, "--out"],
    [["export", "--run", run, "--graph", "dag"], 2, "--graph"],
    // baseline
    ...nameCases(["baseline", "--tasks", "bandits", "--horizon", "10"], "--agent", "agent"),
    ...nameCases(["baseline", "--agent", "random", "--horizon", "10"], "--tasks", "task family"),
    ...integerCases(["baseline", "--agent", "random", "--tasks", "bandits"], "--horizon"),
    [["baseline", "--agent", "random", "--tasks", "bandits", "--horizon", "10000001"], 2, "--horizon"],
    ...integerCases(["baseline", "--agent", "random", "--tasks", "bandits", "--horizon", "10"], "--episodes"),
    [["baseline", "--agent", "random", "--tasks", "bandits", "--horizon", "10", "--episodes", "1000000000"], 2, "--episodes"],
    // plot
    ...pathCases(["plot", "--out", never], "--runs"),
    [["plot", "--runs", missing, "--out", never], 1],
    [["plot", "--runs", run, run, "--out", never], 2, "--runs"],
    [["plot", "--runs", run, `${run}/.`, "--out", never], 2, "--runs"],
    ...pathCases(["plot", "--runs", run], "--out"),
    [["plot", "--runs", run, "--out", join(missing, "curves")], 2, "--out"],
    // reproduce
    [["reproduce", "--suite", "huge"], 2, "--suite"],
    ...NAMES.map((value): Case => [["reproduce", "--out", never, "--presets", value], 2, "preset"]),
    [["reproduce", "--out", never, "--presets", "mdps-100,,bandits-100"], 2, "preset"],
    [["reproduce", "--out", never, "--presets", "mdps-100,mdps-100"], 2, "--presets"],
    ...NAMES.map((value): Case => [["reproduce", "--out", never, "--methods", value], 2, "method"]),
    [["reproduce", "--out", never, "--methods", "rl2,rl2"], 2, "--methods"],
    ...integerCases(["reproduce", "--out", never], "--seeds"),
    [["reproduce", "--out", never, "--seeds", "1001"], 2, "--seeds"],
    ...integerCases(["reproduce", "--out", never], "--episodes"),
    [["reproduce", "--out", never, "--episodes", "1"], 2, "--episodes"],
    ...integerCases(["reproduce", "--out", never], "--resamples"),
    [["reproduce", "--out", never, "--resamples", "99"], 2, "--resamples"],
    ...SETS.map((assignment): Case => [["reproduce", "--out", never, "--presets", "mdps-100", "--set", assignment], 2]),
    ...pathCases(["reproduce"], "--out"),
    ...queueCases(["reproduce", "--out", never]),
    [["reproduce", "--out", never, "--detach"], 2, "--detach"],
    // zoo add
    ...pathCases(["zoo", "add", "--command", "x", "--zoo", missing], "--runs"),
    [["zoo", "add", "--runs", run, run, "--command", "x", "--zoo", missing], 2, "--runs"],
    [["zoo", "add", "--runs", run, "--command", "x", "--zoo", missing], 1],
    [["zoo", "add", "--runs", run, "--command", " ", "--zoo", missing], 2, "--command"],
    ...pathCases(["zoo", "add", "--runs", run, "--command", "x"], "--zoo"),
    // compare
    ...pathCases(["compare"], "--runs"),
    [["compare", "--runs", missing], 1],
    [["compare", "--runs", run], 1], // not evaluated
    ...integerCases(["compare", "--runs", run], "--resamples"),
    ...integerCases(["compare", "--runs", run], "--bootstrap-seed"),
    ...pathCases(["compare", "--runs", run], "--out"),
    [["compare", "--runs", run, "--out", join(missing, "aggregates")], 2, "--out"],
    [["compare", "--runs", nullEvaluation], 1], // a null return in eval.json
    // demo
    ...pathCases(["demo"], "--out"),
    ...integerCases(["demo", "--out", never], "--iterations"),
    [["demo", "--out", never, "--iterations", "1000001"], 2, "--iterations"],
    // worker and sweep
    ...queueCases(["worker"]),
    ...integerCases(["worker", "--queue", "redis://127.0.0.1:1/0"], "--concurrency"),
    [["worker", "--queue", "redis://127.0.0.1:1/0", "--concurrency", "257"], 2, "--concurrency"],
    ...integerCases(["worker", "--queue", "redis://127.0.0.1:1/0"], "--stalled-after"),
    ...queueCases(["sweep", "status"]),
    [["sweep", "status", "--queue", "redis://127.0.0.1:1/0", "--sweep", " "], 2, "--sweep"],
    ...queueCases(["sweep", "results"]),
    ...pathCases(["sweep", "results", "--queue", "redis://127.0.0.1:1/0"], "--out"),
  ];
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("rl3 CLI fuzz: malformed flag values", () => {
  const all = cases();
  const before = readdirSync(work).sort();
  afterEach(() => {
    // No case may touch Object.prototype (--set __proto__.polluted=1 used to set it for the whole process).
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it.each(all)("%j fails at once: one line on stderr, exit %i, no stack", async (args, code) => {
    const started = Date.now();
    const result = await rl3(args);
    expect(result.code, result.stderr).toBe(code);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^[^\n]+\n$/u); // exactly one line
    expect(result.stderr).toMatch(/^(rl3|error): /u);
    expect(result.stderr).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError|SyntaxError/u);
    expect(result.stderr.length).toBeLessThan(2000);
    expect(Date.now() - started).toBeLessThan(20_000); // refused before any work
    expect(existsSync(never)).toBe(false);
  });

  it.each(all)("%j --json prints exactly one JSON error object on stdout", async (args, code, field) => {
    const result = await rl3([...args, "--json"]);
    expect(result.code, result.stderr).toBe(code);
    const lines = result.stdout.split("\n");
    expect(lines, result.stdout).toHaveLength(2);
    expect(lines[1]).toBe("");
    const parsed = JSON.parse(lines[0]!) as { error: Record<string, unknown> };
    expect(Object.keys(parsed)).toEqual(["error"]);
    expect(typeof parsed.error.code).toBe("string");
    expect(parsed.error.code).not.toBe("INTERNAL");
    expect(parsed.error.message).toMatch(/^[^\n]+$/u);
    if (field !== undefined) expect(parsed.error.field).toBe(field);
    expect(result.stderr).toMatch(/^[^\n]+\n$/u);
    expect(existsSync(never)).toBe(false);
  });

  it("leaves the work directory as it was (no case wrote anything)", () => {
    expect(readdirSync(work).sort()).toEqual(before);
  });
});

describe("the named cases of issue #31", () => {
  it("--episodes 1000000000 fails at once naming the limit", async () => {
    const result = await rl3(["baseline", "--agent", "random", "--tasks", "bandits", "--horizon", "10", "--episodes", "1000000000"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`rl3: --episodes must be an integer in [1, ${CLI_LIMITS.episodes}]; got "1000000000"\n`);
  });

  it("help <typo> names the unknown command and the closest one", async () => {
    const result = await rl3(["help", "trian", "--json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^rl3: unknown command "trian" \(did you mean "train"\?\)/u);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: "UNKNOWN_NAME", value: "trian", suggestion: "train" });
    expect((await rl3(["help", "train"])).code).toBe(0); // a real topic still prints its help
  });

  it("--seed \" \" is not seed 0; --set horizon=1000000 blames horizon with its limit", async () => {
    expect((await rl3([...TRAIN, "--seed", " "])).stderr).toBe('rl3: --seed must be an integer in [0, 9007199254740991]; got " "\n');
    const horizon = JSON.parse((await rl3([...TRAIN, "--set", "horizon=1000000", "--json"])).stdout).error;
    expect(horizon).toMatchObject({ code: "INVALID_CONFIG", field: "horizon", value: 1000000 });
    expect(horizon.expected).toMatch(/^an integer in \[1, 999999\]/u);
  });

  it("eval --horizon past the policy's trained H is refused at the start, with the policy's limit", async () => {
    const result = await rl3(["eval", "--policy", "zoo:bandits-500/rl3", "--horizon", "501", "--episodes", "1", "--json"]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error).toMatchObject({ field: "--horizon", value: 501 });
    expect(result.stderr).toMatch(/--horizon must be at most 500, the longest meta-episode the policy in .* reads \(trained at H 500\); got 501/u);
  });

  it("--resume of a run without its checkpoint says so and keeps every metrics row", async () => {
    const run = fakeRun("no-checkpoint", 3);
    const metrics = readFileSync(join(run, "metrics.jsonl"), "utf8");
    const config = readFileSync(join(run, "config.json"), "utf8");
    const result = await rl3(["train", "--resume", run, "--json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: "INVALID_FILE", path: run });
    expect(result.stderr).toMatch(/has 3 metrics row\(s\) but no checkpoint\.safetensors to continue from/u);
    expect(readFileSync(join(run, "metrics.jsonl"), "utf8")).toBe(metrics);
    expect(readFileSync(join(run, "config.json"), "utf8")).toBe(config);
    expect(existsSync(join(run, "metrics.csv"))).toBe(false);
  });

  it("--set never reaches Object.prototype, and valid nested keys still apply", () => {
    const base = { iterations: 1, model: { kind: "transformer" } };
    for (const assignment of ["__proto__.polluted=1", "a.constructor.prototype.polluted=1", 'model={"__proto__":{"polluted":1}}']) {
      expect(() => applyOverrides(base, [assignment])).toThrow(/--set must be/u);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(applyOverrides(base, ["model.dModel=32", "iterations=5", "toString.x=1"])).toEqual({ iterations: 5, model: { kind: "transformer", dModel: 32 }, toString: { x: 1 } });
    expect(base).toEqual({ iterations: 1, model: { kind: "transformer" } }); // the input is not changed
  });

  it("integer flags read decimal integers as before and nothing else", () => {
    const parse = integerFlag("--n", 0, 100);
    expect(["0", "7", "+7", "1e1", "7.0", "100"].map(parse)).toEqual([0, 7, 7, 10, 7, 100]);
    for (const value of INTEGERS) expect(() => parse(value), value).toThrow(/--n must be an integer in \[0, 100\]/u);
    expect(() => parse("101")).toThrow(/\[0, 100\]/u);
  });

  it("null returns in metrics.jsonl are left out of a curve, not drawn as 0", () => {
    const rows = (values: (number | null)[]) => values.map((value, index) => ({ envSteps: (index + 1) * 10, value }));
    const points = curvePoints([{ curve: "rl3", method: "rl3", rows: rows([10, null, 30, null]) }], 1);
    expect(points.map((point) => [point.envSteps, point.mean])).toEqual([[10, 10], [30, 30]]);
    const smoothed = curvePoints([{ curve: "rl3", method: "rl3", rows: rows([10, null, 30]) }], 5);
    expect(smoothed.map((point) => point.mean)).toEqual([10, 10, 20]);
    // Two seeds stay aligned by iteration: a null in one is averaged over the other alone.
    const seeds = curvePoints([{ curve: "rl3", method: "rl3", rows: rows([10, null]) }, { curve: "rl3", method: "rl3", rows: rows([20, 40]) }], 1);
    expect(seeds.map((point) => [point.envSteps, point.mean, point.seeds])).toEqual([[10, 15, 2], [20, 40, 1]]);
  });
});
