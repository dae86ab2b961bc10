import * as tf from "@tensorflow/tfjs-core";
import { type ModelSpec, type NamedWeights, type WeightTensor, checkNamedWeights } from "@rl3/core";

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

  constructor(spec: ModelSpec, weights: NamedWeights) {
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
    for (const variable of this.variables) variable.dispose();
  }
}

/** Disposes the tensors of a state that has been replaced. */
export function disposeState(state: StepState): void {
  for (const tensor of state.tensors) tensor.dispose();
}
