import { type Command, Option } from "commander";
import { createOutput } from "../output.js";
import { sweepResultsCommand, sweepStatusCommand } from "./sweep.js";
import { workerCommand } from "./worker.js";

const QUEUE_HELP = "Redis of the job queue: redis://[:password@]host[:port][/db] or rediss://… (TLS); the password may come from RL3_QUEUE_PASSWORD";

/** `rl3 worker` and `rl3 sweep status|results`: the machines and commands of a sweep on a Redis queue (docs/scaling-out.md). */
export function registerQueueCommands(program: Command, integer: (name: string, min?: number) => (value: string) => number): void {
  program
    .command("worker")
    .description("train runs from a Redis job queue until stopped (SIGINT/SIGTERM: running runs checkpoint and go back to the queue)")
    .requiredOption("--queue <url>", QUEUE_HELP)
    .option("--concurrency <n>", "runs trained at once, each in its own process (one core each)", integer("--concurrency", 1), 1)
    .option("--stalled-after <seconds>", "seconds of silence after which this worker's runs go to another worker", integer("--stalled-after", 1), 30)
    .action(async (options) => {
      process.exitCode = await workerCommand({ queue: options.queue, concurrency: options.concurrency, stalledAfter: options.stalledAfter });
    });

  const sweep = program.command("sweep").description("follow and gather a sweep submitted with rl3 reproduce --queue");
  sweep
    .command("status")
    .description("every run of the sweep(s) on the queue: state, iteration, SPS, ETA, worker")
    .requiredOption("--queue <url>", QUEUE_HELP)
    .option("--sweep <name>", "the sweep (its output directory's name; default: every sweep on the queue)")
    .addOption(new Option("--json", "print exactly one JSON object on stdout"))
    .action(async (options) => {
      await sweepStatusCommand({ queue: options.queue, sweep: options.sweep }, createOutput(Boolean(options.json)));
    });
  sweep
    .command("results")
    .description("wait for the sweep's runs, write them into run directories, evaluate and write the results tables")
    .requiredOption("--queue <url>", QUEUE_HELP)
    .option("--sweep <name>", "the sweep (its output directory's name; needed when the queue holds several)")
    .option("--out <dir>", "output directory (default: the submitter's)")
    .addOption(new Option("--json", "print exactly one JSON object on stdout"))
    .action(async (options) => {
      await sweepResultsCommand({ queue: options.queue, sweep: options.sweep, out: options.out }, createOutput(Boolean(options.json)));
    });
}

export { QUEUE_HELP };
