import * as tf from "@tensorflow/tfjs-core";
import type { ActingPolicy, NamedWeights, NetworkRole, PolicyBatch, PolicyStep, TrainingEngine, TrainingEngineOptions, ValueBatch, ValueStep, WeightTensor } from "@rl3/core";
import { InputError, checkNamedWeights, requireObject } from "@rl3/core";
import { createModel } from "./create-model.js";
import type { SequenceModel } from "./sequence-model.js";

/**
 * The TensorFlow.js training engine: the reference the onnx engine is tested against, and the path for anyone
 * with tfjs-node(-gpu). The PPO losses below are spec §5.2 written with tf ops and differentiated by
 * `tf.variableGrads`; the weights come from the trainer on every call and are assigned to the models' variables.
 */
export class TfjsTrainingEngine implements TrainingEngine {
  readonly name = "tfjs";
  readonly device: string;
  private readonly actor: SequenceModel;
  private readonly critic: SequenceModel;

  private constructor(private readonly options: TrainingEngineOptions) {
    requireObject("options", options);
    if (options.device !== undefined && options.device !== "cpu" && options.device !== tf.getBackend()) {
      throw new InputError({ field: "device", value: options.device, expected: `the active TensorFlow.js backend (${tf.getBackend()}) or cpu` });
    }
    this.device = tf.getBackend();
    this.actor = createModel(options.actor);
    this.critic = createModel(options.critic);
  }

  static async create(options: TrainingEngineOptions): Promise<TfjsTrainingEngine> {
    return new TfjsTrainingEngine(options);
  }

  /** A tfjs model of the actor with a copy of these weights, stepping with its KV cache or hidden state. */
  async actingPolicy(weights: NamedWeights): Promise<ActingPolicy> {
    const spec = this.options.actor;
    checkNamedWeights(spec, weights);
    const copy = Object.fromEntries(Object.entries(weights).map(([name, tensor]) => [name, { shape: [...tensor.shape], data: Float32Array.from(tensor.data) }]));
    const actor = createModel(spec, { weights: copy });
    let state = actor.initialState(1);
    const disposeState = () => {
      for (const tensor of state.tensors) tensor.dispose();
    };
    return {
      reset: (batch) => {
        disposeState();
        state = actor.initialState(batch);
      },
      logits: async (observations) => {
        const input = tf.tensor2d(observations, [observations.length / spec.inputSize, spec.inputSize]);
        const { output, state: next } = actor.step(input, state);
        disposeState();
        state = next;
        const values = Float32Array.from(output.dataSync() as Float32Array);
        input.dispose();
        output.dispose();
        return values;
      },
      release: async () => {
        disposeState();
        actor.dispose();
      },
    };
  }

  async forward(role: NetworkRole, weights: NamedWeights, observations: Float32Array, count: number, time: number): Promise<Float32Array> {
    const model = role === "actor" ? this.actor : this.critic;
    model.setWeights(weights);
    return tf.tidy(() => model.forward(tf.tensor3d(observations, [count, time, model.spec.inputSize])).dataSync() as Float32Array);
  }

  async policyStep(weights: NamedWeights, batch: PolicyBatch): Promise<PolicyStep> {
    const model = this.actor;
    model.setWeights(weights);
    const { count, time } = batch;
    const clip = this.options.clipRange;
    return scoped(() => {
      const inputs = tf.tensor3d(batch.observations, [count, time, model.spec.inputSize]);
      const chosen = tf.oneHot(tf.tensor2d(batch.actions, [count, time], "int32"), model.spec.outputSize);
      const oldChosen = tf.tensor2d(batch.oldLogProbabilities, [count, time]);
      const advantage = tf.tensor2d(batch.advantages, [count, time]);
      let diagnostics: tf.Tensor[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const logProbabilities = tf.logSoftmax(model.forward(inputs));
        const logRatio = tf.sub(tf.sum(tf.mul(logProbabilities, chosen), -1), oldChosen);
        const ratio = tf.exp(logRatio);
        const surrogate = tf.minimum(tf.mul(ratio, advantage), tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), advantage));
        const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logProbabilities), logProbabilities), -1)));
        const policyLoss = tf.neg(tf.mean(surrogate));
        // Kept: variableGrads disposes what its function creates; the outer scope frees these.
        diagnostics = [
          tf.keep(policyLoss.clone()),
          tf.keep(entropy.clone()),
          tf.keep(tf.mean(tf.sub(tf.sub(ratio, 1), logRatio))),
          tf.keep(tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clip), "float32"))),
        ];
        return tf.sub(policyLoss, tf.mul(entropy, batch.entropyCoefficient)) as tf.Scalar;
      }, model.variables as tf.Variable[]);
      const [policyLoss, entropy, approxKl, clipFraction] = diagnostics.map((tensor) => tensor.dataSync()[0]!);
      for (const tensor of diagnostics) tensor.dispose();
      return { loss: value.dataSync()[0]!, policyLoss: policyLoss!, entropy: entropy!, approxKl: approxKl!, clipFraction: clipFraction!, gradients: namedGradients(model, grads) };
    });
  }

  async valueStep(weights: NamedWeights, batch: ValueBatch): Promise<ValueStep> {
    const model = this.critic;
    model.setWeights(weights);
    const { count, time } = batch;
    return scoped(() => {
      const inputs = tf.tensor3d(batch.observations, [count, time + 1, model.spec.inputSize]);
      const target = tf.tensor2d(batch.targets, [count, time]);
      const { value, grads } = tf.variableGrads(() => {
        const predicted = tf.reshape(tf.slice(model.forward(inputs), [0, 0, 0], [count, time, 1]), [count, time]);
        return tf.mul(tf.mean(tf.square(tf.sub(predicted, target))), this.options.valueCoefficient) as tf.Scalar;
      }, model.variables as tf.Variable[]);
      return { valueLoss: value.dataSync()[0]!, gradients: namedGradients(model, grads) };
    });
  }

  async dispose(): Promise<void> {
    this.actor.dispose();
    this.critic.dispose();
  }
}

/** Runs `body` in a tf scope that frees every tensor it made; returns plain data. */
function scoped<T>(body: () => T): T {
  let result: T | undefined;
  tf.tidy(() => {
    result = body();
  });
  return result!;
}

function namedGradients(model: SequenceModel, grads: tf.NamedTensorMap): NamedWeights {
  const out: Record<string, WeightTensor> = {};
  model.spec.weights.forEach(({ name, shape }, index) => {
    out[name] = { shape, data: Float32Array.from(grads[model.variables[index]!.name]!.dataSync() as Float32Array) };
  });
  return out;
}
