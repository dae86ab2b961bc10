import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { StateError } from "@rl3/core";
import { MetricsLog, RUN_FILES, writeAtomic } from "../run-dir.js";
import type { RunJobData } from "./run-job.js";
import type { RunArtifacts } from "./run-store.js";

/**
 * Writes a run finished on the queue into its run directory exactly as a local `rl3 train` would have: the same
 * config.json, metrics.csv and metrics.jsonl (through the same MetricsLog), checkpoint and policy.onnx. The policy
 * goes last, so an interrupted download never looks like a finished run.
 */
export function writeQueuedRun(directory: string, data: Pick<RunJobData, "preset" | "scale" | "config" | "label">, artifacts: RunArtifacts): void {
  const iterations = artifacts.metrics.map((row) => row.iteration);
  const expected = Array.from({ length: data.config.iterations }, (_, index) => index + 1);
  if (!artifacts.policy || !artifacts.checkpoint || JSON.stringify(iterations) !== JSON.stringify(expected)) {
    throw new StateError(
      `run ${data.label} is marked finished on the queue but its stored state is incomplete (policy ${artifacts.policy ? "present" : "missing"}, checkpoint ${artifacts.checkpoint ? "present" : "missing"}, ${iterations.length} of ${expected.length} metrics rows in order: ${JSON.stringify(iterations) === JSON.stringify(expected)}); submit it again`,
    );
  }
  mkdirSync(directory, { recursive: true });
  writeAtomic(join(directory, RUN_FILES.config), `${JSON.stringify({ preset: data.preset, scale: data.scale, config: data.config }, null, 2)}\n`);
  rmSync(join(directory, RUN_FILES.metricsCsv), { force: true });
  rmSync(join(directory, RUN_FILES.metricsJsonl), { force: true });
  const log = new MetricsLog(directory);
  for (const row of artifacts.metrics) log.append(row);
  writeAtomic(join(directory, RUN_FILES.checkpoint), artifacts.checkpoint);
  if (artifacts.bestPolicy) writeAtomic(join(directory, RUN_FILES.bestPolicy), artifacts.bestPolicy);
  writeAtomic(join(directory, RUN_FILES.policy), artifacts.policy);
}
