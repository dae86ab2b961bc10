import { ConfigError } from "@rl3/core";

/**
 * Applies `--set key=value` overrides to a config. Values are read as JSON when they parse (numbers, booleans,
 * objects) and as strings otherwise; dotted keys reach nested settings (`model.dModel=32`). The schema then
 * validates the result, so an unknown key or a wrong type is reported with the key's name.
 */
export function applyOverrides<T extends Record<string, unknown>>(config: T, assignments: readonly string[]): T {
  const result: Record<string, unknown> = structuredClone(config);
  for (const assignment of assignments) {
    const separator = assignment.indexOf("=");
    if (separator <= 0) throw new ConfigError({ field: "--set", value: assignment, expected: "key=value" });
    const key = assignment.slice(0, separator);
    const raw = assignment.slice(separator + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string
    }
    const path = key.split(".");
    let target = result;
    for (const part of path.slice(0, -1)) {
      if (typeof target[part] !== "object" || target[part] === null) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return result as T;
}
