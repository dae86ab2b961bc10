import { TRAIN_LIMITS } from "@rl3/algorithms";
import { ConfigError, MODEL_LIMITS } from "@rl3/core";

/**
 * Key segments that would reach an object's prototype instead of a setting: `--set __proto__.x=1` used to set
 * `Object.prototype.x` for the whole process before the schema blamed another key.
 */
const FORBIDDEN_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);

/** A `--set` key as its path of segments; empty, blank and prototype segments are refused before anything is assigned. */
export function overrideKeyPath(key: string, assignment: string): string[] {
  const path = key.split(".");
  for (const part of path) {
    if (part.trim() === "" || part !== part.trim()) throw new ConfigError({ field: "--set", value: assignment, expected: "key=value with a dotted key of non-empty names without blanks, e.g. model.dModel=32" });
    if (FORBIDDEN_SEGMENTS.has(part)) throw new ConfigError({ field: "--set", value: assignment, expected: `a setting name (${JSON.stringify(part)} is not a setting and is never assigned)` });
  }
  return path;
}

/** A JSON value such as `{"__proto__":{…}}` carries the same keys inside: refused like a key segment. */
function rejectPrototypeKeys(value: unknown, assignment: string): void {
  if (typeof value !== "object" || value === null) return;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_SEGMENTS.has(key)) throw new ConfigError({ field: "--set", value: assignment, expected: `a value without a ${JSON.stringify(key)} key (it is not a setting and is never assigned)` });
    rejectPrototypeKeys((value as Record<string, unknown>)[key], assignment);
  }
}

/**
 * Applies `--set key=value` overrides to a config. Values are read as JSON when they parse (numbers, booleans,
 * objects) and as strings otherwise; dotted keys reach nested settings (`model.dModel=32`). The schema then
 * validates the result, so an unknown key or a wrong type is reported with the key's name. Every key is checked
 * before any is applied, and only own properties are read, so no key can reach a prototype.
 */
export function applyOverrides<T extends Record<string, unknown>>(config: T, assignments: readonly string[]): T {
  const parsed = assignments.map((assignment) => {
    const separator = assignment.indexOf("=");
    if (separator <= 0) throw new ConfigError({ field: "--set", value: assignment, expected: "key=value" });
    const path = overrideKeyPath(assignment.slice(0, separator), assignment);
    const raw = assignment.slice(separator + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the string
    }
    rejectPrototypeKeys(value, assignment);
    return { path, value };
  });
  const result: Record<string, unknown> = structuredClone(config);
  for (const { path, value } of parsed) {
    let target = result;
    for (const part of path.slice(0, -1)) {
      const next = Object.hasOwn(target, part) ? target[part] : undefined;
      if (typeof next !== "object" || next === null || Array.isArray(next)) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[path.at(-1)!] = value;
  }
  return result as T;
}

/**
 * Limits of a training config that the packages would otherwise report under another name, checked on the config
 * as given (after `--set`, before the schema): `horizon=1000000` used to be blamed on `batchSize` (not a multiple)
 * or on the critic's `maxSequenceLength` (H + 1), and a huge batch on `numEnvs`. Each is a `ConfigError` naming
 * the setting the user wrote, with its limit.
 */
// The limits are the library's (the config schema checks them too); checked here before the schema so that an
// override past them is blamed on its own key, not on what it would break later.
export { TRAIN_LIMITS };

export function checkTrainLimits(config: Record<string, unknown>): void {
  const { horizon, batchSize, validationEpisodes } = config;
  if (typeof horizon === "number" && Number.isInteger(horizon) && horizon > TRAIN_LIMITS.horizon) {
    throw new ConfigError({ field: "horizon", value: horizon, expected: `an integer in [1, ${TRAIN_LIMITS.horizon}] (the critic reads H + 1 steps, at most the models' ${MODEL_LIMITS.maxSequenceLength})` });
  }
  if (typeof horizon === "number" && Number.isInteger(horizon) && horizon > 0 && typeof batchSize === "number" && Number.isInteger(batchSize) && batchSize / horizon > TRAIN_LIMITS.envs) {
    throw new ConfigError({ field: "batchSize", value: batchSize, expected: `at most ${TRAIN_LIMITS.envs} × horizon (${TRAIN_LIMITS.envs * horizon}): batchSize / horizon envs run side by side` });
  }
  if (typeof validationEpisodes === "number" && Number.isInteger(validationEpisodes) && validationEpisodes > TRAIN_LIMITS.envs) {
    throw new ConfigError({ field: "validationEpisodes", value: validationEpisodes, expected: `an integer in [2, ${TRAIN_LIMITS.envs}]` });
  }
}
