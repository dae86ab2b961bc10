import * as tf from "@tensorflow/tfjs-core";
import { InputError, type ModelSpec, type NamedWeights } from "@rl3/core";
import { dense } from "./ops.js";
import { type SequenceModel, type StepState, VariableStore } from "./sequence-model.js";

/**
 * The §4.1 `rnn` model: Dense(in, 64, relu) → GRU(64 → 256) → Dense(256, out). Gates (r, z, n) with the reset
 * gate applied after the recurrent matmul: n = tanh(x Wn + bn + r ⊙ (h Un + cn)), h' = (1 − z) ⊙ n + z ⊙ h.
 */
export class GruModel extends VariableStore implements SequenceModel {
  constructor(spec: ModelSpec, weights: NamedWeights) {
    super(spec, weights);
  }

  forward(inputs: tf.Tensor3D): tf.Tensor3D {
    this.checkInputs(inputs, 3);
    const [batch, time, inputSize] = inputs.shape;
    this.checkInput(inputSize);
    const { dModel, outputSize } = this.spec;
    return tf.tidy(() => {
      // Input projections for all steps at once, time-major, then one recurrence step per time step.
      const embedded = tf.relu(dense(tf.reshape(inputs, [batch * time, inputSize]), this.weight("embed.kernel"), this.weight("embed.bias")));
      const projected = dense(embedded, this.weight("gru.input_kernel"), this.weight("gru.input_bias"));
      const perStep = tf.unstack(tf.transpose(tf.reshape(projected, [batch, time, 3 * dModel]), [1, 0, 2]));
      let hidden: tf.Tensor = tf.zeros([batch, dModel]);
      const outputs: tf.Tensor[] = [];
      for (const stepInput of perStep) {
        hidden = this.recur(stepInput, hidden);
        outputs.push(hidden);
      }
      const states = tf.reshape(tf.transpose(tf.stack(outputs), [1, 0, 2]), [batch * time, dModel]);
      return tf.reshape(dense(states, this.weight("head.kernel"), this.weight("head.bias")), [batch, time, outputSize]) as tf.Tensor3D;
    });
  }

  initialState(batchSize: number): StepState {
    this.checkBatchSize(batchSize);
    return { position: 0, tensors: [tf.zeros([batchSize, this.spec.dModel])] };
  }

  step(inputs: tf.Tensor2D, state: StepState): { output: tf.Tensor2D; state: StepState } {
    this.checkInputs(inputs, 2);
    this.checkState(state, inputs.shape[0]);
    this.checkInput(inputs.shape[1]);
    const result = tf.tidy(() => {
      const embedded = tf.relu(dense(inputs, this.weight("embed.kernel"), this.weight("embed.bias")));
      const hidden = this.recur(dense(embedded, this.weight("gru.input_kernel"), this.weight("gru.input_bias")), state.tensors[0]!);
      return { output: dense(hidden, this.weight("head.kernel"), this.weight("head.bias")) as tf.Tensor2D, hidden };
    });
    return { output: result.output, state: { position: state.position + 1, tensors: [result.hidden] } };
  }

  private recur(inputProjection: tf.Tensor, hidden: tf.Tensor): tf.Tensor {
    const recurrent = dense(hidden, this.weight("gru.recurrent_kernel"), this.weight("gru.recurrent_bias"));
    const [inputReset, inputUpdate, inputCandidate] = tf.split(inputProjection, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const [recurrentReset, recurrentUpdate, recurrentCandidate] = tf.split(recurrent, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const reset = tf.sigmoid(tf.add(inputReset, recurrentReset));
    const update = tf.sigmoid(tf.add(inputUpdate, recurrentUpdate));
    const candidate = tf.tanh(tf.add(inputCandidate, tf.mul(reset, recurrentCandidate)));
    return tf.add(tf.mul(tf.sub(1, update), candidate), tf.mul(update, hidden));
  }

  private checkInput(inputSize: number): void {
    if (inputSize !== this.spec.inputSize) {
      throw new InputError({ field: "inputs.shape[-1]", value: inputSize, expected: `${this.spec.inputSize} (spec.inputSize)` });
    }
  }
}

