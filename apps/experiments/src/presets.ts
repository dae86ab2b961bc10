import { type Method, type Scale, type TrainConfig, type TrainConfigInput, defaultTrainConfig } from "@rl3/algorithms";

/** A setting of the paper: what to train on, with which budget, and which OOD families to test on. */
export interface Preset {
  name: string;
  family: string;
  horizon: number;
  /** Families evaluated after training: in-distribution first, then OOD (§6, §7). */
  testFamilies: string[];
  description: string;
}

const GRID13_OOD = ["grid13:dense", "grid13:deterministic", "grid13:watery", "grid13:dangerous", "grid13:corner"];

export const PRESETS: Preset[] = [
  { name: "bandits-100", family: "bandits", horizon: 100, testFamilies: ["bandits", "bandits:ood"], description: "5-armed Bernoulli bandits, H 100 ([v4] Table 2)" },
  { name: "bandits-500", family: "bandits", horizon: 500, testFamilies: ["bandits", "bandits:ood"], description: "5-armed Bernoulli bandits, H 500 ([v4] Table 2)" },
  { name: "mdps-100", family: "mdps", horizon: 100, testFamilies: ["mdps", "mdps:ood", "mdps:ood-uniform"], description: "random MDPs, H 100 ([v4] Table 3)" },
  { name: "mdps-500", family: "mdps", horizon: 500, testFamilies: ["mdps", "mdps:ood", "mdps:ood-uniform"], description: "random MDPs, H 500 ([v4] Table 3)" },
  ...[128, 256, 512, 1024, 1500, 2048].map((horizon) => ({
    name: `mdps-${horizon}`,
    family: "mdps",
    horizon,
    testFamilies: ["mdps", "mdps:ood"],
    description: `random MDPs, H ${horizon} (RLC budget sweep, §7.4)`,
  })),
  { name: "grid11-250", family: "grid11", horizon: 250, testFamilies: ["grid11"], description: "11×11 gridworlds, H 250 ([v4] Table 4)" },
  { name: "grid13-350", family: "grid13", horizon: 350, testFamilies: ["grid13", ...GRID13_OOD], description: "13×13 gridworlds, H 350, and the five OOD variants ([v4] Table 4)" },
];

export const PRESET_NAMES = PRESETS.map((preset) => preset.name);

/** "transformer d32 ×1": the sequence model of a config, as `rl3 presets` and the zoo name it. */
export function modelLabel(model: TrainConfig["model"]): string {
  return `${model.kind} d${model.dModel ?? 64} ×${model.layers ?? 2}`;
}

export function presetConfig(preset: Preset, method: Method, scale: Scale): TrainConfigInput {
  return defaultTrainConfig(preset.family, preset.horizon, method, scale);
}

/**
 * Wall-time estimate of one training run on the 2-core reference machine, from measured costs (docs/benchmarks.md,
 * `pnpm bench`): update seconds per env step and epoch (actor + critic + KL passes), plus the rollout per env step.
 * onnx engine: quick model ≈ 36 µs, §4.1 model ≈ 130 µs per step-epoch, rollout ≈ 60 µs per step;
 * tfjs-wasm: ≈ 150 µs and ≈ 620 µs per step-epoch (+15% for rollouts and KL passes).
 */
export function estimatedSeconds(config: TrainConfigInput): number {
  const small = (config.model?.dModel ?? 64) <= 32;
  const epochs = config.epochs ?? 8;
  const steps = config.iterations * config.batchSize;
  if ((config.engine ?? "onnx") === "tfjs") return steps * epochs * (small ? 0.15e-3 : 0.62e-3) * 1.15;
  return steps * (epochs * (small ? 36e-6 : 130e-6) + 60e-6);
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
