/**
 * Diagnostic (docs/method.md, "Greedy evaluation"): does a gridworld policy's argmax sit on '!' tiles? Runs the
 * policy greedily and sampled on the validation tasks of a run seed (never the test tasks) and prints, per mode,
 * the mean return, how many steps per meta-episode start on a '!' tile and how many of those are NOOPs, the mean
 * action distribution there, and how often NOOP is its argmax. A step starts on '!' exactly when the previous
 * reward was −10: it is the only tile whose enter reward is −10 (§6.3), and NOOP re-enters the tile it is on.
 *
 *   pnpm build && pnpm exec tsx scripts/greedy-trap.ts POLICY.onnx [validation seed, default 2] [tasks, default 40]
 */
import { OnnxPolicy } from "@rl3/onnx/node";
import { taskFamily } from "@rl3/envs";
import { PolicyAgent, TestEpisodes, validationTaskStreams } from "@rl3/wrappers";

const WARNING_REWARD = -10;
const NOOP = 0;

const [path, seedText = "2", countText = "40"] = process.argv.slice(2);
if (!path) throw new Error("policy: missing; expected the path of a gridworld policy.onnx");
const seed = Number(seedText);
const count = Number(countText);
if (!Number.isInteger(seed)) throw new Error(`validation seed: got "${seedText}", expected an integer`);
if (!Number.isInteger(count) || count < 1) throw new Error(`tasks: got "${countText}", expected a positive integer`);

for (const greedy of [true, false]) {
  const agent = new PolicyAgent(await OnnxPolicy.load(path), { greedy, path });
  const family = taskFamily(agent.encoderConfig.family);
  if (family.domain !== "gridworld") throw new Error(`policy: trained on ${family.name}; expected a gridworld policy`);
  const horizon = Number(agent.policy.metadata.horizon);
  const streams = validationTaskStreams(seed, count);
  const run = await TestEpisodes.start(agent, family, horizon, streams.map((stream) => family.sample(stream.task)), streams);
  const numActions = family.numActions;
  let previous = new Float64Array(count);
  let onWarning = 0;
  let noopOnWarning = 0;
  let argmaxNoop = 0;
  const meanPolicy = new Float64Array(numActions);
  while (!run.done) {
    const step = await run.step();
    const logits = agent.lastLogits;
    for (let env = 0; env < count; env++) {
      if (previous[env] !== WARNING_REWARD) continue;
      const row = Array.from(logits.subarray(env * numActions, (env + 1) * numActions));
      const top = Math.max(...row);
      const weights = row.map((logit) => Math.exp(logit - top));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      weights.forEach((weight, action) => (meanPolicy[action]! += weight / total));
      onWarning++;
      if (step.actions[env] === NOOP) noopOnWarning++;
      if (row.indexOf(top) === NOOP) argmaxNoop++;
    }
    previous = Float64Array.from(step.rewards);
  }
  const mean = Array.from(run.totals).reduce((sum, value) => sum + value, 0) / count;
  const distribution = Array.from(meanPolicy, (value) => (value / Math.max(1, onWarning)).toFixed(3)).join(" ");
  console.log(
    `${greedy ? "greedy " : "sampled"}: return ${mean.toFixed(1)} | steps on '!' per meta-episode ${(onWarning / count).toFixed(1)}, NOOP ${(noopOnWarning / count).toFixed(1)} | ` +
      `mean π there [NOOP N E S W] ${distribution} | argmax NOOP in ${argmaxNoop} of ${onWarning}`,
  );
  await agent.release();
}
