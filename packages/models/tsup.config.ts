import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  // tfjs-core ships its gradient registrations only as extension-less ES modules that Node cannot load, so they
  // are bundled here; they register into tfjs-core's global registry, shared with the installed tfjs-core.
  noExternal: [/@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
