import { type Scale, parseTrainConfig } from "@rl3/algorithms";
import { StateError } from "@rl3/core";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { applyOverrides, checkTrainLimits } from "../overrides.js";
import { formatDuration, presetConfig } from "../presets.js";
import { readRunInfo } from "../run-dir.js";
import type { PlannedRun } from "../commands/reproduce.js";
import { checkQueueConnection, connectionLogger, durableConnection } from "./connection.js";
import { type QueueAddress, redact } from "./redis-url.js";
import { writeQueuedRun } from "./run-download.js";
import { KEY_PREFIX, QUEUE_NAME, type RunJobData, type RunProgress, type RunResult, runJobId } from "./run-job.js";
import { RunStore } from "./run-store.js";
import { rl3Versions } from "./version.js";

/** A planned run as a queue job. */
export interface QueuedRun {
  id: string;
  dir: string;
  data: RunJobData;
}

/** A run a submitter waits for: its job id, the directory that receives it, and its label. */
export interface WaitedRun {
  id: string;
  dir: string;
  label: string;
}

/** How often a waiting submitter looks at its jobs, and how often it prints one run's progress. */
const POLL_MS = 1000;
const PRINT_EVERY_MS = 5000;

/**
 * The job of a planned run: a new run gets the config a local `rl3 train --preset … --method … --seed … --scale …
 * --set …` would build; a run started locally and left unfinished keeps the config of its config.json.
 */
export function plannedJob(run: PlannedRun, scale: Scale, set: readonly string[], versions = rl3Versions()): QueuedRun {
  let data: RunJobData;
  if (run.state.state === "new") {
    const overridden = applyOverrides({ ...presetConfig(run.preset, run.method as never, scale), seed: run.seed }, set);
    checkTrainLimits(overridden);
    const config = parseTrainConfig(overridden);
    data = { kind: "rl3-train", versions, label: run.label, preset: run.preset.name, scale, config };
  } else {
    const info = readRunInfo(run.dir);
    data = { kind: "rl3-train", versions, label: run.label, preset: info.preset ?? run.preset.name, scale: info.scale ?? scale, config: parseTrainConfig(info.config) };
  }
  return { id: runJobId(data), dir: run.dir, data };
}

/** Open connections to the queue: BullMQ's Queue for jobs, a plain client for the run store. */
export class QueueClient {
  readonly queue: Queue<RunJobData, RunResult>;
  readonly redis: Redis;

  private constructor(readonly address: QueueAddress, log: (line: string) => void) {
    const logError = connectionLogger(address, log);
    this.queue = new Queue<RunJobData, RunResult>(QUEUE_NAME, { connection: durableConnection(address), prefix: KEY_PREFIX });
    this.queue.on("error", logError);
    this.redis = new Redis(durableConnection(address));
    this.redis.on("error", logError);
  }

  /** Checks the address and credentials first (a clear error within seconds), then connects for good. */
  static async open(address: QueueAddress, log: (line: string) => void): Promise<QueueClient> {
    await checkQueueConnection(address);
    return new QueueClient(address, log);
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}

export type SubmitStatus = "queued" | "requeued after failing" | "finished on the queue" | "already on the queue";

/**
 * Adds the jobs; the job id is a hash of the run, so a job already on the queue (waiting, running or finished) is
 * left as it is. A failed job is removed with its stored state and queued again from scratch.
 */
export async function submitRuns(client: QueueClient, runs: QueuedRun[]): Promise<{ id: string; label: string; status: SubmitStatus; before?: string }[]> {
  const statuses = [];
  for (const run of runs) {
    const existing = await client.queue.getJob(run.id);
    const state = existing ? await existing.getState() : undefined;
    let status: SubmitStatus = "queued";
    let before: string | undefined;
    if (existing && state === "failed") {
      before = redact(existing.failedReason ?? "", client.address);
      await existing.remove();
      await new RunStore(client.redis, run.id).remove();
      status = "requeued after failing";
    } else if (existing && state !== "unknown") {
      statuses.push({ id: run.id, label: run.data.label, status: state === "completed" ? ("finished on the queue" as const) : ("already on the queue" as const) });
      continue;
    }
    // Attempts cover errors of a worker's machine; losing a worker (a stall) does not use one up.
    await client.queue.add("train", run.data, { jobId: run.id, attempts: 3, backoff: { type: "fixed", delay: 10_000 }, removeOnComplete: false, removeOnFail: false });
    statuses.push({ id: run.id, label: run.data.label, status, ...(before ? { before } : {}) });
  }
  return statuses;
}

/** One run's place on the queue, for `sweep status` and the waiting submitter. */
export interface RunStatus {
  id: string;
  label: string;
  state: string;
  progress: RunProgress | undefined;
  result: RunResult | undefined;
  failedReason: string | undefined;
}

export async function runStatus(client: QueueClient, id: string, label: string): Promise<RunStatus> {
  const job = await client.queue.getJob(id);
  if (!job) return { id, label, state: "absent", progress: undefined, result: undefined, failedReason: undefined };
  const state = await job.getState();
  const progress = typeof job.progress === "object" && job.progress !== null ? (job.progress as unknown as RunProgress) : undefined;
  return { id, label, state, progress, result: job.returnvalue ?? undefined, failedReason: job.failedReason ? redact(job.failedReason, client.address) : undefined };
}

/** "iteration 12/30 | 3500 SPS | ETA 4 s | worker host:123 (resumed at 6)" */
export function describeProgress(progress: RunProgress | undefined): string {
  if (!progress) return "";
  const parts = [`iteration ${progress.iteration}/${progress.iterations}`];
  if (progress.sps > 0) parts.push(`${Math.round(progress.sps)} SPS`);
  if (progress.etaSeconds !== null && progress.iteration < progress.iterations) parts.push(`ETA ${formatDuration(progress.etaSeconds)}`);
  parts.push(`worker ${progress.worker}${progress.resumedFrom > 0 ? ` (resumed at ${progress.resumedFrom})` : ""}`);
  return parts.join(" | ");
}

/**
 * Waits until every run has finished on the queue, printing each run's progress (iteration, SPS, ETA, worker) on
 * stderr, and writes each finished run into its directory as soon as it is done. Throws after the others are done
 * if some failed, naming them and why.
 */
export async function waitForRuns(client: QueueClient, runs: WaitedRun[], log: (line: string) => void): Promise<void> {
  const pending = new Map(runs.map((run) => [run.id, run]));
  const printed = new Map<string, { at: number; text: string }>();
  const failures: string[] = [];
  while (pending.size > 0) {
    for (const run of [...pending.values()]) {
      const status = await runStatus(client, run.id, run.label);
      if (status.state === "completed") {
        // The job's own data is what the worker trained (validated there); write exactly that config.
        const job = await client.queue.getJob(run.id);
        writeQueuedRun(run.dir, job!.data, await new RunStore(client.redis, run.id).artifacts());
        log(`[${run.label}] finished on worker ${status.result?.worker ?? "?"} in ${formatDuration(status.result?.seconds ?? 0)}; written to ${run.dir}`);
        pending.delete(run.id);
      } else if (status.state === "failed") {
        failures.push(`${run.label} (job ${run.id}): ${status.failedReason ?? "no reason given"}`);
        log(`[${run.label}] failed: ${status.failedReason ?? "no reason given"}`);
        pending.delete(run.id);
      } else if (status.state === "absent") {
        throw new StateError(`run ${run.label} (job ${run.id}) is not on the queue ${client.address.display}: submit the sweep with rl3 reproduce … --queue`);
      } else {
        const text = status.state === "active" ? describeProgress(status.progress) || "starting" : status.state;
        const previous = printed.get(run.id);
        const now = Date.now();
        const changedWorker = previous !== undefined && status.progress !== undefined && !previous.text.includes(status.progress.worker);
        if (!previous || (text !== previous.text && (now - previous.at >= PRINT_EVERY_MS || changedWorker || !previous.text.startsWith("iteration")))) {
          log(`[${run.label}] ${text}`);
          printed.set(run.id, { at: now, text });
        }
      }
    }
    if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (failures.length > 0) {
    throw new StateError(`${failures.length} run(s) failed on the queue:\n  ${failures.join("\n  ")}\nfix the cause and submit the sweep again (failed runs are queued afresh; finished ones are kept)`);
  }
}
