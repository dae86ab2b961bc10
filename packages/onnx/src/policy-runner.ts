import { FileFormatError, InputError, MODEL_LIMITS, Rng, StateError, requireInteger, requireObject, requirePositiveInteger, softmaxRow } from "@rl3/core";
import type { InferenceSession, Tensor } from "onnxruntime-common";
import { TENSOR_NAMES } from "./export.js";
import { type PolicyMetadata, readPolicyMetadata } from "./metadata.js";

/**
 * The part of an onnxruntime package a policy needs: onnxruntime-node and onnxruntime-web both re-export
 * onnxruntime-common's `InferenceSession` and `Tensor`, so either one (`import * as ort from …`) fits. Injected
 * rather than imported, so that this module runs wherever the caller's runtime does.
 */
export interface OnnxRuntime {
  readonly InferenceSession: typeof InferenceSession;
  readonly Tensor: typeof Tensor;
}

export interface PolicyRunnerOptions {
  /** Named in errors about the file. */
  path?: string;
  /** Passed to `InferenceSession.create` (threads, execution providers, optimisation level). */
  sessionOptions?: InferenceSession.SessionOptions;
}

export interface ActOptions {
  /** Argmax of the logits (evaluation, §6.4) instead of sampling. Default true. */
  greedy?: boolean;
  /** Needed when `greedy` is false. */
  rng?: Rng;
}

export interface ActResult {
  readonly actions: Int32Array;
  /** [batch, outputs], row-major. */
  readonly logits: Float32Array;
}

/** NaN or ±Inf in an observation would come out as NaN logits and an arbitrary action: refuse it, naming the index. */
function requireFiniteValues(field: string, values: Float32Array): void {
  for (let index = 0; index < values.length; index++) {
    if (!Number.isFinite(values[index]!)) throw new InputError({ field: `${field}[${index}]`, value: values[index], expected: "a finite number" });
  }
}

/**
 * A policy exported by `exportOnnx`, run by whichever onnxruntime it is given (the one policy-runner API of Node
 * and browsers: `OnnxPolicy` of `@rl3/onnx/node` and `loadWebPolicy` of `@rl3/onnx/web` only choose the runtime).
 * The session is created once and reused; the recurrent state (KV cache or GRU hidden state) lives between `act`
 * calls until `reset`. A `sequence` graph also works: it re-reads the whole history each step (simpler, slower).
 */
export class PolicyRunner {
  readonly metadata: PolicyMetadata;
  private readonly runtime: OnnxRuntime;
  private readonly session: InferenceSession;
  private batchSize = 0;
  private position = 0;
  private state: Record<string, Tensor> = {};
  private history: Float32Array[] = [];
  private readonly probabilities: Float64Array;

  protected constructor(runtime: OnnxRuntime, metadata: PolicyMetadata, session: InferenceSession) {
    this.runtime = runtime;
    this.metadata = metadata;
    this.session = session;
    this.probabilities = new Float64Array(metadata.spec.outputSize);
  }

  /**
   * Reads the metadata and opens a session on `runtime`. A file that is not ONNX, has no rl3 metadata or that
   * the runtime rejects gets a `FileFormatError` saying which, before anything runs.
   */
  static async create(bytes: Uint8Array, runtime: OnnxRuntime, options: PolicyRunnerOptions = {}): Promise<PolicyRunner> {
    const { metadata, session } = await PolicyRunner.open(bytes, runtime, options);
    return new PolicyRunner(runtime, metadata, session);
  }

  /** The metadata and session of a policy file (for subclasses that add a loader). */
  protected static async open(bytes: Uint8Array, runtime: OnnxRuntime, options: PolicyRunnerOptions): Promise<{ metadata: PolicyMetadata; session: InferenceSession }> {
    if (!(bytes instanceof Uint8Array)) throw new InputError({ field: "bytes", value: bytes, expected: "the policy file's bytes as a Uint8Array" });
    const metadata = readPolicyMetadata(bytes, options.path);
    let session: InferenceSession;
    try {
      session = await runtime.InferenceSession.create(bytes, options.sessionOptions);
    } catch (error) {
      throw new FileFormatError(`onnxruntime rejected the graph: ${(error as Error).message}`, { path: options.path, cause: error });
    }
    return { metadata, session };
  }

  get observationSize(): number {
    return this.metadata.spec.inputSize;
  }

  get numActions(): number {
    return this.metadata.spec.outputSize;
  }

  /** Starts new meta-episodes for `batchSize` envs (clears the recurrent state). */
  reset(batchSize: number): void {
    this.batchSize = requireInteger("batchSize", batchSize, 1, MODEL_LIMITS.batchSize);
    this.position = 0;
    this.history = [];
    const { spec } = this.metadata;
    this.state = {};
    if (this.metadata.graph !== "step") return;
    if (spec.kind === "transformer") {
      const headSize = spec.dModel / spec.heads;
      for (let layer = 0; layer < spec.layers; layer++) {
        this.state[TENSOR_NAMES.pastKey(layer)] = new this.runtime.Tensor("float32", new Float32Array(0), [batchSize, spec.heads, 0, headSize]);
        this.state[TENSOR_NAMES.pastValue(layer)] = new this.runtime.Tensor("float32", new Float32Array(0), [batchSize, spec.heads, 0, headSize]);
      }
    } else if (spec.kind === "gru") {
      this.state[TENSOR_NAMES.hidden] = new this.runtime.Tensor("float32", new Float32Array(batchSize * spec.dModel), [batchSize, spec.dModel]);
    }
  }

  /** Outputs (logits) for one observation per env, [batch × inputSize] row-major; advances the state. */
  async forward(observations: ArrayLike<number>): Promise<Float32Array> {
    const { spec } = this.metadata;
    if (this.batchSize === 0) throw new StateError("call reset(batchSize) before act()/forward()");
    if (!(Array.isArray(observations) || ArrayBuffer.isView(observations))) throw new InputError({ field: "observations", value: observations, expected: "an array of numbers" });
    if (observations.length !== this.batchSize * spec.inputSize) {
      throw new InputError({ field: "observations.length", value: observations.length, expected: `${this.batchSize * spec.inputSize} (batch ${this.batchSize} × input ${spec.inputSize})` });
    }
    if (this.position >= spec.maxSequenceLength && spec.kind === "transformer") {
      throw new StateError(`the policy has seen ${this.position} steps, its maximum sequence length; call reset()`);
    }
    const input = Float32Array.from(observations);
    requireFiniteValues("observations", input);
    if (this.metadata.graph === "sequence") return this.forwardSequence(input);
    const feeds: Record<string, Tensor> = { ...this.state, [TENSOR_NAMES.observations]: new this.runtime.Tensor("float32", input, [this.batchSize, spec.inputSize]) };
    if (spec.kind === "transformer") feeds[TENSOR_NAMES.position] = new this.runtime.Tensor("int64", BigInt64Array.of(BigInt(this.position)), [1]);
    const results = await this.session.run(feeds);
    if (spec.kind === "transformer") {
      for (let layer = 0; layer < spec.layers; layer++) {
        this.state[TENSOR_NAMES.pastKey(layer)] = results[TENSOR_NAMES.presentKey(layer)]!;
        this.state[TENSOR_NAMES.pastValue(layer)] = results[TENSOR_NAMES.presentValue(layer)]!;
      }
    } else if (spec.kind === "gru") this.state[TENSOR_NAMES.hidden] = results[TENSOR_NAMES.presentHidden]!;
    this.position++;
    return results[TENSOR_NAMES.outputs]!.data as Float32Array;
  }

  /** Chooses one action per env: argmax (greedy) or a draw from softmax(logits). */
  async act(observations: ArrayLike<number>, options: ActOptions = {}): Promise<ActResult> {
    requireObject("options", options);
    const greedy = options.greedy ?? true;
    if (typeof greedy !== "boolean") throw new InputError({ field: "greedy", value: greedy, expected: "true or false" });
    if (!greedy && !(options.rng instanceof Rng)) throw new InputError({ field: "rng", value: options.rng, expected: "an Rng when greedy is false" });
    const logits = await this.forward(observations);
    const numActions = this.numActions;
    const actions = new Int32Array(this.batchSize);
    for (let env = 0; env < this.batchSize; env++) {
      if (greedy) {
        let best = 0;
        for (let action = 1; action < numActions; action++) if (logits[env * numActions + action]! > logits[env * numActions + best]!) best = action;
        actions[env] = best;
      } else actions[env] = options.rng!.categorical(softmaxRow(logits, env * numActions, numActions, this.probabilities));
    }
    return { actions, logits };
  }

  /** Runs a `sequence` graph on whole histories [batch, time, input] (batch evaluation). */
  async runSequence(observations: Float32Array, batch: number, time: number): Promise<Float32Array> {
    if (this.metadata.graph !== "sequence") throw new StateError("runSequence needs a policy exported with graph: \"sequence\"");
    const { spec } = this.metadata;
    requireInteger("batch", batch, 1, MODEL_LIMITS.batchSize);
    requirePositiveInteger("time", time);
    if (!(observations instanceof Float32Array)) throw new InputError({ field: "observations", value: observations, expected: "a Float32Array" });
    if (spec.kind === "transformer" && time > spec.maxSequenceLength) {
      throw new InputError({ field: "time", value: time, expected: `at most ${spec.maxSequenceLength}, the policy's maximum sequence length (H)` });
    }
    if (observations.length !== batch * time * spec.inputSize) {
      throw new InputError({ field: "observations.length", value: observations.length, expected: `${batch * time * spec.inputSize} (batch ${batch} × time ${time} × input ${spec.inputSize})` });
    }
    requireFiniteValues("observations", observations);
    const results = await this.session.run({ [TENSOR_NAMES.observations]: new this.runtime.Tensor("float32", observations, [batch, time, this.metadata.spec.inputSize]) });
    return results[TENSOR_NAMES.outputs]!.data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private async forwardSequence(input: Float32Array): Promise<Float32Array> {
    const { spec } = this.metadata;
    this.history.push(input);
    const time = this.history.length;
    const batch = this.batchSize;
    const sequence = new Float32Array(batch * time * spec.inputSize);
    for (let step = 0; step < time; step++) {
      for (let env = 0; env < batch; env++) {
        sequence.set(this.history[step]!.subarray(env * spec.inputSize, (env + 1) * spec.inputSize), (env * time + step) * spec.inputSize);
      }
    }
    const outputs = await this.runSequence(sequence, batch, time);
    const last = new Float32Array(batch * spec.outputSize);
    for (let env = 0; env < batch; env++) last.set(outputs.subarray(((env * time) + time - 1) * spec.outputSize, (env * time + time) * spec.outputSize), env * spec.outputSize);
    this.position++;
    return last;
  }
}
