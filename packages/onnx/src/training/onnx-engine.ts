import { type ActingPolicy, InputError, TRAINING_DEVICES, type ModelSpec, type NamedWeights, type NetworkRole, type PolicyBatch, type PolicyStep, type TrainingEngine, type TrainingEngineOptions, type ValueBatch, type ValueStep, requireObject, requireSpec } from "@rl3/core";
import * as ort from "onnxruntime-node";
import { exportOnnx } from "../export.js";
import { OnnxPolicy } from "../onnx-policy.js";
import { TRAINING_NAMES, forwardGraph, policyGraph, valueGraph } from "./ppo-graphs.js";

/** Devices the onnx engine can be asked for; `cuda` needs onnxruntime-node's CUDA execution provider. */
/** The onnx engine computes on every device the contract lists (cuda through onnxruntime-node's CUDA provider). */
export const ONNX_DEVICES = TRAINING_DEVICES;
export type OnnxDevice = (typeof ONNX_DEVICES)[number];

/**
 * The onnxruntime training engine: PPO losses and their gradients from graphs differentiated when they are built
 * (`differentiate`), run by onnxruntime-node with the weights fed as inputs. One session per (graph, batch shape),
 * built on first use and kept for the run.
 */
export class OnnxTrainingEngine implements TrainingEngine {
  readonly name = "onnx";
  readonly device: OnnxDevice;
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();

  private constructor(
    private readonly options: TrainingEngineOptions,
    device: OnnxDevice,
  ) {
    this.device = device;
  }

  static async create(options: TrainingEngineOptions): Promise<OnnxTrainingEngine> {
    requireObject("options", options);
    requireSpec(options.actor, "actor");
    requireSpec(options.critic, "critic");
    const device = (options.device ?? "cpu") as OnnxDevice;
    if (!(ONNX_DEVICES as readonly string[]).includes(device)) {
      throw new InputError({ field: "device", value: options.device, expected: `one of ${ONNX_DEVICES.join(", ")}` });
    }
    const engine = new OnnxTrainingEngine(options, device);
    // Fail now, not at the first update, when the device cannot be used.
    if (device === "cuda") await engine.session("probe", () => forwardGraph(options.critic, { count: 1, time: 1 }));
    return engine;
  }

  /** A step-graph session (KV cache) built from these weights: ≈ 15 ms, cheap enough for every PPO iteration. */
  async actingPolicy(weights: NamedWeights): Promise<ActingPolicy> {
    const policy = await OnnxPolicy.load(exportOnnx(this.options.actor, weights, { graph: "step" }));
    return { reset: (batch) => policy.reset(batch), logits: (observations) => policy.forward(observations), release: () => policy.release() };
  }

  async forward(role: NetworkRole, weights: NamedWeights, observations: Float32Array, count: number, time: number): Promise<Float32Array> {
    const spec = this.spec(role);
    const session = await this.session(`${role}:forward:${count}x${time}`, () => forwardGraph(spec, { count, time }));
    const feeds = this.weightFeeds(spec, weights);
    feeds.observations = new ort.Tensor("float32", checkLength("observations", observations, count * time * spec.inputSize), [count, time, spec.inputSize]);
    const results = await session.run(feeds);
    return results.outputs!.data as Float32Array;
  }

  async policyStep(weights: NamedWeights, batch: PolicyBatch): Promise<PolicyStep> {
    const spec = this.options.actor;
    const { count, time } = batch;
    const session = await this.session(`actor:loss:${count}x${time}`, () => policyGraph(spec, { count, time }, this.options.clipRange));
    const feeds = this.weightFeeds(spec, weights);
    const steps = count * time;
    feeds.observations = new ort.Tensor("float32", checkLength("observations", batch.observations, steps * spec.inputSize), [count, time, spec.inputSize]);
    feeds[TRAINING_NAMES.actions] = new ort.Tensor("int64", BigInt64Array.from(checkLength("actions", batch.actions, steps), (action) => BigInt(action)), [count, time]);
    feeds[TRAINING_NAMES.oldLogProbabilities] = new ort.Tensor("float32", checkLength("oldLogProbabilities", batch.oldLogProbabilities, steps), [count, time]);
    feeds[TRAINING_NAMES.advantages] = new ort.Tensor("float32", checkLength("advantages", batch.advantages, steps), [count, time]);
    feeds[TRAINING_NAMES.entropyCoefficient] = new ort.Tensor("float32", Float32Array.of(batch.entropyCoefficient), []);
    const results = await session.run(feeds);
    const scalar = (name: string) => (results[name]!.data as Float32Array)[0]!;
    return {
      loss: scalar(TRAINING_NAMES.loss),
      policyLoss: scalar(TRAINING_NAMES.policyLoss),
      entropy: scalar(TRAINING_NAMES.entropy),
      approxKl: scalar(TRAINING_NAMES.approxKl),
      clipFraction: scalar(TRAINING_NAMES.clipFraction),
      gradients: gradientsOf(spec, results),
    };
  }

  async valueStep(weights: NamedWeights, batch: ValueBatch): Promise<ValueStep> {
    const spec = this.options.critic;
    const { count, time } = batch;
    const session = await this.session(`critic:loss:${count}x${time}`, () => valueGraph(spec, { count, time }, this.options.valueCoefficient));
    const feeds = this.weightFeeds(spec, weights);
    feeds.observations = new ort.Tensor("float32", checkLength("observations", batch.observations, count * (time + 1) * spec.inputSize), [count, time + 1, spec.inputSize]);
    feeds[TRAINING_NAMES.targets] = new ort.Tensor("float32", checkLength("targets", batch.targets, count * time), [count, time]);
    const results = await session.run(feeds);
    return { valueLoss: (results[TRAINING_NAMES.valueLoss]!.data as Float32Array)[0]!, gradients: gradientsOf(spec, results) };
  }

  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of sessions) await (await session).release();
  }

  private spec(role: NetworkRole): ModelSpec {
    return role === "actor" ? this.options.actor : this.options.critic;
  }

  private weightFeeds(spec: ModelSpec, weights: NamedWeights): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const { name, shape } of spec.weights) {
      const tensor = weights[name];
      if (tensor === undefined) throw new InputError({ field: `weights.${name}`, value: undefined, expected: `a tensor of shape [${shape.join(", ")}]` });
      feeds[name] = new ort.Tensor("float32", tensor.data, [...shape]);
    }
    return feeds;
  }

  private session(key: string, build: () => Uint8Array): Promise<ort.InferenceSession> {
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = createSession(build(), this.device, this.options.threads ?? 1);
      this.sessions.set(key, session);
    }
    return session;
  }
}

async function createSession(bytes: Uint8Array, device: OnnxDevice, threads: number): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      // Errors only: the optimiser's notes (e.g. an unused shape constant removed) are not the user's business.
      logSeverityLevel: 3,
      executionProviders: device === "cuda" ? ["cuda"] : ["cpu"],
    });
  } catch (error) {
    if (device === "cuda") {
      throw new InputError({ field: "device", value: device, expected: `a device onnxruntime-node can use here (its CUDA execution provider failed to start: ${(error as Error).message.split("\n")[0]}); use --device cpu` });
    }
    throw error;
  }
}

function gradientsOf(spec: ModelSpec, results: ort.InferenceSession.OnnxValueMapType): NamedWeights {
  const gradients: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
  for (const { name, shape } of spec.weights) gradients[name] = { shape, data: results[TRAINING_NAMES.gradient(name)]!.data as Float32Array };
  return gradients;
}

function checkLength<T extends { length: number }>(field: string, data: T, expected: number): T {
  if (data.length !== expected) throw new InputError({ field: `${field}.length`, value: data.length, expected: String(expected) });
  return data;
}

