import { parseTrainConfig } from "@rl3/algorithms";
import { ConfigError } from "@rl3/core";
import { describe, expect, it } from "vitest";
import { presetConfig, PRESETS } from "../presets.js";
import { JobRefusedError } from "./errors.js";
import { type RunJobData, runJobId, validateRunJob } from "./run-job.js";

const versions = { experiments: "0.1.0", "@rl3/algorithms": "0.1.0" };
const config = parseTrainConfig({ ...presetConfig(PRESETS[0]!, "rl3", "quick"), seed: 2 });
const job: RunJobData = { kind: "rl3-train", versions, label: "bandits-100 rl3 s2", preset: "bandits-100", scale: "quick", config };

describe("run jobs", () => {
  it("the job id is readable and depends on the config, not on the submitter's versions", () => {
    expect(runJobId(job)).toMatch(/^bandits-100-rl3-s2-[0-9a-f]{12}$/);
    expect(runJobId({ ...job, versions: { other: "1" } } as RunJobData)).toBe(runJobId(job));
    expect(runJobId({ ...job, config: { ...config, iterations: config.iterations + 1 } })).not.toBe(runJobId(job));
    expect(runJobId(job)).not.toContain(":"); // BullMQ refuses custom ids with ':'
  });

  it("a valid job passes through the CLI's config schema unchanged", () => {
    expect(validateRunJob(JSON.parse(JSON.stringify(job)), versions)).toEqual(job);
  });

  it("refuses a job of another rl3 version, naming the packages that differ", () => {
    expect(() => validateRunJob({ ...job, versions: { ...versions, "@rl3/algorithms": "0.2.0" } }, versions)).toThrow(JobRefusedError);
    expect(() => validateRunJob({ ...job, versions: { ...versions, "@rl3/algorithms": "0.2.0" } }, versions)).toThrow(/@rl3\/algorithms 0\.2\.0 \(job\) vs 0\.1\.0 \(this worker\)/);
  });

  it.each([
    [{ ...job, command: "rm -rf /" }, /job\.command must be no such key/],
    [{ ...job, config: { ...config, learningRate: "fast" } }, /job\.config\.learningRate must be/],
    [{ ...job, config: { ...config, script: "process.exit()" } }, /job\.config\.script must be no such key/],
    [{ ...job, preset: "mdps-10" }, /job\.preset must be one of/],
    [{ ...job, kind: "shell" }, /job\.kind must be "rl3-train"/],
  ])("rejects a job that is not a valid training run (%#)", (data, message) => {
    expect(() => validateRunJob(data, versions)).toThrow(ConfigError);
    expect(() => validateRunJob(data, versions)).toThrow(message);
  });
});
