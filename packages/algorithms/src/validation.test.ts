import { join } from "node:path";
import { ConfigError, FileFormatError } from "@rl3/core";
import { decodeSafetensors, encodeSafetensors } from "@rl3/models";
import { readFile, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { type TaskStreams, evaluate, metaEpisodeReturns, taskStreams, testTaskStreams, trainingStreams, validationTaskStreams } from "@rl3/wrappers";
import { taskFamily } from "@rl3/envs";
import { PpoTrainer } from "./ppo/trainer.js";
import { tinyMdpsRun as tiny, trainToEnd, withTrainerSandbox, createTrainer, resumeTrainer, saveCheckpoint, loadPolicyAgent } from "../test/fixtures.js";

describe("validation tasks", () => {
  it("are neither the test tasks nor any iteration's training tasks, and depend on the run's seed", () => {
    const family = taskFamily("mdps");
    const draw = (streams: TaskStreams[]) => streams.map((stream) => stream.task.float());
    const validation = draw(validationTaskStreams(3, 8));
    const seen = new Set([...draw(testTaskStreams(1_000_000, 8)), ...draw(testTaskStreams(3, 8))]);
    for (let iteration = 0; iteration < 4; iteration++) for (const value of draw(taskStreams(trainingStreams(3, iteration).environment, 8))) seen.add(value);
    expect(validation.filter((value) => seen.has(value))).toEqual([]);
    expect(draw(validationTaskStreams(3, 8))).toEqual(validation);
    expect(draw(validationTaskStreams(4, 8))).not.toEqual(validation);
    // The first k validation tasks do not depend on how many are asked for.
    expect(validationTaskStreams(3, 8).slice(0, 3).map((stream) => family.sample(stream.task))).toEqual(validationTaskStreams(3, 3).map((stream) => family.sample(stream.task)));
  });
});

describe("PpoTrainer validation (validateEvery)", () => {
  const directory = withTrainerSandbox("rl3-validation-");

  it("logs the greedy validation return every validateEvery iterations and on the last, and never changes what is trained", async () => {
    const plain = createTrainer(tiny);
    const validated = createTrainer({ ...tiny, validateEvery: 3, validationEpisodes: 6 });
    const [plainRows, validatedRows] = [await trainToEnd(plain), await trainToEnd(validated)];
    expect(validatedRows.map((row) => row["eval/validation_return"] !== undefined)).toEqual([false, false, true, true]);
    expect(plainRows.every((row) => row["eval/validation_return"] === undefined)).toBe(true);
    const strip = (rows: typeof plainRows) => rows.map((row) => [row["charts/episodic_return"], row["losses/policy_loss"], row["losses/value_loss"]]);
    expect(strip(validatedRows)).toEqual(strip(plainRows));
    expect(validated.weights("actor")["head.kernel"]!.data).toEqual(plain.weights("actor")["head.kernel"]!.data);
    await Promise.all([plain.dispose(), validated.dispose()]);
  });

  it("the logged return is the greedy return of the exported policy on the validation tasks", async () => {
    const trainer = createTrainer({ ...tiny, iterations: 1, validateEvery: 1, validationEpisodes: 5 });
    const [row] = await trainToEnd(trainer);
    const agent = await loadPolicyAgent(trainer.exportPolicy("step"));
    const family = taskFamily("mdps");
    const streams = validationTaskStreams(tiny.seed!, 5);
    const returns = await metaEpisodeReturns(agent, family, 10, streams.map((stream) => family.sample(stream.task)), streams, 2);
    expect(row!["eval/validation_return"]).toBeCloseTo(returns.reduce((sum, value) => sum + value, 0) / 5, 9);
    expect(row!["eval/validation_stderr"]).toBeGreaterThan(0);
    // Not the test tasks: the same policy scores differently there.
    const test = await evaluate(agent, { family, horizon: 10, episodes: 5, oracle: false });
    expect(test.mean).not.toBeCloseTo(row!["eval/validation_return"]!, 9);
    await trainer.dispose();
  });

  it("keeps the best actor, exports it, and carries it through a checkpoint", async () => {
    const trainer = createTrainer({ ...tiny, validateEvery: 1, validationEpisodes: 6 });
    expect(() => trainer.exportPolicy("step", "best")).toThrow(/no validation has run yet/);
    const rows = await trainToEnd(trainer);
    const returns = rows.map((row) => row["eval/validation_return"]!);
    const best = trainer.bestValidation!;
    expect(best.mean).toBe(Math.max(...returns));
    expect(best.iteration).toBe(returns.indexOf(best.mean) + 1);

    const path = join(directory(), "best.safetensors");
    await saveCheckpoint(trainer, path);
    const resumed = await resumeTrainer(path);
    expect(resumed.bestValidation).toEqual(best);
    expect(resumed.exportPolicy("step", "best")).toEqual(trainer.exportPolicy("step", "best"));
    // The best policy scores its recorded validation return again.
    const agent = await loadPolicyAgent(resumed.exportPolicy("step", "best"));
    expect(agent.policy.metadata.iteration).toBe(best.iteration);
    const family = taskFamily("mdps");
    const streams = validationTaskStreams(tiny.seed!, 6);
    const again = await metaEpisodeReturns(agent, family, 10, streams.map((stream) => family.sample(stream.task)), streams);
    expect(again.reduce((sum, value) => sum + value, 0) / 6).toBeCloseTo(best.mean, 9);
    await agent.release();
    await Promise.all([trainer.dispose(), resumed.dispose()]);
  });

  it("a damaged best-validation entry is a FileFormatError naming it; validateEvery may change on resume", async () => {
    const trainer = createTrainer({ ...tiny, iterations: 2, validateEvery: 1, validationEpisodes: 4 });
    await trainToEnd(trainer);
    const path = join(directory(), "damaged.safetensors");
    await saveCheckpoint(trainer, path);
    await expect(resumeTrainer(path, { ...tiny, iterations: 3, validateEvery: 0, validationEpisodes: 4 })).resolves.toBeInstanceOf(PpoTrainer);
    const { weights, metadata } = decodeSafetensors(new Uint8Array(await readFile(path)), path);
    await writeFile(path, encodeSafetensors(weights, { ...metadata, bestValidation: JSON.stringify({ iteration: 9, mean: 1, stderr: 0 }) }));
    await expect(resumeTrainer(path)).rejects.toThrow(FileFormatError);
    await expect(resumeTrainer(path)).rejects.toThrow(/bestValidation entry .*iteration: an integer in \[1, 2\]/);
    await trainer.dispose();
  });

  it("rejects a negative validateEvery and fewer than two validation tasks, naming the field", () => {
    expect(() => createTrainer({ ...tiny, validateEvery: -1 })).toThrow(ConfigError);
    expect(() => createTrainer({ ...tiny, validateEvery: -1 })).toThrow(/validateEvery/);
    expect(() => createTrainer({ ...tiny, validationEpisodes: 1 })).toThrow(/validationEpisodes/);
  });
});
