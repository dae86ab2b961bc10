import { cpus, totalmem } from "node:os";

/**
 * The shared benchmark harness: every package's `bench/*.bench.ts` measures through `measureRate` /
 * `measureTime` and prints through `report`, so `pnpm bench` shows one format with the machine's facts.
 */

export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
  readonly meetsTarget?: boolean;
}

export function machineFacts(): string {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  return `${process.platform}-${process.arch}, ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

/**
 * Runs `batch()` (which performs `operationsPerBatch` operations) repeatedly for about `seconds`, after a warm-up,
 * and returns the best rate of three rounds in operations per second: the best round is the least disturbed.
 */
export function measureRate(batch: () => void, operationsPerBatch: number, seconds = 1): number {
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) batch();
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let operations = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < (seconds * 1000) / 3) {
      batch();
      operations += operationsPerBatch;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (operations / elapsed) * 1000);
  }
  return best;
}

/** Median wall time in milliseconds of `repeats` calls to `run` after one warm-up call. */
export async function measureTime(run: () => unknown, repeats = 5): Promise<number> {
  await run();
  const times: number[] = [];
  for (let index = 0; index < repeats; index++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function formatValue(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (value >= 100) return value.toFixed(0);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

export function report(title: string, results: readonly BenchResult[]): void {
  console.log(`\n## ${title}   (${machineFacts()})`);
  const rows = results.map((result) => [
    result.name,
    `${formatValue(result.value)} ${result.unit}`,
    result.target ?? "",
    result.meetsTarget === undefined ? "" : result.meetsTarget ? "ok" : "MISSED",
  ]);
  const header = ["benchmark", "measured", "target", ""];
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  if (process.env.RL3_BENCH_JSON) console.log(JSON.stringify({ title, results }));
}

/** A result with a lower bound as target ("≥ 50M floats/s"). */
export function atLeast(name: string, value: number, unit: string, target: number): BenchResult {
  return { name, value, unit, target: `≥ ${formatValue(target)}`, meetsTarget: value >= target };
}

/** A result with an upper bound as target ("≤ 50 ms"). */
export function atMost(name: string, value: number, unit: string, target: number): BenchResult {
  return { name, value, unit, target: `≤ ${formatValue(target)}`, meetsTarget: value <= target };
}
