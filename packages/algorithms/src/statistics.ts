import { InputError, Rng, requireFiniteArray, requireInteger, requireObject } from "@rl3/core";

/**
 * Statistics for comparing agents the way rliable does (Agarwal et al., NeurIPS 2021): interquartile means,
 * percentile-bootstrap confidence intervals, paired comparisons and the probability of improvement. Pure and
 * seeded: the same inputs and options always give the same intervals.
 */

/** A point estimate with a two-sided confidence interval. */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  /** Number of bootstrap resamples (default {@link DEFAULT_RESAMPLES}). */
  resamples?: number;
  /** Coverage of the interval, in (0, 1) (default 0.95). */
  confidence?: number;
  /** Seed of the resampling stream (default 0). */
  seed?: number;
}

/** Most bootstrap resamples one call may ask for (50 × the default): enough for any interval, never a hang. */
export const MAX_RESAMPLES = 100_000;

/** With 2000 resamples the Monte-Carlo error (1 s.d.) of a 95% endpoint is about 3% of the interval's half-width. */
export const DEFAULT_RESAMPLES = 2000;

/**
 * Scores of one agent: one row per training seed (run), one column per task; every row holds the same tasks in
 * the same order.
 */
export type ScoreMatrix = readonly ArrayLike<number>[];

/** One bootstrap resample of a {@link ScoreMatrix}: `seeds` × `tasks` values, row-major. */
export interface ResampledScores {
  readonly values: Float64Array;
  readonly seeds: number;
  readonly tasks: number;
}

export function mean(values: ArrayLike<number>): number {
  requireValues(values);
  let sum = 0;
  for (let index = 0; index < values.length; index++) sum += values[index]!;
  return finiteResult(sum / values.length);
}

/** At least one value, all finite: the mean of nothing is NaN, and one NaN makes every statistic NaN. */
function requireValues(values: ArrayLike<number>): void {
  requireFiniteArray("values", values);
  if (values.length === 0) throw new InputError({ field: "values.length", value: 0, expected: "at least one value" });
}

/** Finite values can still sum or square past the largest double: say so instead of returning ±Infinity. */
/** An interval a public function returns: a statistic that overflowed or was NaN on some resample is meaningless. */
function finiteInterval(interval: Interval, field = "statistic"): Interval {
  for (const value of [interval.estimate, interval.low, interval.high]) finiteResult(value, field);
  return interval;
}

function finiteResult(value: number, field = "values"): number {
  if (!Number.isFinite(value)) throw new InputError({ field, value, expected: "values small enough in magnitude that their statistics are finite (|x| well below 1e150)" });
  return value;
}

/** Standard error of the mean (sample standard deviation / √n). */
export function standardError(values: ArrayLike<number>): number {
  requireValues(values);
  requireTasks(values.length);
  const center = mean(values);
  let squares = 0;
  for (let index = 0; index < values.length; index++) squares += (values[index]! - center) ** 2;
  return finiteResult(Math.sqrt(squares / (values.length - 1) / values.length));
}

/**
 * The interquartile mean: the mean of the middle half after dropping ⌊n/4⌋ values at each end (rliable's
 * definition, `scipy.stats.trim_mean(values, 0.25)`). Robust to a few outlying tasks or runs, and unlike the
 * median it still uses half of the data.
 */
export function interquartileMean(values: ArrayLike<number>): number {
  requireValues(values);
  // Selection instead of a sort: the bootstrap calls this thousands of times on seeds × tasks values.
  const scratch = Float64Array.from(values);
  const cut = Math.floor(scratch.length / 4);
  const end = scratch.length - cut;
  if (cut > 0) {
    select(scratch, cut, 0, scratch.length - 1);
    select(scratch, end - 1, cut, scratch.length - 1);
  }
  return mean(scratch.subarray(cut, end));
}

/**
 * Quickselect: reorders values[left..right] so that values[k] is the value a sort would put there, with nothing
 * larger before it and nothing smaller after it.
 */
function select(values: Float64Array, k: number, left: number, right: number): void {
  let low = left;
  let high = right;
  while (high > low) {
    // Median of three as the pivot keeps sorted or reversed inputs linear.
    const middle = (low + high) >>> 1;
    const [a, b, c] = [values[low]!, values[middle]!, values[high]!];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return;
  }
}

/** Percentile bootstrap over the entries of `values` (tasks): the interval of `statistic` (default the mean). */
export function bootstrapInterval(values: ArrayLike<number>, options: BootstrapOptions & { statistic?: (sample: Float64Array) => number } = {}): Interval {
  requireObject("options", options);
  const statistic = options.statistic ?? mean;
  if (typeof statistic !== "function") throw new InputError({ field: "statistic", value: statistic, expected: "a function of a sample" });
  const [interval] = replicate([[values]], [(samples) => statistic(samples[0]!.values)], options, { resampleSeeds: false });
  return finiteInterval(interval!);
}

export interface PairedComparison {
  /** Number of tasks both agents met. */
  tasks: number;
  /** mean(a) − mean(b). */
  difference: Interval;
  /** mean(a) / mean(b); left out when b's mean is ≤ 0 in the data or in any resample (the ratio then misleads). */
  ratio?: Interval;
}

/**
 * Paired bootstrap over tasks: `a[i]` and `b[i]` are two agents' returns on the same task i, and each resample
 * draws tasks, keeping the pairs. What the tasks have in common (some are easy for everyone) cancels in the
 * difference, so its interval is much narrower than one built from the two standard errors.
 */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, options: BootstrapOptions = {}): PairedComparison {
  requireFiniteArray("a", a);
  requireFiniteArray("b", b);
  if (a.length !== b.length) throw new InputError({ field: "b.length", value: b.length, expected: `${a.length} (a.length): one return per shared task` });
  let lowestDenominator = Number.POSITIVE_INFINITY;
  const [difference, ratio] = replicate(
    [[a], [b]],
    [
      (samples) => mean(samples[0]!.values) - mean(samples[1]!.values),
      (samples) => {
        const denominator = mean(samples[1]!.values);
        lowestDenominator = Math.min(lowestDenominator, denominator);
        return mean(samples[0]!.values) / denominator;
      },
    ],
    options,
    { resampleSeeds: false },
  );
  // The ratio is checked only when it is kept: a resample with b's mean ≤ 0 makes it non-finite, and drops it.
  return { tasks: a.length, difference: finiteInterval(difference!, "a, b"), ...(lowestDenominator > 0 ? { ratio: finiteInterval(ratio!, "a, b") } : {}) };
}

/**
 * The stratified bootstrap over seeds × tasks. The strata are the agents in `groups`: each resample draws every
 * agent's seeds (whole rows) with replacement, separately per agent, since different agents' runs are
 * independent, and draws the tasks (columns) with replacement once, shared by every agent and seed, since they
 * all met the same tasks. `statistic` gets the resampled matrix of each group and the tasks drawn.
 *
 * Why whole rows, where rliable resamples runs within each task: there every Atari game is a separate training
 * run, here one run is evaluated on every test task, so a run's returns move together (a weak seed is weak on
 * most tasks). Resampling runs per task would treat them as independent and shrink the interval by up to √tasks.
 */
export function stratifiedBootstrap(groups: readonly ScoreMatrix[], statistic: (samples: readonly ResampledScores[], tasks: Int32Array) => number, options: BootstrapOptions = {}): Interval {
  if (typeof statistic !== "function") throw new InputError({ field: "statistic", value: statistic, expected: "a function of the resampled scores" });
  return finiteInterval(replicate(groups, [statistic], options, { resampleSeeds: true })[0]!);
}

export interface SeedAggregate {
  seeds: number;
  tasks: number;
  /** Mean over seeds × tasks. */
  mean: Interval;
  /** Interquartile mean over seeds × tasks. */
  iqm: Interval;
  /** mean ÷ the oracle's mean over the same tasks, when `oracle` was given. */
  normalized?: Interval;
  /** False with a single seed: the intervals then cover task-to-task variation only, not seed-to-seed. */
  seedsResampled: boolean;
}

/** Mean, IQM and (with the oracle's per-task returns) the normalised score of one agent, with stratified-bootstrap intervals. */
export function aggregateScores(scores: ScoreMatrix, options: BootstrapOptions & { oracle?: ArrayLike<number> } = {}): SeedAggregate {
  requireObject("options", options);
  const oracle = options.oracle;
  const tasks = checkScores([scores]);
  if (oracle !== undefined) requireFiniteArray("oracle", oracle);
  if (oracle !== undefined && oracle.length !== tasks) throw new InputError({ field: "oracle.length", value: oracle.length, expected: `${tasks}: one oracle return per task` });
  const statistics: Statistic[] = [(samples) => mean(samples[0]!.values), (samples) => interquartileMean(samples[0]!.values)];
  if (oracle !== undefined) {
    statistics.push((samples, drawn) => {
      let oracleSum = 0;
      for (const task of drawn) oracleSum += oracle[task]!;
      return mean(samples[0]!.values) / (oracleSum / drawn.length);
    });
  }
  const [meanInterval, iqm, normalized] = replicate([scores], statistics, options, { resampleSeeds: true });
  return {
    seeds: scores.length,
    tasks,
    mean: finiteInterval(meanInterval!, "scores"),
    iqm: finiteInterval(iqm!, "scores"),
    // An oracle mean of 0 on some resample has no normalised score.
    ...(normalized ? { normalized: finiteInterval(normalized, "oracle") } : {}),
    seedsResampled: scores.length > 1,
  };
}

/**
 * P(A > B) (rliable's probability of improvement): for each task, the chance that a random run of A beats a
 * random run of B on it (ties count half; the Mann–Whitney statistic over seed pairs), averaged over tasks.
 * 0.5 means neither is better. The interval comes from the stratified bootstrap over both agents' seeds and the
 * shared tasks.
 */
export function probabilityOfImprovement(a: ScoreMatrix, b: ScoreMatrix, options: BootstrapOptions = {}): Interval {
  checkScores([a, b]);
  return stratifiedBootstrap(
    [a, b],
    ([first, second]) => {
      const { tasks } = first!;
      let total = 0;
      for (let task = 0; task < tasks; task++) {
        let wins = 0;
        for (let seedA = 0; seedA < first!.seeds; seedA++) {
          const score = first!.values[seedA * tasks + task]!;
          for (let seedB = 0; seedB < second!.seeds; seedB++) {
            const other = second!.values[seedB * tasks + task]!;
            wins += score > other ? 1 : score === other ? 0.5 : 0;
          }
        }
        total += wins / (first!.seeds * second!.seeds);
      }
      return total / tasks;
    },
    options,
  );
}

type Statistic = (samples: readonly ResampledScores[], tasks: Int32Array) => number;

/** The shared resampling loop: every statistic sees the same resamples, and the first entry is the data itself. */
function replicate(groups: readonly ScoreMatrix[], statistics: Statistic[], options: BootstrapOptions, mode: { resampleSeeds: boolean }): Interval[] {
  requireObject("options", options);
  // Bounded: every resample costs a pass over the scores, and 1e9 of them would never finish.
  const resamples = requireInteger("resamples", options.resamples ?? DEFAULT_RESAMPLES, 1, MAX_RESAMPLES);
  const confidence = options.confidence ?? 0.95;
  if (typeof confidence !== "number" || !(confidence > 0 && confidence < 1)) throw new InputError({ field: "confidence", value: confidence, expected: "a number in (0, 1), e.g. 0.95" });
  const rng = new Rng(requireInteger("seed", options.seed ?? 0));
  const tasks = checkScores(groups);
  const samples = groups.map((scores) => ({ values: new Float64Array(scores.length * tasks), seeds: scores.length, tasks }));
  const drawnTasks = new Int32Array(tasks);
  const drawnSeeds = groups.map((scores) => new Int32Array(scores.length));
  const fill = () => {
    for (let group = 0; group < groups.length; group++) {
      const scores = groups[group]!;
      const values = samples[group]!.values;
      const seeds = drawnSeeds[group]!;
      for (let row = 0; row < seeds.length; row++) {
        const source = scores[seeds[row]!]!;
        const offset = row * tasks;
        for (let column = 0; column < tasks; column++) values[offset + column] = source[drawnTasks[column]!]!;
      }
    }
  };
  for (let column = 0; column < tasks; column++) drawnTasks[column] = column;
  for (const seeds of drawnSeeds) for (let row = 0; row < seeds.length; row++) seeds[row] = row;
  fill();
  const estimates = statistics.map((statistic) => statistic(samples, drawnTasks));
  const replicates = statistics.map(() => new Float64Array(resamples));
  for (let draw = 0; draw < resamples; draw++) {
    for (let column = 0; column < tasks; column++) drawnTasks[column] = rng.int(tasks);
    if (mode.resampleSeeds) for (const seeds of drawnSeeds) for (let row = 0; row < seeds.length; row++) seeds[row] = rng.int(seeds.length);
    fill();
    statistics.forEach((statistic, index) => (replicates[index]![draw] = statistic(samples, drawnTasks)));
  }
  const tail = (1 - confidence) / 2;
  return replicates.map((values, index) => {
    values.sort();
    return { estimate: estimates[index]!, low: quantile(values, tail), high: quantile(values, 1 - tail) };
  });
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

function requireTasks(count: number): void {
  if (count < 2) throw new InputError({ field: "tasks", value: count, expected: "at least 2 tasks (an interval needs task-to-task variation to resample)" });
}

/** Checks that every row of every group has the same number (≥ 2) of finite scores; returns it. */
function checkScores(groups: readonly ScoreMatrix[]): number {
  if (!Array.isArray(groups) || groups.length === 0) throw new InputError({ field: "scores", value: groups, expected: "score matrices: rows (seeds) of per-task returns" });
  groups.forEach((scores, group) => {
    if (!Array.isArray(scores) || !scores.every((row) => Array.isArray(row) || ArrayBuffer.isView(row))) {
      throw new InputError({ field: `scores[${group}]`, value: scores, expected: "an array of rows (one per seed) of per-task returns" });
    }
  });
  const tasks = groups[0]?.[0]?.length ?? 0;
  groups.forEach((scores, group) => {
    if (scores.length === 0) throw new InputError({ field: `scores[${group}]`, value: [], expected: "at least one seed (row)" });
    scores.forEach((row: ArrayLike<number>, seed: number) => {
      if (row.length !== tasks) throw new InputError({ field: `scores[${group}][${seed}].length`, value: row.length, expected: `${tasks}: every seed of every agent scored on the same tasks` });
      for (let task = 0; task < row.length; task++) {
        if (!Number.isFinite(row[task])) throw new InputError({ field: `scores[${group}][${seed}][${task}]`, value: row[task], expected: "a finite return" });
      }
    });
  });
  requireTasks(tasks);
  return tasks;
}
