import { type Command, Option } from "commander";
import { createOutput } from "../output.js";
import { sweepResultsCommand, sweepStatusCommand } from "./sweep.js";
import { workerCommand } from "./worker.js";

const QUEUE_HELP = "Redis of the job queue: redis://[:password@]host[:port][/db] or rediss://… (TLS); the password may come from RL3_QUEUE_PASSWORD";

/** `rl3 worker` and `rl3 sweep status|results`: the machines and commands of a sweep on a Redis queue (docs/scaling-out.md). */
/** The flag parsers of main.ts (flags.ts): every value is checked when the command line is parsed. */
export interface FlagParsers {
  integer: (name: string, min: number, max: number) => (value: string) => number;
  text: (name: string) => (value: string) => string;
  path: (name: string) => (value: string) => string;
  queue: (value: string) => string;
}

/** Limits of the queue commands' numbers: trainer processes of one worker, and a day of silence at most. */
const QUEUE_LIMITS = { concurrency: 256, stalledAfter: 86_400 } as const;

export function registerQueueCommands(program: Command, flags: FlagParsers, setExitCode: (code: number) => void): void {
  program
    .command("worker")
    .description("train runs from a Redis job queue until stopped (SIGINT/SIGTERM: running runs checkpoint and go back to the queue)")
    .requiredOption("--queue <url>", QUEUE_HELP, flags.queue)
    .option("--concurrency <n>", "runs trained at once, each in its own process (one core each)", flags.integer("--concurrency", 1, QUEUE_LIMITS.concurrency), 1)
    .option("--stalled-after <seconds>", "seconds of silence after which this worker's runs go to another worker", flags.integer("--stalled-after", 1, QUEUE_LIMITS.stalledAfter), 30)
    .action(async (options) => {
      setExitCode(await workerCommand({ queue: options.queue, concurrency: options.concurrency, stalledAfter: options.stalledAfter }));
    });

  const sweep = program.command("sweep").description("follow and gather a sweep submitted with rl3 reproduce --queue");
  sweep
    .command("status")
    .description("every run of the sweep(s) on the queue: state, iteration, SPS, ETA, worker")
    .requiredOption("--queue <url>", QUEUE_HELP, flags.queue)
    .option("--sweep <name>", "the sweep (its output directory's name; default: every sweep on the queue)", flags.text("--sweep"))
    .addOption(new Option("--json", "print exactly one JSON object on stdout"))
    .action(async (options) => {
      await sweepStatusCommand({ queue: options.queue, sweep: options.sweep }, createOutput(Boolean(options.json)));
    });
  sweep
    .command("results")
    .description("wait for the sweep's runs, write them into run directories, evaluate and write the results tables")
    .requiredOption("--queue <url>", QUEUE_HELP, flags.queue)
    .option("--sweep <name>", "the sweep (its output directory's name; needed when the queue holds several)", flags.text("--sweep"))
    .option("--out <dir>", "output directory (default: the submitter's)", flags.path("--out"))
    .addOption(new Option("--json", "print exactly one JSON object on stdout"))
    .action(async (options) => {
      await sweepResultsCommand({ queue: options.queue, sweep: options.sweep, out: options.out }, createOutput(Boolean(options.json)));
    });
}

export { QUEUE_HELP };
