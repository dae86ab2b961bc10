import * as tf from "@tensorflow/tfjs-core";
import { InputError, type ModelSpec, type NamedWeights } from "@rl3/core";
import { dense } from "./ops.js";
import { type SequenceModel, type StepState, VariableStore } from "./sequence-model.js";

/** The §4.1 `markov` model (and "RL³ (Markov)" of [v4]): an MLP on the current input only, no history. */
export class MarkovModel extends VariableStore implements SequenceModel {
  constructor(spec: ModelSpec, weights: NamedWeights) {
    super(spec, weights);
  }

  forward(inputs: tf.Tensor3D): tf.Tensor3D {
    this.checkInputs(inputs, 3);
    const [batch, time, inputSize] = inputs.shape;
    return tf.tidy(() => tf.reshape(this.apply(tf.reshape(inputs, [batch * time, inputSize])), [batch, time, this.spec.outputSize]) as tf.Tensor3D);
  }

  initialState(): StepState {
    return { position: 0, tensors: [] };
  }

  step(inputs: tf.Tensor2D, state: StepState): { output: tf.Tensor2D; state: StepState } {
    this.checkInputs(inputs, 2);
    this.checkState(state, inputs.shape[0]);
    return { output: tf.tidy(() => this.apply(inputs) as tf.Tensor2D), state: { position: state.position + 1, tensors: [] } };
  }

  private apply(rows: tf.Tensor): tf.Tensor {
    if (rows.shape[1] !== this.spec.inputSize) {
      throw new InputError({ field: "inputs.shape[-1]", value: rows.shape[1], expected: `${this.spec.inputSize} (spec.inputSize)` });
    }
    let hidden = rows;
    for (let layer = 0; layer < this.spec.layers; layer++) {
      hidden = tf.relu(dense(hidden, this.weight(`layer${layer}.kernel`), this.weight(`layer${layer}.bias`)));
    }
    return dense(hidden, this.weight("head.kernel"), this.weight("head.bias"));
  }
}
