import { resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import { BASELINE_NAMES, DEFAULT_RESAMPLES, ENGINE_NAMES, METHODS, SCALES } from "@rl3/algorithms";
import { BACKEND_NAMES } from "@rl3/models";
import { TRAINING_DEVICES, UnknownNameError } from "@rl3/core";
import { TASK_FAMILY_NAMES } from "@rl3/envs";
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
import { CLI_LIMITS, integerFlag, pathFlag, pathsFlag, textFlag } from "./flags.js";
import { overrideKeyPath } from "./overrides.js";
import { parseQueueUrl } from "./queue/redis-url.js";

/** `--set key=value`, collected; the form and the key's segments are checked at once (the schema checks the rest). */
const collectSet = (value: string, previous: string[]) => {
  const separator = value.indexOf("=");
  if (separator <= 0) throw new UsageError("--set", value, "key=value, e.g. --set iterations=50");
  overrideKeyPath(value.slice(0, separator), value);
  return [...previous, value];
};
const jsonOption = () => new Option("--json", "print exactly one JSON object on stdout");
const scaleOption = () => new Option("--scale <scale>", "quick (minutes; about an hour for gridworlds), standard (≥ 1% of the paper's env steps) or paper hyperparameters").choices(SCALES).default("quick");
/** A name flag checked against its known names when parsed: an unknown one is an error with the closest name. */
const known = (kind: string, names: readonly string[]) => (value: string) => requireKnown(kind, value, names);
/** A comma-separated list of known names (`--presets a,b`): no empty entries, no repeats. */
const knownList = (flag: string, kind: string, names: readonly string[]) => (value: string) => {
  const entries = value.split(",").map((name) => requireKnown(kind, name.trim(), names));
  const repeated = entries.find((name, index) => entries.indexOf(name) !== index);
  if (repeated !== undefined) throw new UsageError(flag, value, `comma-separated ${kind}s, each once (${repeated} is repeated)`);
  return entries;
};
/** `--queue URL`, checked when parsed (the URL's form only; nothing is connected). */
const queueUrl = (value: string) => {
  parseQueueUrl(value);
  return value;
};
const seed = (flag: string) => integerFlag(flag, 0, CLI_LIMITS.seed);
const episodes = (min: number) => integerFlag("--episodes", min, CLI_LIMITS.episodes);
const horizon = () => integerFlag("--horizon", 1, CLI_LIMITS.horizon);
const resamples = () => integerFlag("--resamples", 100, CLI_LIMITS.resamples);

/**
 * The `rl3` command line, built afresh for every `main` call (commander keeps parsed values on its commands).
 * Every flag's value is checked by its parser, before any command runs: type, integer-ness, range and limits
 * (`CLI_LIMITS`), known names, non-empty paths. `setExitCode` receives a command's own exit code (train, worker).
 */
function createProgram(setExitCode: (code: number) => void): Command {
  const program = new Command("rl3")
    .description("RL³ meta-reinforcement learning: train, evaluate, export and compare RL² and RL³ policies")
    .version(version, "-V, --version", "print the rl3 version")
    .showSuggestionAfterError(true)
    .exitOverride()
    // One line per error: commander puts its "(Did you mean …?)" on a line of its own.
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text), outputError: (text, write) => write(`${oneLine(text)}\n`) });

  program
    .command("presets")
    .description("list the paper's settings with H, model, batch and expected runtime on this machine")
    .addOption(scaleOption())
    .addOption(jsonOption())
    .action((options) => presetsCommand({ scale: options.scale }, createOutput(Boolean(options.json))));

  program
    .command("train")
    .description("meta-train a policy with PPO into a run directory")
    .option("--preset <name>", `one of: ${PRESET_NAMES.join(", ")}`, known("preset", PRESET_NAMES))
    .option("--method <method>", `one of: ${METHODS.join(", ")}`, known("method", METHODS))
    // No commander defaults for scale and seed: on --resume "not given" must differ from "given as the default".
    .addOption(new Option("--scale <scale>", "quick (minutes, about an hour for gridworlds; the default), standard (≥ 1% of the paper's env steps) or paper hyperparameters").choices(SCALES))
    .option("--seed <n>", "seed of tasks, weights and sampling (default 0)", seed("--seed"))
    .option("--out <dir>", "run directory (default runs/<preset>-<method>-s<seed>)", pathFlag("--out"))
    .option("--set <key=value>", "override a config setting (repeatable), e.g. --set iterations=50", collectSet, [])
    .option("--resume <dir>", "continue the run in this directory from its checkpoint", pathFlag("--resume"))
    .addOption(new Option("--backend <name>", "TensorFlow.js backend (tfjs engine and acting)").choices([...BACKEND_NAMES]).default("auto"))
    .addOption(new Option("--engine <name>", "what computes losses and gradients (default onnx; tfjs is the reference)").choices([...ENGINE_NAMES]))
    .addOption(new Option("--device <name>", "where the onnx engine computes (cuda needs onnxruntime-node's CUDA provider)").choices([...TRAINING_DEVICES]))
    .option("--threads <n>", "intra-op threads of the onnx engine", integerFlag("--threads", 1, CLI_LIMITS.threads))
    .option("--workers <n>", "worker threads sharing the run, each with a slice of the envs (default: the machine's cores, at most one per env; on --resume the run's own)", integerFlag("--workers", 1, CLI_LIMITS.workers))
    .addOption(jsonOption())
    .action(async (options) => {
      if (!options.resume && !options.preset) throw new UsageError("--preset", null, `one of ${PRESET_NAMES.join(", ")} (train needs --preset and --method, or --resume DIR)`);
      if (!options.resume && !options.method) throw new UsageError("--method", null, `one of ${METHODS.join(", ")} (train needs --preset and --method, or --resume DIR)`);
      // --out used to be ignored on --resume; naming another directory than the run's is a mistake, not a copy.
      if (options.resume && options.out !== undefined && resolve(options.out) !== resolve(options.resume)) throw new UsageError("--out", options.out, `left out with --resume (the run stays in ${options.resume})`);
      setExitCode(await trainCommand({ ...options, set: options.set }, createOutput(Boolean(options.json))));
    });

  program
    .command("eval")
    .description("evaluate a policy (.onnx file, run directory or zoo:<preset>/<method>) on fixed test tasks")
    .requiredOption("--policy <file|dir|zoo:name>", "policy.onnx, a run directory, or a zoo policy such as zoo:grid13-350/rl3 (see rl3 zoo)", pathFlag("--policy"))
    .option("--tasks <family>", "test task family (default: the training family)", known("task family", TASK_FAMILY_NAMES))
    .option("--episodes <n>", `number of test tasks (at most ${CLI_LIMITS.episodes})`, episodes(1), 1000)
    .option("--horizon <n>", "meta-episode budget H (default: the training H; a transformer policy reaches at most its training H)", horizon())
    .option("--seed <n>", "test-task seed", seed("--seed"))
    .addOption(jsonOption())
    .action(async (options) => {
      await evalCommand(options, createOutput(Boolean(options.json)));
    });

  program
    .command("export")
    .description("export a run's actor to a self-describing ONNX policy")
    .requiredOption("--run <dir>", "run directory", pathFlag("--run"))
    .option("--out <file>", "output file (default <run>/policy.onnx)", pathFlag("--out"))
    .addOption(new Option("--graph <kind>", "step (acting) or sequence (batch evaluation)").choices(["step", "sequence"]).default("step"))
    .addOption(jsonOption())
    .action(async (options) => {
      await exportCommand(options, createOutput(Boolean(options.json)));
    });

  program
    .command("baseline")
    .description(`evaluate a baseline agent (${BASELINE_NAMES.join(", ")})`)
    .requiredOption("--agent <name>", BASELINE_NAMES.join(", "), known("agent", BASELINE_NAMES))
    .requiredOption("--tasks <family>", "test task family", known("task family", TASK_FAMILY_NAMES))
    .requiredOption("--horizon <n>", `meta-episode budget H (at most ${CLI_LIMITS.horizon})`, horizon())
    .option("--episodes <n>", `number of test tasks (at most ${CLI_LIMITS.episodes})`, episodes(1), 1000)
    .addOption(jsonOption())
    .action(async (options) => {
      await baselineCommand(options, createOutput(Boolean(options.json)));
    });

  program
    .command("plot")
    .description("learning curves (and evaluation bars where eval.json exists) as SVG and PNG")
    .requiredOption("--runs <dirs...>", "run directories (each once)", pathsFlag("--runs"))
    .requiredOption("--out <file>", "output path without extension (or .svg/.png)", pathFlag("--out"))
    .addOption(jsonOption())
    .action(async (options) => {
      await plotCommand({ runs: options.runs, out: options.out }, createOutput(Boolean(options.json)));
    });

  program
    .command("reproduce")
    .description("train and evaluate presets × methods × seeds; write a results table (markdown and JSON)")
    .addOption(new Option("--suite <suite>", "quick, standard or paper (re-running continues unfinished runs and skips finished ones)").choices(SCALES).default("quick"))
    .option("--presets <names>", "comma-separated presets (default: bandits-100,mdps-100)", knownList("--presets", "preset", PRESET_NAMES), ["bandits-100", "mdps-100"])
    .option("--methods <names>", "comma-separated methods (default: rl2,rl3)", knownList("--methods", "method", METHODS), ["rl2", "rl3"])
    .option("--seeds <n>", `seeds per method (at most ${CLI_LIMITS.seeds})`, integerFlag("--seeds", 1, CLI_LIMITS.seeds), 1)
    .option("--episodes <n>", `test tasks per family (at most ${CLI_LIMITS.episodes})`, episodes(2), 1000)
    .option("--resamples <n>", `bootstrap resamples behind every interval (at most ${CLI_LIMITS.resamples})`, resamples(), DEFAULT_RESAMPLES)
    .option("--set <key=value>", "override a config setting of every new run (repeatable)", collectSet, [])
    .option("--out <dir>", "output directory (default runs/reproduce-<suite>); re-running continues its unfinished runs", pathFlag("--out"))
    .option("--queue <url>", `train on the workers of a job queue (rl3 worker) instead of here; ${QUEUE_HELP}`, queueUrl)
    .option("--detach", "with --queue: return once the runs are queued (rl3 sweep status|results follow them)")
    .addOption(jsonOption())
    .action(async (options) => {
      const presets = options.presets as string[];
      const methods = options.methods as string[];
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
    .requiredOption("--runs <dirs...>", "run directories: the seeds of one preset × method, evaluated on every test family of the preset (each once)", pathsFlag("--runs"))
    .requiredOption("--command <text>", "the command that trained them, recorded with the entry", textFlag("--command"))
    .option("--zoo <dir>", "the zoo package directory (holds zoo.json)", pathFlag("--zoo"), "packages/zoo")
    .addOption(jsonOption())
    .action(async (options) => {
      await zooAddCommand({ runs: options.runs, command: options.command, zoo: options.zoo }, createOutput(Boolean(options.json)));
    });

  program
    .command("compare")
    .description("across-seed and paired statistics of evaluated runs (reads their eval.json; trains nothing)")
    .requiredOption("--runs <dirs...>", "run directories of one training family and horizon (methods × seeds)", pathsFlag("--runs"))
    .option("--resamples <n>", `bootstrap resamples behind every interval (at most ${CLI_LIMITS.resamples})`, resamples(), DEFAULT_RESAMPLES)
    .option("--bootstrap-seed <n>", "seed of the bootstrap (the same inputs and seed give the same intervals)", seed("--bootstrap-seed"), 0)
    .option("--out <file>", "also plot the aggregates with their intervals (SVG and PNG)", pathFlag("--out"))
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
    .option("--out <dir>", "output directory (default runs/demo-<time>)", pathFlag("--out"))
    .option("--iterations <n>", `PPO iterations per method (at most ${CLI_LIMITS.iterations})`, integerFlag("--iterations", 1, CLI_LIMITS.iterations))
    .addOption(jsonOption())
    .action(async (options) => {
      await demoCommand(options, createOutput(Boolean(options.json)));
    });

  registerQueueCommands(program, { integer: integerFlag, text: textFlag, path: pathFlag, queue: queueUrl }, setExitCode);
  return program;
}

/** Commander's error text on one line ("error: …\n(Did you mean …?)" → "error: … (Did you mean …?)"). */
function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/gu, " ");
}

/**
 * `rl3 help NAME` with a NAME that is no command: commander would print the whole help and never name it. An
 * `UnknownNameError` names it, with the closest command. `rl3 zoo help NAME` is checked the same way.
 */
function checkHelpTopic(program: Command, args: readonly string[]): void {
  let command = program;
  for (let index = 0; index < args.length && !args[index]!.startsWith("-"); index++) {
    const name = args[index]!;
    if (name === "help" && command.commands.length > 0) {
      let topic = command;
      for (const word of args.slice(index + 1)) {
        if (word.startsWith("-")) break;
        const names = topic.commands.map((sub) => sub.name());
        const found = topic.commands.find((sub) => sub.name() === word || sub.aliases().includes(word));
        if (!found) throw new UnknownNameError(topic === program ? "command" : `${topic.name()} command`, word, names);
        topic = found;
      }
      return;
    }
    const found = command.commands.find((sub) => sub.name() === name || sub.aliases().includes(name));
    if (!found) return; // commander reports an unknown command itself
    command = found;
  }
}

/**
 * Runs the CLI on `args` (without node and the script) and returns the exit code. A failure is one line on stderr
 * ("rl3: …", or commander's own) and, under `--json`, exactly one JSON object `{ error }` on stdout. Tests call it
 * in-process; `cli.ts` calls it with `process.argv`.
 */
export async function main(args: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = createProgram((code) => {
    exitCode = code;
  });
  // Under --json a failure is still exactly one JSON object on stdout; the readable message goes to stderr as always.
  const jsonRequested = args.includes("--json");
  try {
    checkHelpTopic(program, args);
    await program.parseAsync([...args], { from: "user" });
    return exitCode;
  } catch (error) {
    const code = exitCodeOf(error);
    // Commander already printed its message (with a "Did you mean …?" suggestion where it has one); help and
    // --version end with exit code 0 and are not failures.
    if (!(error instanceof CommanderError)) process.stderr.write(`rl3: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    if (jsonRequested && code !== 0) process.stdout.write(`${JSON.stringify({ error: errorJson(error) })}\n`);
    return code;
  }
}
