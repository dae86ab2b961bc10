export { Rng, DIRICHLET_COMPONENT_LIMIT } from "./rng.js";
export type { RngState } from "./rng.js";
export {
  Rl3Error,
  InputError,
  ConfigError,
  StateError,
  FileFormatError,
  UnknownNameError,
  describeValue,
  closestName,
  editDistance,
} from "./errors.js";
export type { Rl3ErrorCode, FieldProblem } from "./errors.js";
export {
  requireFinite,
  requirePositive,
  requireNonNegative,
  requireInRange,
  requireInteger,
  requirePositiveInteger,
  requireIndex,
  requireObject,
  requireOneOf,
  requireFiniteArray,
  requireSafeSize,
  requireBuffer,
} from "./validate.js";
export { checkNamedWeights, elementCount, createModelSpec, requireSpec, sameShape, MODEL_LIMITS } from "./model-spec.js";
export type { ModelKind, Activation, WeightShape, ModelSpec, ModelSpecOptions, WeightTensor, NamedWeights } from "./model-spec.js";
export { TRAINING_DEVICES } from "./training-engine.js";
export type {
  ActingPolicy,
  TrainingDevice,
  NetworkRole,
  PolicyBatch,
  PolicyStep,
  ValueBatch,
  ValueStep,
  TrainingEngine,
  TrainingEngineOptions,
  TrainingEngineFactory,
} from "./training-engine.js";
export { initialWeights } from "./initial-weights.js";
export { encodeSafetensors, decodeSafetensors } from "./safetensors.js";
export { softmaxRow } from "./softmax.js";
