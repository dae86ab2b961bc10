import type { IterationMetrics } from "@rl3/algorithms";
import type { Redis } from "ioredis";
import { KEY_PREFIX } from "./keys.js";

/** A queued run's stored files, as `writeQueuedRun` takes them. */
export interface RunArtifacts {
  metrics: IterationMetrics[];
  checkpoint: Buffer | undefined;
  policy: Buffer | undefined;
  bestPolicy?: Buffer | undefined;
}

/**
 * Where a queued run's state lives while it trains: in Redis beside its BullMQ job, under `rl3:run:<jobId>:…`.
 * Checkpoints of the quick and standard models are kilobytes to a few megabytes, so Redis holds them comfortably.
 *   attempt     counter, raised by every worker that starts the job
 *   checkpoint  the latest checkpoint.safetensors (bytes)
 *   metrics     list of metrics rows (JSON), one per iteration done
 *   policy      policy.onnx (bytes), written when the run finishes
 *   best-policy best-policy.onnx (bytes), written just before it when the run validated
 * Every write names the attempt it belongs to and is refused once a newer attempt has started: a worker that was
 * presumed dead (stalled) but is still running can never interleave its rows with those of its successor.
 */
export class RunStore {
  private readonly base: string;

  constructor(private readonly redis: Redis, readonly jobId: string) {
    this.base = `${KEY_PREFIX}:run:${jobId}`;
  }

  private key(part: "attempt" | "checkpoint" | "metrics" | "policy" | "best-policy"): string {
    return `${this.base}:${part}`;
  }

  /** Starts a new attempt: earlier attempts can no longer write. */
  async claim(): Promise<number> {
    return this.redis.incr(this.key("attempt"));
  }

  async checkpoint(): Promise<Buffer | undefined> {
    return (await this.redis.getBuffer(this.key("checkpoint"))) ?? undefined;
  }

  /** Keeps the first `count` rows: rows written after the checkpoint being resumed from are redone. */
  async keepMetrics(attempt: number, count: number): Promise<boolean> {
    return this.fenced(attempt, count > 0 ? "ltrim" : "del", this.key("metrics"), count > 0 ? [0, count - 1] : []);
  }

  async appendMetrics(attempt: number, metrics: IterationMetrics): Promise<boolean> {
    return this.fenced(attempt, "rpush", this.key("metrics"), [JSON.stringify(metrics)]);
  }

  async saveCheckpoint(attempt: number, bytes: Uint8Array): Promise<boolean> {
    return this.fenced(attempt, "set", this.key("checkpoint"), [Buffer.from(bytes)]);
  }

  async savePolicy(attempt: number, bytes: Uint8Array): Promise<boolean> {
    return this.fenced(attempt, "set", this.key("policy"), [Buffer.from(bytes)]);
  }

  async saveBestPolicy(attempt: number, bytes: Uint8Array): Promise<boolean> {
    return this.fenced(attempt, "set", this.key("best-policy"), [Buffer.from(bytes)]);
  }

  /** Everything a submitter needs to write the run directory. */
  async artifacts(): Promise<RunArtifacts> {
    const [rows, checkpoint, policy, bestPolicy] = await Promise.all([
      this.redis.lrange(this.key("metrics"), 0, -1),
      this.redis.getBuffer(this.key("checkpoint")),
      this.redis.getBuffer(this.key("policy")),
      this.redis.getBuffer(this.key("best-policy")),
    ]);
    return { metrics: rows.map((row) => JSON.parse(row) as IterationMetrics), checkpoint: checkpoint ?? undefined, policy: policy ?? undefined, bestPolicy: bestPolicy ?? undefined };
  }

  async metricsCount(): Promise<number> {
    return this.redis.llen(this.key("metrics"));
  }

  /** Drops the run's state (before a failed job is submitted again, so it starts clean). */
  async remove(): Promise<void> {
    await this.redis.del(this.key("attempt"), this.key("checkpoint"), this.key("metrics"), this.key("policy"), this.key("best-policy"));
  }

  /** Runs one write command only if `attempt` is still the latest; false when a newer attempt owns the run. */
  private async fenced(attempt: number, command: "ltrim" | "del" | "rpush" | "set", key: string, args: (string | number | Buffer)[]): Promise<boolean> {
    const result = await this.redis.eval(FENCED_WRITE, 2, this.key("attempt"), key, String(attempt), command, ...args);
    return result === 1;
  }
}

// KEYS[1] attempt counter, KEYS[2] target; ARGV[1] the writer's attempt, ARGV[2] the command, ARGV[3…] its arguments.
const FENCED_WRITE = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
local command = ARGV[2]
if command == "del" then redis.call("DEL", KEYS[2])
elseif command == "ltrim" then redis.call("LTRIM", KEYS[2], ARGV[3], ARGV[4])
elseif command == "rpush" then redis.call("RPUSH", KEYS[2], ARGV[3])
elseif command == "set" then redis.call("SET", KEYS[2], ARGV[3])
else return redis.error_reply("unknown command " .. command) end
return 1
`;
