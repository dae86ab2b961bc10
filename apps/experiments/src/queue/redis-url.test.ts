import { ConfigError } from "@rl3/core";
import { describe, expect, it } from "vitest";
import { parseQueueUrl, redact } from "./redis-url.js";

describe("parseQueueUrl", () => {
  it("reads host, port, db and password, and never shows the password", () => {
    const address = parseQueueUrl("redis://:p%40ss@queue.lab:6380/3", {});
    expect(address.options).toMatchObject({ host: "queue.lab", port: 6380, db: 3, password: "p@ss" });
    expect(address.options.tls).toBeUndefined();
    expect(address.display).toBe("redis://:***@queue.lab:6380/3");
    expect(redact("AUTH p@ss failed; url redis://:p%40ss@queue.lab", address)).toBe("AUTH *** failed; url redis://:***@queue.lab");
  });

  it("rediss:// turns TLS on with the host as server name; defaults are port 6379, db 0; RL3_QUEUE_PASSWORD fills in", () => {
    const address = parseQueueUrl("rediss://worker@cache.example", { RL3_QUEUE_PASSWORD: "from-env" });
    expect(address.options).toMatchObject({ host: "cache.example", port: 6379, db: 0, username: "worker", password: "from-env", tls: { servername: "cache.example" } });
    expect(address.display).toBe("rediss://worker:***@cache.example/0");
    expect(address.secrets).toContain("from-env");
  });

  it("an IP address is verified against the certificate's IP entries, not sent as a TLS server name", () => {
    expect(parseQueueUrl("rediss://127.0.0.1:6380", {}).options.tls).toEqual({});
  });

  it.each([
    ["http://host:6379", /--queue must be redis:\/\/.*rediss/],
    ["not a url", /--queue must be redis:\/\//],
    ["redis://host/db7", /--queue \(database\) must be a database number 0–15/],
    ["redis://host/16", /--queue \(database\) must be a database number/],
  ])("rejects %j with a ConfigError naming --queue", (url, message) => {
    expect(() => parseQueueUrl(url, {})).toThrow(ConfigError);
    expect(() => parseQueueUrl(url, {})).toThrow(message);
  });

  it("keeps the password of an unparsable URL out of the error", () => {
    expect(() => parseQueueUrl("redis://:hunter2@host:port", {})).toThrow(/redis:\/\/:\*\*\*@host:port/);
    expect(() => parseQueueUrl("redis://:hunter2@host:port", {})).not.toThrow(/hunter2/);
  });
});
