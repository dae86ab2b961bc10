import { readFileSync, readdirSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// Runtimes only at the edges (docs/architecture.md): what a page bundles from these packages must not pull in
// Node, onnxruntime-node or TensorFlow.js. Checked on the sources, so a new import fails here, not in a bundle.
const packagesDir = resolve(import.meta.dirname, "../..");
const BROWSER_SAFE_PACKAGES = ["core", "envs", "estimators", "wrappers", "algorithms"];
/** Entries that must be browser-safe, and the runtime packages each may import. */
const ENTRIES: { file: string; allowed: readonly string[] }[] = [
  ...BROWSER_SAFE_PACKAGES.map((name) => ({ file: join(packagesDir, name, "src/index.ts"), allowed: [] })),
  { file: join(packagesDir, "onnx/src/browser.ts"), allowed: [] },
  { file: join(packagesDir, "onnx/src/web.ts"), allowed: ["onnxruntime-web/wasm"] },
];

interface ImportSite {
  specifier: string;
  typeOnly: boolean;
}

/** Every static `import`/`export … from` and dynamic `import()` of a module's source. */
export function importsOf(source: string): ImportSite[] {
  const sites: ImportSite[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/gm;
  for (const match of source.matchAll(statement)) sites.push({ specifier: match[3]!, typeOnly: match[2] !== undefined });
  for (const match of source.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) sites.push({ specifier: match[1]!, typeOnly: false });
  return sites;
}

const NODE_BUILTINS = new Set(builtinModules);

/** Why a runtime import of `specifier` is not browser-safe, or undefined if it is. */
export function forbiddenReason(specifier: string, allowed: readonly string[] = []): string | undefined {
  if (allowed.includes(specifier)) return undefined;
  if (specifier.startsWith("node:") || NODE_BUILTINS.has(specifier.split("/")[0]!)) return "a Node built-in";
  if (specifier.startsWith("onnxruntime-")) return "an onnxruntime package (inject the runtime instead; type imports of onnxruntime-common are fine)";
  if (specifier.startsWith("@tensorflow/")) return "TensorFlow.js";
  if (specifier === "@rl3/models" || specifier === "@rl3/onnx/node") return "an rl3 package that loads a runtime";
  return undefined;
}

/** The source file a specifier names, for relative and @rl3 imports (bundlers' `browser` condition for @rl3/onnx). */
function resolveSource(from: string, specifier: string): string | undefined {
  if (specifier.startsWith(".")) {
    if (specifier.endsWith(".json")) return undefined;
    return resolve(dirname(from), specifier.replace(/\.js$/, ".ts"));
  }
  if (specifier === "@rl3/onnx") return join(packagesDir, "onnx/src/browser.ts");
  const match = /^@rl3\/([^/]+)(?:\/(.+))?$/.exec(specifier);
  if (!match) return undefined;
  return join(packagesDir, match[1]!, "src", `${match[2] ?? "index"}.ts`);
}

/** Walks the runtime import graph from `entry`; returns "file imports X (reason)" for every forbidden import. */
function violationsFrom(entry: string, allowed: readonly string[]): string[] {
  const violations: string[] = [];
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const site of importsOf(readFileSync(file, "utf8"))) {
      if (site.typeOnly) continue; // erased at build time: nothing of it reaches a bundle
      const reason = forbiddenReason(site.specifier, allowed);
      if (reason) violations.push(`${relative(packagesDir, file)} imports "${site.specifier}" (${reason})`);
      const next = resolveSource(file, site.specifier);
      if (next) pending.push(next);
    }
  }
  return violations;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("browser boundary", () => {
  it("finds a forbidden import when there is one (the check can fail)", () => {
    const source = 'import { readFile } from "node:fs/promises";\nimport type { Tensor } from "onnxruntime-common";\nexport { x } from "@tensorflow/tfjs-core";\nconst ort = await import("onnxruntime-node");';
    const reasons = importsOf(source).filter((site) => !site.typeOnly).map((site) => forbiddenReason(site.specifier));
    expect(reasons).toEqual(["a Node built-in", "TensorFlow.js", expect.stringContaining("onnxruntime")]);
    expect(forbiddenReason("crypto")).toBe("a Node built-in");
    expect(forbiddenReason("@rl3/envs")).toBeUndefined();
  });

  it.each(BROWSER_SAFE_PACKAGES)("@rl3/%s: no source file imports node:*, onnxruntime-* or @tensorflow/*", (name) => {
    const violations = sourceFiles(join(packagesDir, name, "src")).flatMap((file) =>
      importsOf(readFileSync(file, "utf8"))
        .filter((site) => !site.typeOnly)
        .flatMap((site) => {
          const reason = forbiddenReason(site.specifier);
          return reason ? [`${relative(packagesDir, file)} imports "${site.specifier}" (${reason})`] : [];
        }),
    );
    expect(violations).toEqual([]);
  });

  it.each(ENTRIES.map((entry) => [relative(packagesDir, entry.file), entry] as const))("%s and everything it imports at run time are browser-safe", (_, entry) => {
    expect(violationsFrom(entry.file, entry.allowed)).toEqual([]);
  });
});
