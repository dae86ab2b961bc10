import * as tf from "@tensorflow/tfjs-core";

export { tf };
export { initBackend, BACKEND_NAMES } from "./backend.js";
export type { BackendName, BackendChoice } from "./backend.js";
export { createModel, ActorCritic } from "./create-model.js";
export type { CreateModelOptions, ActorCriticOptions } from "./create-model.js";
export type { SequenceModel, StepState } from "./sequence-model.js";
export { disposeState } from "./sequence-model.js";
export { TransformerModel } from "./transformer.js";
export { GruModel } from "./gru.js";
export { MarkovModel } from "./markov.js";
/** Moved to @rl3/core (pure TypeScript); re-exported here so existing imports keep working. */
export { initialWeights } from "@rl3/core";
export { matMul, dense, layerNorm, gelu, causalMask } from "./ops.js";
export { encodeSafetensors, decodeSafetensors, saveWeights, loadWeights } from "./safetensors.js";
export { TfjsTrainingEngine } from "./training-engine.js";
