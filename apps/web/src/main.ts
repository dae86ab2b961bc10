import { Rl3Error } from "@rl3/core";
import { TASK_FAMILY_NAMES, taskFamily } from "@rl3/envs";
import { loadWebPolicy } from "@rl3/onnx/web";
import { DEFAULT_TEST_SEED, PolicyAgent, methodLabel } from "@rl3/wrappers";
import { type CatalogPolicy, policiesFor } from "./catalog.js";
import { Race } from "./race.js";
import { renderLane, renderPlot } from "./views.js";
import "./style.css";

const LANES = [
  { label: "RL²", method: "rl2" },
  { label: "RL³", method: "rl3" },
];
const SPEEDS = [1, 5, 20, 100, 1000, Number.POSITIVE_INFINITY];

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const familySelect = byId<HTMLSelectElement>("family");
const taskInput = byId<HTMLInputElement>("task");
const seedInput = byId<HTMLInputElement>("seed");
const speedSelect = byId<HTMLSelectElement>("speed");
const message = byId<HTMLParagraphElement>("message");
const plot = byId<HTMLCanvasElement>("plot");

/** The agent each lane runs, and where it came from. */
const loaded: ({ agent: PolicyAgent; source: string } | undefined)[] = [undefined, undefined];
let race: Race | undefined;
let playing = false;

for (const name of TASK_FAMILY_NAMES) familySelect.append(new Option(name, name, name === "grid13", name === "grid13"));
SPEEDS.forEach((speed, index) => speedSelect.append(new Option(Number.isFinite(speed) ? `${speed} steps/s` : "full speed", String(index), index === 2, index === 2)));
seedInput.value = String(DEFAULT_TEST_SEED);

function say(text: string, kind: "info" | "error" = "info"): void {
  message.textContent = text;
  message.className = kind;
}

function setState(state: "loading" | "ready" | "done" | "error"): void {
  document.body.dataset.state = state;
}

function laneSelect(index: number): HTMLSelectElement {
  return byId<HTMLSelectElement>(`policy-${index}`);
}

/** Fills each lane's policy picker with the catalog policies that read the chosen family. */
function fillPickers(): void {
  const candidates = policiesFor(familySelect.value);
  LANES.forEach((lane, index) => {
    const select = laneSelect(index);
    select.replaceChildren(...candidates.map((policy) => new Option(`${policy.name} (${policy.note})`, policy.name)));
    const preferred = candidates.find((policy) => policy.method === lane.method && policy.family === familySelect.value) ?? candidates.find((policy) => policy.method === lane.method);
    if (preferred) select.value = preferred.name;
  });
}

function describeError(source: string, error: unknown): string {
  const text = error instanceof Rl3Error ? error.message : `unexpected error: ${(error as Error).message ?? String(error)}`;
  // File errors already name the file.
  return text.startsWith(`${source}:`) ? text : `${source}: ${text}`;
}

/** Loads a catalog policy or a dropped file into lane `index`; a bad file leaves the lane as it was. */
async function loadLane(index: number, source: CatalogPolicy | File): Promise<boolean> {
  const name = source instanceof File ? source.name : source.name;
  setState("loading");
  try {
    const runner = await loadWebPolicy(source instanceof File ? source : source.url, { path: name });
    let agent: PolicyAgent;
    try {
      agent = new PolicyAgent(runner, { name, path: name });
      const family = taskFamily(familySelect.value);
      try {
        agent.checkFamily(family, agent.encoderConfig.horizon);
      } catch (error) {
        throw new Error(`it is a policy (${agent.encoderConfig.method}) for ${agent.encoderConfig.family}, not for ${family.name} (${(error as Error).message})`);
      }
    } catch (error) {
      await runner.release();
      throw error;
    }
    const previous = loaded[index];
    loaded[index] = { agent, source: name };
    if (previous) await previous.agent.release();
    // A lane is named for the method of the policy it runs (RL², RL²-transition, RL³, …), whichever was picked.
    const label = methodLabel(agent.encoderConfig.method);
    byId(`label-${index}`).textContent = `${label} lane: ${name} (trained on ${agent.encoderConfig.family}, H ${agent.encoderConfig.horizon})`;
    byId(`legend-${index}`).textContent = `━ ${label}`;
    return true;
  } catch (error) {
    const text = error instanceof Rl3Error || !(error instanceof Error) ? describeError(name, error) : `${name}: ${error.message}`;
    say(`Not loaded: ${text}. The ${LANES[index]!.label} lane keeps its policy.`, "error");
    setState(race ? "ready" : "error");
    return false;
  }
}

/** The method label of lane `index`'s policy, with the side added when both lanes run the same method. */
function laneLabel(index: number): string {
  const labels = loaded.map((entry, lane) => (entry ? methodLabel(entry.agent.encoderConfig.method) : LANES[lane]!.label));
  return labels[0] === labels[1] ? `${labels[index]} (${index === 0 ? "left" : "right"})` : labels[index]!;
}

async function loadPicked(): Promise<void> {
  const candidates = policiesFor(familySelect.value);
  for (const index of [0, 1]) {
    const policy = candidates.find((candidate) => candidate.name === laneSelect(index).value);
    if (policy && loaded[index]?.source !== policy.name) await loadLane(index, policy);
  }
}

/** A new race on the chosen family, task and seed; H is the smaller of the two policies' budgets. */
async function restart(): Promise<void> {
  playing = false;
  const agents = loaded.filter((entry) => entry !== undefined);
  if (agents.length < 2) return;
  const horizon = Math.min(...agents.map(({ agent }) => Math.min(agent.encoderConfig.horizon, agent.policy.metadata.spec.maxSequenceLength)));
  try {
    race = await Race.start(
      agents.map(({ agent }, index) => ({ label: laneLabel(index), agent })),
      { family: familySelect.value, horizon, taskIndex: Number(taskInput.value), seed: Number(seedInput.value) },
    );
  } catch (error) {
    say(describeError("cannot start", error), "error");
    setState("error");
    return;
  }
  say(`Test task ${taskInput.value} of ${familySelect.value} (seed ${seedInput.value}), H = ${horizon}: both lanes meet the same task and dynamics.`);
  (window as unknown as { rl3Race?: Race }).rl3Race = race;
  render();
  setState("ready");
}

function render(): void {
  if (!race) return;
  byId("step").textContent = `t = ${race.step} / ${race.horizon}`;
  byId("oracle").textContent = `oracle's expected return: ${race.oracle.toFixed(2)}`;
  race.lanes.forEach((lane, index) => {
    renderLane(byId(`view-${index}`), lane, race!);
    const total = lane.returns.at(-1) ?? 0;
    const output = byId(`return-${index}`);
    output.textContent = `return ${total.toFixed(2)} · inner episodes ended: ${lane.resets.length}`;
    output.dataset.return = String(total);
    output.dataset.actions = lane.actions.join(",");
  });
  renderPlot(plot, race);
  if (race.done) {
    byId("timing").textContent = `${race.step} steps per lane, both lanes in ${race.computeMs.toFixed(0)} ms of compute`;
    byId("timing").dataset.computeMs = String(race.computeMs);
    setState("done");
  }
}

async function play(): Promise<void> {
  if (!race || playing) return;
  playing = true;
  let last = performance.now();
  let owed = 0;
  while (playing && race && !race.done) {
    await new Promise(requestAnimationFrame);
    const speed = SPEEDS[Number(speedSelect.value)]!;
    const now = performance.now();
    owed += Number.isFinite(speed) ? ((now - last) / 1000) * speed : race.horizon;
    last = now;
    for (; owed >= 1 && !race.done; owed--) await race.advance();
    if (!Number.isFinite(speed)) owed = 0;
    render();
  }
  playing = false;
}

async function runToEnd(): Promise<void> {
  if (!race) return;
  playing = false;
  while (!race.done) await race.advance();
  render();
}

function wireDrop(index: number): void {
  const zone = byId(`drop-${index}`);
  const input = byId<HTMLInputElement>(`file-${index}`);
  const take = async (file: File | undefined) => {
    if (file && (await loadLane(index, file))) await restart();
  };
  input.addEventListener("change", () => void take(input.files?.[0]));
  zone.addEventListener("dragover", (event) => event.preventDefault());
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    void take(event.dataTransfer?.files[0]);
  });
}

familySelect.addEventListener("change", async () => {
  fillPickers();
  await loadPicked();
  await restart();
});
for (const index of [0, 1]) {
  laneSelect(index).addEventListener("change", async () => {
    await loadPicked();
    await restart();
  });
  wireDrop(index);
}
taskInput.addEventListener("change", () => void restart());
seedInput.addEventListener("change", () => void restart());
byId("play").addEventListener("click", () => void play());
byId("pause").addEventListener("click", () => (playing = false));
byId("step-once").addEventListener("click", async () => {
  playing = false;
  await race?.advance();
  render();
});
byId("to-end").addEventListener("click", () => void runToEnd());
byId("restart").addEventListener("click", () => void restart());

fillPickers();
await loadPicked();
await restart();
