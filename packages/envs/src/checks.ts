import { InputError, Rng, requireBuffer, requireObject } from "@rl3/core";
import type { TabularTask, TaskDomain, TaskFamily } from "./tabular-task.js";

const DOMAINS: readonly TaskDomain[] = ["bandits", "mdps", "gridworld"];

/** The fields of a task or family every consumer reads before allocating: a domain and positive integer sizes. */
function requireShape(field: string, value: TabularTask | TaskFamily, what: string): void {
  requireObject(field, value);
  if (!DOMAINS.includes(value.domain)) throw new InputError({ field: `${field}.domain`, value: value.domain, expected: `${what}: one of ${DOMAINS.join(", ")}` });
  for (const key of ["numStates", "numActions", "observationSize"] as const) {
    if (!Number.isSafeInteger(value[key]) || value[key] < 1) throw new InputError({ field: `${field}.${key}`, value: value[key], expected: `${what}: an integer ≥ 1` });
  }
}

/** A task family (what `taskFamily`, `banditFamily`, … return): refuses null, a name string or a hand-made object without `sample`. */
export function requireTaskFamily(field: string, family: TaskFamily): TaskFamily {
  requireShape(field, family, "a TaskFamily");
  if (typeof family.sample !== "function") throw new InputError({ field: `${field}.sample`, value: family.sample, expected: "a TaskFamily: a function sample(rng)" });
  return family;
}

/** A task (a `BernoulliBandit`, `RandomMdp`, `GridWorld` or the like). */
export function requireTask(field: string, task: TabularTask): TabularTask {
  requireShape(field, task, "a TabularTask");
  if (typeof task.transitionTable !== "function" || typeof task.sampleStep !== "function") {
    throw new InputError({ field, value: task, expected: "a TabularTask (sampleStep, transitionTable, …)" });
  }
  return task;
}

/** A generator: sampling with anything else would be a raw TypeError several calls deep. */
export function requireRng(field: string, rng: Rng): Rng {
  if (!(rng instanceof Rng)) throw new InputError({ field, value: rng, expected: "an Rng (new Rng(seed))" });
  return rng;
}

/**
 * A task may run in an env of `family` only if it is of the family's domain and size: a 169-state grid in an
 * env (and learners) sized for 121 states would pass a size check on observations alone and fail steps later.
 */
export function requireTaskOfFamily(field: string, task: TabularTask, family: TaskFamily): TabularTask {
  requireTask(field, task);
  if (task.domain !== family.domain || task.numStates !== family.numStates || task.observationSize !== family.observationSize || task.numActions !== family.numActions) {
    throw new InputError({
      field,
      value: `a ${task.domain} task with ${task.numStates} states, ${task.observationSize} observations and ${task.numActions} actions`,
      expected: `a task of family ${family.name} (${family.domain}, ${family.numStates} states, ${family.observationSize} observations, ${family.numActions} actions)`,
    });
  }
  return task;
}

/** Where `observation(state, out, offset)` writes: `size` entries from `offset` must fit, else they would be lost. */
export function requireOutput(out: Float64Array, offset: number, size: number): void {
  requireBuffer("out", out, size, offset);
}
