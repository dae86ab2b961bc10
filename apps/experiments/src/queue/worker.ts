import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { type Job, UnrecoverableError, WaitingError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { ConfigError } from "@rl3/core";
import { checkQueueConnection, connectionLogger, durableConnection } from "./connection.js";
import { JobRefusedError } from "./errors.js";
import { type QueueAddress, parseQueueUrl, redact } from "./redis-url.js";
import { KEY_PREFIX, QUEUE_NAME, type RunJobData, type RunProgress, type RunResult, validateRunJob } from "./run-job.js";
import { RunStore } from "./run-store.js";
import type { FromTrainer, ToTrainer } from "./trainer-protocol.js";
import { rl3Versions } from "./version.js";

export interface WorkerOptions {
  queue: string;
  /** Runs trained at once (each in its own process, on its own core). */
  concurrency: number;
  /** Seconds after which the runs of a worker that stopped answering go to another worker. */
  stalledAfter: number;
}

/** How often one job's progress is written to Redis (the submitter polls it). */
const PROGRESS_EVERY_MS = 1000;
/** A job may be taken from stalled workers this often before BullMQ fails it (each loss resumes from a checkpoint). */
const MAX_STALLED = 20;

/**
 * `rl3 worker`: takes training runs from the Redis queue and trains them, `concurrency` at a time, each in a
 * forked trainer process. Progress, metrics rows and checkpoints go to Redis as they happen, so a run whose worker
 * dies is continued elsewhere from its last checkpoint. SIGINT/SIGTERM: running jobs checkpoint and go back to the
 * queue, then the worker exits; a second signal exits at once.
 */
export async function workerCommand(options: WorkerOptions, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<number> {
  const address = parseQueueUrl(options.queue);
  const server = await checkQueueConnection(address);
  const workerId = `${hostname()}:${process.pid}`;
  const versions = rl3Versions();
  log(`worker ${workerId} (rl3 ${versions.experiments}, @rl3/algorithms ${versions["@rl3/algorithms"]}) on ${address.display} (Redis ${server.redisVersion}), ${options.concurrency} at a time`);
  if (server.evictionPolicy && server.evictionPolicy !== "noeviction") {
    log(`warning: Redis maxmemory-policy is ${server.evictionPolicy}; use noeviction, or Redis may evict jobs and checkpoints under memory pressure`);
  }
  const logConnectionError = connectionLogger(address, log);
  const redis = new Redis(durableConnection(address));
  redis.on("error", logConnectionError);
  const trainers = new Set<ChildProcess>();
  let stopping = false;

  const processor = async (job: Job<RunJobData, RunResult>, token?: string): Promise<RunResult> => {
    let data: RunJobData;
    try {
      data = validateRunJob(job.data, versions);
    } catch (error) {
      if (error instanceof JobRefusedError || error instanceof ConfigError) {
        log(`${job.id}: ${error.message}`);
        throw new UnrecoverableError(error.message); // no retry: another attempt would be refused the same way
      }
      throw error;
    }
    return runJob(job, token, data, { store: new RunStore(redis, job.id!), workerId, trainers, log, address, stopping: () => stopping });
  };

  const worker = new Worker<RunJobData, RunResult>(QUEUE_NAME, processor, {
    connection: durableConnection(address),
    prefix: KEY_PREFIX,
    concurrency: options.concurrency,
    lockDuration: options.stalledAfter * 1000,
    stalledInterval: options.stalledAfter * 1000,
    maxStalledCount: MAX_STALLED,
    name: workerId,
  });
  worker.on("error", (error) => {
    if (!stopping) logConnectionError(error);
  });
  // Logged here, not when training ends: BullMQ counts a run as completed only if this worker still held its lock.
  worker.on("completed", (job, result) => log(`${job.id}: finished ${job.data.label} in ${result.seconds.toFixed(1)} s`));
  worker.on("failed", (job, error) => {
    if (job) log(`${job.id}: failed: ${redact(error.message, address)}`);
  });

  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) process.exit(130);
      stopping = true;
      log(`worker ${workerId} stopping: running jobs checkpoint and go back to the queue (signal again to exit at once)`);
      for (const trainer of trainers) trainer.send({ type: "stop" } satisfies ToTrainer);
      worker.close().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await stopped;
  redis.disconnect();
  log(`worker ${workerId} stopped`);
  return 0;
}

interface JobContext {
  store: RunStore;
  workerId: string;
  trainers: Set<ChildProcess>;
  log: (line: string) => void;
  address: QueueAddress;
  /** True once the worker is shutting down (a job picked up just then checkpoints and goes back at once). */
  stopping: () => boolean;
}

/** Trains one job in a forked trainer process and persists what it reports, in order, fenced by this attempt. */
async function runJob(job: Job<RunJobData, RunResult>, token: string | undefined, data: RunJobData, context: JobContext): Promise<RunResult> {
  const { store, workerId, log } = context;
  const started = Date.now();
  const attempt = await store.claim();
  const checkpoint = await store.checkpoint();
  const trainer = fork(trainerEntry(), [], { serialization: "advanced", stdio: ["ignore", "pipe", "pipe", "ipc"] });
  context.trainers.add(trainer);
  forwardLines(trainer, (line) => log(`${job.id}: ${line}`));

  let writes: Promise<void> = Promise.resolve();
  let superseded = false;
  let failure: string | undefined;
  let outcome: "finished" | "stopped" | undefined;
  let resumedFrom = 0;
  let lastProgress = 0;
  let last: { iteration: number; episodicReturn: number } | undefined;
  // Writes run one after the other in the order the trainer reported them; a refused one means a newer attempt
  // owns the run (this worker was presumed dead), so the trainer is stopped and nothing more is written.
  const persist = (write: () => Promise<boolean>) => {
    writes = writes.then(async () => {
      if (superseded || failure) return;
      try {
        if (!(await write())) {
          superseded = true;
          trainer.kill("SIGKILL");
        }
      } catch (error) {
        failure = `storing the run's state in Redis failed: ${redact((error as Error).message, context.address)}`;
        trainer.kill("SIGKILL");
      }
    });
  };
  const reportProgress = (iteration: number, sps: number, episodicReturn: number, force: boolean) => {
    const now = Date.now();
    if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    const done = iteration - resumedFrom;
    const remaining = data.config.iterations - iteration;
    const progress: RunProgress = {
      iteration,
      iterations: data.config.iterations,
      sps,
      etaSeconds: done > 0 ? ((now - started) / 1000 / done) * remaining : null,
      episodicReturn,
      worker: workerId,
      resumedFrom,
    };
    job.updateProgress(progress as unknown as object).catch(() => {}); // progress is advisory; a lost update is fine
  };

  trainer.on("message", (message: FromTrainer) => {
    switch (message.type) {
      case "started":
        resumedFrom = message.iteration;
        log(`${job.id}: ${message.iteration > 0 ? `resuming ${data.label} from its checkpoint at iteration ${message.iteration}` : `starting ${data.label}`} (attempt ${attempt})`);
        persist(() => store.keepMetrics(attempt, message.iteration));
        persist(async () => {
          reportProgress(message.iteration, 0, Number.NaN, true);
          return true;
        });
        break;
      case "iteration": {
        const metrics = message.metrics;
        last = { iteration: metrics.iteration, episodicReturn: metrics["charts/episodic_return"] };
        persist(() => store.appendMetrics(attempt, metrics));
        persist(async () => {
          reportProgress(metrics.iteration, metrics["charts/SPS"], metrics["charts/episodic_return"], metrics.iteration === data.config.iterations);
          return true;
        });
        break;
      }
      case "checkpoint":
        persist(() => store.saveCheckpoint(attempt, message.bytes));
        break;
      case "finished":
        // The best policy first: a run whose final policy is stored counts as complete.
        if (message.bestPolicy) persist(() => store.saveBestPolicy(attempt, message.bestPolicy!));
        persist(() => store.savePolicy(attempt, message.policy));
        outcome = "finished";
        break;
      case "stopped":
        outcome = "stopped";
        break;
      case "error":
        failure = message.message;
        break;
    }
  });
  trainer.send({ type: "start", config: data.config, ...(checkpoint ? { checkpoint: new Uint8Array(checkpoint) } : {}) } satisfies ToTrainer);
  if (context.stopping()) trainer.send({ type: "stop" } satisfies ToTrainer);
  const code = await new Promise<number | null>((resolve) => {
    trainer.on("exit", (exitCode) => resolve(exitCode));
    // A failed fork, or a stop sent just as the trainer exits: report it instead of crashing the worker.
    trainer.on("error", (error) => {
      if (trainer.pid !== undefined) return; // a message to a trainer that just exited: its exit is reported anyway
      failure ??= `the trainer process could not start: ${error.message}`;
      resolve(null);
    });
  });
  context.trainers.delete(trainer);
  await writes;

  if (superseded) throw new Error(`another worker took this run over (this worker was presumed dead): its results there count, not these`);
  if (failure) throw new Error(failure);
  if (outcome === "stopped") {
    log(`${job.id}: checkpointed at iteration ${last?.iteration ?? resumedFrom}; back on the queue`);
    if (token) await job.moveToWait(token);
    throw new WaitingError();
  }
  if (outcome !== "finished" || code !== 0) throw new Error(`the trainer process ended with ${code === null ? "a signal" : `exit code ${code}`} before the run finished`);
  const result: RunResult = {
    iterations: data.config.iterations,
    envSteps: data.config.iterations * data.config.batchSize,
    finalReturn: last?.episodicReturn ?? null,
    worker: workerId,
    seconds: (Date.now() - started) / 1000,
  };
  return result;
}

/** The bundled trainer entry beside the CLI (dist/queue/trainer-process.js). */
function trainerEntry(): string {
  const path = fileURLToPath(new URL("./queue/trainer-process.js", import.meta.url));
  if (!existsSync(path)) throw new Error(`the trainer entry ${path} is missing: build the app (pnpm build)`);
  return path;
}

/** Forwards a child's stdout and stderr line by line (tfjs notices, warnings) with the job's id. */
function forwardLines(child: ChildProcess, write: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) write(line);
    });
  }
}
