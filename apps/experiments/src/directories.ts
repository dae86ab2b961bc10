import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "@rl3/core";

/**
 * Creates a directory and its missing parents, one level at a time. Node's `mkdirSync(path, { recursive: true })`
 * spins forever at 100% CPU under a pseudo-filesystem such as /proc (it keeps retrying the ENOENT), so a bad
 * `--out` must never reach it. A path that cannot be created is a `ConfigError` naming the flag and the reason.
 */
export function makeDirectory(directory: string, field = "--out"): void {
  const target = resolve(directory);
  const missing: string[] = [];
  let existing = target;
  while (!existsSync(existing)) {
    missing.push(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  if (existsSync(existing) && !statSync(existing).isDirectory()) {
    throw new ConfigError({ field, value: directory, expected: `a directory path (${existing} is a file, not a directory)` });
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST" && statSync(path).isDirectory()) continue; // made by a concurrent process: fine
      throw new ConfigError({ field, value: directory, expected: `a directory that can be created (${code ?? (error as Error).message} creating ${path})` });
    }
  }
}
