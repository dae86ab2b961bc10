export { ObservationEncoder, encodedSize, qDenominator, METHODS } from "./observation-encoder.js";
export type { Method, Encoding, QCache, EncoderOptions, EncoderConfig } from "./observation-encoder.js";
export { ObservationWrapper, rl2Wrapper, rl3Wrapper } from "./observation-wrapper.js";
export type { WrapperOptions } from "./observation-wrapper.js";
export { generalizedAdvantages } from "./gae.js";
export { Adam, type AdamOptions, addWeightDecay } from "./adam.js";
export { trainConfigSchema, parseTrainConfig, defaultTrainConfig, ENGINE_NAMES, SCALES, STANDARD_SHARE } from "./config.js";
export type { TrainConfig, TrainConfigInput, Scale, EngineName } from "./config.js";
export { createTrainingEngine, ENGINE_DEVICES } from "./engines.js";
export { collectRollout } from "./ppo/rollout.js";
export type { Rollout, RolloutOptions, ActingPolicy } from "./ppo/rollout.js";
export { PpoTrainer } from "./ppo-trainer.js";
export type { IterationMetrics, TrainerOptions } from "./ppo-trainer.js";
export { RandomAgent, OracleAgent, ModelBasedAgent, Ucb1Agent, ThompsonAgent, createBaseline, BASELINE_NAMES } from "./agents.js";
export type { MetaAgent, AgentContext, BaselineName } from "./agents.js";
export { OnnxPolicyAgent } from "./policy-agent.js";
export { evaluate, testTasks, DEFAULT_TEST_SEED } from "./evaluate.js";
export type { EvaluateOptions, EvaluationResult } from "./evaluate.js";
export { trainingStreams, testStream, testTaskStreams, taskStreams, weightSeed } from "./streams.js";
export type { TaskStreams } from "./streams.js";
export {
  aggregateScores,
  bootstrapInterval,
  interquartileMean,
  mean,
  pairedBootstrap,
  probabilityOfImprovement,
  standardError,
  stratifiedBootstrap,
  DEFAULT_RESAMPLES,
} from "./statistics.js";
export type { BootstrapOptions, Interval, PairedComparison, ResampledScores, ScoreMatrix, SeedAggregate } from "./statistics.js";
