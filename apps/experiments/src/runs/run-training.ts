import type { IterationMetrics, PpoTrainer, TrainerOptions } from "@rl3/algorithms";
import type { BackendName } from "@rl3/models";
import { ENGINES } from "./engines.js";
import { threadShards } from "./thread-shards.js";

/**
 * What a training loop does with what it produces. `rl3 train` writes files into a run directory; the queue's
 * trainer process sends bytes to its worker, which stores them in Redis. The loop itself is the same for both.
 */
export interface TrainingHooks {
  /** After every iteration, in order. */
  iteration(metrics: IterationMetrics): void | Promise<void>;
  /** A new best greedy validation policy, at once: a kill before the next checkpoint then loses nothing. */
  bestPolicy?(bytes: Uint8Array): void | Promise<void>;
  /** Checkpoint bytes, every `checkpointEvery` iterations and when the loop ends. */
  checkpoint(bytes: Uint8Array, iteration: number): void | Promise<void>;
  /** Polled between iterations (Ctrl-C, a queue's stop request). */
  stopRequested(): boolean;
}

/**
 * The one training loop: iterations until the run is done or a stop is requested, checkpoints on schedule and at the
 * end. Returns whether it stopped early. On an error the trainer's worker threads are stopped before it propagates,
 * and nothing past the last checkpoint was written.
 */
export async function runTraining(trainer: PpoTrainer, hooks: TrainingHooks): Promise<{ stopped: boolean }> {
  try {
    while (!trainer.done && !hooks.stopRequested()) {
      const metrics = await trainer.trainIteration();
      await hooks.iteration(metrics);
      if (hooks.bestPolicy && trainer.bestValidation?.iteration === trainer.iteration) await hooks.bestPolicy(trainer.exportPolicy("step", "best"));
      if (trainer.iteration % trainer.config.checkpointEvery === 0) await hooks.checkpoint(trainer.checkpoint(), trainer.iteration);
    }
    await hooks.checkpoint(trainer.checkpoint(), trainer.iteration);
    return { stopped: !trainer.done };
  } catch (error) {
    await trainer.dispose().catch(() => {});
    throw error;
  }
}

/**
 * Trainer options for this app: every engine it has, and shards after the first in worker threads of this process.
 * `bind` tells the threads which trainer they serve once it exists.
 */
export function trainerOptions(backend: BackendName): { options: TrainerOptions; bind: (trainer: PpoTrainer) => PpoTrainer } {
  let trainer: PpoTrainer | undefined;
  const options: TrainerOptions = { engines: ENGINES, remoteShards: threadShards(() => trainer!, backend) };
  return { options, bind: (created) => (trainer = created) };
}
