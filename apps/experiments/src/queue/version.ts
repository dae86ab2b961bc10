import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The packages whose code decides a run's numbers; a job runs only where all of them have the submitter's version. */
const RUN_PACKAGES = ["@rl3/core", "@rl3/envs", "@rl3/estimators", "@rl3/models", "@rl3/onnx", "@rl3/algorithms"] as const;

/** Versions of the experiments app (the training loop) and of every @rl3 package, e.g. `{ experiments: "0.1.0", "@rl3/core": "0.1.0", … }`. */
export function rl3Versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { experiments: appVersion() };
  for (const name of RUN_PACKAGES) {
    try {
      versions[name] = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
    } catch {
      versions[name] = "unknown";
    }
  }
  return versions;
}

/** The app's own package.json sits one level above dist/ (bundled) or two above src/queue/ (tests against source). */
function appVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const path = join(directory, "package.json");
    if (existsSync(path)) {
      const found = JSON.parse(readFileSync(path, "utf8")) as { name?: string; version?: string };
      if (found.name === "experiments" && found.version) return found.version;
    }
    directory = dirname(directory);
  }
  return "unknown";
}

/** The packages whose versions differ, as "name a (job) vs b (here)"; empty when the two match. */
export function versionDifferences(submitted: Record<string, string>, local: Record<string, string>): string[] {
  const names = [...new Set([...Object.keys(submitted), ...Object.keys(local)])].sort();
  return names.filter((name) => submitted[name] !== local[name]).map((name) => `${name} ${submitted[name] ?? "absent"} (job) vs ${local[name] ?? "absent"} (this worker)`);
}
