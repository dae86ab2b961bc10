import type { GraphBuilder, NodeView } from "../graph-builder.js";
import type { StaticShapes } from "./shapes.js";

/**
 * What a gradient rule may use: the builder it appends nodes to, the forward graph's static shapes, and
 * `unbroadcast`, which every broadcasting op needs.
 */
export interface RuleContext extends StaticShapes {
  readonly builder: GraphBuilder;
  /** Sums `gradient` (of shape `from`) over the axes along which a value of shape `to` was broadcast to `from`. */
  unbroadcast(gradient: string, from: readonly number[], to: readonly number[]): string;
  /** A float scalar constant. */
  scalar(value: number): string;
  /** An int64 vector constant. */
  ints(values: readonly number[]): string;
}

/**
 * The gradient rule of one op: given the gradients reaching its outputs (undefined where an output does not reach
 * the loss), returns the gradient of each input (undefined where an input is not differentiable or not needed).
 * `needs[i]` says whether input i depends on a weight; a rule may skip work for the others.
 */
export type GradientRule = (node: NodeView, outputGradients: readonly (string | undefined)[], context: RuleContext, needs: readonly boolean[]) => (string | undefined)[];

export type RuleTable = Readonly<Record<string, GradientRule>>;
