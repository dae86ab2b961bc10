/**
 * Diagnostic (docs/results.md, "What RL² learned on random MDPs"): how an agent explores and exploits inside a
 * meta-episode of random MDPs. Runs each policy (and the random and model-based baselines) on the validation tasks
 * of a run seed (never the test tasks) and prints, per agent:
 *   - the mean return and the mean reward of each inner episode (does the agent improve within the meta-episode?);
 *   - explore: the share of steps taking an action never tried before in the current state;
 *   - exploit (≥ 2 tried): among steps in states where at least two actions were tried, the share taking the action
 *     with the best empirical mean reward there (the informed choice; with one tried action, repeating it is no
 *     choice at all);
 *   - tried per state: how many distinct actions the agent has tried in each state it visited, at the end;
 *   - R̄ gain: the mean of R̄(s, a) − mean_a' R̄(s, a') per step, the true immediate advantage of what it picks. On
 *     random MDPs R̄ is i.i.d. over (s, a) (§6.2), so a policy that ignores the history scores 0 here and exactly
 *     random in return: every point above random is in-context learning.
 *
 *   pnpm build && pnpm exec tsx scripts/mdp-behaviour.ts [--tasks 300] [--seed 2] POLICY.onnx…
 */
import { ModelBasedAgent, RandomAgent, mean } from "@rl3/algorithms";
import { OnnxPolicy } from "@rl3/onnx/node";
import { RandomMdp, taskFamily } from "@rl3/envs";
import { type MetaAgent, PolicyAgent, TestEpisodes, validationTaskStreams } from "@rl3/wrappers";

const args = process.argv.slice(2);
function option(name: string, fallback: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const [, text] = args.splice(index, 2);
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}: got "${text}", expected a non-negative integer`);
  return value;
}
const count = option("--tasks", 300);
const seed = option("--seed", 2);
const policies = args;

async function probe(label: string, agent: MetaAgent, horizon: number): Promise<void> {
  const family = taskFamily("mdps");
  const streams = validationTaskStreams(seed, count);
  const tasks = streams.map((stream) => family.sample(stream.task));
  const { numStates, numActions } = family;
  const cells = numStates * numActions;
  const tried = new Float64Array(count * cells);
  const rewardSums = new Float64Array(count * cells);
  const episodeLength = (tasks[0] as RandomMdp).taskHorizon;
  const perEpisode = new Float64Array(Math.ceil(horizon / episodeLength));
  let steps = 0;
  let explore = 0;
  let informed = 0;
  let informedBest = 0;
  let gain = 0;
  const run = await TestEpisodes.start(agent, family, horizon, tasks, streams);
  while (!run.done) {
    const { states, step: t } = run.info;
    const before = Int32Array.from(states);
    const { actions, rewards } = await run.step();
    for (let env = 0; env < count; env++) {
      const row = env * cells + before[env]! * numActions;
      const means = (tasks[env] as RandomMdp).meanRewards;
      let known = 0;
      let best = -1;
      let stateMean = 0;
      for (let action = 0; action < numActions; action++) {
        stateMean += means[before[env]! * numActions + action]! / numActions;
        if (tried[row + action] === 0) continue;
        known++;
        if (best < 0 || rewardSums[row + action]! / tried[row + action]! > rewardSums[row + best]! / tried[row + best]!) best = action;
      }
      const action = actions[env]!;
      steps++;
      if (tried[row + action] === 0) explore++;
      if (known >= 2) {
        informed++;
        if (action === best) informedBest++;
      }
      gain += means[before[env]! * numActions + action]! - stateMean;
      tried[row + action]!++;
      rewardSums[row + action]! += rewards[env]!;
      perEpisode[Math.floor(t / episodeLength)]! += rewards[env]! / count;
    }
  }
  let visited = 0;
  let distinct = 0;
  for (let row = 0; row < count * numStates; row++) {
    let k = 0;
    for (let action = 0; action < numActions; action++) if (tried[row * numActions + action]! > 0) k++;
    if (k > 0) {
      visited++;
      distinct += k;
    }
  }
  console.log(
    `${label}: return ${mean(run.totals).toFixed(1)} | per inner episode ${Array.from(perEpisode, (value) => value.toFixed(1)).join(" ")} | ` +
      `explore ${(explore / steps).toFixed(2)} | exploit (≥ 2 tried) ${(informedBest / informed).toFixed(2)} | ` +
      `tried per state ${(distinct / visited).toFixed(2)} | R̄ gain ${(gain / steps).toFixed(3)}`,
  );
  await agent.release?.();
}

// Every policy is loaded once, up front: the first one's horizon sets the baselines' meta-episode length.
const agents = await Promise.all(policies.map(async (path) => new PolicyAgent(await OnnxPolicy.load(path), { path })));
const horizon = agents[0] ? Number(agents[0].policy.metadata.horizon) : 128;
for (const [index, agent] of agents.entries()) {
  if (agent.encoderConfig.family !== "mdps") throw new Error(`${policies[index]}: trained on ${agent.encoderConfig.family}; expected a random-MDP (mdps) policy`);
  if (Number(agent.policy.metadata.horizon) !== horizon) throw new Error(`${policies[index]}: horizon ${agent.policy.metadata.horizon}; expected ${horizon}, like the first policy`);
}
await probe("random", new RandomAgent(), horizon);
await probe("model-based", new ModelBasedAgent(), horizon);
for (const [index, agent] of agents.entries()) await probe(policies[index]!, agent, horizon);
