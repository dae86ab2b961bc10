import { Redis, type RedisOptions } from "ioredis";
import { QueueConnectionError } from "./errors.js";
import { type QueueAddress, redact } from "./redis-url.js";

/** How long a first connection may take before the command gives up with a clear error. */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * Checks once, with no retries, that Redis answers and accepts the credentials, so a wrong address or password
 * fails within seconds with a clear message instead of retrying forever. Returns the server's version.
 */
export async function checkQueueConnection(address: QueueAddress, timeoutMs = CONNECT_TIMEOUT_MS): Promise<{ redisVersion: string; evictionPolicy: string | undefined }> {
  const client = new Redis({
    ...address.options,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  client.on("error", (error) => (lastError = error)); // reported through the promise below
  let timer: NodeJS.Timeout | undefined;
  // A server that accepts the TCP connection but never answers would otherwise hang the ready check.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueConnectionError("timeout", address.display, `no answer from Redis within ${timeoutMs / 1000} s: is this a Redis server, and does a firewall drop the traffic?`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect(), deadline]);
    const [info, policy] = await Promise.race([Promise.all([client.info("server"), client.config("GET", "maxmemory-policy").catch(() => undefined)]), deadline]);
    const redisVersion = /redis_version:([^\r\n]+)/u.exec(info)?.[1] ?? "unknown";
    const evictionPolicy = Array.isArray(policy) ? String(policy[1]) : undefined;
    return { redisVersion, evictionPolicy };
  } catch (error) {
    throw describeRedisError(error instanceof QueueConnectionError ? error : (lastError ?? error), address);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * Options for the long-lived connections of workers and waiting submitters: after the first check they ride out
 * a Redis restart (commands wait and are re-sent once it is back) instead of failing the sweep.
 */
export function durableConnection(address: QueueAddress): RedisOptions & { retryStrategy: (times: number) => number } {
  return {
    ...address.options,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: null, // BullMQ workers need it; commands wait for the reconnection
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(250 * times, 3000),
  };
}

/** A driver error as a `QueueConnectionError` that says what to check; the password never survives into it. */
export function describeRedisError(error: unknown, address: QueueAddress): QueueConnectionError {
  if (error instanceof QueueConnectionError) return error;
  const code = String((error as { code?: unknown })?.code ?? "");
  const text = redact(String((error as Error)?.message ?? error), address);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password|AUTH.*without any password/iu.test(text)) {
    return new QueueConnectionError(
      "authentication",
      address.display,
      `Redis refused the credentials (${text.split("\n")[0]}): check the password in the URL (redis://:PASSWORD@host) or RL3_QUEUE_PASSWORD`,
      { cause: error },
    );
  }
  if (/^(ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY|CERT_)/u.test(code) || /certificate|SSL routines|wrong version number/iu.test(text)) {
    return new QueueConnectionError("tls", address.display, `the TLS handshake failed (${text}): rediss:// needs a TLS-enabled Redis whose certificate matches the host and is signed by a trusted CA (a private CA: NODE_EXTRA_CA_CERTS=ca.pem)`, { cause: error });
  }
  if (code === "ETIMEDOUT" || /timed? ?out/iu.test(text)) {
    return new QueueConnectionError("timeout", address.display, `no answer from Redis within ${CONNECT_TIMEOUT_MS / 1000} s (${text}): is the host right and the port open?`, { cause: error });
  }
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET"].includes(code) || /connect|closed/iu.test(text)) {
    return new QueueConnectionError("unreachable", address.display, `cannot reach Redis (${code || text}): is redis-server running there, and is the port open to this machine?${code === "ECONNRESET" ? " (a TLS-only port resets plain connections: use rediss://)" : ""}`, { cause: error });
  }
  return new QueueConnectionError("protocol", address.display, `Redis answered with an error: ${text}`, { cause: error });
}

/**
 * Logs errors of a long-lived client instead of crashing on an unhandled 'error' event: connection loss at most
 * every `everyMs` (Redis restarting must not flood the terminal), anything else as it comes; always redacted.
 */
export function connectionLogger(address: QueueAddress, log: (line: string) => void, everyMs = 5000): (error: Error) => void {
  let last = 0;
  return (error) => {
    const message = redact(error.message, address);
    const code = String((error as { code?: unknown }).code ?? "");
    if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"].includes(code) || /Connection is closed|ECONNREFUSED|ECONNRESET/u.test(message)) {
      const now = Date.now();
      if (now - last < everyMs) return;
      last = now;
      log(`lost the connection to ${address.display} (${message}); retrying…`);
    } else {
      log(`queue: ${message}`);
    }
  };
}
