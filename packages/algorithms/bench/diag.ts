import { Rng } from "@rl3/core";
import { taskFamily } from "@rl3/envs";
import { OnnxPolicy } from "@rl3/onnx";
import { ObservationEncoder, collectRollout } from "../dist/index.js";
const dir = process.argv[2]!;
const policy = await OnnxPolicy.load(`${dir}/policy.onnx`);
const meta = policy.metadata as any;
const family = taskFamily(meta.family);
const H = meta.horizon;
for (const greedy of [true, false]) {
  const numEnvs = 50;
  const encoder = new ObservationEncoder(family, numEnvs, { ...meta.encoder, horizon: H });
  const rng = new Rng(99);
  const r = await collectRollout({ family, numEnvs, horizon: H, encoder, policy: { reset: (b) => policy.reset(b), logits: (o) => policy.forward(o), release: async () => {} }, environment: new Rng(7), actions: rng,
    choose: greedy ? (_e, _t, logits, off) => { let b = 0; for (let a = 1; a < 5; a++) if (logits[off + a]! > logits[off + b]!) b = a; return b; } : undefined });
  let g = 0, x = 0, warn = 0, noop = 0;
  r.rewards.forEach((v) => { if (v === 100) g++; if (v === -100) x++; if (v === -10) warn++; });
  r.actions.forEach((a) => { if (a === 0) noop++; });
  console.log(greedy ? "greedy" : "sampled", "return", r.meanReturn.toFixed(1), "G/ep", (g / numEnvs).toFixed(2), "X/ep", (x / numEnvs).toFixed(2), "!/ep", (warn / numEnvs).toFixed(1), "NOOP frac", (noop / r.actions.length).toFixed(2));
}
