import { Rng } from "@rl3/core";

/**
 * Every random stream of a run derives from its seed through disjoint branches (decisions.md): training tasks
 * and action sampling of iteration i, the initial weights, and (in `evaluate`) the test tasks. Deriving per
 * iteration means a resumed run needs no generator state: iteration i always sees the same streams.
 */
export function trainingStreams(seed: number, iteration: number): { environment: Rng; actions: Rng } {
  const training = new Rng(seed).split();
  let stream = training.split();
  for (let index = 0; index < iteration; index++) stream = training.split();
  return { environment: stream.split(), actions: stream.split() };
}

/** The seed of the initial weights of a run. */
export function weightSeed(seed: number): number {
  return new Rng(seed).split().split().uint32();
}

/** The root of the fixed test-task stream: the second branch of `new Rng(seed)`, never used for training. */
export function testStream(seed: number): Rng {
  const root = new Rng(seed);
  root.split(); // the training branch
  return root.split();
}
