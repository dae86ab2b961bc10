import { type NamedWeights, Rng, createModelSpec, elementCount } from "@rl3/core";
import { taskFamily } from "@rl3/envs";
import { exportOnnx } from "@rl3/onnx";
import { describe, expect, it } from "vitest";
import { evaluate } from "@rl3/wrappers";
import { ObservationEncoder } from "@rl3/wrappers";
import { OnnxPolicyAgent } from "./policy-agent.js";

/** An untrained RL³ policy for random MDPs: small random weights, so its logits differ from state to state. */
function randomPolicy(horizon: number): Uint8Array {
  const family = taskFamily("mdps");
  const encoder = new ObservationEncoder(family, 1, { method: "rl3", horizon });
  const spec = createModelSpec({ kind: "transformer", inputSize: encoder.size, outputSize: family.numActions, maxSequenceLength: horizon, dModel: 8, embedSize: 8, layers: 1, heads: 2, feedForwardSize: 8 });
  const rng = new Rng(4);
  const weights: NamedWeights = Object.fromEntries(spec.weights.map(({ name, shape }) => [name, { shape, data: Float32Array.from({ length: elementCount(shape) }, () => rng.normal(0, 0.5)) }]));
  return exportOnnx(spec, weights, { graph: "step", metadata: { encoder: { ...encoder.config }, family: "mdps", horizon, method: "rl3" } });
}

describe("OnnxPolicyAgent", () => {
  it("acts on each task the same whatever its batch, greedy or sampling", async () => {
    const bytes = randomPolicy(30);
    const returnsByMode: number[][] = [];
    for (const greedy of [true, false]) {
      const run = async (batchSize: number, taskIndices?: number[]) =>
        (await evaluate(await OnnxPolicyAgent.load(bytes, { greedy }), { family: "mdps", horizon: 30, batchSize, oracle: false, ...(taskIndices ? { taskIndices } : { episodes: 6 }) })).returns;
      const whole = await run(6);
      expect(new Set(whole).size).toBeGreaterThan(1);
      expect(await run(4)).toEqual(whole);
      expect(await run(2, [5, 0, 3])).toEqual([whole[5], whole[0], whole[3]]);
      returnsByMode.push(whole);
    }
    expect(returnsByMode[1]).not.toEqual(returnsByMode[0]); // sampling did sample
  });
});
