import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPackedPackages, runProbe } from "@rl3/tools/packaging";

// Other projects depend on @rl3/envs alone: it must work from its tarball with only @rl3/core beside it.
describe("@rl3/envs as published", () => {
  let installed: ReturnType<typeof installPackedPackages>;
  beforeAll(() => {
    installed = installPackedPackages([new URL("../../core", import.meta.url).pathname, new URL("..", import.meta.url).pathname]);
  }, 180_000);
  afterAll(() => installed?.cleanup());

  const probe = `const { Rng } = rl3core; const { taskFamily, oracleReturn } = rl3envs;
console.log(oracleReturn(taskFamily("grid11").sample(new Rng(1)), 250).toFixed(6));`;

  it("imports with ESM and CommonJS and gives the same oracle value", () => {
    const esm = runProbe(installed.projectDir, "probe.mjs", `import * as rl3core from "@rl3/core"; import * as rl3envs from "@rl3/envs";\n${probe}`);
    const cjs = runProbe(installed.projectDir, "probe.cjs", `const rl3core = require("@rl3/core"); const rl3envs = require("@rl3/envs");\n${probe}`);
    expect(Number(esm)).toBeGreaterThan(0);
    expect(cjs).toBe(esm);
  });
});
