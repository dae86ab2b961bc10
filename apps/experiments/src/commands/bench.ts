import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError } from "../errors.js";
import { type Output, markdownTable } from "../output.js";

function repositoryRoot(): string {
  let directory = process.cwd();
  while (!existsSync(join(directory, "pnpm-workspace.yaml"))) {
    const parent = dirname(directory);
    if (parent === directory) throw new UsageError("working directory", process.cwd(), "inside the rl3 repository (rl3 bench runs the packages' benchmarks)");
    directory = parent;
  }
  return directory;
}

interface BenchTable {
  title: string;
  results: { name: string; value: number; unit: string; target?: string; meetsTarget?: boolean }[];
}

/** Runs every package's benchmark script and gathers their results into one table. */
export function benchCommand(output: Output): BenchTable[] {
  const root = repositoryRoot();
  const run = spawnSync("pnpm", ["-r", "--workspace-concurrency=1", "--reporter-hide-prefix", "run", "bench"], {
    cwd: root,
    env: { ...process.env, RL3_BENCH_JSON: "1", RL3_BENCH_QUICK: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const tables = run.stdout
    .split("\n")
    .filter((line) => line.startsWith('{"title"'))
    .map((line) => JSON.parse(line) as BenchTable);
  if (run.status !== 0) process.stderr.write(run.stderr);
  output.result({ tables }, () =>
    markdownTable(
      ["package", "benchmark", "measured", "target", ""],
      tables.flatMap((table) => table.results.map((result) => [table.title, result.name, `${result.value.toPrecision(4)} ${result.unit}`, result.target ?? "", result.meetsTarget === undefined ? "" : result.meetsTarget ? "ok" : "MISSED"])),
    ),
  );
  return tables;
}
