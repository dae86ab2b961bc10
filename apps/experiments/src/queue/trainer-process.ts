/**
 * The process that trains one queued run (forked by `rl3 worker`, one per concurrent job, so each uses its own
 * core and the worker's event loop stays free to renew BullMQ locks). The loop is `rl3 train`'s: the same
 * iterations, checkpoints every `checkpointEvery` and at the end, and the same step-graph policy export (and
 * best-validation policy), so a run gives the same numbers wherever it trains.
 */
import { PpoTrainer, type TrainConfig } from "@rl3/algorithms";
import { initBackend } from "@rl3/models";
import { runTraining, trainerOptions } from "../runs/run-training.js";
import type { FromTrainer, ToTrainer } from "./trainer-protocol.js";

let stopRequested = false;
let finished = false;

function send(message: FromTrainer): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

async function train(config: TrainConfig, checkpoint: Uint8Array | undefined): Promise<void> {
  // Checkpoints travel as bytes to the worker, which stores them in Redis: no file on this machine. A job whose
  // config asks for several workers gets them as threads of this process.
  await initBackend("auto");
  const threads = trainerOptions("auto");
  const trainer = threads.bind(checkpoint ? PpoTrainer.fromCheckpoint(checkpoint, config, { ...threads.options, source: "the job's checkpoint" }) : PpoTrainer.create(config, threads.options));
  await send({ type: "started", iteration: trainer.iteration });
  const { stopped } = await runTraining(trainer, {
    iteration: (metrics) => send({ type: "iteration", metrics }),
    checkpoint: (bytes, iteration) => send({ type: "checkpoint", iteration, bytes }),
    stopRequested: () => stopRequested,
  });
  if (stopped) await send({ type: "stopped", iteration: trainer.iteration });
  else {
    const bestPolicy = trainer.bestValidation ? { bestPolicy: trainer.exportPolicy("step", "best") } : {};
    await send({ type: "finished", iteration: trainer.iteration, policy: trainer.exportPolicy("step"), ...bestPolicy });
  }
  await trainer.dispose();
}

// The worker decides when to stop (Ctrl-C reaches the whole process group); a dead worker means exit at once.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
process.on("disconnect", () => process.exit(finished ? 0 : 1));
process.on("message", (message: ToTrainer) => {
  if (message.type === "stop") {
    stopRequested = true;
    return;
  }
  train(message.config, message.checkpoint).then(
    () => {
      finished = true;
      process.disconnect();
    },
    async (error: unknown) => {
      await send({ type: "error", message: (error as Error)?.message ?? String(error) }).catch(() => {});
      process.exit(1);
    },
  );
});
