import { taskFamily } from "@rl3/envs";
import manifest from "@rl3/zoo/zoo.json";

/** A policy the page offers by name: the zoo's (shipped in @rl3/zoo) and the small demo ones of this app. */
export interface CatalogPolicy {
  name: string;
  method: string;
  /** The family it was trained on. */
  family: string;
  /** The budget H it was trained for. */
  horizon: number;
  url: string;
  note: string;
}

interface ZooManifestEntry {
  name: string;
  method: string;
  file: string;
  scores: { family: string; horizon: number }[];
}

// Shortest budget first within the zoo, so a lane's default is the quickest meta-episode to watch (mdps-128, not
// mdps-1024) whatever order entries were added in; zoo policies come before the demo ones.
const zoo: CatalogPolicy[] = (manifest.entries as ZooManifestEntry[])
  .map((entry) => ({
    name: `zoo:${entry.name}`,
    method: entry.method,
    family: entry.scores[0]!.family,
    horizon: entry.scores[0]!.horizon,
    url: `./zoo/${entry.file.split("/").pop()}`,
    note: "@rl3/zoo",
  }))
  .sort((a, b) => a.horizon - b.horizon || a.name.localeCompare(b.name));

// bandits-100 is not in the zoo (bandits-500 is): these are 30-iteration runs of the quick preset (demo quality,
// `rl3 train --preset bandits-100 --method rl3 --seed 1 --set iterations=30`, then `rl3 export`).
const demo: CatalogPolicy[] = ["bandits-100"].flatMap((preset) =>
  ["rl2", "rl3"].map((method) => ({
    name: `demo:${preset}/${method}`,
    method,
    family: "bandits",
    horizon: Number(preset.split("-")[1]),
    url: `./demo/${preset}-${method}.onnx`,
    note: "demo, 30 PPO iterations",
  })),
);

export const CATALOG: readonly CatalogPolicy[] = [...zoo, ...demo];

/** The catalog policies that read `family`'s observations (the same domain as their training family). */
export function policiesFor(family: string): CatalogPolicy[] {
  const domain = taskFamily(family).domain;
  return CATALOG.filter((policy) => taskFamily(policy.family).domain === domain);
}
