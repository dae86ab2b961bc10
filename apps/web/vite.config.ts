import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Plugin, defineConfig } from "vite";

// The zoo's policy files ship inside @rl3/zoo: serve them at zoo/<file> in dev and copy them into the build, so the
// site needs no backend and no copy of them in this app.
const zooDir = join(dirname(createRequire(import.meta.url).resolve("@rl3/zoo/zoo.json")), "policies");

function zooPolicies(): Plugin {
  return {
    name: "rl3-zoo-policies",
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const match = /\/zoo\/([\w.-]+\.onnx)$/.exec(request.url ?? "");
        if (!match || !readdirSync(zooDir).includes(match[1]!)) return next();
        response.setHeader("Content-Type", "application/octet-stream");
        response.end(readFileSync(join(zooDir, match[1]!)));
      });
    },
    generateBundle() {
      for (const file of readdirSync(zooDir).filter((name) => name.endsWith(".onnx"))) {
        this.emitFile({ type: "asset", fileName: `zoo/${file}`, source: readFileSync(join(zooDir, file)) });
      }
    },
  };
}

export default defineConfig({
  // Relative URLs: the built site works from any directory of any static file server.
  base: "./",
  plugins: [zooPolicies()],
  // Pre-bundling would move onnxruntime-web away from its .wasm files, which it finds relative to itself.
  optimizeDeps: { exclude: ["onnxruntime-web"] },
  build: { outDir: "dist", target: "es2022", chunkSizeWarningLimit: 1024 },
});
