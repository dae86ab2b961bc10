import { type ModelSpec, type NamedWeights, type WeightTensor, elementCount, requireSpec } from "./model-spec.js";
import { Rng } from "./rng.js";

/**
 * Initial weights drawn from our own seeded `Rng`, so the same seed gives the same network on every backend
 * (§4.1: Glorot-uniform kernels, zero biases, LayerNorm γ = 1 and β = 0, positions ~ N(0, 0.01²)).
 */
export function initialWeights(spec: ModelSpec, seed: number): NamedWeights {
  requireSpec(spec);
  const rng = new Rng(seed);
  const weights: Record<string, WeightTensor> = {};
  for (const { name, shape } of spec.weights) {
    const data = new Float32Array(elementCount(shape));
    if (name.endsWith(".gamma")) data.fill(1);
    else if (name === "positions") for (let index = 0; index < data.length; index++) data[index] = 0.01 * rng.normal();
    else if (shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
      for (let index = 0; index < data.length; index++) data[index] = (2 * rng.float() - 1) * limit;
    }
    weights[name] = { shape: [...shape], data };
  }
  return weights;
}
