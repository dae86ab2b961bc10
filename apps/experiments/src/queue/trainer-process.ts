/**
 * The process that trains one queued run (forked by `rl3 worker`, one per concurrent job, so each uses its own
 * core and the worker's event loop stays free to renew BullMQ locks). The loop is `rl3 train`'s: the same
 * iterations, checkpoints every `checkpointEvery` and at the end, and the same step-graph policy export (and
 * best-validation policy), so a run gives the same numbers wherever it trains.
 */
import { PpoTrainer, type TrainConfig } from "@rl3/algorithms";
import { initBackend } from "@rl3/models";
import { ENGINES } from "../runs/engines.js";
import { threadShards } from "../runs/thread-shards.js";
import type { FromTrainer, ToTrainer } from "./trainer-protocol.js";

let stopRequested = false;
let finished = false;

function send(message: FromTrainer): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

async function train(config: TrainConfig, checkpoint: Uint8Array | undefined): Promise<void> {
  // Checkpoints travel as bytes to the worker, which stores them in Redis: no file on this machine.
  await initBackend("auto");
  // A job whose config asks for several workers gets them as threads of this process.
  let trainer: PpoTrainer;
  const options = { engines: ENGINES, remoteShards: threadShards(() => trainer, "auto") };
  if (checkpoint) {
    trainer = PpoTrainer.fromCheckpoint(checkpoint, config, { ...options, source: "the job's checkpoint" });
  } else {
    trainer = PpoTrainer.create(config, options);
  }
  await send({ type: "started", iteration: trainer.iteration });
  const saveCheckpoint = async () => {
    await send({ type: "checkpoint", iteration: trainer.iteration, bytes: trainer.checkpoint() });
  };
  while (!trainer.done && !stopRequested) {
    const metrics = await trainer.trainIteration();
    await send({ type: "iteration", metrics });
    if (trainer.iteration % trainer.config.checkpointEvery === 0) await saveCheckpoint();
  }
  await saveCheckpoint();
  if (trainer.done) {
    const bestPolicy = trainer.bestValidation ? { bestPolicy: trainer.exportPolicy("step", "best") } : {};
    await send({ type: "finished", iteration: trainer.iteration, policy: trainer.exportPolicy("step"), ...bestPolicy });
  } else await send({ type: "stopped", iteration: trainer.iteration });
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
