import { isIP } from "node:net";
import type { RedisOptions } from "ioredis";
import { ConfigError } from "@rl3/core";

/** A parsed `--queue` URL: what to connect to, and a form of it that is safe to print. */
export interface QueueAddress {
  /** ioredis options without any retry policy (see connection.ts). */
  options: RedisOptions;
  /** The URL with the password replaced by `***`: the only form that reaches logs and errors. */
  display: string;
  /** Strings that must never be printed (the password, raw and URL-encoded). */
  secrets: string[];
}

const EXPECTED = "redis://[[user]:password@]host[:port][/db] or rediss://… (TLS)";

/**
 * Parses `redis://[:password@]host[:port][/db]` and `rediss://…` (TLS; the certificate is checked against the host,
 * and a private CA is trusted through NODE_EXTRA_CA_CERTS).
 * A password may also come from the RL3_QUEUE_PASSWORD environment variable, which keeps it out of `ps` listings
 * and shell history.
 */
export function parseQueueUrl(text: string, environment: NodeJS.ProcessEnv = process.env): QueueAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError({ field: "--queue", value: redactUrlText(text), expected: EXPECTED });
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new ConfigError({ field: "--queue", value: redactUrlText(text), expected: EXPECTED });
  if (!url.hostname) throw new ConfigError({ field: "--queue", value: redactUrlText(text), expected: `${EXPECTED} (a host is required)` });
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//u, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15 || !/^\d*$/u.test(dbText)) {
    throw new ConfigError({ field: "--queue (database)", value: dbText, expected: "a database number 0–15 after the host, e.g. redis://host:6379/0" });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/u, "$1");
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : environment.RL3_QUEUE_PASSWORD || undefined;
  const tls = url.protocol === "rediss:";
  const options: RedisOptions = { host, port, db, ...(username ? { username } : {}), ...(password ? { password } : {}), ...(tls ? { tls: isIP(host) ? {} : { servername: host } } : {}) };
  const credentials = username || password ? `${username ?? ""}${password ? ":***" : ""}@` : "";
  return {
    options,
    display: `${url.protocol}//${credentials}${url.host}/${db}`,
    secrets: password ? [...new Set([password, url.password, encodeURIComponent(password)].filter((secret) => secret.length > 0))] : [],
  };
}

/** Removes every secret of `address` from a text (error messages of drivers, job failure reasons). */
export function redact(text: string, address: QueueAddress): string {
  let result = text;
  for (const secret of address.secrets) result = result.split(secret).join("***");
  return result;
}

/** Best-effort redaction of a URL that did not parse: hide whatever sits between "://" + optional user and "@". */
function redactUrlText(text: string): string {
  return text.replace(/(\/\/[^:/@]*:)[^@]*@/u, "$1***@");
}
