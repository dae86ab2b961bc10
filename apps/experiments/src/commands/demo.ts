import { join } from "node:path";
import type { Output } from "../output.js";
import { presetsByName, reproduce } from "./reproduce.js";

/**
 * The demo (`pnpm --filter experiments start`): RL² and RL³ meta-trained side by side on random MDPs with H = 100
 * (quick scale), evaluated through their exported ONNX policies on 1000 held-out and 1000 OOD (Dirichlet 0.25)
 * tasks against the random, model-based and oracle baselines. Random MDPs are where a CPU budget of a few
 * minutes shows RL³'s head start clearly: its inputs already carry the model's Q-values.
 */
export async function demoCommand(options: { out?: string; iterations?: number }, output: Output) {
  const stamp = new Date().toISOString().replace(/[:.]/gu, "-").slice(0, 19);
  // pnpm runs package scripts inside the package; INIT_CWD is where the user typed the command.
  const outDir = options.out ?? join(process.env.INIT_CWD ?? process.cwd(), "runs", `demo-${stamp}`);
  return reproduce(
    {
      outDir,
      presets: presetsByName(["mdps-100"]),
      methods: ["rl2", "rl3"],
      seeds: [1],
      scale: "quick",
      episodes: 1000,
      baselines: ["random", "model-based", "oracle"],
      set: options.iterations ? [`iterations=${options.iterations}`] : [],
      title: "rl3 demo: RL² vs RL³ on random MDPs (H = 100)",
    },
    output,
  );
}
