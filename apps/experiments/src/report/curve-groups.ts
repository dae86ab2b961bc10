import type { RunInfo } from "../run-dir.js";

/**
 * Which runs may be averaged into one learning curve. Two runs are seeds of one experiment only when they agree on
 * family, horizon, method, scale and every setting apart from those that do not change what is learned: the
 * seed, how long it ran (`iterations`: a longer run is the same experiment continued), how often it saved, and
 * where it computed (engine, device, threads, workers: these agree to float precision), and how often it
 * validated (validation reads the weights, never changes them).
 */
export const SETTINGS_APART_FROM_THE_EXPERIMENT = ["seed", "iterations", "checkpointEvery", "engine", "device", "threads", "workers", "validateEvery", "validationEpisodes"] as const;

/** The settings that identify an experiment, flattened to `key → JSON value` (nested objects as `model.dModel`). */
export function experimentSettings(info: RunInfo): Record<string, string> {
  const settings: Record<string, string> = { scale: JSON.stringify(info.scale ?? null) };
  const ignored = new Set<string>(SETTINGS_APART_FROM_THE_EXPERIMENT);
  const visit = (value: unknown, path: string) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const key of Object.keys(value).sort()) visit((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    } else if (!ignored.has(path)) settings[path] = JSON.stringify(value);
  };
  visit(info.config, "");
  return settings;
}

export interface RunGroup<T> {
  /** What a reader sees in the legend: the method, plus whatever tells this group apart from the others. */
  label: string;
  runs: T[];
}

/**
 * Groups runs into experiments (same `experimentSettings`) and labels each so that groups sharing a method can be
 * told apart: the label is the method, followed by every setting on which some groups differ.
 */
export function groupRuns<T extends { info: RunInfo }>(runs: readonly T[]): RunGroup<T>[] {
  const groups = new Map<string, { settings: Record<string, string>; runs: T[] }>();
  for (const run of runs) {
    const settings = experimentSettings(run.info);
    const key = JSON.stringify(settings);
    const group = groups.get(key) ?? { settings, runs: [] };
    group.runs.push(run);
    groups.set(key, group);
  }
  const all = [...groups.values()];
  const keys = [...new Set(all.flatMap((group) => Object.keys(group.settings)))].sort();
  const differing = keys.filter((key) => key !== "method" && new Set(all.map((group) => group.settings[key] ?? "(unset)")).size > 1);
  return all.map((group) => {
    const method = group.runs[0]!.info.config.method;
    const parts = differing.map((key) => {
      const value = group.settings[key];
      return `${key}=${value === undefined ? "(unset)" : displayValue(value)}`;
    });
    return { label: [method, ...parts].join(" · "), runs: group.runs };
  });
}

/** A stored JSON value as a legend shows it: strings without quotes. */
function displayValue(json: string): string {
  const value = JSON.parse(json) as unknown;
  return typeof value === "string" ? value : json;
}
