/** Why talking to the queue's Redis failed, for callers that branch on it. */
export type QueueProblem = "unreachable" | "timeout" | "authentication" | "tls" | "protocol";

/**
 * Redis could not be used as the job queue. The message names the (redacted) address, what went wrong and what
 * to check; it never holds the password.
 */
export class QueueConnectionError extends Error {
  readonly problem: QueueProblem;
  readonly address: string;
  constructor(problem: QueueProblem, address: string, message: string, options?: { cause?: unknown }) {
    super(`${address}: ${message}`, options);
    this.name = "QueueConnectionError";
    this.problem = problem;
    this.address = address;
  }
}

/** A queued job that a worker will not run: submitted by another rl3 version, or not a valid training run. */
export class JobRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JobRefusedError";
  }
}
