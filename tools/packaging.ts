import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * What a user gets from npm: pack the given workspace packages, install the tarballs into an empty project
 * (offline: they must not need anything else), and run an ESM and a CommonJS probe script there.
 * Packages without a `dist/` are built first, so the test works on a fresh clone too.
 */
export function installPackedPackages(packageDirs: readonly string[]): { projectDir: string; cleanup: () => void } {
  const projectDir = mkdtempSync(join(tmpdir(), "rl3-pack-"));
  const tarballs: string[] = [];
  for (const packageDir of packageDirs) {
    const absolute = resolve(packageDir);
    if (!existsSync(join(absolute, "dist"))) execFileSync("pnpm", ["run", "build"], { cwd: absolute, stdio: "pipe" });
    const before = new Set(readdirSync(projectDir));
    execFileSync("pnpm", ["pack", "--pack-destination", projectDir], { cwd: absolute, stdio: "pipe" });
    const created = readdirSync(projectDir).find((name) => name.endsWith(".tgz") && !before.has(name));
    if (!created) throw new Error(`pnpm pack produced no tarball for ${packageDir}`);
    tarballs.push(join(projectDir, created));
  }
  writeFileSync(join(projectDir, "package.json"), JSON.stringify({ name: "probe", private: true }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", ...tarballs], {
    cwd: projectDir,
    stdio: "pipe",
  });
  return { projectDir, cleanup: () => rmSync(projectDir, { recursive: true, force: true }) };
}

/** Runs `source` with node in `projectDir` as `file` (.mjs or .cjs) and returns its trimmed stdout. */
export function runProbe(projectDir: string, file: string, source: string): string {
  writeFileSync(join(projectDir, file), source);
  return execFileSync("node", [file], { cwd: projectDir, encoding: "utf8" }).trim();
}
