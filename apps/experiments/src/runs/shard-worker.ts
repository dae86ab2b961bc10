/**
 * A worker thread owning one shard of a data-parallel run (`rl3 train --workers N`): its own engine (onnxruntime
 * sessions or tfjs models), its own RL³ estimators and its slice of the envs. It answers the trainer's calls one
 * at a time, in order; see `LocalShard` (@rl3/algorithms) for what each call computes.
 */
import { parentPort, workerData } from "node:worker_threads";
import { LocalShard } from "@rl3/algorithms";
import { taskFamily } from "@rl3/envs";
import { initBackend } from "@rl3/models";
import { createTrainingEngine } from "./engines.js";
import type { ShardReply, ShardRequest, ShardWorkerData } from "./shard-protocol.js";

const data = workerData as ShardWorkerData;
const port = parentPort!;

const ready = (async () => {
  if (data.config.engine === "tfjs") await initBackend(data.backend);
  const engine = await createTrainingEngine(data.config.engine, data.engine);
  return { engine, shard: new LocalShard(data.config, taskFamily(data.config.family), engine, data.envs) };
})();
// A set-up failure (an unknown family, an engine that cannot start) is the answer to the first call, not a crash.
ready.catch(() => {});

// Requests are handled strictly in order: the trainer awaits each before the next, but a queue keeps it so.
let queue: Promise<void> = Promise.resolve();
port.on("message", (request: ShardRequest) => {
  queue = queue.then(async () => {
    let reply: ShardReply;
    try {
      const { engine, shard } = await ready;
      const method = shard[request.method] as (...args: unknown[]) => Promise<unknown>;
      const result = await method.apply(shard, [...request.args]);
      if (request.method === "dispose") await engine.dispose();
      reply = { id: request.id, result };
    } catch (error) {
      const { name, message, code } = error as { name?: string; message?: string; code?: string };
      reply = { id: request.id, error: { name: name ?? "Error", message: message ?? String(error), ...(code ? { code } : {}) } };
    }
    port.postMessage(reply);
  });
});
