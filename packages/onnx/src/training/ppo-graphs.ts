import type { ModelSpec } from "@rl3/core";
import { OPSET, buildNetwork } from "../export.js";
import { differentiate } from "../autodiff/differentiate.js";
import { FLOAT, GraphBuilder, INT64 } from "../graph-builder.js";
import { trainableWeights } from "./trainable-weights.js";

/** Names of the training graphs' extra inputs and outputs. */
export const TRAINING_NAMES = {
  actions: "actions",
  oldLogProbabilities: "old_log_probabilities",
  advantages: "advantages",
  entropyCoefficient: "entropy_coefficient",
  targets: "targets",
  loss: "loss",
  policyLoss: "policy_loss",
  entropy: "entropy",
  approxKl: "approx_kl",
  clipFraction: "clip_fraction",
  valueLoss: "value_loss",
  gradient: (weight: string) => `grad:${weight}`,
} as const;

export interface GraphShape {
  count: number;
  time: number;
}

function encode(builder: GraphBuilder, name: string): Uint8Array {
  return builder.encode({ opset: OPSET, producerVersion: "rl3-training", metadata: {}, graphName: name });
}

/** The network alone on histories of a fixed shape, weights as inputs (rollout log-probabilities, values, KL). */
export function forwardGraph(spec: ModelSpec, shape: GraphShape): Uint8Array {
  const builder = new GraphBuilder();
  buildNetwork(builder, spec, trainableWeights(builder, spec), "sequence", { batch: shape.count, time: shape.time });
  return encode(builder, `rl3_${spec.kind}_forward`);
}

/**
 * The actor's PPO loss (spec §5.2, as CleanRL's ppo.py computes it) and its gradient:
 * ρ = exp(log π(a|h) − log π_old(a|h)), L_clip = −mean(min(ρA, clip(ρ, 1 − ε, 1 + ε)A)),
 * H = mean(−Σ_a π log π), L = L_clip − c·H; diagnostics approx KL = mean((ρ − 1) − log ρ) and the clip fraction.
 */
export function policyGraph(spec: ModelSpec, shape: GraphShape, clipRange: number): Uint8Array {
  const builder = new GraphBuilder();
  const weights = trainableWeights(builder, spec);
  const logits = buildNetwork(builder, spec, weights, "sequence", { batch: shape.count, time: shape.time });
  builder.clearOutputs();
  const { count, time } = shape;
  const op = (type: string, inputs: string[], attributes?: Record<string, number | number[]>, output?: string) => builder.op(type, inputs, attributes, output);
  const actions = builder.input(TRAINING_NAMES.actions, [count, time], INT64);
  const old = builder.input(TRAINING_NAMES.oldLogProbabilities, [count, time]);
  const advantages = builder.input(TRAINING_NAMES.advantages, [count, time]);
  const coefficient = builder.input(TRAINING_NAMES.entropyCoefficient, []);
  const logProbabilities = op("LogSoftmax", [logits], { axis: -1 });
  const oneHot = op("OneHot", [actions, builder.ints([spec.outputSize], "depth"), builder.floats("one_hot_values", [2], [0, 1])], { axis: -1 });
  const chosen = op("ReduceSum", [op("Mul", [logProbabilities, oneHot]), builder.ints([2], "last_axis")], { keepdims: 0 });
  const logRatio = op("Sub", [chosen, old]);
  const ratio = op("Exp", [logRatio]);
  const clipped = op("Clip", [ratio, builder.scalar(1 - clipRange, "clip_low"), builder.scalar(1 + clipRange, "clip_high")]);
  const surrogate = op("Min", [op("Mul", [ratio, advantages]), op("Mul", [clipped, advantages])]);
  const mean = (value: string, output?: string) => op("ReduceMean", [value], { keepdims: 0 }, output);
  const policyLoss = op("Neg", [mean(surrogate)], undefined, TRAINING_NAMES.policyLoss);
  const perStepEntropy = op("Neg", [op("ReduceSum", [op("Mul", [op("Exp", [logProbabilities]), logProbabilities]), builder.ints([2], "last_axis_b")], { keepdims: 0 })]);
  const entropy = mean(perStepEntropy, TRAINING_NAMES.entropy);
  const loss = op("Sub", [policyLoss, op("Mul", [entropy, coefficient])], undefined, TRAINING_NAMES.loss);
  const one = builder.scalar(1, "one");
  mean(op("Sub", [op("Sub", [ratio, one]), logRatio]), TRAINING_NAMES.approxKl);
  mean(op("Cast", [op("Greater", [op("Abs", [op("Sub", [ratio, one])]), builder.scalar(clipRange, "clip_range")])], { to: FLOAT }), TRAINING_NAMES.clipFraction);
  declareOutputs(builder, spec, loss, [TRAINING_NAMES.loss, TRAINING_NAMES.policyLoss, TRAINING_NAMES.entropy, TRAINING_NAMES.approxKl, TRAINING_NAMES.clipFraction]);
  return encode(builder, `rl3_${spec.kind}_policy_loss`);
}

/** The critic's loss c_v · mean((V(x_t) − target_t)²) over t < H (x_H only feeds the bootstrap) and its gradient. */
export function valueGraph(spec: ModelSpec, shape: GraphShape, valueCoefficient: number): Uint8Array {
  const builder = new GraphBuilder();
  const weights = trainableWeights(builder, spec);
  const { count, time } = shape;
  const values = buildNetwork(builder, spec, weights, "sequence", { batch: count, time: time + 1 });
  builder.clearOutputs();
  const targets = builder.input(TRAINING_NAMES.targets, [count, time]);
  const predicted = builder.op("Reshape", [builder.op("Slice", [values, builder.ints([0, 0, 0]), builder.ints([count, time, 1])]), builder.ints([count, time])]);
  const error = builder.op("Sub", [predicted, targets]);
  const mse = builder.op("ReduceMean", [builder.op("Mul", [error, error])], { keepdims: 0 });
  const loss = builder.op("Mul", [mse, builder.scalar(valueCoefficient, "value_coefficient")], undefined, TRAINING_NAMES.valueLoss);
  declareOutputs(builder, spec, loss, [TRAINING_NAMES.valueLoss]);
  return encode(builder, `rl3_${spec.kind}_value_loss`);
}

function declareOutputs(builder: GraphBuilder, spec: ModelSpec, loss: string, scalars: string[]): void {
  const gradients = differentiate(builder, loss, spec.weights.map((weight) => weight.name));
  for (const name of scalars) builder.output(name, []);
  for (const { name, shape } of spec.weights) {
    builder.op("Identity", [gradients[name]!], undefined, TRAINING_NAMES.gradient(name));
    builder.output(TRAINING_NAMES.gradient(name), shape);
  }
}

