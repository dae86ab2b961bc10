import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPackedPackages, runProbe } from "@rl3/tools/packaging";
import { Rng } from "../src/index.js";

describe("@rl3/core as published", () => {
  let installed: ReturnType<typeof installPackedPackages>;
  beforeAll(() => {
    installed = installPackedPackages([new URL("..", import.meta.url).pathname]);
  }, 120_000);
  afterAll(() => installed?.cleanup());

  const expected = String(new Rng(1).float());

  it("imports with ESM `import`", () => {
    const output = runProbe(installed.projectDir, "probe.mjs", 'import { Rng } from "@rl3/core"; console.log(new Rng(1).float());');
    expect(output).toBe(expected);
  });

  it("loads with CommonJS `require`", () => {
    const output = runProbe(installed.projectDir, "probe.cjs", 'const { Rng, Rl3Error } = require("@rl3/core"); console.log(new Rng(1).float()); if (typeof Rl3Error !== "function") process.exit(1);');
    expect(output).toBe(expected);
  });
});
