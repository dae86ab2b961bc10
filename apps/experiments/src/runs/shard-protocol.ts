import type { BackendName } from "@rl3/models";
import type { TrainConfig } from "@rl3/algorithms";
import type { TrainingEngineOptions } from "@rl3/core";

/** What a shard worker thread is started with: everything it needs to build its own engine, encoder and envs. */
export interface ShardWorkerData {
  /** 1-based worker number, for error messages ("worker 2 failed: …"). */
  readonly worker: number;
  readonly config: TrainConfig;
  readonly engine: TrainingEngineOptions;
  readonly envs: readonly number[];
  readonly backend: BackendName;
}

/** A call of one `EnvShard` method in the worker. */
export interface ShardRequest {
  readonly id: number;
  readonly method: "rollout" | "values" | "setTargets" | "step" | "kl" | "dispose";
  readonly args: readonly unknown[];
}

/** The answer to request `id`: its result, or the error it threw (name, code and message survive the thread). */
export type ShardReply =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly code?: string } };
