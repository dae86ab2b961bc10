import { type SpawnSyncReturns, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// End-to-end: the built CLI in temporary directories on tiny configs. Builds the app (and the packages it
// uses) first when a fresh clone has no dist yet.
const appDir = new URL("..", import.meta.url).pathname;
const cli = join(appDir, "dist/cli.js");
const TINY = ["--set", "iterations=2", "--set", "batchSize=200", "--set", "minibatchSize=100", "--set", "checkpointEvery=1", "--set", "model.dModel=8", "--set", "model.embedSize=8", "--set", "model.feedForwardSize=8"];

function rl3(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout: 300_000 });
}

function json(result: SpawnSyncReturns<string>): Record<string, unknown> {
  expect(result.status, result.stderr).toBe(0);
  const lines = result.stdout.trim().split("\n");
  expect(lines).toHaveLength(1); // exactly one JSON object on stdout
  return JSON.parse(lines[0]!);
}

describe("rl3 CLI", () => {
  let work: string;
  beforeAll(() => {
    if (!existsSync(cli)) execFileSync("pnpm", ["exec", "turbo", "run", "build", "--filter=experiments...", "--output-logs=errors-only"], { cwd: appDir, stdio: "inherit" });
    work = mkdtempSync(join(tmpdir(), "rl3-cli-"));
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("train 2 iterations → checkpoint → resume 1 → export → eval the ONNX file → plot", () => {
    const trained = json(rl3(["train", "--preset", "mdps-100", "--method", "rl3", "--seed", "4", "--out", "run", ...TINY, "--json"], work));
    expect(trained).toMatchObject({ method: "rl3", family: "mdps", horizon: 100, iterations: 2, envSteps: 400, interrupted: false });
    for (const file of ["config.json", "metrics.csv", "metrics.jsonl", "checkpoint.safetensors", "policy.onnx"]) expect(existsSync(join(work, "run", file)), file).toBe(true);
    expect(readFileSync(join(work, "run/metrics.csv"), "utf8").trim().split("\n")).toHaveLength(3);

    const resumed = json(rl3(["train", "--resume", "run", "--set", "iterations=3", "--json"], work));
    expect(resumed).toMatchObject({ iterations: 3, envSteps: 600 });
    expect(JSON.parse(readFileSync(join(work, "run/config.json"), "utf8")).config.iterations).toBe(3); // the run directory records the change
    expect(readFileSync(join(work, "run/metrics.jsonl"), "utf8").trim().split("\n")).toHaveLength(3);

    const exported = json(rl3(["export", "--run", "run", "--out", "exported.onnx", "--json"], work));
    expect(exported).toMatchObject({ graph: "step" });
    expect(exported.bytes as number).toBeGreaterThan(1000);

    const evaluated = json(rl3(["eval", "--policy", "exported.onnx", "--tasks", "mdps:ood", "--episodes", "20", "--json"], work));
    expect(evaluated).toMatchObject({ agent: "rl3", family: "mdps:ood", horizon: 100, episodes: 20 });
    for (const key of ["mean", "stderr", "oracleMean", "normalized"]) expect(typeof evaluated[key], key).toBe("number");
    json(rl3(["eval", "--policy", "run", "--episodes", "20", "--json"], work));
    expect(Object.keys(JSON.parse(readFileSync(join(work, "run/eval.json"), "utf8")))).toEqual(["mdps"]);

    const plotted = json(rl3(["plot", "--runs", "run", "--out", "curves.png", "--json"], work));
    expect(plotted.validationCurve).toBeUndefined();
    const curve = plotted.learningCurve as { png: string; width: number; height: number };
    expect(statSync(curve.png).size).toBeGreaterThan(5000);
    const png = readFileSync(curve.png);
    expect(png.readUInt32BE(16)).toBe(curve.width); // IHDR width and height: the image has the reported size
    expect(png.readUInt32BE(20)).toBe(curve.height);
    expect(curve.width).toBeGreaterThan(600);
    expect(existsSync(join(work, "curves.svg"))).toBe(true);
  }, 300_000);

  it("validateEvery logs the greedy validation return and keeps the best policy in best-policy.onnx", () => {
    const trained = json(rl3(["train", "--preset", "mdps-100", "--method", "rl2", "--seed", "5", "--out", "validated", ...TINY, "--set", "iterations=3", "--set", "validateEvery=2", "--set", "validationEpisodes=4", "--json"], work));
    const rows = readFileSync(join(work, "validated/metrics.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as Record<string, number>);
    // Iteration 2 (every 2) and 3 (the last) validate; iteration 1 does not.
    expect(rows.map((row) => typeof row["eval/validation_return"])).toEqual(["undefined", "number", "number"]);
    const best = trained.best as { iteration: number; validationReturn: number; policy: string };
    expect(best.validationReturn).toBe(Math.max(rows[1]!["eval/validation_return"]!, rows[2]!["eval/validation_return"]!));
    expect(rows[best.iteration - 1]!["eval/validation_return"]).toBe(best.validationReturn);
    const csv = readFileSync(join(work, "validated/metrics.csv"), "utf8").trim().split("\n");
    const column = csv[0]!.split(",").indexOf("eval/validation_return");
    expect(csv.slice(1).map((line) => line.split(",")[column] !== "")).toEqual([false, true, true]);
    const evaluated = json(rl3(["eval", "--policy", best.policy, "--episodes", "4", "--json"], work));
    expect(evaluated).toMatchObject({ agent: "rl2", family: "mdps", episodes: 4 });
    // rl3 plot draws the validation returns beside the training curve; a run without them gets none.
    const plotted = json(rl3(["plot", "--runs", "validated", "--out", "validated-curves.png", "--json"], work)) as { validationCurve?: { png: string } };
    expect(plotted.validationCurve?.png).toBe(join(work, "validated-curves-validation.png"));
    expect(statSync(plotted.validationCurve!.png).size).toBeGreaterThan(5000);
  }, 300_000);

  it("presets and baseline print the documented JSON fields", () => {
    const presets = json(rl3(["presets", "--json"], work));
    const rows = presets.presets as Record<string, unknown>[];
    expect(rows.map((row) => row.name)).toEqual(expect.arrayContaining(["bandits-100", "mdps-512", "grid13-350"]));
    for (const key of ["horizon", "model", "batchSize", "iterations", "envSteps", "estimatedSeconds"]) expect(rows[0]).toHaveProperty(key);
    const baseline = json(rl3(["baseline", "--agent", "oracle", "--tasks", "bandits", "--horizon", "10", "--episodes", "20", "--json"], work));
    expect(baseline).toMatchObject({ agent: "oracle", family: "bandits", episodes: 20 });
  }, 120_000);

  it("compare --runs: across-seed and paired figures from eval.json, a plot, and an error naming a differing family", () => {
    const dirs = ["cmp-rl2-s1", "cmp-rl3-s1", "cmp-rl3-s2"];
    for (const dir of dirs) {
      const [, method, seed] = /cmp-(rl\d)-s(\d)/u.exec(dir)!;
      json(rl3(["train", "--preset", "mdps-100", "--method", method!, "--seed", seed!, "--out", dir, ...TINY, "--json"], work));
      json(rl3(["eval", "--policy", dir, "--episodes", "12", "--json"], work));
    }
    const stored = JSON.parse(readFileSync(join(work, "cmp-rl3-s1/eval.json"), "utf8")).mdps;
    expect(stored.returns).toHaveLength(12); // eval.json keeps every task's return for paired comparisons
    const compared = json(rl3(["compare", "--runs", ...dirs, "--resamples", "300", "--out", "aggregates", "--json"], work));
    const agents = compared.agents as { agent: string; seeds: number; tasks: number; aggregate: { seedsResampled: boolean; iqm: { low: number; high: number } } }[];
    expect(agents.map((row) => [row.agent, row.seeds, row.tasks, row.aggregate.seedsResampled])).toEqual([
      ["rl2", 1, 12, false],
      ["rl3", 2, 12, true],
    ]);
    expect(agents[1]!.aggregate.iqm.low).toBeLessThan(agents[1]!.aggregate.iqm.high);
    const [pair] = compared.pairs as { a: string; b: string; sharedTasks: number; difference: { estimate: number }; probabilityOfImprovement: { estimate: number } }[];
    expect(pair).toMatchObject({ a: "rl3", b: "rl2", sharedTasks: 12 });
    expect(statSync(join(work, "aggregates.png")).size).toBeGreaterThan(5000);
    expect(existsSync(join(work, "aggregates.svg"))).toBe(true);
    // The same inputs give the same intervals.
    expect(json(rl3(["compare", "--runs", ...dirs, "--resamples", "300", "--json"], work)).pairs).toEqual(compared.pairs);
    const text = rl3(["compare", "--runs", ...dirs, "--resamples", "300"], work).stdout;
    expect(text).toMatch(/\| mdps, H 100 \| rl3 vs rl2 \| 12 \|/);
    expect(text).toMatch(/† One seed/);

    const foreign = join(work, "cmp-foreign");
    execFileSync("cp", ["-r", join(work, "cmp-rl2-s1"), foreign]);
    const config = JSON.parse(readFileSync(join(foreign, "config.json"), "utf8"));
    writeFileSync(join(foreign, "config.json"), JSON.stringify({ ...config, config: { ...config.config, family: "bandits", seed: 7 } }));
    const mismatch = rl3(["compare", "--runs", "cmp-rl2-s1", "cmp-foreign"], work);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toMatch(/training family must be one family for every compared run \(these differ in family: mdps vs bandits\)/);
  }, 300_000);

  it.each([
    [["trian"], /unknown command 'trian'[\s\S]*Did you mean train\?/],
    [["train", "--preset", "mdps-10", "--method", "rl3"], /unknown preset "mdps-10" \(did you mean "mdps-100"\?\)/],
    [["train", "--preset", "mdps-100", "--method", "rl4"], /unknown method "rl4" \(did you mean "rl2"\?\)/],
    [["train", "--preset", "mdps-100", "--methd", "rl3"], /unknown option '--methd'[\s\S]*Did you mean --method\?/],
    [["baseline", "--agent", "ucb", "--tasks", "bandits", "--horizon", "10"], /unknown agent "ucb" \(did you mean "ucb1"\?\)/],
    [["baseline", "--agent", "random", "--tasks", "grid12", "--horizon", "10"], /unknown task family "grid12" \(did you mean "grid11"\?\)/],
    [["train", "--preset", "mdps-100", "--method", "rl3", "--engine", "torch"], /--engine <name>' argument 'torch' is invalid\. Allowed choices are onnx, tfjs/],
    [["train", "--preset", "mdps-100", "--method", "rl3", "--device", "tpu"], /--device <name>' argument 'tpu' is invalid\. Allowed choices are cpu, cuda/],
    [["train", "--preset", "mdps-100", "--method", "rl3", "--set", "learningRat=1"], /unknown setting "learningRat" \(did you mean "learningRate"\?\); known: family, /],
    [["train", "--preset", "mdps-100", "--method", "rl3", "--set", "batchSize=\"many\""], /batchSize must be a finite number; got "many"/],
  ])("bad input %j exits 2 and names it", (args, message) => {
    const result = rl3(args as string[], work);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("a directory that is not a run, and a damaged ONNX file, get clear errors and lose nothing", () => {
    const notRun = join(work, "not-a-run");
    rl3(["train", "--preset", "mdps-100", "--method", "rl2", "--out", "other", ...TINY, "--json"], work);
    writeFileSync(join(work, "notes.txt"), "keep me");
    expect(rl3(["eval", "--policy", work, "--json"], work).stderr).toMatch(/is not an rl3 run directory \(no config\.json\)/);
    expect(rl3(["export", "--run", notRun], work).stderr).toMatch(/not-a-run: is not an rl3 run directory/);
    const policy = join(work, "other/policy.onnx");
    const bytes = readFileSync(policy);
    writeFileSync(policy, bytes.subarray(0, 200));
    const damaged = rl3(["eval", "--policy", "other", "--episodes", "5"], work);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr).toMatch(/policy\.onnx: (not a readable ONNX file|not an ONNX model)/);
    expect(readFileSync(policy).length).toBe(200); // untouched
    expect(existsSync(join(work, "other/checkpoint.safetensors"))).toBe(true);
    expect(readFileSync(join(work, "notes.txt"), "utf8")).toBe("keep me");
  }, 120_000);

  it("SIGINT writes a checkpoint and exits 130; --resume continues from it", async () => {
    const child = spawn(process.execPath, [cli, "train", "--preset", "mdps-100", "--method", "rl2", "--out", "interrupted", ...TINY, "--set", "iterations=500", "--set", "checkpointEvery=1000"], { cwd: work });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const metrics = join(work, "interrupted/metrics.jsonl");
    while (!existsSync(metrics) || readFileSync(metrics, "utf8").trim().split("\n").length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(130);
    expect(stderr).not.toMatch(/Hi there|tfjs-node|speed things up/i); // the tfjs advert never reaches the user
    const done = readFileSync(metrics, "utf8").trim().split("\n").length;
    const resumed = json(rl3(["train", "--resume", "interrupted", "--set", `iterations=${done + 1}`, "--json"], work));
    expect(resumed.iterations).toBe(done + 1);
  }, 300_000);

  it("kill -9 loses at most one checkpoint interval; --resume continues from the last checkpoint", async () => {
    const child = spawn(process.execPath, [cli, "train", "--preset", "mdps-100", "--method", "rl3", "--out", "killed", ...TINY, "--set", "iterations=500", "--set", "checkpointEvery=2"], { cwd: work });
    const metrics = join(work, "killed/metrics.jsonl");
    const rows = () => (existsSync(metrics) ? readFileSync(metrics, "utf8").trim().split("\n").filter(Boolean).length : 0);
    while (rows() < 5) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("close", resolve));
    const written = rows();
    // The safetensors header of the checkpoint says which iteration it holds: at most one interval (2) behind.
    const checkpoint = readFileSync(join(work, "killed/checkpoint.safetensors"));
    const header = JSON.parse(checkpoint.subarray(8, 8 + Number(checkpoint.readBigUInt64LE(0))).toString("utf8"));
    const saved = Number(header.__metadata__.iteration);
    expect(written - saved).toBeGreaterThanOrEqual(0);
    expect(written - saved).toBeLessThanOrEqual(2);
    const resumed = json(rl3(["train", "--resume", "killed", "--set", `iterations=${written + 2}`, "--json"], work));
    expect(resumed.iterations).toBe(written + 2);
    // The checkpoint was at most 2 iterations (one interval) behind; rows after it were dropped and redone once.
    const iterations = readFileSync(metrics, "utf8").trim().split("\n").map((line) => JSON.parse(line).iteration as number);
    expect(iterations).toEqual(Array.from({ length: written + 2 }, (_, index) => index + 1));
  }, 300_000);
  it("reproduce is resumable: a re-run skips finished runs and their evaluations, continues unfinished ones, and refuses a different run's directory", () => {
    const args = ["reproduce", "--suite", "quick", "--presets", "bandits-100", "--methods", "rl2", "--episodes", "3", "--resamples", "100", "--out", "repro", ...TINY, "--json"];
    const before = (result: SpawnSyncReturns<string>) => (json(result).runs as { before: string }[]).map((run) => run.before);
    expect(before(rl3(args, work))).toEqual(["new"]);
    const run = join(work, "repro/bandits-100-rl2-s1");
    expect(Object.keys(JSON.parse(readFileSync(join(run, "eval.json"), "utf8")))).toEqual(["bandits", "bandits:ood"]);
    const evaluated = statSync(join(run, "eval.json")).mtimeMs;

    expect(before(rl3(args, work))).toEqual(["finished"]);
    expect(statSync(join(run, "eval.json")).mtimeMs).toBe(evaluated); // stored evaluations reused, not redone

    // A run whose own config asks for more iterations than it has done continues from its checkpoint.
    const config = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
    config.config.iterations = 3;
    writeFileSync(join(run, "config.json"), JSON.stringify(config));
    expect(before(rl3(args, work))).toEqual(["unfinished"]);
    expect(readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line).iteration)).toEqual([1, 2, 3]);

    const other = rl3(args.map((arg) => (arg === "quick" ? "standard" : arg)), work);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/bandits-100-rl2-s1: holds a run with scale "quick", not "standard"/);
    expect(JSON.parse(readFileSync(join(run, "config.json"), "utf8")).config.iterations).toBe(3); // untouched
  }, 300_000);
  it("reproduce over two RLC sweep presets adds the budget-sweep tables (beside the paper's) and plot", () => {
    const sizes = TINY.map((arg) => (arg === "batchSize=200" ? "batchSize=256" : arg === "minibatchSize=100" ? "minibatchSize=256" : arg));
    const result = json(rl3(["reproduce", "--presets", "mdps-128,mdps-256", "--methods", "rl2,rl3", "--episodes", "3", "--resamples", "100", "--out", "sweep", ...sizes, "--json"], work));
    expect((result.runs as unknown[]).length).toBe(4);
    const report = readFileSync(join(work, "sweep/report.md"), "utf8");
    expect(report).toContain("### The RLC budget sweep on random MDPs (§7.4)");
    expect(report).toMatch(/\| 128 \| .* \| 1\.000 \|/); // the paper's iterations fraction at H 128
    expect(report).toContain("(0.004)"); // the paper's in-distribution lead at H 256: 0.812 − 0.808
    expect(statSync(join(work, "sweep/mdps-budget-sweep.png")).size).toBeGreaterThan(5000);
    // Each preset's numbers beside the paper's with the experience ratio; a glossary; files named for what they hold.
    expect(report).toMatch(/Beside the paper \(RLC budget-sweep plots.*\): test return ÷ oracle .* Experience: 512 env steps per run here/);
    expect(report).toContain("| mdps:ood | rl3 |");
    expect(report).toContain("### How to read this report");
    expect(report).not.toContain("spec/rl3-method.md"); // not a file of the repository
    for (const file of ["mdps-128-training-curves.png", "mdps-128-test-aggregates.png", "mdps-256-training-curves.svg"]) expect(existsSync(join(work, "sweep", file)), file).toBe(true);
  }, 300_000);
  it("rl3 zoo add ships the seed whose greedy policy scores best on the validation tasks, whatever the order of --runs", () => {
    for (const seed of [1, 2]) {
      json(rl3(["train", "--preset", "bandits-100", "--method", "rl2", "--seed", String(seed), "--out", `zoo-runs/s${seed}`, ...TINY, "--json"], work));
      for (const family of ["bandits", "bandits:ood"]) json(rl3(["eval", "--policy", `zoo-runs/s${seed}`, "--tasks", family, "--episodes", "1000", "--json"], work));
    }
    writeFileSync(join(work, "zoo.json"), JSON.stringify({ formatVersion: 1, entries: [] }));
    const add = (runs: string[]) => json(rl3(["zoo", "add", "--runs", ...runs, "--command", "test", "--zoo", ".", "--json"], work)) as { training: { seed: number; validationReturn: number; chosenFrom: number[] }; sha256: string; file: string };
    const entry = add(["zoo-runs/s1", "zoo-runs/s2"]);
    expect(entry.training.chosenFrom).toEqual([1, 2]);
    expect(typeof entry.training.validationReturn).toBe("number");
    const reversed = add(["zoo-runs/s2", "zoo-runs/s1"]);
    expect(reversed.training).toEqual(entry.training);
    expect(readFileSync(join(work, entry.file))).toEqual(readFileSync(join(work, `zoo-runs/s${entry.training.seed}/policy.onnx`)));
    // Each seed alone: the chosen one has the higher validation return.
    const alone = [1, 2].map((seed) => add([`zoo-runs/s${seed}`]).training.validationReturn);
    expect(alone[0]).not.toBe(alone[1]);
    expect(entry.training.validationReturn).toBe(Math.max(...alone));
    expect(entry.training.seed).toBe(alone.indexOf(Math.max(...alone)) + 1);
    const manifest = JSON.parse(readFileSync(join(work, "zoo.json"), "utf8")) as { entries: { name: string }[] };
    expect(manifest.entries.map((e) => e.name)).toEqual(["bandits-100/rl2"]);
  }, 300_000);

  it("rl3 zoo lists the shipped policies; rl3 eval --policy zoo:<name> evaluates one; an unknown name lists the known ones", () => {
    const listed = json(rl3(["zoo", "--json"], work));
    const entries = listed.entries as { name: string; check: { family: string } }[];
    expect(entries.length).toBeGreaterThan(0);
    const [first] = entries;
    const evaluated = json(rl3(["eval", "--policy", `zoo:${first!.name}`, "--episodes", "4", "--json"], work));
    expect(evaluated).toMatchObject({ agent: first!.name.split("/")[1], family: first!.check.family, episodes: 4 });
    const unknown = rl3(["eval", "--policy", "zoo:grid13-350/rl4", "--json"], work);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout).toMatch(/unknown zoo policy \\"grid13-350\/rl4\\"/);
  }, 120_000);
});
