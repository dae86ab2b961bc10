import { atLeast, measureRate, report } from "@rl3/tools/bench-harness";
import { Rng } from "../src/index.js";

// Targets from issue #2: ≥ 50M floats/s and ≥ 20M categorical(10) draws/s on the 2-core reference machine.
const rng = new Rng(1);
const probabilities = Array.from({ length: 10 }, () => 0.1);
const batch = 100_000;
let sink = 0;

const floats = measureRate(() => {
  for (let index = 0; index < batch; index++) sink += rng.float();
}, batch);
const categoricals = measureRate(() => {
  for (let index = 0; index < batch; index++) sink += rng.categorical(probabilities);
}, batch);
const normals = measureRate(() => {
  for (let index = 0; index < batch; index++) sink += rng.normal();
}, batch);
const dirichlets = measureRate(() => {
  for (let index = 0; index < batch / 10; index++) sink += rng.dirichlet(1, 10)[0]!;
}, batch / 10);

report("@rl3/core", [
  atLeast("Rng.float", floats, "floats/s", 50e6),
  atLeast("Rng.categorical (10 outcomes)", categoricals, "draws/s", 20e6),
  { name: "Rng.normal", value: normals, unit: "draws/s" },
  { name: "Rng.dirichlet (α = 1, k = 10)", value: dirichlets, unit: "draws/s" },
]);
if (Number.isNaN(sink)) console.log("unreachable");
