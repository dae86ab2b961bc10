import { GridWorld, Tile } from "@rl3/envs";
import type { Lane, Race } from "./race.js";

const ARROWS = ["·", "↑", "→", "↓", "←"];
const TILE_CLASS: Record<number, string> = {
  [Tile.Free]: "free",
  [Tile.Start]: "start",
  [Tile.Wet]: "wet",
  [Tile.Warning]: "warning",
  [Tile.Danger]: "danger",
  [Tile.Goal]: "goal",
  [Tile.Obstacle]: "obstacle",
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** What the lane's RL³ learner believes about a state: V, the greedy action and N(s, ·); undefined for RL². */
function learnerView(lane: Lane, state: number, numActions: number): { value: number; greedy: number; visits: number } | undefined {
  const estimator = lane.agent.encoder?.estimatorOf(0);
  if (!estimator) return undefined;
  const q = estimator.qValues(state, new Float64Array(numActions));
  const counts = estimator.visitCounts(state, new Float64Array(numActions));
  let greedy = 0;
  for (let action = 1; action < numActions; action++) if (q[action]! > q[greedy]!) greedy = action;
  return { value: q[greedy]!, greedy, visits: counts.reduce((sum, count) => sum + count, 0) };
}

function visitsOf(lane: Lane, state: number, numActions: number): number {
  let visits = 0;
  for (let action = 0; action < numActions; action++) visits += lane.counts[state * numActions + action]!;
  return visits;
}

/** The grid: tiles, the agent, its trail (shaded by visits), and per visited cell RL³'s V and greedy action. */
export function renderGrid(container: HTMLElement, lane: Lane, grid: GridWorld): void {
  const current = lane.trail.at(-1)!;
  const table = element("div", "grid");
  table.style.gridTemplateColumns = `repeat(${grid.columns}, 1fr)`;
  for (let state = 0; state < grid.numStates; state++) {
    const cell = element("div", `cell ${TILE_CLASS[grid.tiles[state]!] ?? ""}`);
    const visits = visitsOf(lane, state, grid.numActions);
    if (visits > 0) {
      cell.classList.add("visited");
      cell.style.setProperty("--visits", String(Math.min(1, Math.log1p(visits) / 5)));
      const learner = learnerView(lane, state, grid.numActions);
      cell.append(element("span", "count", String(visits)));
      if (learner) {
        cell.append(element("span", "arrow", ARROWS[learner.greedy]));
        cell.append(element("span", "value", learner.value.toFixed(0)));
      }
    }
    if (state === current) cell.append(element("span", "agent", "●"));
    cell.title = `cell ${Math.floor(state / grid.columns)},${state % grid.columns}: ${visits} visits`;
    table.append(cell);
  }
  container.replaceChildren(table);
}

/** MDPs and bandits: a state × action table of visit counts and, for RL³, the learner's Q (greedy in bold). */
export function renderTable(container: HTMLElement, lane: Lane, numStates: number, numActions: number): void {
  const current = lane.trail.at(-1)!;
  const table = element("table", "tabular");
  const head = element("tr");
  head.append(element("th", undefined, numStates === 1 ? "arm →" : "state \\ action"));
  for (let action = 0; action < numActions; action++) head.append(element("th", undefined, String(action)));
  table.append(head);
  const estimator = lane.agent.encoder?.estimatorOf(0);
  for (let state = 0; state < numStates; state++) {
    const row = element("tr", state === current ? "current" : undefined);
    row.append(element("th", undefined, numStates === 1 ? "N / Q" : String(state)));
    const q = estimator?.qValues(state, new Float64Array(numActions));
    let greedy = 0;
    if (q) for (let action = 1; action < numActions; action++) if (q[action]! > q[greedy]!) greedy = action;
    for (let action = 0; action < numActions; action++) {
      const count = lane.counts[state * numActions + action]!;
      const text = q && count > 0 ? `${count} / ${q[action]!.toFixed(2)}` : String(count);
      row.append(element("td", q && count > 0 && action === greedy ? "greedy" : undefined, text));
    }
    table.append(row);
  }
  container.replaceChildren(table);
}

// The same method colours as every plot of the experiments app (AGENT_COLOURS there): RL² blue, RL³ orange.
const COLORS = ["#4c78a8", "#f58518"];

/** Running meta-episode return of each lane, and the oracle's expected return over H as a dashed line. */
export function renderPlot(canvas: HTMLCanvasElement, race: Race): void {
  const context = canvas.getContext("2d")!;
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const all = race.lanes.flatMap((lane) => lane.returns);
  const low = Math.min(0, ...all);
  const high = Math.max(1, race.oracle, ...all);
  const x = (step: number) => 30 + ((width - 40) * step) / race.horizon;
  const y = (value: number) => height - 20 - ((height - 30) * (value - low)) / (high - low);
  context.strokeStyle = "#999";
  context.beginPath();
  context.moveTo(x(0), y(0));
  context.lineTo(x(race.horizon), y(0));
  context.stroke();
  context.setLineDash([5, 4]);
  context.strokeStyle = "#555";
  context.beginPath();
  context.moveTo(x(0), y(race.oracle));
  context.lineTo(x(race.horizon), y(race.oracle));
  context.stroke();
  context.setLineDash([]);
  context.fillStyle = "#555";
  context.font = "11px sans-serif";
  context.fillText(`oracle E[return] ${race.oracle.toFixed(1)}`, x(0) + 4, y(race.oracle) - 4);
  race.lanes.forEach((lane, index) => {
    context.strokeStyle = COLORS[index % COLORS.length]!;
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(x(0), y(0));
    lane.returns.forEach((value, step) => context.lineTo(x(step + 1), y(value)));
    context.stroke();
    context.lineWidth = 1;
  });
}

export function renderLane(container: HTMLElement, lane: Lane, race: Race): void {
  const task = race.task;
  if (task instanceof GridWorld) renderGrid(container, lane, task);
  else renderTable(container, lane, task.numStates, task.numActions);
}
