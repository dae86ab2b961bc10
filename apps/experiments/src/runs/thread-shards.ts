import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { EnvShard, PpoTrainer, ShardRollout, ShardStep } from "@rl3/algorithms";
import { type NamedWeights, StateError } from "@rl3/core";
import type { BackendName } from "@rl3/models";
import type { ShardReply, ShardRequest, ShardWorkerData } from "./shard-protocol.js";

/**
 * The built worker script: beside cli.js when this module is bundled into dist, or in the app's dist when it runs
 * from its source (tests, the benchmark).
 */
function workerEntry(): string {
  const candidates = ["./runs/shard-worker.js", "../../dist/runs/shard-worker.js"].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) throw new StateError(`the shard worker is missing (looked for ${candidates.join(", ")}): build the app (pnpm build)`);
  return path;
}

/**
 * An `EnvShard` in a worker thread: every call is a message, every answer a promise. A worker that throws rejects
 * its call with a `StateError` naming the worker and the cause; one that dies rejects every pending call, so the
 * trainer stops before it applies anything (the last checkpoint stays as it was).
 */
class ThreadShard implements EnvShard {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;

  constructor(
    private readonly worker: Worker,
    readonly envs: readonly number[],
    private readonly number: number,
  ) {
    worker.on("message", (reply: ShardReply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if ("error" in reply) call.reject(new StateError(`worker ${this.number} failed: ${reply.error.message}`));
      else call.resolve(reply.result);
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    worker.on("error", (error) => fail(new StateError(`worker ${this.number} crashed: ${error.message}`)));
    worker.on("exit", (code) => {
      if (code !== 0) fail(new StateError(`worker ${this.number} exited with code ${code}`));
    });
  }

  private call<T>(method: ShardRequest["method"], ...args: unknown[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } satisfies ShardRequest);
    });
  }

  rollout(iteration: number, actor: NamedWeights): Promise<ShardRollout> {
    return this.call("rollout", iteration, actor);
  }

  values(actor: NamedWeights, critic: NamedWeights): Promise<Float32Array> {
    return this.call("values", actor, critic);
  }

  setTargets(advantages: Float32Array, targets: Float32Array): Promise<void> {
    return this.call("setTargets", advantages, targets);
  }

  step(minibatch: number, actor: NamedWeights | undefined, critic: NamedWeights, entropyCoefficient: number): Promise<ShardStep | undefined> {
    return this.call("step", minibatch, actor, critic, entropyCoefficient);
  }

  kl(actor: NamedWeights): Promise<number> {
    return this.call("kl", actor);
  }

  async dispose(): Promise<void> {
    if (!this.failure) await this.call("dispose").catch(() => {});
    await this.worker.terminate();
  }
}

/**
 * The `remoteShards` of a trainer: one worker thread per shard after the first (which runs in the calling thread),
 * each with its own engine built like the trainer's.
 */
export function threadShards(trainer: () => PpoTrainer, backend: BackendName): (envs: readonly (readonly number[])[]) => Promise<EnvShard[]> {
  return async (envs) => {
    const entry = workerEntry();
    const { config } = trainer();
    return envs.map((owned, index) => {
      const data: ShardWorkerData = { worker: index + 2, config, engine: trainer().engineOptions(), envs: owned, backend };
      return new ThreadShard(new Worker(entry, { workerData: data }), owned, index + 2);
    });
  };
}
