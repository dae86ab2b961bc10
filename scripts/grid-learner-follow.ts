/**
 * Diagnostic (docs/method.md, "Gridworlds"): how much RL³'s object-level learner alone knows about returning to a goal.
 * On grid13 training-stream tasks (seed 4242, never the test stream), an agent acts uniformly at random until its
 * first goal, then greedily on the learner's Q̂ (the values RL³'s policy reads) — "follow". `random` never switches.
 * Prints the mean meta-episode return and the goals/dangers reached per meta-episode.
 *
 *   pnpm build && pnpm exec tsx scripts/grid-learner-follow.ts [follow|random] [tasks]
 * Options of the learner come from the environment: LAPLACE=α, PRIOR=laplace|mle-self-loop.
 */
// The built @rl3/core, the one the envs package itself links to: its Rng is the type family.sample accepts.
import { Rng } from "@rl3/core";
import { MetaEnv, TILE_ENTER_REWARD, Tile, taskFamily } from "@rl3/envs";
import { type ModelPrior, createEstimator } from "@rl3/estimators";

const mode = process.argv[2] ?? "follow";
if (mode !== "follow" && mode !== "random") throw new Error(`mode: got "${mode}", expected "follow" or "random"`);
const tasks = Number(process.argv[3] ?? 60);
const family = taskFamily("grid13");
const horizon = 350;
// Entering G or X is the only way to earn these rewards (§6.3), so they count goals and dangers reached.
const GOAL_REWARD = TILE_ENTER_REWARD[Tile.Goal]!;
const DANGER_REWARD = TILE_ENTER_REWARD[Tile.Danger]!;
const taskRng = new Rng(4242);
const overrides = {
  ...(process.env.LAPLACE ? { laplace: Number(process.env.LAPLACE) } : {}),
  ...(process.env.PRIOR ? { prior: process.env.PRIOR as ModelPrior } : {}),
};
let totalReturn = 0;
let goals = 0;
let dangers = 0;
const q = new Float64Array(family.numActions);
for (let index = 0; index < tasks; index++) {
  const task = family.sample(taskRng);
  const env = new MetaEnv(family, { horizon, seed: index });
  const learner = createEstimator(family, { horizon, ...overrides });
  const rng = new Rng(1000 + index);
  let state = env.reset({ task }).info.state;
  let foundGoal = false;
  for (let t = 0; t < horizon; t++) {
    let action = rng.int(family.numActions);
    if (mode === "follow" && foundGoal) {
      learner.qValues(state, q);
      action = q.indexOf(Math.max(...q));
    }
    const step = env.step(action);
    const transition = step.info.transition!;
    learner.update(transition.state, transition.action, step.reward, transition.nextState, transition.terminal);
    totalReturn += step.reward;
    if (step.reward === GOAL_REWARD) {
      goals++;
      foundGoal = true;
    }
    if (step.reward === DANGER_REWARD) dangers++;
    state = step.info.state;
  }
}
console.log(`${mode}: return ${(totalReturn / tasks).toFixed(1)}, goals ${(goals / tasks).toFixed(2)}, dangers ${(dangers / tasks).toFixed(2)} per meta-episode (${tasks} tasks)`);
