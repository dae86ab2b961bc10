export type { TabularTask, TaskFamily, TaskDomain, StepSample } from "./tabular-task.js";
export { TransitionTable } from "./transition-table.js";
export { ENV_LIMITS } from "./limits.js";
export { BernoulliBandit, banditFamily } from "./bandit.js";
export type { BanditFamilyOptions } from "./bandit.js";
export { RandomMdp, randomMdpFamily } from "./random-mdp.js";
export type { RandomMdpDefinition, RandomMdpFamilyOptions } from "./random-mdp.js";
export { GridWorld } from "./gridworld/gridworld.js";
export type { GridDynamics } from "./gridworld/gridworld.js";
export { Tile, GridAction, TILE_CHARACTERS, TILE_ENTER_REWARD, isTerminalTile } from "./gridworld/tiles.js";
export {
  generateGrid,
  validateGridParameters,
  rejectionValue,
  REJECTION_LOOKAHEAD,
  REJECTION_VALUE_RANGE,
  MAX_GENERATION_ATTEMPTS,
  GENERATION_CELL_BUDGET,
  MAX_PASSABLE_GOAL_DISTANCE,
  generationAttempts,
} from "./gridworld/generator.js";
export type { GridParameters } from "./gridworld/generator.js";
export { GRID_PRESETS } from "./gridworld/presets.js";
export type { GridPresetName } from "./gridworld/presets.js";
export { gridFamily } from "./gridworld/family.js";
export type { GridFamily } from "./gridworld/family.js";
export { taskFamily, TASK_FAMILY_NAMES } from "./families.js";
export type { TaskFamilyName } from "./families.js";
export { MetaEnv } from "./meta-env.js";
export type { MetaEnvOptions, MetaEnvInfo } from "./meta-env.js";
export { VecMetaEnv } from "./vec-meta-env.js";
export type { VecMetaEnvOptions, VecMetaEnvInfo, VecResetResult, VecStepResult } from "./vec-meta-env.js";
export { oracleReturn, MetaEpisodeOracle, ORACLE_VALUE_LIMIT } from "./oracle.js";
export { optimalStateValues } from "./optimal-values.js";
export type { OptimalValueOptions } from "./optimal-values.js";
export { requireTaskFamily, requireTask, requireTaskOfFamily, requireRng } from "./checks.js";
