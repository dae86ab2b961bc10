import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, FileFormatError, type NamedWeights, UnknownNameError } from "@rl3/core";
import { BernoulliBandit, type TaskFamily, taskFamily } from "@rl3/envs";
import { describe, expect, it } from "vitest";
import { RandomAgent } from "@rl3/wrappers";
import { defaultTrainConfig, parseTrainConfig } from "../config.js";
import { evaluate } from "@rl3/wrappers";
import { generalizedAdvantages } from "../gae.js";
import { ObservationEncoder } from "@rl3/wrappers";
import { collectRollout } from "./rollout.js";
import { PpoTrainer } from "./trainer.js";
import { tinyMdpsRun as tiny, trainToEnd, withTrainerSandbox, createTrainer, resumeTrainer, saveCheckpoint, loadPolicyAgent } from "../../test/fixtures.js";
import { taskStreams, trainingStreams } from "@rl3/wrappers";

describe("GAE (§5.2)", () => {
  it("matches a hand computation and bootstraps across inner-episode resets", () => {
    // H = 3 with an inner reset after t = 0 (as in a bandit): GAE ignores it, only t = H − 1 is terminal.
    const { advantages, returns } = generalizedAdvantages(Float64Array.of(1, 2, 3), Float32Array.of(0.5, 1, 1.5, 2), 1, 3, 0.9, 0.5);
    // δ2 = 3 − 1.5 = 1.5 (no bootstrap); δ1 = 2 + 0.9·1.5 − 1 = 2.35; δ0 = 1 + 0.9·1 − 0.5 = 1.4.
    const a2 = 1.5;
    const a1 = 2.35 + 0.45 * a2;
    const a0 = 1.4 + 0.45 * a1;
    expect(Array.from(advantages)).toEqual([a0, a1, a2].map(Math.fround));
    expect(Array.from(returns)).toEqual([a0 + 0.5, a1 + 1, a2 + 1.5].map(Math.fround));
  });
});

describe("PpoTrainer", () => {
  const directory = withTrainerSandbox("rl3-ppo-");

  it("the KL stop freezes the actor but not the critic", async () => {
    const frozen = createTrainer({ ...tiny, epochs: 3, targetKl: 1e-12 });
    const metrics = await frozen.trainIteration();
    expect(metrics["charts/actor_epochs"]).toBe(1);
    const oneEpoch = createTrainer({ ...tiny, epochs: 1, targetKl: 1e-12 });
    await oneEpoch.trainIteration();
    // Same actor after 1 actor epoch in both runs; the critic of the first trained 3 epochs, not 1.
    expect(frozen.weights("actor")["head.kernel"]!.data).toEqual(oneEpoch.weights("actor")["head.kernel"]!.data);
    expect(frozen.weights("critic")["head.kernel"]!.data).not.toEqual(oneEpoch.weights("critic")["head.kernel"]!.data);
    const free = createTrainer({ ...tiny, epochs: 3, targetKl: 1e9 });
    expect((await free.trainIteration())["charts/actor_epochs"]).toBe(3);
  });

  it("rolloutStatistics: π sums to one at every step, λ-return = advantage + V(x_t), normalised per minibatch; collectRollout is trainIteration's rollout", async () => {
    const trainer = createTrainer(tiny);
    const rollout = await trainer.collectRollout();
    const { logProbabilities, values, advantages, returns, normalizedAdvantages } = await trainer.rolloutStatistics(rollout);
    const numEnvs = 4;
    const [horizon, numActions] = [10, logProbabilities.length / (numEnvs * 10)];
    for (let step = 0; step < numEnvs * horizon; step++) {
      let total = 0;
      for (let action = 0; action < numActions; action++) total += Math.exp(logProbabilities[step * numActions + action]!);
      expect(total).toBeCloseTo(1, 5);
      const [env, t] = [Math.floor(step / horizon), step % horizon];
      expect(returns[step]).toBeCloseTo(advantages[step]! + values[env * (horizon + 1) + t]!, 4);
    }
    // Two minibatches of 2 envs each: each has mean 0 and standard deviation 1 on its own.
    for (const first of [0, 2]) {
      const slice = Array.from(normalizedAdvantages.subarray(first * horizon, (first + 2) * horizon));
      const mean = slice.reduce((sum, value) => sum + value, 0) / slice.length;
      expect(mean).toBeCloseTo(0, 5);
      expect(Math.sqrt(slice.reduce((sum, value) => sum + (value - mean) ** 2, 0) / slice.length)).toBeCloseTo(1, 3);
    }
    expect((await trainer.trainIteration())["charts/episodic_return"]).toBe(rollout.meanReturn);
    await trainer.dispose();
  });

  it("is deterministic: the same seed gives the same metrics and weights; another seed does not", async () => {
    const run = async (seed: number) => {
      const trainer = createTrainer({ ...tiny, seed });
      const returns = [(await trainer.trainIteration())["charts/episodic_return"], (await trainer.trainIteration())["charts/episodic_return"]];
      const weights = trainer.weights("actor")["head.kernel"]!.data;
      trainer.dispose();
      return { returns, weights };
    };
    const first = await run(7);
    const second = await run(7);
    expect(second.returns).toEqual(first.returns);
    expect(second.weights).toEqual(first.weights);
    expect((await run(8)).weights).not.toEqual(first.weights);
  });

  it("resumes exactly: 4 iterations = 2, checkpoint, resume in a fresh trainer, 2 more", async () => {
    const straight = createTrainer(tiny);
    for (let index = 0; index < 4; index++) await straight.trainIteration();
    const first = createTrainer(tiny);
    await first.trainIteration();
    await first.trainIteration();
    const path = join(directory(), "checkpoint.safetensors");
    await saveCheckpoint(first, path);
    first.dispose();
    const resumed = await resumeTrainer(path);
    expect(resumed.iteration).toBe(2);
    await resumed.trainIteration();
    await resumed.trainIteration();
    for (const [name, tensor] of Object.entries(straight.weights("actor"))) {
      expect(resumed.weights("actor")[name]!.data, name).toEqual(tensor.data);
    }
    expect(resumed.weights("critic")["head.bias"]!.data).toEqual(straight.weights("critic")["head.bias"]!.data);
  });

  it("refuses a checkpoint from another config, and a damaged one, without touching it", async () => {
    const trainer = createTrainer(tiny);
    const path = join(directory(), "other.safetensors");
    await saveCheckpoint(trainer, path);
    await expect(resumeTrainer(path, { ...tiny, learningRate: 5e-4 })).rejects.toThrow(ConfigError);
    await expect(resumeTrainer(path, { ...tiny, learningRate: 5e-4 })).rejects.toThrow(/learningRate must be 0\.001, the value of the run that wrote .*; got 0\.0005/);
    const damaged = join(directory(), "damaged.safetensors");
    const bytes = readFileSync(path);
    writeFileSync(damaged, bytes.subarray(0, bytes.length - 100));
    await expect(resumeTrainer(damaged)).rejects.toThrow(FileFormatError);
    expect(readFileSync(damaged).equals(bytes.subarray(0, bytes.length - 100))).toBe(true);
  });

  it("a NaN loss stops the iteration with a StateError; no weight moves and the checkpoint stays intact", async () => {
    const trainer = createTrainer(tiny);
    await trainer.trainIteration();
    const path = join(directory(), "before-nan.safetensors");
    await saveCheckpoint(trainer, path);
    const saved = readFileSync(path);
    const actorBefore = Float32Array.from(trainer.weights("actor")["head.kernel"]!.data);
    trainer.weights("critic")["head.bias"]!.data[0] = Number.NaN; // values, hence advantages and both losses, turn NaN
    await expect(trainer.trainIteration()).rejects.toThrow(/loss is NaN at iteration 2; training stopped, the last checkpoint is intact/);
    expect(trainer.weights("actor")["head.kernel"]!.data).toEqual(actorBefore);
    expect(trainer.iteration).toBe(1);
    expect(readFileSync(path).equals(saved)).toBe(true);
    await expect(resumeTrainer(path)).resolves.toBeInstanceOf(PpoTrainer);
  });

  it("env i of a rollout depends on its own streams alone: the first 4 of 8 envs replay a 4-env rollout exactly", async () => {
    const family = taskFamily("grid13");
    const rollout = async (numEnvs: number) => {
      const streams = taskStreams(trainingStreams(3, 2).environment, numEnvs);
      const logits = new Float32Array(numEnvs * 5); // uniform policy: actions come from the per-env streams
      return collectRollout({
        family, numEnvs, horizon: 30, encoder: new ObservationEncoder(family, numEnvs, { method: "rl3", horizon: 30 }),
        policy: { reset: () => {}, logits: async () => logits, release: async () => {} },
        environments: streams.map((stream) => stream.environment), actions: streams.map((stream) => stream.agent),
      });
    };
    const [small, large] = [await rollout(4), await rollout(8)];
    expect(large.rewards.subarray(0, 4 * 30)).toEqual(small.rewards);
    expect(large.actions.subarray(0, 4 * 30)).toEqual(small.actions);
    expect(large.observations.subarray(0, small.observations.length)).toEqual(small.observations);
    expect(large.rewards.subarray(4 * 30)).not.toEqual(small.rewards);
  });

  it("learns a 2-armed bandit with a known best arm", async () => {
    const twoArms: TaskFamily = {
      name: "two-arms",
      domain: "bandits",
      numStates: 2,
      numActions: 2,
      observationSize: 2,
      taskHorizon: 1,
      parameters: { p0: 0.1, p1: 0.9 },
      sample: () => new BernoulliBandit([0.1, 0.9]),
    };
    const trainer = createTrainer(
      { family: "two-arms", horizon: 10, method: "rl2", model: { kind: "markov", dModel: 16, layers: 1 }, iterations: 40, batchSize: 160, minibatchSize: 80, learningRate: 3e-3, entropyCoefficient: 0, epochs: 4, targetKl: 0.05, seed: 1 },
      { family: twoArms },
    );
    for (let index = 0; index < 40; index++) await trainer.trainIteration();
    const agent = await loadPolicyAgent(trainer.exportPolicy(), {});
    const trained = await evaluate(agent, { family: twoArms, horizon: 10, episodes: 200, oracle: false });
    const random = await evaluate(new RandomAgent(), { family: twoArms, horizon: 10, episodes: 200, oracle: false });
    expect(random.mean).toBeLessThan(6);
    expect(trained.mean).toBeGreaterThan(8); // the best arm pays 0.9 per pull: 9 at most in expectation
  });
});

describe("training engines (onnx vs the tfjs reference)", () => {
  const directory = withTrainerSandbox("rl3-engines-");

  const maxDifference = (a: NamedWeights, b: NamedWeights) => {
    let worst = 0;
    for (const [name, tensor] of Object.entries(a)) for (let index = 0; index < tensor.data.length; index++) worst = Math.max(worst, Math.abs(tensor.data[index]! - b[name]!.data[index]!));
    return worst;
  };

  it.each([
    ["transformer", tiny],
    ["gru", { ...tiny, model: { kind: "gru", dModel: 16, embedSize: 8 } }],
    ["markov", { ...tiny, model: { kind: "markov", dModel: 16, layers: 2 } }],
  ] as const)("%s: one PPO iteration from the same seed gives the same losses (1e-4) and weights (1e-3)", async (_kind, config) => {
    const onnx = createTrainer({ ...config, engine: "onnx" });
    const tfjs = createTrainer({ ...config, engine: "tfjs" });
    const [a, b] = [await onnx.trainIteration(), await tfjs.trainIteration()];
    expect(a["charts/episodic_return"]).toBe(b["charts/episodic_return"]); // same rollout: same initial weights
    for (const key of ["losses/policy_loss", "losses/value_loss", "losses/entropy", "losses/approx_kl", "losses/explained_variance"] as const) {
      expect(Math.abs(a[key] - b[key]), key).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[key])));
    }
    expect(a["charts/actor_epochs"]).toBe(b["charts/actor_epochs"]);
    expect(maxDifference(onnx.weights("actor"), tfjs.weights("actor"))).toBeLessThan(1e-3);
    expect(maxDifference(onnx.weights("critic"), tfjs.weights("critic"))).toBeLessThan(1e-3);
    await onnx.dispose();
    await tfjs.dispose();
  });

  it("a checkpoint written under one engine resumes under the other", async () => {
    const onnx = createTrainer({ ...tiny, engine: "onnx" });
    await onnx.trainIteration();
    const path = join(directory(), "onnx.safetensors");
    await saveCheckpoint(onnx, path);
    const resumed = await resumeTrainer(path, { ...tiny, engine: "tfjs" });
    expect(resumed.config.engine).toBe("tfjs");
    expect(resumed.iteration).toBe(1);
    const [a, b] = [await onnx.trainIteration(), await resumed.trainIteration()];
    expect(Math.abs(a["losses/value_loss"] - b["losses/value_loss"])).toBeLessThan(1e-4 * Math.max(1, b["losses/value_loss"]));
    expect(maxDifference(onnx.weights("actor"), resumed.weights("actor"))).toBeLessThan(1e-3);
    await onnx.dispose();
    await resumed.dispose();
  });

  it("a short mdps-100 quick run under each engine gives held-out returns within 2 s.e. of each other", async () => {
    const evaluateRun = async (engine: "onnx" | "tfjs") => {
      const trainer = createTrainer({ ...defaultTrainConfig("mdps", 100, "rl3", "quick"), iterations: 20, seed: 5, engine });
      await trainToEnd(trainer);
      const agent = await loadPolicyAgent(trainer.exportPolicy(), {});
      await trainer.dispose();
      return evaluate(agent, { family: "mdps", horizon: 100, episodes: 300, oracle: false });
    };
    const [onnx, tfjs] = [await evaluateRun("onnx"), await evaluateRun("tfjs")];
    const random = await evaluate(new RandomAgent(), { family: "mdps", horizon: 100, episodes: 300, oracle: false });
    // Both learned something (so the comparison is not between two random policies)…
    expect(Math.min(onnx.mean, tfjs.mean)).toBeGreaterThan(random.mean + 5);
    // …and the same amount: the difference of the means within 2 standard errors.
    expect(Math.abs(onnx.mean - tfjs.mean)).toBeLessThanOrEqual(2 * Math.hypot(onnx.stderr, tfjs.stderr));
  }, 240_000);

  it("rejects an unknown engine or device with the list of known ones", () => {
    expect(() => createTrainer({ ...tiny, engine: "torch" as never })).toThrow(/engine must be one of "onnx" or "tfjs"|engine must be .*onnx.*tfjs/);
    expect(() => createTrainer({ ...tiny, device: "tpu" as never })).toThrow(/device must be .*cpu.*cuda/);
  });
});

describe("train config", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["a wrong type", { horizon: "10" }, /^horizon must be a finite number; got "10"$/],
    ["a fraction", { horizon: 2.5 }, /^horizon must be an integer; got 2\.5$/],
    ["a negative rate", { learningRate: -1 }, /^learningRate must be a number > 0; got -1$/],
    ["a clip range of 1", { clipRange: 1 }, /^clipRange must be a number < 1; got 1$/],
    ["a batch not divisible by H", { batchSize: 45 }, /^batchSize must be a multiple of horizon \(10\); got 45/],
    ["an unknown family", { family: "mdp" }, /^family must be one of .* \(did you mean "mdps"\?\); got "mdp"/],
    ["an unknown method", { method: "rl4" }, /^method must be one of "rl2", "rl2-transition", "rl3", "rl3-coarse", "rl3-transition"; got "rl4"$/],
  ];
  it.each(cases)("rejects %s with a ConfigError naming the key", (_name, change, message) => {
    expect(() => parseTrainConfig({ ...tiny, ...change })).toThrow(ConfigError);
    expect(() => parseTrainConfig({ ...tiny, ...change })).toThrow(message);
    expect(() => parseTrainConfig({ ...tiny, ...change })).not.toThrow(/Invalid input|Too small|Too big|Invalid option/); // no zod phrasing
  });

  it("an unknown key, also a nested one, gets a did-you-mean and the list of keys", () => {
    expect(() => parseTrainConfig({ ...tiny, learning_rate: 1 })).toThrow(UnknownNameError);
    expect(() => parseTrainConfig({ ...tiny, learning_rate: 1 })).toThrow(/^unknown setting "learning_rate" \(did you mean "learningRate"\?\); known: family, horizon, method, .*valueScale$/);
    expect(() => parseTrainConfig({ ...tiny, model: { ...tiny.model, dmodel: 8 } })).toThrow(/^unknown setting "model\.dmodel" \(did you mean "model\.dModel"\?\); known: model\.kind, model\.dModel, /);
  });
});
