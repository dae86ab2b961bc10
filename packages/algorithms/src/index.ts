// The encoders, wrappers, agents, evaluation and streams live in the browser-safe @rl3/wrappers; re-exported so
// that every name @rl3/algorithms always had still imports from here.
export { ObservationEncoder, encodedSize, qDenominator, METHODS, METHOD_LABELS, isAugmented, carriesPreviousState, methodLabel } from "@rl3/wrappers";
export type { Method, Encoding, QCache, EncoderOptions, EncoderConfig } from "@rl3/wrappers";
export { ObservationWrapper, rl2Wrapper, rl3Wrapper } from "@rl3/wrappers";
export type { WrapperOptions } from "@rl3/wrappers";
export { generalizedAdvantages } from "./gae.js";
export { Adam, type AdamOptions, addWeightDecay } from "./adam.js";
export { trainConfigSchema, parseTrainConfig, defaultTrainConfig, ENGINE_NAMES, SCALES, STANDARD_SHARE, TRAIN_LIMITS } from "./config.js";
export type { TrainConfig, TrainConfigInput, Scale, EngineName } from "./config.js";
export { collectRollout } from "./ppo/rollout.js";
export { LocalShard, shardEnvs, combineSteps } from "./ppo/shard.js";
export type { EnvShard, ShardRollout, ShardStep } from "./ppo/shard.js";
export type { Rollout, RolloutOptions, ActingPolicy } from "./ppo/rollout.js";
export { PpoTrainer } from "./ppo/trainer.js";
export type { BestValidation, EngineFactories, IterationMetrics, RolloutStatistics, TrainerOptions } from "./ppo/trainer.js";
export { RandomAgent, OracleAgent, ModelBasedAgent, Ucb1Agent, ThompsonAgent, createBaseline, BASELINE_NAMES } from "@rl3/wrappers";
export type { MetaAgent, AgentContext, BaselineName } from "@rl3/wrappers";
export { evaluate, metaEpisodeReturns, testTasks, DEFAULT_TEST_SEED } from "@rl3/wrappers";
export type { EvaluateOptions, EvaluationResult } from "@rl3/wrappers";
export { trainingStreams, testStream, testTaskStreams, validationStream, validationTaskStreams, taskStreams, weightSeed } from "@rl3/wrappers";
export type { TaskStreams } from "@rl3/wrappers";
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
  MAX_RESAMPLES,
} from "./statistics.js";
export { seedMeanInterval, seedDifferenceInterval, studentTQuantile, studentTCdf } from "./seed-intervals.js";
export type { BootstrapOptions, Interval, PairedComparison, ResampledScores, ScoreMatrix, SeedAggregate } from "./statistics.js";
