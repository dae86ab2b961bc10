#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { BASELINE_NAMES, DEFAULT_RESAMPLES, ENGINE_NAMES, METHODS, SCALES } from "@rl3/algorithms";
import { TRAINING_DEVICES } from "@rl3/core";
import { BACKEND_NAMES } from "@rl3/models";
import { benchCommand } from "./commands/bench.js";
import { compareCommand } from "./commands/compare.js";
import { presetsByName, reproduce } from "./commands/reproduce.js";
import { demoCommand } from "./commands/demo.js";
import { baselineCommand, evalCommand } from "./commands/evaluate.js";
import { exportCommand } from "./commands/export.js";
import { plotCommand } from "./commands/plot.js";
import { presetsCommand } from "./commands/presets.js";
import { QUEUE_HELP, registerQueueCommands } from "./queue/commands.js";
import { reproduceOnQueue } from "./queue/sweep.js";
import { trainCommand } from "./commands/train.js";
import { zooAddCommand, zooListCommand } from "./commands/zoo.js";
import { version } from "../package.json";
import { UsageError, errorJson, exitCodeOf, requireKnown } from "./errors.js";
import { createOutput } from "./output.js";
import { PRESET_NAMES } from "./presets.js";

function integer(name: string, min = 0) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}; got ${JSON.stringify(value)}`);
    return parsed;
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];
const jsonOption = () => new Option("--json", "print exactly one JSON object on stdout");
const scaleOption = () => new Option("--scale <scale>", "quick (minutes; about an hour for gridworlds), standard (≥ 1% of the paper's env steps) or paper hyperparameters").choices(SCALES).default("quick");

const program = new Command("rl3")
  .description("RL³ meta-reinforcement learning: train, evaluate, export and compare RL² and RL³ policies")
  .version(version, "-V, --version", "print the rl3 version")
  .showSuggestionAfterError(true)
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

program
  .command("presets")
  .description("list the paper's settings with H, model, batch and expected runtime on this machine")
  .addOption(scaleOption())
  .addOption(jsonOption())
  .action((options) => presetsCommand({ scale: options.scale }, createOutput(Boolean(options.json))));

program
  .command("train")
  .description("meta-train a policy with PPO into a run directory")
  .option("--preset <name>", `one of: ${PRESET_NAMES.join(", ")}`)
  .option("--method <method>", `one of: ${METHODS.join(", ")}`)
  // No commander defaults for scale and seed: on --resume "not given" must differ from "given as the default".
  .addOption(new Option("--scale <scale>", "quick (minutes, about an hour for gridworlds; the default), standard (≥ 1% of the paper's env steps) or paper hyperparameters").choices(SCALES))
  .option("--seed <n>", "seed of tasks, weights and sampling (default 0)", integer("--seed"))
  .option("--out <dir>", "run directory (default runs/<preset>-<method>-s<seed>)")
  .option("--set <key=value>", "override a config setting (repeatable), e.g. --set iterations=50", collect, [])
  .option("--resume <dir>", "continue the run in this directory from its checkpoint")
  .addOption(new Option("--backend <name>", "TensorFlow.js backend (tfjs engine and acting)").choices([...BACKEND_NAMES]).default("auto"))
  .addOption(new Option("--engine <name>", "what computes losses and gradients (default onnx; tfjs is the reference)").choices([...ENGINE_NAMES]))
  .addOption(new Option("--device <name>", "where the onnx engine computes (cuda needs onnxruntime-node's CUDA provider)").choices([...TRAINING_DEVICES]))
  .option("--threads <n>", "intra-op threads of the onnx engine", integer("--threads", 1))
  .option("--workers <n>", "worker threads sharing the run, each with a slice of the envs (default: the machine's cores, at most one per env; on --resume the run's own)", integer("--workers", 1))
  .addOption(jsonOption())
  .action(async (options) => {
    if (!options.resume && !options.preset) throw new UsageError("--preset", null, `one of ${PRESET_NAMES.join(", ")} (train needs --preset and --method, or --resume DIR)`);
    if (!options.resume && !options.method) throw new UsageError("--method", null, `one of ${METHODS.join(", ")} (train needs --preset and --method, or --resume DIR)`);
    process.exitCode = await trainCommand({ ...options, set: options.set }, createOutput(Boolean(options.json)));
  });

program
  .command("eval")
  .description("evaluate a policy (.onnx file, run directory or zoo:<preset>/<method>) on fixed test tasks")
  .requiredOption("--policy <file|dir|zoo:name>", "policy.onnx, a run directory, or a zoo policy such as zoo:grid13-350/rl3 (see rl3 zoo)")
  .option("--tasks <family>", "test task family (default: the training family)")
  .option("--episodes <n>", "number of test tasks", integer("--episodes", 1), 1000)
  .option("--horizon <n>", "meta-episode budget H (default: the training H)", integer("--horizon", 1))
  .option("--seed <n>", "test-task seed", integer("--seed"))
  .addOption(jsonOption())
  .action(async (options) => {
    await evalCommand(options, createOutput(Boolean(options.json)));
  });

program
  .command("export")
  .description("export a run's actor to a self-describing ONNX policy")
  .requiredOption("--run <dir>", "run directory")
  .option("--out <file>", "output file (default <run>/policy.onnx)")
  .addOption(new Option("--graph <kind>", "step (acting) or sequence (batch evaluation)").choices(["step", "sequence"]).default("step"))
  .addOption(jsonOption())
  .action(async (options) => {
    await exportCommand(options, createOutput(Boolean(options.json)));
  });

program
  .command("baseline")
  .description(`evaluate a baseline agent (${BASELINE_NAMES.join(", ")})`)
  .requiredOption("--agent <name>", BASELINE_NAMES.join(", "))
  .requiredOption("--tasks <family>", "test task family")
  .requiredOption("--horizon <n>", "meta-episode budget H", integer("--horizon", 1))
  .option("--episodes <n>", "number of test tasks", integer("--episodes", 1), 1000)
  .addOption(jsonOption())
  .action(async (options) => {
    await baselineCommand(options, createOutput(Boolean(options.json)));
  });

program
  .command("plot")
  .description("learning curves (and evaluation bars where eval.json exists) as SVG and PNG")
  .requiredOption("--runs <dirs...>", "run directories")
  .requiredOption("--out <file>", "output path without extension (or .svg/.png)")
  .addOption(jsonOption())
  .action(async (options) => {
    await plotCommand({ runs: options.runs, out: options.out }, createOutput(Boolean(options.json)));
  });

program
  .command("reproduce")
  .description("train and evaluate presets × methods × seeds; write a results table (markdown and JSON)")
  .addOption(new Option("--suite <suite>", "quick, standard or paper (re-running continues unfinished runs and skips finished ones)").choices(SCALES).default("quick"))
  .option("--presets <names>", "comma-separated presets (default: bandits-100,mdps-100)", "bandits-100,mdps-100")
  .option("--methods <names>", "comma-separated methods", "rl2,rl3")
  .option("--seeds <n>", "seeds per method", integer("--seeds", 1), 1)
  .option("--episodes <n>", "test tasks per family", integer("--episodes", 2), 1000)
  .option("--resamples <n>", "bootstrap resamples behind every interval", integer("--resamples", 100), DEFAULT_RESAMPLES)
  .option("--set <key=value>", "override a config setting of every new run (repeatable)", collect, [])
  .option("--out <dir>", "output directory (default runs/reproduce-<suite>); re-running continues its unfinished runs")
  .option("--queue <url>", `train on the workers of a job queue (rl3 worker) instead of here; ${QUEUE_HELP}`)
  .option("--detach", "with --queue: return once the runs are queued (rl3 sweep status|results follow them)")
  .addOption(jsonOption())
  .action(async (options) => {
    const presets = String(options.presets).split(",").map((name) => requireKnown("preset", name.trim(), PRESET_NAMES));
    const methods = String(options.methods).split(",").map((name) => requireKnown("method", name.trim(), METHODS));
    if (options.detach && !options.queue) throw new UsageError("--detach", true, "used together with --queue URL");
    const run = options.queue
      ? (reproduceOptions: Parameters<typeof reproduce>[0], output: Parameters<typeof reproduce>[1]) => reproduceOnQueue(reproduceOptions, { url: options.queue, detach: Boolean(options.detach) }, output)
      : reproduce;
    await run(
      {
        outDir: options.out ?? `runs/reproduce-${options.suite}`,
        presets: presetsByName(presets),
        methods,
        seeds: Array.from({ length: options.seeds }, (_, index) => index + 1),
        scale: options.suite,
        episodes: options.episodes,
        resamples: options.resamples,
        baselines: ["random", "model-based", "oracle"],
        set: options.set,
        title: `rl3 reproduce --suite ${options.suite}`,
      },
      createOutput(Boolean(options.json)),
    );
  });

const zoo = program.command("zoo").description("the trained policies shipped in @rl3/zoo (use one with  rl3 eval --policy zoo:<name>)");
zoo
  .command("list", { isDefault: true })
  .description("list the zoo's policies, their budgets and scores")
  .addOption(jsonOption())
  .action((options) => {
    zooListCommand(createOutput(Boolean(options.json)));
  });
zoo
  .command("add")
  .description("put the seed whose greedy policy scores best on 64 validation tasks (never the test tasks) of finished runs of one preset × method into a zoo package")
  .requiredOption("--runs <dirs...>", "run directories: the seeds of one preset × method, evaluated on every test family of the preset")
  .requiredOption("--command <text>", "the command that trained them, recorded with the entry")
  .option("--zoo <dir>", "the zoo package directory (holds zoo.json)", "packages/zoo")
  .addOption(jsonOption())
  .action(async (options) => {
    await zooAddCommand({ runs: options.runs, command: options.command, zoo: options.zoo }, createOutput(Boolean(options.json)));
  });

program
  .command("compare")
  .description("across-seed and paired statistics of evaluated runs (reads their eval.json; trains nothing)")
  .requiredOption("--runs <dirs...>", "run directories of one training family and horizon (methods × seeds)")
  .option("--resamples <n>", "bootstrap resamples behind every interval", integer("--resamples", 100), DEFAULT_RESAMPLES)
  .option("--bootstrap-seed <n>", "seed of the bootstrap (the same inputs and seed give the same intervals)", integer("--bootstrap-seed"), 0)
  .option("--out <file>", "also plot the aggregates with their intervals (SVG and PNG)")
  .addOption(jsonOption())
  .action(async (options) => {
    await compareCommand({ runs: options.runs, resamples: options.resamples, bootstrapSeed: options.bootstrapSeed, out: options.out }, createOutput(Boolean(options.json)));
  });

program
  .command("bench")
  .description("run every package's benchmark and print one table")
  .addOption(jsonOption())
  .action((options) => {
    benchCommand(createOutput(Boolean(options.json)));
  });

program
  .command("demo")
  .description("train RL² and RL³ on a quick preset, evaluate through ONNX with baselines, write a report")
  .option("--out <dir>", "output directory (default runs/demo-<time>)")
  .option("--iterations <n>", "PPO iterations per method", integer("--iterations", 1))
  .addOption(jsonOption())
  .action(async (options) => {
    await demoCommand(options, createOutput(Boolean(options.json)));
  });

registerQueueCommands(program, integer);

// Under --json a failure is still exactly one JSON object on stdout; the readable message goes to stderr as always.
const jsonRequested = process.argv.slice(2).includes("--json");
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const exitCode = exitCodeOf(error);
  // Commander already printed its message (with a "Did you mean …?" suggestion where it has one); help and
  // --version end with exit code 0 and are not failures.
  if (!(error instanceof CommanderError)) process.stderr.write(`rl3: ${(error as Error).message}\n`);
  if (jsonRequested && exitCode !== 0) process.stdout.write(`${JSON.stringify({ error: errorJson(error) })}\n`);
  process.exitCode = exitCode;
}
