import { basename, join, resolve } from "node:path";
import type { BaselineName, Scale } from "@rl3/algorithms";
import { ConfigError } from "@rl3/core";
import { type ReproduceOptions, presetsByName, reproduce } from "../commands/reproduce.js";
import { type Output, markdownTable } from "../output.js";
import { formatDuration } from "../presets.js";
import { runState } from "../run-dir.js";
import { parseQueueUrl } from "./redis-url.js";
import { KEY_PREFIX } from "./run-job.js";
import type { PlannedRun } from "../commands/reproduce.js";
import { QueueClient, type QueuedRun, type RunStatus, describeProgress, plannedJob, runStatus, submitRuns, waitForRuns } from "./submit.js";

/** What `rl3 sweep status|results` need to find a submitted sweep again, from any machine (kept in Redis). */
export interface SweepRecord {
  name: string;
  submitted: string;
  outDir: string;
  presets: string[];
  methods: string[];
  seeds: number[];
  scale: Scale;
  episodes: number;
  resamples?: number;
  baselines: BaselineName[];
  set: string[];
  title: string;
  runs: { id: string; label: string; dir: string }[];
}

const sweepKey = (name: string) => `${KEY_PREFIX}:sweep:${name}`;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The runs of a sweep in `reproduce`'s order (seed-major) with their local directory's state. */
function planRuns(options: ReproduceOptions): PlannedRun[] {
  const outDir = resolve(options.outDir);
  return options.presets.flatMap((preset) =>
    options.seeds.flatMap((seed) =>
      options.methods.map((method) => {
        const dir = join(outDir, `${preset.name}-${method}-s${seed}`);
        return { label: `${preset.name} ${method} s${seed}`, preset, method, seed, dir, state: runState(dir, { preset: preset.name, scale: options.scale, method, seed }) };
      }),
    ),
  );
}

function sweepRecord(options: ReproduceOptions, jobs: QueuedRun[]): SweepRecord {
  return {
    name: basename(resolve(options.outDir)),
    submitted: new Date().toISOString(),
    outDir: resolve(options.outDir),
    presets: options.presets.map((preset) => preset.name),
    methods: options.methods,
    seeds: options.seeds,
    scale: options.scale,
    episodes: options.episodes,
    ...(options.resamples !== undefined ? { resamples: options.resamples } : {}),
    baselines: options.baselines,
    set: options.set ?? [],
    title: options.title,
    runs: jobs.map((job) => ({ id: job.id, label: job.data.label, dir: job.dir })),
  };
}

/**
 * `rl3 reproduce … --queue URL [--detach]`: one job per run not yet finished in the output directory. Without
 * --detach it waits, printing progress, then evaluates and writes the tables exactly like the local mode; with
 * --detach it returns once the jobs are queued (`rl3 sweep status|results` take it from there).
 */
export async function reproduceOnQueue(options: ReproduceOptions, queue: { url: string; detach: boolean }, output: Output): Promise<void> {
  const address = parseQueueUrl(queue.url);
  const client = await QueueClient.open(address, log);
  try {
    const planned = planRuns(options);
    const jobs = planned.map((run) => plannedJob(run, options.scale, options.set ?? []));
    const record = sweepRecord(options, jobs);
    await client.redis.set(sweepKey(record.name), JSON.stringify(record));
    if (queue.detach) {
      const toSubmit = jobs.filter((_, index) => planned[index]!.state.state !== "finished");
      const statuses = await submitRuns(client, toSubmit);
      const finishedHere = planned.filter((run) => run.state.state === "finished").map((run) => ({ id: jobs[planned.indexOf(run)]!.id, label: run.label, status: "finished in the output directory" }));
      const runs = [...statuses, ...finishedHere];
      output.result({ sweep: record.name, queue: address.display, outDir: record.outDir, runs }, () =>
        [
          markdownTable(["run", "job", "status"], runs.map((run) => [run.label, run.id, run.status])),
          "",
          `sweep ${record.name} on ${address.display}: follow it with  rl3 sweep status --queue URL --sweep ${record.name}`,
          `gather the results with  rl3 sweep results --queue URL --sweep ${record.name}`,
        ].join("\n"),
      );
      return;
    }
    const jobsByDir = new Map(jobs.map((job) => [job.dir, job]));
    await reproduce(
      {
        ...options,
        trainRuns: async (runs) => {
          const queued = runs.map((run) => jobsByDir.get(run.dir) ?? plannedJob(run, options.scale, options.set ?? []));
          for (const status of await submitRuns(client, queued)) log(`[${status.label}] ${status.status} (job ${status.id})${status.before ? `; it had failed: ${status.before}` : ""}`);
          await waitForRuns(client, queued.map((job) => ({ id: job.id, dir: job.dir, label: job.data.label })), log);
        },
      },
      output,
    );
  } finally {
    await client.close();
  }
}

async function loadSweeps(client: QueueClient, name: string | undefined): Promise<SweepRecord[]> {
  if (name !== undefined) {
    const text = await client.redis.get(sweepKey(name));
    if (text === null) {
      const known = await sweepNames(client);
      throw new ConfigError({ field: "--sweep", value: name, expected: known.length ? `one of the sweeps on this queue: ${known.join(", ")}` : "a submitted sweep (there is none on this queue)" });
    }
    return [JSON.parse(text) as SweepRecord];
  }
  const names = await sweepNames(client);
  return Promise.all(names.map(async (sweep) => JSON.parse((await client.redis.get(sweepKey(sweep)))!) as SweepRecord));
}

async function sweepNames(client: QueueClient): Promise<string[]> {
  const names: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await client.redis.scan(cursor, "MATCH", sweepKey("*"), "COUNT", 200);
    cursor = next;
    names.push(...keys.map((key) => key.slice(sweepKey("").length)));
  } while (cursor !== "0");
  return names.sort();
}

/** `rl3 sweep status`: every run of the sweep(s) on the queue with its state and progress. */
export async function sweepStatusCommand(options: { queue: string; sweep?: string }, output: Output): Promise<void> {
  const address = parseQueueUrl(options.queue);
  const client = await QueueClient.open(address, log);
  try {
    const sweeps = await loadSweeps(client, options.sweep);
    const rows: (RunStatus & { sweep: string })[] = [];
    for (const sweep of sweeps) for (const run of sweep.runs) rows.push({ sweep: sweep.name, ...(await runStatus(client, run.id, run.label)) });
    const counts: Record<string, number> = {};
    for (const row of rows) counts[row.state] = (counts[row.state] ?? 0) + 1;
    output.result({ queue: address.display, sweeps: sweeps.map((sweep) => sweep.name), counts, runs: rows }, () =>
      sweeps.length === 0
        ? `no sweep on ${address.display}`
        : [
            markdownTable(
              ["sweep", "run", "state", "progress"],
              rows.map((row) => [
                row.sweep,
                row.label,
                row.state,
                row.state === "completed" ? `done on ${row.result?.worker ?? "?"} in ${formatDuration(row.result?.seconds ?? 0)}` : row.state === "failed" ? (row.failedReason ?? "") : describeProgress(row.progress),
              ]),
            ),
            "",
            Object.entries(counts)
              .map(([state, count]) => `${count} ${state}`)
              .join(", "),
          ].join("\n"),
    );
  } finally {
    await client.close();
  }
}

/**
 * `rl3 sweep results`: waits for the sweep's runs, writes each into its run directory as a local run would, then
 * evaluates and writes the results tables: `rl3 reproduce` with the submitted options, training nothing itself.
 */
export async function sweepResultsCommand(options: { queue: string; sweep?: string; out?: string }, output: Output): Promise<void> {
  const address = parseQueueUrl(options.queue);
  const client = await QueueClient.open(address, log);
  let record: SweepRecord;
  try {
    const sweeps = await loadSweeps(client, options.sweep);
    if (sweeps.length !== 1) {
      throw new ConfigError({ field: "--sweep", value: options.sweep, expected: sweeps.length ? `one of the sweeps on this queue: ${sweeps.map((sweep) => sweep.name).join(", ")}` : "a submitted sweep (there is none on this queue)" });
    }
    record = sweeps[0]!;
    const reproduceOptions: ReproduceOptions = {
      outDir: options.out ?? record.outDir,
      presets: presetsByName(record.presets),
      methods: record.methods,
      seeds: record.seeds,
      scale: record.scale,
      episodes: record.episodes,
      ...(record.resamples !== undefined ? { resamples: record.resamples } : {}),
      baselines: record.baselines,
      set: record.set,
      title: record.title,
    };
    await reproduce(
      {
        ...reproduceOptions,
        trainRuns: async (runs) => {
          // The submitted job ids (a run the submitter continued from a local directory has that config's id).
          const submitted = new Map(record.runs.map((run) => [run.label, run.id]));
          await waitForRuns(client, runs.map((run) => ({ id: submitted.get(run.label) ?? plannedJob(run, record.scale, record.set).id, dir: run.dir, label: run.label })), log);
        },
      },
      output,
    );
  } finally {
    await client.close();
  }
}
