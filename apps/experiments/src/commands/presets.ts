import type { Scale } from "@rl3/algorithms";
import { parseTrainConfig } from "@rl3/algorithms";
import { type Output, markdownTable } from "../output.js";
import { PRESETS, estimatedSeconds, formatDuration, modelLabel, presetConfig } from "../presets.js";

export function presetsCommand(options: { scale: Scale }, output: Output) {
  const rows = PRESETS.map((preset) => {
    const config = parseTrainConfig(presetConfig(preset, "rl3", options.scale));
    return {
      name: preset.name,
      family: preset.family,
      horizon: preset.horizon,
      testFamilies: preset.testFamilies,
      model: modelLabel(config.model),
      envSteps: config.iterations * config.batchSize,
      batchSize: config.batchSize,
      envs: config.batchSize / config.horizon,
      iterations: config.iterations,
      estimatedSeconds: Math.round(estimatedSeconds(config)),
      description: preset.description,
    };
  });
  output.result({ scale: options.scale, presets: rows }, () =>
    markdownTable(
      ["preset", "H", "model", "batch (envs)", "iterations", "env steps", `expected time (${options.scale}, this machine)`, "tests on", "setting"],
      rows.map((row) => [row.name, String(row.horizon), row.model, `${row.batchSize} (${row.envs})`, String(row.iterations), row.envSteps.toLocaleString("en-US"), formatDuration(row.estimatedSeconds), row.testFamilies.join(", "), row.description]),
    ),
  );
}
