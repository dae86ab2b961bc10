import { type TabularTask, oracleReturn, taskFamily } from "@rl3/envs";
import { type PolicyAgent, type TestEpisodes, startTestEpisodes } from "@rl3/wrappers";

/** One policy's meta-episode as the page draws it. */
export interface Lane {
  readonly label: string;
  readonly agent: PolicyAgent;
  readonly run: TestEpisodes;
  /** States visited, in order (the start state first). */
  readonly trail: number[];
  /** Steps after which an inner episode ended and the agent went back to the start. */
  readonly resets: number[];
  /** N(s, a) tallied by the page (the same numbers RL³'s learner counts; shown for RL² too). */
  readonly counts: Float64Array;
  /** Return after each step. */
  readonly returns: number[];
  readonly actions: number[];
  /** The two largest logits of each greedy choice: how close the call was. */
  readonly margins: number[];
}

/**
 * RL² and RL³ (or any two policies) on the very same test task and streams, stepped together: every `step()` takes
 * one env step in each lane. Built on `startTestEpisodes`, so each lane's return is what `rl3 eval` reports.
 */
export class Race {
  readonly family: string;
  readonly horizon: number;
  readonly task: TabularTask;
  /** The oracle's exact expected return over H (it knows the task). */
  readonly oracle: number;
  readonly lanes: readonly Lane[];
  /** Milliseconds spent in policy, encoder, learner and env steps (not drawing). */
  computeMs = 0;

  private constructor(family: string, horizon: number, lanes: Lane[]) {
    this.family = family;
    this.horizon = horizon;
    this.lanes = lanes;
    this.task = lanes[0]!.run.tasks[0]!;
    this.oracle = oracleReturn(this.task, horizon);
  }

  static async start(agents: readonly { label: string; agent: PolicyAgent }[], options: { family: string; horizon: number; taskIndex: number; seed: number }): Promise<Race> {
    const family = taskFamily(options.family);
    for (const { agent } of agents) agent.checkFamily(family, options.horizon);
    const lanes: Lane[] = [];
    for (const { label, agent } of agents) {
      const run = await startTestEpisodes(agent, { family, horizon: options.horizon, taskIndices: [options.taskIndex], seed: options.seed });
      lanes.push({ label, agent, run, trail: [run.info.states[0]!], resets: [], counts: new Float64Array(family.numStates * family.numActions), returns: [], actions: [], margins: [] });
    }
    return new Race(options.family, options.horizon, lanes);
  }

  get done(): boolean {
    return this.lanes.every((lane) => lane.run.done);
  }

  get step(): number {
    return this.lanes[0]!.returns.length;
  }

  async advance(): Promise<void> {
    if (this.done) return;
    const started = performance.now();
    for (const lane of this.lanes) {
      const { actions, info } = await lane.run.step();
      const action = actions[0]!;
      const numActions = lane.counts.length / this.task.numStates;
      lane.counts[info.previousStates[0]! * numActions + action]!++;
      lane.actions.push(action);
      lane.returns.push(lane.run.totals[0]!);
      lane.margins.push(margin(lane.agent.lastLogits));
      if (info.episodeEnded[0] === 1) lane.resets.push(lane.returns.length);
      lane.trail.push(info.states[0]!);
    }
    this.computeMs += performance.now() - started;
  }
}

/** Largest minus second-largest logit. */
function margin(logits: Float32Array): number {
  let best = Number.NEGATIVE_INFINITY;
  let second = Number.NEGATIVE_INFINITY;
  for (const value of logits) {
    if (value > best) [best, second] = [value, best];
    else if (value > second) second = value;
  }
  return best - second;
}
