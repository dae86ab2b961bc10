import * as tf from "@tensorflow/tfjs-core";
// Gradients of every op (tfjs-core registers none by default); training needs them.
import "@tensorflow/tfjs-core/dist/register_all_gradients";

/**
 * Building blocks tuned for the wasm backend (docs/toolchain.md): matMul never uses transposeA/B (a ~10× slower
 * path there), its gradient transposes explicitly, and transposes stay at rank ≤ 4.
 */

function swapLastTwo(tensor: tf.Tensor): tf.Tensor {
  const rank = tensor.rank;
  if (rank === 2) return tf.transpose(tensor, [1, 0]);
  if (rank === 3) return tf.transpose(tensor, [0, 2, 1]);
  return tf.transpose(tensor, [0, 1, 3, 2]);
}

/** a @ b for rank 2–4 with a gradient built from explicit transposes. */
export const matMul = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [left, right] = saved as [tf.Tensor, tf.Tensor];
      return [tf.matMul(dy, swapLastTwo(right)), tf.matMul(swapLastTwo(left), dy)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x @ kernel + bias for x of shape [rows, in]. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return tf.add(matMul(x, kernel), bias);
}

/** LayerNorm over the last axis with ε = 1e-5 (Flux's default, §4.1). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh form (NNlib's `gelu`, which the reference code uses): 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const cubic = tf.mul(tf.mul(tf.mul(x, x), x), 0.044715); // x·x·x: cheaper than pow on wasm
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, cubic), SQRT_2_OVER_PI)), 1));
}

export function activate(x: tf.Tensor, activation: "gelu" | "relu"): tf.Tensor {
  return activation === "gelu" ? gelu(x) : tf.relu(x);
}

/** An additive causal mask [T, T]: 0 on and below the diagonal, −1e9 above (finite, so softmax never sees NaN). */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let row = 0; row < length; row++) for (let column = row + 1; column < length; column++) values[row * length + column] = -1e9;
  return tf.tensor2d(values, [length, length]);
}
