import { InputError, Rng, type WeightShape, type WeightTensor, elementCount } from "@rl3/core";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "@rl3/models";
import { beforeAll, describe, expect, it } from "vitest";
import { Adam, addWeightDecay } from "./adam.js";

// @tensorflow/tfjs-core is not a dependency of @rl3/algorithms (pnpm keeps it out of reach), so tf comes from
// @rl3/models: the very instance the PPO trainer's tf.train.adam runs in.

type Buffers = Record<string, { data: Float32Array }>;

const shapes: WeightShape[] = [
  { name: "embed/kernel", shape: [5, 4] },
  { name: "embed/bias", shape: [4] },
  { name: "norm/scale", shape: [2, 3, 2] },
];
// Different gradient scales per variable, so that ε matters somewhere (1e-4 · N(0, 1) against ε = 1e-7).
const scales = [1, 1e-4, 30];
const options = { learningRate: 1e-3, epsilon: 1e-7 };
const TOLERANCE = 1e-6;

let tfNames = 0;

/** tf.train.adam on tf variables, driven the way the PPO trainer drives it (array form, spec order). */
class TfAdam {
  readonly variables: tf.Variable[];
  readonly optimizer: tf.AdamOptimizer;
  constructor(weights: Buffers) {
    const prefix = `adam-test-${tfNames++}/`;
    // tf.tensor keeps a typed array by reference on the cpu backend: copy, or Adam's in-place step moves tf's too.
    this.variables = shapes.map(({ name, shape }) => tf.variable(tf.tensor(weights[name]!.data.slice(), [...shape]), true, `${prefix}${name}`));
    this.optimizer = tf.train.adam(options.learningRate, 0.9, 0.999, options.epsilon);
  }
  step(gradients: Buffers): void {
    tf.tidy(() => {
      this.optimizer.applyGradients(
        this.variables.map((variable, index) => {
          const gradient = gradients[shapes[index]!.name];
          // A null tensor is how tf skips a variable in the array form.
          return { name: variable.name, tensor: (gradient ? tf.tensor(gradient.data, [...shapes[index]!.shape]) : null) as tf.Tensor };
        }),
      );
    });
  }
  weights(): Buffers {
    return Object.fromEntries(shapes.map(({ name }, index) => [name, { data: this.variables[index]!.dataSync() as Float32Array }]));
  }
  /** getWeights() as the trainer's saveCheckpoint stores it. */
  async slots(): Promise<WeightTensor[]> {
    const saved = await this.optimizer.getWeights();
    return saved.map((entry) => ({ shape: [...entry.tensor.shape], data: Float32Array.from(entry.tensor.dataSync() as Float32Array) }));
  }
  /** setWeights() with the names the trainer's resume builds. */
  async load(slots: readonly WeightTensor[]): Promise<void> {
    const count = this.variables.length;
    const entries = slots.map((tensor, index) => ({
      name: index === 0 ? "iter" : `${this.variables[(index - 1) % count]!.name}/${index <= count ? "m" : "v"}`,
      tensor: tf.tensor(tensor.data.slice(), [...tensor.shape]),
    }));
    await this.optimizer.setWeights(entries);
  }
  dispose(): void {
    this.optimizer.dispose();
    for (const variable of this.variables) variable.dispose();
  }
}

function randomWeights(rng: Rng): Buffers {
  return Object.fromEntries(shapes.map(({ name, shape }) => [name, { data: Float32Array.from({ length: elementCount(shape) }, () => rng.normal(0, 0.5)) }]));
}

/** Seeded gradients; `embed/bias` has none on steps 5 and 13 (its weight and moments must then stay put). */
function randomGradients(rng: Rng, step: number): Buffers {
  const gradients: Buffers = {};
  shapes.forEach(({ name, shape }, index) => {
    const data = Float32Array.from({ length: elementCount(shape) }, () => rng.normal(0.1, scales[index]!));
    if (!(name === "embed/bias" && (step === 5 || step === 13))) gradients[name] = { data };
  });
  return gradients;
}

function copy(weights: Buffers): Buffers {
  return Object.fromEntries(Object.entries(weights).map(([name, { data }]) => [name, { data: data.slice() }]));
}

function maxDifference(a: Buffers, b: Buffers): number {
  let max = 0;
  for (const { name } of shapes) {
    const x = a[name]!.data;
    const y = b[name]!.data;
    expect(x.length).toBe(y.length);
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  }
  return max;
}

/** Slots agree: same count and shapes, the step count exactly, moments to float32 round-off (relative). */
function expectSlotsClose(ours: WeightTensor[], theirs: WeightTensor[]): void {
  expect(ours.length).toBe(theirs.length);
  expect(ours.map((slot) => slot.shape)).toEqual(theirs.map((slot) => slot.shape));
  expect(ours[0]!.data[0]).toBe(theirs[0]!.data[0]);
  for (let index = 1; index < ours.length; index++) {
    const x = ours[index]!.data;
    const y = theirs[index]!.data;
    for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(y[i]!) + 1e-30);
  }
}

beforeAll(async () => {
  await initBackend("cpu");
});

describe("Adam against tf.train.adam", () => {
  it("gives the same weights after each of 20 steps (3 variables, skipped gradients)", () => {
    const rng = new Rng(11);
    const ours = randomWeights(rng);
    const reference = new TfAdam(ours);
    const adam = new Adam(shapes, options);
    let before = copy(ours);
    for (let step = 1; step <= 20; step++) {
      const gradients = randomGradients(rng, step);
      adam.step(ours, gradients);
      reference.step(gradients);
      expect(maxDifference(ours, reference.weights())).toBeLessThan(TOLERANCE);
      expect(adam.iterations).toBe(step);
      // The update is not a no-op, and a skipped variable is untouched.
      expect(maxDifference(ours, before)).toBeGreaterThan(1e-4);
      if (!gradients["embed/bias"]) expect(ours["embed/bias"]!.data).toEqual(before["embed/bias"]!.data);
      before = copy(ours);
    }
    reference.dispose();
  });

  it("resumes from tf's getWeights(), and tf resumes from slots() (the checkpoint layout)", async () => {
    const rng = new Rng(12);
    const start = randomWeights(rng);
    const warmup = Array.from({ length: 7 }, (_, k) => randomGradients(rng, k + 1));
    const more = Array.from({ length: 5 }, (_, k) => randomGradients(rng, k + 8 + 5)); // skips embed/bias once (13)

    // tf → ours
    const reference = new TfAdam(start);
    for (const gradients of warmup) reference.step(gradients);
    const saved = await reference.slots();
    expect(saved.length).toBe(1 + 2 * shapes.length);
    const ours = copy(reference.weights());
    const adam = new Adam(shapes, options);
    adam.loadSlots(saved);
    expect(adam.iterations).toBe(7);
    expectSlotsClose(adam.slots(), saved);
    for (const gradients of more) {
      adam.step(ours, gradients);
      reference.step(gradients);
      expect(maxDifference(ours, reference.weights())).toBeLessThan(TOLERANCE);
    }
    expectSlotsClose(adam.slots(), await reference.slots());
    reference.dispose();

    // ours → tf
    const mine = copy(start);
    const first = new Adam(shapes, options);
    for (const gradients of warmup) first.step(mine, gradients);
    const resumed = new TfAdam(mine);
    await resumed.load(first.slots());
    for (const gradients of more) {
      first.step(mine, gradients);
      resumed.step(gradients);
      expect(maxDifference(mine, resumed.weights())).toBeLessThan(TOLERANCE);
    }
    expectSlotsClose(first.slots(), await resumed.slots());
    resumed.dispose();
  });

  it("treats tf's state before its first step ([iter]) and [] as fresh", async () => {
    const rng = new Rng(13);
    const start = randomWeights(rng);
    const gradients = [randomGradients(rng, 1), randomGradients(rng, 2)];
    const reference = new TfAdam(start);
    const untouched = await reference.slots();
    expect(untouched.map((slot) => slot.shape)).toEqual([[]]);
    for (const saved of [untouched, []]) {
      const weights = copy(start);
      const adam = new Adam(shapes, options);
      adam.step(weights, gradients[0]!);
      adam.loadSlots(saved);
      expect(adam.iterations).toBe(0);
      expect(adam.slots().slice(1).every((slot) => slot.data.every((value) => value === 0))).toBe(true);
    }
    const weights = copy(start);
    const adam = new Adam(shapes, options);
    adam.loadSlots(untouched);
    for (const step of gradients) {
      adam.step(weights, step);
      reference.step(step);
    }
    expect(maxDifference(weights, reference.weights())).toBeLessThan(TOLERANCE);
    reference.dispose();
  });
});

describe("Adam.loadSlots validation", () => {
  const valid = (): WeightTensor[] => {
    const rng = new Rng(14);
    const adam = new Adam(shapes, options);
    const weights = randomWeights(rng);
    for (let step = 1; step <= 3; step++) adam.step(weights, randomGradients(rng, step));
    return adam.slots();
  };
  const rejects = (slots: WeightTensor[], field: string) => {
    const adam = new Adam(shapes, options);
    const rng = new Rng(15);
    adam.step(randomWeights(rng), randomGradients(rng, 1));
    const before = adam.slots();
    let error: unknown;
    try {
      adam.loadSlots(slots);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).field).toBe(field);
    expect((error as InputError).message).toContain(field);
    // A rejected state changes nothing.
    expect(adam.slots()).toEqual(before);
    expect(adam.iterations).toBe(1);
  };

  it("accepts its own slots", () => {
    const adam = new Adam(shapes, options);
    adam.loadSlots(valid());
    expect(adam.slots()).toEqual(valid());
  });

  it("rejects a wrong count", () => {
    rejects(valid().slice(0, 6), "slots.length");
    rejects([...valid(), valid()[1]!], "slots.length");
  });

  it("rejects a wrong shape, naming the slot", () => {
    const slots = valid();
    slots[2] = { shape: [5], data: new Float32Array(5) }; // m of embed/bias is [4]
    rejects(slots, "slots[2].shape");
    const transposed = valid();
    transposed[4] = { shape: [4, 5], data: transposed[4]!.data }; // v of embed/kernel is [5, 4]
    rejects(transposed, "slots[4].shape");
    const scalar = valid();
    scalar[0] = { shape: [1], data: Float32Array.of(3) };
    rejects(scalar, "slots[0].shape");
  });

  it("rejects NaN, ∞, a negative second moment and a fractional step count, naming the slot", () => {
    const nan = valid();
    nan[5]!.data[1] = Number.NaN;
    rejects(nan, "slots[5].data[1]");
    const infinite = valid();
    infinite[3]!.data[0] = Number.POSITIVE_INFINITY;
    rejects(infinite, "slots[3].data[0]");
    const negative = valid();
    negative[6]!.data[2] = -1e-9;
    rejects(negative, "slots[6].data[2]");
    const fractional = valid();
    fractional[0] = { shape: [], data: Float32Array.of(2.5) };
    rejects(fractional, "slots[0]");
  });
});

describe("Adam.step", () => {
  it("moves a single weight by −lr·sign(g) on its first step (bias correction), and not at all for g = 0", () => {
    for (const g of [0.37, -2.5, 1e-3]) {
      const adam = new Adam([{ name: "w", shape: [] }], options);
      const weights = { w: { data: Float32Array.of(0) } };
      adam.step(weights, { w: { data: Float32Array.of(g) } });
      const moved = weights.w.data[0]!;
      // m̂ = g and v̂ = g², so Δ = −lr·g/(|g| + ε): −lr·sign(g) up to lr·ε/|g| (and float32 round-off of Δ).
      expect(Math.abs(moved + options.learningRate * Math.sign(g))).toBeLessThanOrEqual((options.learningRate * options.epsilon) / Math.abs(g) + 1e-10);
      expect(moved).toBe(Math.fround((-options.learningRate * g) / (Math.abs(g) + options.epsilon)));
    }
    const adam = new Adam([{ name: "w", shape: [2] }], options);
    const weights = { w: { data: Float32Array.of(0.25, -1) } };
    adam.step(weights, { w: { data: Float32Array.of(0, 0) } });
    expect(Array.from(weights.w.data)).toEqual([0.25, -1]);
  });

  it("rejects an unknown gradient or a buffer of the wrong length before changing anything", () => {
    const adam = new Adam(shapes, options);
    const rng = new Rng(16);
    const weights = randomWeights(rng);
    const before = copy(weights);
    const gradients = randomGradients(rng, 1);
    expect(() => adam.step(weights, { ...gradients, "embed/kernal": { data: new Float32Array(20) } })).toThrow(InputError);
    expect(() => adam.step(weights, { ...gradients, "norm/scale": { data: new Float32Array(11) } })).toThrow(/gradients\.norm\/scale\.data/);
    const { "norm/scale": _, ...missing } = weights;
    expect(() => adam.step(missing, gradients)).toThrow(/weights\.norm\/scale/);
    expect(weights).toEqual(before);
    expect(adam.iterations).toBe(0);
    expect(adam.slots().slice(1).every((slot) => slot.data.every((value) => value === 0))).toBe(true);
  });
});

describe("addWeightDecay", () => {
  it("returns g + decay·w as tf.add(g, tf.mul(w, decay)) does, leaving its inputs alone", () => {
    const rng = new Rng(17);
    const weights = randomWeights(rng);
    const gradients = randomGradients(rng, 1);
    const before = copy(gradients);
    const decayed = addWeightDecay(gradients, weights, 0.01);
    expect(Object.keys(decayed)).toEqual(Object.keys(gradients));
    shapes.forEach(({ name, shape }) => {
      const expected = tf.tidy(() => tf.add(tf.tensor(gradients[name]!.data, [...shape]), tf.mul(tf.tensor(weights[name]!.data, [...shape]), 0.01)).dataSync());
      const got = decayed[name]!.data;
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThanOrEqual(2 ** -23 * Math.abs(expected[i]!));
      expect(got).not.toBe(gradients[name]!.data);
    });
    expect(gradients).toEqual(before);
    expect(() => addWeightDecay({ x: { data: new Float32Array(2) } }, {}, 0.01)).toThrow(InputError);
    expect(() => addWeightDecay(gradients, weights, -1)).toThrow(InputError);
  });
});
