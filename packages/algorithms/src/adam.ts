import { InputError, type WeightShape, type WeightTensor, elementCount, requireInRange, requireObject, requirePositive, requireNonNegative, sameShape } from "@rl3/core";

/** Adam's hyperparameters; the defaults are `tf.train.adam`'s (ε = 1e-7 is the float32 backends' epsilon). */
export interface AdamOptions {
  learningRate: number;
  /** Decay of the first moment; 0.9. */
  beta1?: number;
  /** Decay of the second moment; 0.999. */
  beta2?: number;
  /** Added to √v̂; 1e-7. */
  epsilon?: number;
}

/** Anything holding a flat float32 buffer: a `WeightTensor`, or just `{ data }`. */
type FloatBuffer = { readonly data: Float32Array };

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A record of `{ data: Float32Array }` buffers, with finite values when `finite` (gradients: one NaN would turn its
 * weight and both moments NaN for good). One pass; nothing is changed.
 */
function requireBuffers(field: string, record: Readonly<Record<string, FloatBuffer>>, finite: boolean): void {
  requireObject(field, record);
  for (const [name, buffer] of Object.entries(record)) {
    if (typeof buffer !== "object" || buffer === null || !(buffer.data instanceof Float32Array)) {
      throw new InputError({ field: `${field}.${name}`, value: buffer, expected: "{ data: Float32Array }" });
    }
    if (!finite) continue;
    const data = buffer.data;
    for (let index = 0; index < data.length; index++) {
      if (!Number.isFinite(data[index]!)) throw new InputError({ field: `${field}.${name}.data[${index}]`, value: data[index], expected: "a finite number" });
    }
  }
}

/**
 * Adam over plain Float32Arrays with exactly `tf.train.adam`'s update and state layout (tfjs-core 4.22), so that
 * the tfjs and onnxruntime engines share one optimiser and checkpoints written by `tf.train.adam` still resume:
 *
 *   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²,  w ← w − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
 *
 * at step t = 1, 2, … (t continues from a restored `iterations`, as tf's `setWeights` does). Each element is
 * computed in float64 and stored in float32 (tf rounds every intermediate to float32; weights agree within a few
 * float32 ulps).
 * Moments and weights live in the caller's and this object's buffers: `step` allocates nothing.
 */
export class Adam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private readonly names: readonly string[];
  private readonly shapes: readonly (readonly number[])[];
  private readonly indexByName: ReadonlyMap<string, number>;
  /** First and second moments, one view per variable into a single buffer each. */
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;

  constructor(shapes: readonly WeightShape[], options: AdamOptions) {
    requireObject("options", options);
    if (!Array.isArray(shapes) || !shapes.every((shape) => typeof shape === "object" && shape !== null && typeof shape.name === "string" && Array.isArray(shape.shape))) {
      throw new InputError({ field: "shapes", value: shapes, expected: "an array of { name: string, shape: number[] }" });
    }
    this.learningRate = requirePositive("learningRate", options.learningRate);
    this.beta1 = requireInRange("beta1", options.beta1 ?? 0.9, 0, 1);
    this.beta2 = requireInRange("beta2", options.beta2 ?? 0.999, 0, 1);
    if (this.beta1 === 1) throw new InputError({ field: "beta1", value: 1, expected: "a number in [0, 1)" });
    if (this.beta2 === 1) throw new InputError({ field: "beta2", value: 1, expected: "a number in [0, 1)" });
    this.epsilon = requirePositive("epsilon", options.epsilon ?? 1e-7);
    const indexByName = new Map<string, number>();
    const sizes = shapes.map(({ name, shape }, index) => {
      if (indexByName.has(name)) throw new InputError({ field: `shapes[${index}].name`, value: name, expected: "a name not used by an earlier shape" });
      if (!shape.every((size: number) => Number.isSafeInteger(size) && size >= 0)) {
        throw new InputError({ field: `shapes[${index}].shape`, value: shape, expected: "a list of integers ≥ 0" });
      }
      indexByName.set(name, index);
      return elementCount(shape);
    });
    this.names = shapes.map((shape) => shape.name);
    this.shapes = shapes.map((shape) => [...shape.shape]);
    this.indexByName = indexByName;
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const mBuffer = new Float32Array(total);
    const vBuffer = new Float32Array(total);
    this.m = [];
    this.v = [];
    let offset = 0;
    for (const size of sizes) {
      this.m.push(mBuffer.subarray(offset, offset + size));
      this.v.push(vBuffer.subarray(offset, offset + size));
      offset += size;
    }
  }

  /** Steps taken, including those of a restored state (tf's `iterations`). */
  get iterations(): number {
    return this.t;
  }

  /**
   * One update in place. Every variable named in `gradients` is updated; a variable without a gradient keeps its
   * weight and moments (the step count, and so the bias correction, still advances, as in tf). Throws an
   * `InputError`, before changing anything, for an unknown gradient name or a buffer of the wrong length.
   */
  step(weights: Record<string, FloatBuffer>, gradients: Readonly<Record<string, FloatBuffer>>): void {
    requireBuffers("weights", weights, false);
    requireBuffers("gradients", gradients, true);
    for (const name in gradients) {
      if (Object.hasOwn(gradients, name) && !this.indexByName.has(name)) {
        throw new InputError({ field: `gradients.${name}`, value: name, expected: `one of the optimiser's ${this.names.length} variables` });
      }
    }
    for (let index = 0; index < this.names.length; index++) {
      const name = this.names[index]!;
      const gradient = own(gradients, name);
      if (gradient === undefined) continue;
      const size = this.m[index]!.length;
      if (gradient.data.length !== size) throw new InputError({ field: `gradients.${name}.data`, value: gradient.data.length, expected: `${size} elements` });
      const weight = own(weights, name);
      if (weight === undefined) throw new InputError({ field: `weights.${name}`, value: undefined, expected: `a buffer of ${size} elements` });
      if (weight.data.length !== size) throw new InputError({ field: `weights.${name}.data`, value: weight.data.length, expected: `${size} elements` });
    }
    const t = this.t + 1;
    const { beta1, beta2, epsilon } = this;
    const oneMinusBeta1 = 1 - beta1;
    const oneMinusBeta2 = 1 - beta2;
    const correction1 = 1 - beta1 ** t;
    const correction2 = 1 - beta2 ** t;
    const negativeRate = -this.learningRate;
    for (let index = 0; index < this.names.length; index++) {
      const name = this.names[index]!;
      const gradient = own(gradients, name);
      if (gradient === undefined) continue;
      const g = gradient.data;
      const w = own(weights, name)!.data;
      const m = this.m[index]!;
      const v = this.v[index]!;
      for (let i = 0; i < g.length; i++) {
        const gi = g[i]!;
        const mi = beta1 * m[i]! + oneMinusBeta1 * gi;
        const vi = beta2 * v[i]! + oneMinusBeta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i]! + negativeRate * ((mi / correction1) / (Math.sqrt(vi / correction2) + epsilon));
      }
    }
    this.t = t;
  }

  /**
   * The state in `tf.train.adam`'s `getWeights()` order: the step count (shape []), then m of every variable, then
   * v of every variable, in constructor order. Copies, so a checkpoint keeps this instant's values.
   */
  slots(): WeightTensor[] {
    const copy = (data: Float32Array, index: number): WeightTensor => ({ shape: [...this.shapes[index]!], data: data.slice() });
    return [{ shape: [], data: Float32Array.of(this.t) }, ...this.m.map(copy), ...this.v.map(copy)];
  }

  /**
   * Restores `slots()` (or what `tf.train.adam`'s `getWeights()` gave, e.g. a checkpoint's optimizer/actor/<i>).
   * `[]` is a fresh state, and so is `[iterations]` alone (tf before its first step), except for the step count.
   * Throws an `InputError` naming the slot (`slots[3].shape`, …) for a wrong count, a wrong shape, a non-finite
   * value, a negative second moment or a step count that is not an integer ≥ 0; the state is unchanged then.
   */
  loadSlots(slots: readonly WeightTensor[]): void {
    if (!Array.isArray(slots) || !slots.every((slot) => typeof slot === "object" && slot !== null && Array.isArray(slot.shape))) {
      throw new InputError({ field: "slots", value: slots, expected: "an array of { shape, data } tensors (Adam.slots())" });
    }
    const count = this.names.length;
    if (slots.length === 0) {
      this.t = 0;
      for (let index = 0; index < count; index++) {
        this.m[index]!.fill(0);
        this.v[index]!.fill(0);
      }
      return;
    }
    if (slots.length !== 1 && slots.length !== 1 + 2 * count) {
      throw new InputError({
        field: "slots.length",
        value: slots.length,
        expected: `0, 1 or ${1 + 2 * count} (the step count, then m and v of each of the ${count} variables)`,
      });
    }
    const check = (index: number, shape: readonly number[]): Float32Array => {
      const slot = slots[index]!;
      if (!sameShape(slot.shape, shape)) throw new InputError({ field: `slots[${index}].shape`, value: slot.shape, expected: `[${shape.join(", ")}]` });
      const size = elementCount(shape);
      if (!(slot.data instanceof Float32Array) || slot.data.length !== size) {
        throw new InputError({ field: `slots[${index}].data`, value: slot.data?.length, expected: `a Float32Array of ${size} elements` });
      }
      const secondMoment = index > count;
      for (let i = 0; i < size; i++) {
        const value = slot.data[i]!;
        if (!Number.isFinite(value) || (secondMoment && value < 0)) {
          throw new InputError({
            field: `slots[${index}].data[${i}]`,
            value,
            expected: secondMoment ? "a finite number ≥ 0 (a second moment)" : "a finite number",
          });
        }
      }
      return slot.data;
    };
    const iterations = check(0, [])[0]!;
    if (!Number.isSafeInteger(iterations) || iterations < 0) {
      throw new InputError({ field: "slots[0]", value: iterations, expected: "an integer ≥ 0 (the step count)" });
    }
    const moments = slots.length === 1 ? [] : Array.from({ length: 2 * count }, (_, k) => check(k + 1, this.shapes[k % count]!));
    this.t = iterations;
    for (let index = 0; index < count; index++) {
      if (moments.length === 0) {
        this.m[index]!.fill(0);
        this.v[index]!.fill(0);
      } else {
        this.m[index]!.set(moments[index]!);
        this.v[index]!.set(moments[count + index]!);
      }
    }
  }
}

/**
 * L2 weight decay added to the gradient before Adam (Flux's `WeightDecay ∘ Adam`, the critic's decay in §5.2):
 * new arrays g + decay·w, one per gradient; `gradients` and `weights` are not changed.
 */
export function addWeightDecay(
  gradients: Readonly<Record<string, FloatBuffer>>,
  weights: Readonly<Record<string, FloatBuffer>>,
  decay: number,
): Record<string, { data: Float32Array }> {
  requireNonNegative("decay", decay);
  // A non-finite gradient passes through unchanged in kind: the trainer reports it as a StateError naming the
  // weight (`Adam.step` refuses it too). Weights must be finite: decay would spread a NaN weight into the gradient.
  requireBuffers("gradients", gradients, false);
  requireBuffers("weights", weights, true);
  const decayed: Record<string, { data: Float32Array }> = {};
  for (const [name, gradient] of Object.entries(gradients)) {
    const weight = own(weights, name);
    if (weight === undefined || weight.data.length !== gradient.data.length) {
      throw new InputError({ field: `weights.${name}`, value: weight?.data.length, expected: `a buffer of ${gradient.data.length} elements, like its gradient` });
    }
    const g = gradient.data;
    const w = weight.data;
    const data = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) data[i] = g[i]! + decay * w[i]!;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!) && Number.isFinite(g[i]!)) throw new InputError({ field: `weights.${name}.data[${i}]`, value: w[i], expected: `a finite weight whose decay (× ${decay}) stays within float32` });
    }
    decayed[name] = { data };
  }
  return decayed;
}
