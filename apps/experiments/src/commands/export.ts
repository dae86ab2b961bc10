import { join, resolve } from "node:path";
import { FileFormatError } from "@rl3/core";
import { existsSync } from "node:fs";
import { initBackend } from "@rl3/models";
import { requireOutputDirectory } from "../flags.js";
import type { Output } from "../output.js";
import { RUN_FILES, readRunInfo, writeAtomic } from "../run-dir.js";
import { resumeTrainer } from "../runs/checkpoint-file.js";
import { ENGINES } from "../runs/engines.js";

export async function exportCommand(options: { run: string; out?: string; graph: "step" | "sequence" }, output: Output): Promise<{ policy: string; bytes: number; graph: string }> {
  if (options.out !== undefined) requireOutputDirectory("--out", options.out);
  const runDir = resolve(options.run);
  const info = readRunInfo(runDir);
  const checkpoint = join(runDir, RUN_FILES.checkpoint);
  if (!existsSync(checkpoint)) throw new FileFormatError("has no checkpoint to export yet", { path: runDir });
  await initBackend("auto");
  const trainer = await resumeTrainer(checkpoint, info.config, { engines: ENGINES });
  const bytes = trainer.exportPolicy(options.graph);
  const target = resolve(options.out ?? join(runDir, options.graph === "step" ? RUN_FILES.policy : "policy-sequence.onnx"));
  writeAtomic(target, bytes);
  trainer.dispose();
  const summary = { policy: target, bytes: bytes.length, graph: options.graph };
  output.result(summary, () => `wrote ${target} (${(bytes.length / 1024).toFixed(0)} KiB, ${options.graph} graph)`);
  return summary;
}
