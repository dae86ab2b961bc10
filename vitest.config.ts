import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig } from "vitest/config";

// Every workspace package is a vitest project, and every package name resolves to its `src/`,
// so tests run against source without a build (the tRPC layout, docs/style.md).
const root = import.meta.dirname;
const workspaceDirs = ["packages", "apps"].flatMap((group) => {
  const dir = join(root, group);
  return existsSync(dir) ? readdirSync(dir).map((name) => join(group, name)) : [];
});
const members = workspaceDirs
  .filter((dir) => existsSync(join(root, dir, "package.json")))
  .map((dir) => ({ dir, name: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).name as string }));

// "@rl3/onnx" → src/index.ts and each subpath export ("@rl3/onnx/node") → its own src/<subpath>.ts; matched exactly,
// so that a package name never also matches as the prefix of its subpaths.
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const alias = members.flatMap((member) => {
  const manifest = JSON.parse(readFileSync(join(root, member.dir, "package.json"), "utf8")) as { exports?: Record<string, unknown> };
  const subpaths = Object.keys(manifest.exports ?? {}).filter((key) => key !== "." && !key.includes("*") && existsSync(join(root, member.dir, "src", `${key.slice(2)}.ts`)));
  return [
    ...subpaths.map((key) => ({ find: new RegExp(`^${escape(`${member.name}/${key.slice(2)}`)}$`), replacement: resolve(root, member.dir, "src", `${key.slice(2)}.ts`) })),
    ...(existsSync(join(root, member.dir, "src/index.ts")) ? [{ find: new RegExp(`^${escape(member.name)}$`), replacement: resolve(root, member.dir, "src/index.ts") }] : []),
  ];
});

export default defineConfig({
  resolve: { alias },
  test: {
    projects: members.map((member) => ({
      extends: true,
      test: {
        name: member.name,
        root: resolve(root, member.dir),
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        testTimeout: 60_000,
      },
    })),
  },
});
