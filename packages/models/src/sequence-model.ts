import * as tf from "@tensorflow/tfjs-core";
import { InputError, MODEL_LIMITS, type ModelSpec, type NamedWeights, StateError, type WeightTensor, checkNamedWeights, requireInteger, requireSpec } from "@rl3/core";

/** Recurrent state carried by `step`: per-layer key/value caches (transformer) or the hidden state (GRU). */
export interface StepState {
  /** Steps already taken (the position of the next input). */
  readonly position: number;
  readonly tensors: readonly tf.Tensor[];
}

/**
 * A network of §4.1 over whole meta-episode histories. `forward` runs a full sequence (training, batch
 * evaluation); `step` consumes one input per env and returns one output, carrying a state between calls
 * (acting). The two agree exactly (tested to 1e-5).
 */
export interface SequenceModel {
  readonly spec: ModelSpec;
  /** The trainable variables, in `spec.weights` order. */
  readonly variables: readonly tf.Variable[];
  /** inputs [batch, time, inputSize] → outputs [batch, time, outputSize]. */
  forward(inputs: tf.Tensor3D): tf.Tensor3D;
  /** An empty state for `batchSize` envs. */
  initialState(batchSize: number): StepState;
  /** inputs [batch, inputSize] → outputs [batch, outputSize]; disposes nothing it was given. */
  step(inputs: tf.Tensor2D, state: StepState): { output: tf.Tensor2D; state: StepState };
  getWeights(): NamedWeights;
  setWeights(weights: NamedWeights): void;
  dispose(): void;
}

/** Variables by name plus the weight plumbing every model kind shares. */
export abstract class VariableStore {
  readonly spec: ModelSpec;
  readonly variables: tf.Variable[];
  protected readonly byName: Map<string, tf.Variable>;

  private disposed = false;

  constructor(spec: ModelSpec, weights: NamedWeights) {
    requireSpec(spec);
    checkNamedWeights(spec, weights);
    this.spec = spec;
    this.byName = new Map();
    this.variables = spec.weights.map(({ name, shape }) => {
      const variable = tf.variable(tf.tensor(weights[name]!.data, [...shape]), true);
      this.byName.set(name, variable);
      return variable;
    });
  }

  protected weight(name: string): tf.Variable {
    // Every computation reads its weights here: after dispose() they would read as zeros, so refuse instead.
    if (this.disposed) throw new StateError(`this ${this.spec.kind} model has been disposed; create a new one`);
    const variable = this.byName.get(name);
    if (variable === undefined) throw new Error(`internal: no weight ${name}`);
    return variable;
  }

  getWeights(): NamedWeights {
    const weights: Record<string, WeightTensor> = {};
    for (const { name, shape } of this.spec.weights) {
      weights[name] = { shape: [...shape], data: Float32Array.from(this.weight(name).dataSync() as Float32Array) };
    }
    return weights;
  }

  setWeights(weights: NamedWeights): void {
    checkNamedWeights(this.spec, weights);
    tf.tidy(() => {
      for (const { name, shape } of this.spec.weights) this.weight(name).assign(tf.tensor(weights[name]!.data, [...shape]));
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const variable of this.variables) variable.dispose();
  }

  /**
   * `inputs` of `forward` (rank 3) or `step` (rank 2): a live float tensor whose last axis is spec.inputSize, at most
   * with finite values (the transformer checks the sequence length itself) (a NaN input would come out as NaN outputs).
   */
  protected checkInputs(inputs: tf.Tensor, rank: 2 | 3): void {
    if (this.disposed) throw new StateError(`this ${this.spec.kind} model has been disposed; create a new one`);
    if (!(inputs instanceof tf.Tensor) || inputs.isDisposed) throw new InputError({ field: "inputs", value: inputs, expected: `a live tf.Tensor of rank ${rank}` });
    const wanted = rank === 3 ? "[batch, time, inputSize]" : "[batch, inputSize]";
    if (inputs.rank !== rank || inputs.shape.at(-1) !== this.spec.inputSize || inputs.shape[0] === 0) {
      throw new InputError({ field: "inputs.shape", value: inputs.shape, expected: `${wanted} with inputSize ${this.spec.inputSize}` });
    }
    if (!(tf.tidy(() => tf.all(tf.isFinite(inputs))).dataSync()[0] === 1)) {
      throw new InputError({ field: "inputs", value: "a tensor with NaN or ±Infinity", expected: "finite values" });
    }
  }

  /** A `StepState` from `initialState` for the same batch, not yet disposed and within the sequence length. */
  protected checkState(state: StepState, batch: number): void {
    if (typeof state !== "object" || state === null || !Number.isSafeInteger(state.position) || state.position < 0 || !Array.isArray(state.tensors)) {
      throw new InputError({ field: "state", value: state, expected: "a StepState from initialState() or the last step()" });
    }
    if (this.spec.kind === "transformer" && state.position >= this.spec.maxSequenceLength) {
      throw new StateError(`the model has taken ${state.position} steps, its maximum sequence length (${this.spec.maxSequenceLength}); start again from initialState()`);
    }
    for (const tensor of state.tensors) {
      if (!(tensor instanceof tf.Tensor) || tensor.isDisposed || tensor.shape[0] !== batch) {
        throw new InputError({ field: "state.tensors", value: tensor instanceof tf.Tensor ? tensor.shape : tensor, expected: `live tensors of batch ${batch} (a state of the last step(); disposed states cannot be reused)` });
      }
    }
  }

  protected checkBatchSize(batchSize: number): void {
    if (this.disposed) throw new StateError(`this ${this.spec.kind} model has been disposed; create a new one`);
    requireInteger("batchSize", batchSize, 1, MODEL_LIMITS.batchSize);
  }
}

/** Disposes the tensors of a state that has been replaced. */
export function disposeState(state: StepState): void {
  for (const tensor of state.tensors) tensor.dispose();
}
