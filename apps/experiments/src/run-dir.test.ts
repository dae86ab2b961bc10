import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultTrainConfig, parseTrainConfig } from "@rl3/algorithms";
import { ConfigError, FileFormatError, InputError } from "@rl3/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { damagedBytes } from "@rl3/tools/property-testing";
import { makeDirectory } from "./directories.js";
import { RUN_FILES, readMetrics, readRunInfo, writeAtomic } from "./run-dir.js";

describe("run-directory files read back", () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), "rl3-run-dir-"));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("fuzz: a damaged config.json is a FileFormatError or a config that passes validation, and is never rewritten", () => {
    const config = parseTrainConfig(defaultTrainConfig("mdps", 100, "rl3"));
    const original = new TextEncoder().encode(`${JSON.stringify({ preset: "mdps-100", scale: "quick", config }, null, 2)}\n`);
    const path = join(directory, RUN_FILES.config);
    fc.assert(
      fc.property(damagedBytes(original, 3), (bytes) => {
        writeFileSync(path, bytes);
        try {
          const info = readRunInfo(directory);
          expect(parseTrainConfig(info.config)).toEqual(info.config);
        } catch (error) {
          expect(error).toBeInstanceOf(FileFormatError);
        }
        expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("fuzz: a damaged metrics.jsonl is a FileFormatError or rows with increasing integer iterations, and is never rewritten", () => {
    const rows = [1, 2, 3].map((iteration) => ({ iteration, "charts/env_steps": iteration * 1600, "charts/episodic_return": 10 + iteration, "losses/value_loss": 0.5 }));
    const original = new TextEncoder().encode(rows.map((row) => `${JSON.stringify(row)}\n`).join(""));
    const path = join(directory, RUN_FILES.metricsJsonl);
    fc.assert(
      fc.property(damagedBytes(original, 3), (bytes) => {
        writeFileSync(path, bytes);
        try {
          const read = readMetrics(directory);
          read.forEach((row, index) => {
            expect(Number.isSafeInteger(row.iteration)).toBe(true);
            if (index > 0) expect(row.iteration).toBeGreaterThan(read[index - 1]!.iteration);
            expect(Number.isFinite(row["charts/env_steps"])).toBe(true);
          });
        } catch (error) {
          expect(error).toBeInstanceOf(FileFormatError);
        }
        expect(new Uint8Array(readFileSync(path))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("a line cut by a kill at the end is skipped; a damaged line before it is an error naming the line", () => {
    writeFileSync(join(directory, RUN_FILES.metricsJsonl), '{"iteration":1,"charts/env_steps":10}\n{"iteration":2,"charts/en');
    expect(readMetrics(directory).map((row) => row.iteration)).toEqual([1]);
    writeFileSync(join(directory, RUN_FILES.metricsJsonl), '{"iteration":1,"charts/env_steps":10}\n{"iteration":1,"charts/env_steps":10}\n{"iteration":3,"charts/env_steps":30}\n');
    expect(() => readMetrics(directory)).toThrow(/line 2 is not a metrics row after iteration 1/);
  });
});

describe("output paths", () => {
  it("--out under /proc is a ConfigError at once, not an endless recursive mkdir", () => {
    const started = performance.now();
    expect(() => makeDirectory("/proc/rl3-nowhere/run")).toThrow(ConfigError);
    expect(() => makeDirectory("/proc/rl3-nowhere/run")).toThrow(/^--out must be a directory that can be created \(ENOENT creating \/proc\/rl3-nowhere\); got "\/proc\/rl3-nowhere\/run"$/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("--out below a file, and a write into a missing directory, are typed errors that leave no temporary file", () => {
    const directory = mkdtempSync(join(tmpdir(), "rl3-out-"));
    try {
      writeFileSync(join(directory, "file"), "x");
      expect(() => makeDirectory(join(directory, "file", "run"))).toThrow(/is a file, not a directory/);
      makeDirectory(join(directory, "a", "b", "c"));
      expect(existsSync(join(directory, "a", "b", "c"))).toBe(true);
      mkdirSync(join(directory, "empty"));
      expect(() => writeAtomic(join(directory, "missing", "policy.onnx"), "x")).toThrow(InputError);
      expect(() => writeAtomic(join(directory, "missing", "policy.onnx"), "x")).toThrow(/^path must be a writable file path \(ENOENT\); got /);
      expect(readdirSync(directory).sort()).toEqual(["a", "empty", "file"]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
