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

const alias = Object.fromEntries(
  members
    .filter((member) => existsSync(join(root, member.dir, "src/index.ts")))
    .map((member) => [member.name, resolve(root, member.dir, "src/index.ts")]),
);

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
