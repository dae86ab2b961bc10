import type { IterationMetrics, TrainConfig } from "@rl3/algorithms";

/**
 * Messages between a worker and the trainer process it forks for one job (IPC, structured clone). The trainer
 * never talks to Redis: the worker persists what it reports, fenced by the job's attempt (run-store.ts).
 */
export type ToTrainer = { type: "start"; config: TrainConfig; checkpoint?: Uint8Array } | { type: "stop" };

export type FromTrainer =
  | { type: "started"; iteration: number }
  | { type: "iteration"; metrics: IterationMetrics }
  | { type: "checkpoint"; iteration: number; bytes: Uint8Array }
  | { type: "finished"; iteration: number; policy: Uint8Array; bestPolicy?: Uint8Array }
  | { type: "stopped"; iteration: number }
  | { type: "error"; message: string };
