import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { METHODS, type Method, PpoTrainer, type Scale, type TrainConfig, parseTrainConfig } from "@rl3/algorithms";
import { ConfigError, FileFormatError } from "@rl3/core";
import { type BackendName, initBackend } from "@rl3/models";
import { requireKnown } from "../errors.js";
import type { Output } from "../output.js";
import { applyOverrides, checkTrainLimits } from "../overrides.js";
import { PRESETS, PRESET_NAMES, presetConfig } from "../presets.js";
import { resumeTrainer } from "../runs/checkpoint-file.js";
import { runTraining, trainerOptions } from "../runs/run-training.js";
import { Progress } from "../progress.js";
import { MetricsLog, RUN_FILES, type RunInfo, createRunDir, readMetrics, readRunInfo, writeAtomic, writeRunInfo } from "../run-dir.js";

export interface TrainOptions {
  preset?: string;
  method?: string;
  /** Default quick; undefined means "not given", which matters on resume (the run's own scale holds). */
  scale?: Scale;
  seed?: number;
  out?: string;
  set: string[];
  resume?: string;
  backend: BackendName;
  /** Explicit engine flags; they win over the preset and `--set`, and may change on resume. */
  engine?: string;
  device?: string;
  threads?: number;
  /** Worker threads of the run (`--workers`); default for a new run: the machine's cores, at most one per env. */
  workers?: number;
  quiet?: boolean;
}

/** `--engine`, `--device`, `--threads`, `--workers` as config fields (only those given). */
function engineSettings(options: TrainOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries({ engine: options.engine, device: options.device, threads: options.threads, workers: options.workers }).filter(([, value]) => value !== undefined));
}

/** A new run's workers when `--workers` is not given: every core, at most one per env (`TrainConfig.workers`). */
function defaultWorkers(config: TrainConfig): number {
  return Math.max(1, Math.min(availableParallelism(), config.batchSize / config.horizon));
}


/**
 * On `--resume` the run's own preset, method, scale and seed hold. A flag that names a different one is an error:
 * ignoring it would train something other than what the command line says.
 */
function checkResumeFlags(options: TrainOptions, info: RunInfo, runDir: string): void {
  const flags: [string, unknown, unknown][] = [
    ["--preset", options.preset, info.preset],
    ["--method", options.method, info.config.method],
    ["--scale", options.scale, info.scale],
    ["--seed", options.seed, info.config.seed],
  ];
  for (const [field, given, stored] of flags) {
    if (given === undefined || given === stored) continue;
    throw new ConfigError({
      field,
      value: given,
      expected: `${JSON.stringify(stored ?? null)}, what the run in ${runDir} has (omit ${field} when resuming, or start a new run with another --out)`,
    });
  }
}

export interface TrainSummary {
  runDir: string;
  method: string;
  family: string;
  horizon: number;
  iterations: number;
  envSteps: number;
  finalReturn: number | null;
  seconds: number;
  policy: string;
  /** With `validateEvery`: the best greedy validation return, its iteration and best-policy.onnx. */
  best?: { iteration: number; validationReturn: number; policy: string };
  interrupted: boolean;
}

/** Exit code of a run stopped by SIGINT after writing its checkpoint (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;

export async function trainCommand(options: TrainOptions, output: Output): Promise<number> {
  let runDir: string;
  let trainer: PpoTrainer;
  const started = Date.now();
  if (options.resume) {
    runDir = resolve(options.resume);
    const info = readRunInfo(runDir);
    checkResumeFlags(options, info, runDir);
    const config = { ...(applyOverrides(info.config, options.set) as TrainConfig), ...engineSettings(options) } as TrainConfig;
    checkTrainLimits(config);
    const checkpoint = join(runDir, RUN_FILES.checkpoint);
    const hasCheckpoint = existsSync(checkpoint);
    // Without a checkpoint the run could only start again at iteration 0, and the metrics rows already written
    // would be dropped: refused, with nothing touched. A run killed before it wrote any row has nothing to lose.
    const written = hasCheckpoint ? 0 : readMetrics(runDir).length;
    if (written > 0) {
      throw new FileFormatError(
        `has ${written} metrics row(s) but no ${RUN_FILES.checkpoint} to continue from (deleted, or the run was killed before its first checkpoint); nothing was changed. Start the run again with another --out, or restore the checkpoint`,
        { path: runDir },
      );
    }
    await initBackend(options.backend);
    const threads = trainerOptions(options.backend);
    trainer = threads.bind(hasCheckpoint ? await resumeTrainer(checkpoint, config, threads.options) : PpoTrainer.create(config, threads.options));
    // config.json describes the run as it trains now: a resume that changed a resumable setting (iterations,
    // validateEvery, …) records it, so `rl3 reproduce`, `rl3 zoo add` and a later bare --resume see the same run.
    if (JSON.stringify(trainer.config) !== JSON.stringify(info.config)) writeRunInfo(runDir, { ...info, config: trainer.config });
    output.say(hasCheckpoint ? `resuming ${runDir} at iteration ${trainer.iteration} of ${trainer.config.iterations}` : `${runDir} has no ${RUN_FILES.checkpoint} and no metrics rows yet: starting it at iteration 0`);
  } else {
    const presetName = requireKnown("preset", options.preset ?? "", PRESET_NAMES);
    const method = requireKnown("method", options.method ?? "", METHODS) as Method;
    const scale = options.scale ?? "quick";
    const preset = PRESETS.find((candidate) => candidate.name === presetName)!;
    const overridden = { ...applyOverrides({ ...presetConfig(preset, method, scale), seed: options.seed ?? 0 }, options.set), ...engineSettings(options) };
    checkTrainLimits(overridden);
    // Presets leave workers out: present here only when --workers or --set workers= gave it.
    const given = parseTrainConfig(overridden);
    const config = "workers" in overridden ? given : parseTrainConfig({ ...given, workers: defaultWorkers(given) });
    runDir = resolve(options.out ?? join("runs", `${preset.name}-${method}-s${config.seed}`));
    await initBackend(options.backend);
    const threads = trainerOptions(options.backend);
    trainer = threads.bind(PpoTrainer.create(config, threads.options));
    createRunDir(runDir, { preset: preset.name, scale, config: trainer.config });
    output.say(`training ${method} on ${preset.name} (${scale}) into ${runDir}`);
  }
  const log = new MetricsLog(runDir, options.resume ? trainer.iteration : undefined);
  const checkpointPath = join(runDir, RUN_FILES.checkpoint);
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const progress = new Progress(`${trainer.config.method} ${trainer.config.family}`, trainer.config.iterations, trainer.iteration, options.quiet);
  try {
    await runTraining(trainer, {
      iteration: (metrics) => {
        log.append(metrics);
        progress.update(metrics);
      },
      bestPolicy: (bytes) => writeAtomic(join(runDir, RUN_FILES.bestPolicy), bytes),
      checkpoint: (bytes) => writeAtomic(checkpointPath, bytes),
      stopRequested: () => interrupted,
    });
    writeAtomic(join(runDir, RUN_FILES.policy), trainer.exportPolicy("step"));
  } finally {
    progress.stop();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const metrics = readMetrics(runDir);
  const summary: TrainSummary = {
    runDir,
    method: trainer.config.method,
    family: trainer.config.family,
    horizon: trainer.config.horizon,
    iterations: trainer.iteration,
    envSteps: trainer.iteration * trainer.config.batchSize,
    finalReturn: metrics.at(-1)?.["charts/episodic_return"] ?? null,
    seconds: (Date.now() - started) / 1000,
    policy: join(runDir, RUN_FILES.policy),
    interrupted,
  };
  const best = trainer.bestValidation;
  if (best) summary.best = { iteration: best.iteration, validationReturn: best.mean, policy: join(runDir, RUN_FILES.bestPolicy) };
  output.result(summary, () =>
    interrupted
      ? `interrupted at iteration ${summary.iterations}: checkpoint written; continue with  rl3 train --resume ${runDir}`
      : `done: ${summary.iterations} iterations, ${summary.envSteps} env steps in ${summary.seconds.toFixed(0)} s; policy ${summary.policy}${
          summary.best ? `; best greedy validation return ${summary.best.validationReturn.toFixed(1)} at iteration ${summary.best.iteration}: ${summary.best.policy}` : ""
        }`,
  );
  await trainer.dispose();
  return interrupted ? INTERRUPTED_EXIT_CODE : 0;
}
