import * as tf from "@tensorflow/tfjs-core";
import { InputError, type ModelSpec, type NamedWeights } from "@rl3/core";
import { activate, causalMask, dense, layerNorm, matMul } from "./ops.js";
import { type SequenceModel, type StepState, VariableStore } from "./sequence-model.js";

/**
 * The §4.1 causal transformer: Dense(in, 256, relu) → Dense(256, d, relu) → LayerNorm → + learned positions →
 * post-LN decoder layers [h = LN(h + MHSA(h)); h = LN(h + FF(h))] → relu → Dense(d, out).
 * `step` keeps a key/value cache per layer, so acting costs O(t) per step.
 */
export class TransformerModel extends VariableStore implements SequenceModel {
  private readonly headSize: number;
  private readonly masks = new Map<number, tf.Tensor2D>();

  constructor(spec: ModelSpec, weights: NamedWeights) {
    super(spec, weights);
    this.headSize = spec.dModel / spec.heads;
  }

  forward(inputs: tf.Tensor3D): tf.Tensor3D {
    this.checkInputs(inputs, 3);
    const [batch, time, inputSize] = inputs.shape;
    this.checkInput(inputSize, time);
    const { dModel, heads, outputSize } = this.spec;
    const headSize = this.headSize;
    const mask = this.mask(time);
    return tf.tidy(() => {
      let hidden = this.embed(tf.reshape(inputs, [batch * time, inputSize]));
      const positions = tf.slice(this.weight("positions"), [0, 0], [time, dModel]);
      hidden = tf.reshape(tf.add(tf.reshape(hidden, [batch, time, dModel]), positions), [batch * time, dModel]);
      for (let layer = 0; layer < this.spec.layers; layer++) {
        const [query, key, value] = this.projections(layer, hidden);
        const splitHeads = (tensor: tf.Tensor, permutation: number[]) =>
          tf.transpose(tf.reshape(tensor, [batch, time, heads, headSize]), permutation);
        // Scaling the queries (d/heads wide) instead of the scores (T wide) saves a large elementwise op.
        const queries = splitHeads(tf.mul(query, 1 / Math.sqrt(headSize)), [0, 2, 1, 3]);
        const keysTransposed = splitHeads(key, [0, 2, 3, 1]);
        const values = splitHeads(value, [0, 2, 1, 3]);
        const scores = tf.add(matMul(queries, keysTransposed), mask);
        const attended = matMul(tf.softmax(scores), values);
        const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch * time, dModel]);
        hidden = this.finishLayer(layer, hidden, merged);
      }
      const output = dense(tf.relu(hidden), this.weight("head.kernel"), this.weight("head.bias"));
      return tf.reshape(output, [batch, time, outputSize]) as tf.Tensor3D;
    });
  }

  initialState(batchSize: number): StepState {
    this.checkBatchSize(batchSize);
    const { heads, layers } = this.spec;
    const empty = () => tf.zeros([batchSize, heads, 0, this.headSize]);
    return { position: 0, tensors: Array.from({ length: 2 * layers }, empty) };
  }

  step(inputs: tf.Tensor2D, state: StepState): { output: tf.Tensor2D; state: StepState } {
    this.checkInputs(inputs, 2);
    this.checkState(state, inputs.shape[0]);
    const [batch, inputSize] = inputs.shape;
    this.checkInput(inputSize, state.position + 1);
    const { dModel, heads } = this.spec;
    const headSize = this.headSize;
    const result = tf.tidy(() => {
      let hidden = this.embed(inputs);
      hidden = tf.add(hidden, tf.slice(this.weight("positions"), [state.position, 0], [1, dModel]));
      const caches: tf.Tensor[] = [];
      for (let layer = 0; layer < this.spec.layers; layer++) {
        const [query, key, value] = this.projections(layer, hidden);
        const toHeads = (tensor: tf.Tensor) => tf.reshape(tensor, [batch, heads, 1, headSize]);
        // Cached keys and values [batch, heads, t + 1, headSize]; the new step sees every past step.
        const keys = tf.concat([state.tensors[2 * layer]!, toHeads(key)], 2);
        const values = tf.concat([state.tensors[2 * layer + 1]!, toHeads(value)], 2);
        caches.push(keys, values);
        const scores = matMul(toHeads(tf.mul(query, 1 / Math.sqrt(headSize))), tf.transpose(keys, [0, 1, 3, 2]));
        const attended = matMul(tf.softmax(scores), values);
        hidden = this.finishLayer(layer, hidden, tf.reshape(attended, [batch, dModel]));
      }
      const output = dense(tf.relu(hidden), this.weight("head.kernel"), this.weight("head.bias")) as tf.Tensor2D;
      return { output, caches };
    });
    return { output: result.output, state: { position: state.position + 1, tensors: result.caches } };
  }

  override dispose(): void {
    super.dispose();
    for (const mask of this.masks.values()) mask.dispose();
    this.masks.clear();
  }

  private checkInput(inputSize: number, length: number): void {
    if (inputSize !== this.spec.inputSize) {
      throw new InputError({ field: "inputs.shape[-1]", value: inputSize, expected: `${this.spec.inputSize} (spec.inputSize)` });
    }
    if (length > this.spec.maxSequenceLength) {
      throw new InputError({ field: "sequence length", value: length, expected: `≤ ${this.spec.maxSequenceLength} (spec.maxSequenceLength)` });
    }
  }

  private mask(length: number): tf.Tensor2D {
    let mask = this.masks.get(length);
    if (mask === undefined) {
      // Kept: the mask may first be built inside a caller's tidy (e.g. tf.variableGrads) yet outlive it.
      mask = tf.keep(causalMask(length));
      this.masks.set(length, mask);
    }
    return mask;
  }

  private embed(rows: tf.Tensor): tf.Tensor {
    const first = tf.relu(dense(rows, this.weight("embed1.kernel"), this.weight("embed1.bias")));
    const second = tf.relu(dense(first, this.weight("embed2.kernel"), this.weight("embed2.bias")));
    return layerNorm(second, this.weight("embed_norm.gamma"), this.weight("embed_norm.beta"));
  }

  /** Q, K, V from the fused QKV kernel: the (small) kernel is sliced, never the (large) activations. */
  private projections(layer: number, hidden: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    const { dModel } = this.spec;
    const kernel = this.weight(`layer${layer}.qkv.kernel`);
    const bias = this.weight(`layer${layer}.qkv.bias`);
    const part = (index: number) =>
      dense(hidden, tf.slice(kernel, [0, index * dModel], [dModel, dModel]), tf.slice(bias, [index * dModel], [dModel]));
    return [part(0), part(1), part(2)];
  }

  private finishLayer(layer: number, hidden: tf.Tensor, attended: tf.Tensor): tf.Tensor {
    const prefix = `layer${layer}`;
    const projected = dense(attended, this.weight(`${prefix}.attention_output.kernel`), this.weight(`${prefix}.attention_output.bias`));
    const afterAttention = layerNorm(tf.add(hidden, projected), this.weight(`${prefix}.norm1.gamma`), this.weight(`${prefix}.norm1.beta`));
    const inner = activate(dense(afterAttention, this.weight(`${prefix}.ff1.kernel`), this.weight(`${prefix}.ff1.bias`)), this.spec.activation);
    const feedForward = dense(inner, this.weight(`${prefix}.ff2.kernel`), this.weight(`${prefix}.ff2.bias`));
    return layerNorm(tf.add(afterAttention, feedForward), this.weight(`${prefix}.norm2.gamma`), this.weight(`${prefix}.norm2.beta`));
  }
}
