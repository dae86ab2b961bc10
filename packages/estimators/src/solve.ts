import { InputError } from "@rl3/core";
import type { TabularTask } from "@rl3/envs";
import { type BellmanSystem, bellmanSystemOfTask } from "./bellman-system.js";
import { TabularModel } from "./tabular-model.js";
import { type ValueIterationOptions, type ValueIterationResult, ValueIterationWorkspace, runValueIteration } from "./value-iteration.js";

/**
 * Value iteration (§3.2) on a learned `TabularModel` (over its known states, in discovery order: map keys with
 * `model.idOf`), on a known `TabularTask` (over all its states), or on any `BellmanSystem`. The result owns fresh
 * arrays unless a workspace is passed.
 */
export function valueIteration(
  source: TabularModel | TabularTask | BellmanSystem,
  options: ValueIterationOptions,
  workspace = new ValueIterationWorkspace(),
): ValueIterationResult {
  if (typeof source !== "object" || source === null) throw new InputError({ field: "source", value: source, expected: "a TabularModel, a TabularTask or a BellmanSystem" });
  const system =
    source instanceof TabularModel ? source.bellmanSystem() : "transitionTable" in source ? bellmanSystemOfTask(source) : source;
  return runValueIteration(system, options, workspace);
}
