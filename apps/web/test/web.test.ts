import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { extname, join, resolve } from "node:path";
import { OnnxPolicy } from "@rl3/onnx/node";
import { PolicyAgent } from "@rl3/wrappers";
import { startTestEpisodes } from "@rl3/wrappers";
import { zooPolicyPath } from "@rl3/zoo";
import { type Browser, type Page, chromium } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The page in a real browser: Debian's chromium driven by playwright-core (Playwright's own browser download needs
// the internet). `.ci/run` installs chromium with apt; where it cannot, this says so and skips.
const CHROMIUM = "/usr/bin/chromium";
const appDir = resolve(import.meta.dirname, "..");
const repoDir = resolve(appDir, "../..");
const cli = join(repoDir, "apps/experiments/dist/cli.js");
const distDir = join(appDir, "dist");
const skipReason = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install -y chromium)`
  : !existsSync(cli)
    ? "apps/experiments is not built (pnpm build), so rl3 eval cannot give the Node returns"
    : undefined;
if (skipReason) console.log(`web: browser test skipped: ${skipReason}`);

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".onnx": "application/octet-stream", ".png": "image/png" };

/** A static file server on a free port: what "any static file server" means for the built site. */
function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = join(root, decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname));
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "index.html") : path;
    if (!file.startsWith(root) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })));
}

/** Per-task returns from `rl3 eval --json` (it reports means): return of task k = k·mean(k) − (k−1)·mean(k − 1). */
function cliReturns(policy: string, tasks: string, count: number): number[] {
  const means = [0];
  for (let episodes = 1; episodes <= count; episodes++) {
    const output = execFileSync("node", [cli, "eval", "--policy", policy, "--tasks", tasks, "--episodes", String(episodes), "--json"], { encoding: "utf8" });
    means.push((JSON.parse(output) as { mean: number }).mean);
  }
  return means.slice(1).map((mean, index) => (index + 1) * mean - index * means[index]!);
}

/** The greedy actions onnxruntime-node takes on one test task (to locate a browser difference, if any). */
async function nodeActions(policy: string, family: string, taskIndex: number): Promise<number[]> {
  const agent = new PolicyAgent(await OnnxPolicy.load(policy));
  const run = await startTestEpisodes(agent, { family, horizon: agent.encoderConfig.horizon, taskIndices: [taskIndex] });
  const actions: number[] = [];
  while (!run.done) actions.push((await run.step()).actions[0]!);
  await agent.release();
  return actions;
}

interface Shown {
  returns: number[];
  actions: number[][];
  computeMs: number;
  labels: string[];
}

async function runTask(page: Page, taskIndex: number): Promise<Shown> {
  await page.fill("#task", String(taskIndex));
  await page.dispatchEvent("#task", "change");
  await page.waitForFunction((index) => document.body.dataset.state === "ready" && document.querySelector("#message")!.textContent!.includes(`Test task ${index} `), taskIndex);
  await page.click("#to-end");
  await page.waitForSelector("body[data-state=done]");
  return page.evaluate(() => ({
    returns: [0, 1].map((lane) => Number(document.getElementById(`return-${lane}`)!.dataset.return)),
    actions: [0, 1].map((lane) => document.getElementById(`return-${lane}`)!.dataset.actions!.split(",").map(Number)),
    computeMs: Number(document.getElementById("timing")!.dataset.computeMs),
    labels: [0, 1].map((lane) => document.getElementById(`label-${lane}`)!.textContent!),
  }));
}

/** Where the browser's actions first differ from Node's, with the page's greedy margin there (a near-tie?). */
async function firstDifference(page: Page, lane: number, browserActions: number[], expected: number[]): Promise<string | undefined> {
  const step = expected.findIndex((action, index) => action !== browserActions[index]);
  if (step < 0) return undefined;
  const margin = await page.evaluate(([laneIndex, at]) => (window as unknown as { rl3Race: { lanes: { margins: number[] }[] } }).rl3Race.lanes[laneIndex!]!.margins[at!], [lane, step]);
  return `lane ${lane} step ${step}: node ${expected[step]} browser ${browserActions[step]} (logit margin ${margin})`;
}

describe.skipIf(skipReason !== undefined)("the web page in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let server: Server;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await build({ root: appDir, logLevel: "warn" });
    const served = await serve(distDir);
    server = served.server;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(served.url);
    await page.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it("bundles onnxruntime-web and the rl3 packages, without TensorFlow.js or onnxruntime-node", () => {
    const assets = readdirSync(join(distDir, "assets"));
    const scripts = assets.filter((name) => /\.m?js$/.test(name));
    const bytes = (names: string[]) => names.reduce((sum, name) => sum + statSync(join(distDir, "assets", name)).size, 0);
    const text = scripts.map((name) => readFileSync(join(distDir, "assets", name), "utf8")).join("\n");
    console.log(`web: bundle ${scripts.length} script(s) ${(bytes(scripts) / 1024).toFixed(0)} KiB, wasm ${(bytes(assets.filter((name) => name.endsWith(".wasm"))) / 1024).toFixed(0)} KiB`);
    for (const forbidden of ["onnxruntime-node", "@tensorflow", "tfjs-core", "onnxruntime_binding"]) expect(text, forbidden).not.toContain(forbidden);
    expect(text).toContain("rl3-policy"); // the metadata reader of @rl3/onnx is in it
  });

  it("shows, for both policies side by side, the returns rl3 eval computes in Node on grid13 test tasks 0 and 1", async () => {
    const policies = ["rl2", "rl3"].map((method) => zooPolicyPath(`grid13-350/${method}`));
    const expected = policies.map((policy) => cliReturns(policy, "grid13", 2));
    const differences: string[] = [];
    for (const taskIndex of [0, 1]) {
      const shown = await runTask(page, taskIndex);
      console.log(`web: grid13 task ${taskIndex}: browser returns ${shown.returns.join(", ")}; rl3 eval ${expected.map((returns) => returns[taskIndex]).join(", ")}; ` +
        `350-step meta-episode, both lanes: ${shown.computeMs.toFixed(0)} ms of compute (${(shown.computeMs / 2).toFixed(0)} ms per policy)`);
      expect(shown.labels[0]).toContain("rl2");
      expect(shown.labels[1]).toContain("rl3");
      for (const lane of [0, 1]) {
        expect(shown.actions[lane]).toHaveLength(350);
        const difference = await firstDifference(page, lane, shown.actions[lane]!, await nodeActions(policies[lane]!, "grid13", taskIndex));
        if (difference) differences.push(`task ${taskIndex} ${difference}`);
        else expect(shown.returns[lane]).toBeCloseTo(expected[lane]![taskIndex]!, 6);
      }
    }
    if (differences.length > 0) console.log(`web: greedy choices that differ (near-ties?): ${differences.join("; ")}`);
    expect(differences).toEqual([]);
    await page.screenshot({ path: join(appDir, "screenshot.png"), fullPage: true });
  });

  it("runs the zoo's MDP policies to the returns rl3 eval gives", async () => {
    await page.selectOption("#family", "mdps");
    await page.waitForFunction(() => document.body.dataset.state === "ready" && document.getElementById("label-1")!.textContent!.includes("zoo:mdps-128/rl3"));
    const shown = await runTask(page, 0);
    const expected = ["rl2", "rl3"].map((method) => cliReturns(`zoo:mdps-128/${method}`, "mdps", 1)[0]!);
    console.log(`web: mdps task 0: browser ${shown.returns.join(", ")}; rl3 eval ${expected.join(", ")}`);
    shown.returns.forEach((value, lane) => expect(value).toBeCloseTo(expected[lane]!, 4));
    await page.selectOption("#family", "grid13");
    await page.waitForFunction(() => document.body.dataset.state === "ready" && document.getElementById("label-1")!.textContent!.includes("grid13-350/rl3"));
  });

  it("says clearly what is wrong with a bad dropped file, and keeps running", async () => {
    const before = await runTask(page, 0);
    const valid = readFileSync(zooPolicyPath("grid13-350/rl3"));
    // The metadata entry's key "rl3" renamed: still a valid ONNX model, but not an rl3 policy.
    const key = Buffer.from([0x0a, 0x03, 0x72, 0x6c, 0x33, 0x12]);
    const unlabelled = Buffer.from(valid);
    const at = unlabelled.indexOf(key);
    expect(at).toBeGreaterThan(0);
    unlabelled.write("xyz", at + 2, "latin1");
    const cases = [
      { name: "notes.onnx", buffer: Buffer.from("these are not the bytes of a model"), says: /notes\.onnx.*not (a readable ONNX file|an ONNX model)/ },
      { name: "foreign.onnx", buffer: unlabelled, says: /foreign\.onnx.*not an rl3 policy/ },
      { name: "mdps-policy.onnx", buffer: readFileSync(join(repoDir, "packages/zoo/policies/mdps-128-rl3.onnx")), says: /mdps-policy\.onnx.*policy \(rl3\) for mdps, not for grid13/ },
    ];
    for (const bad of cases) {
      await page.setInputFiles("#file-1", { name: bad.name, mimeType: "application/octet-stream", buffer: bad.buffer });
      await page.waitForFunction(() => document.getElementById("message")!.className === "error");
      const text = await page.textContent("#message");
      console.log(`web: dropped ${bad.name}: "${text}"`);
      expect(text).toMatch(bad.says);
      expect(text).toContain("keeps its policy");
      const after = await runTask(page, 0);
      expect(after.returns).toEqual(before.returns);
    }
    expect(pageErrors).toEqual([]);
  });
});
