import { ConfigError, InputError, MODEL_LIMITS, TRAINING_DEVICES, UnknownNameError, closestName, requireInteger, requireOneOf } from "@rl3/core";
import { ENV_LIMITS, TASK_FAMILY_NAMES, taskFamily } from "@rl3/envs";
import { METHODS as METHOD_NAMES } from "@rl3/wrappers";
import { z } from "zod";
import type { Method } from "@rl3/wrappers";

/** Training engines (the `TrainingEngine` contract of @rl3/core): onnxruntime by default, TensorFlow.js as the reference. */
export const ENGINE_NAMES = ["onnx", "tfjs"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Sizes a training config may ask for, checked before anything is allocated (by the schema, so API users get them too). */
export const TRAIN_LIMITS = {
  /** The critic reads H + 1 inputs (the bootstrap observation), within the models' longest sequence. */
  horizon: Math.min(ENV_LIMITS.horizon, MODEL_LIMITS.maxSequenceLength - 1),
  /** Parallel envs (batchSize / horizon) of one run, and validation tasks played side by side. */
  envs: ENV_LIMITS.numEnvs,
} as const;

/** Every setting of a PPO meta-training run (§5.2, §5.3). One line per field says what it is. */
export const trainConfigSchema = z
  .object({
    /** Task family trained on (`taskFamily` names). */
    family: z.string().min(1),
    /** Meta-episode budget H. */
    horizon: z.number().int().positive(),
    /** rl2, rl3, rl3-coarse (the paper's), or the transition-token variants rl2-transition, rl3-transition (rl3's). */
    method: z.enum(["rl2", "rl2-transition", "rl3", "rl3-coarse", "rl3-transition"] satisfies typeof METHOD_NAMES),
    /** Observation layout: §2.1 (rlc) or §2.2 (v4). */
    encoding: z.enum(["rlc", "v4"]).default("rlc"),
    /** Q shown after an inner reset: fresh (Algorithm 1) or the reference code's stale cache. */
    qCache: z.enum(["fresh", "stale"]).default("fresh"),
    /** Sequence model of actor and critic (§4.1). */
    model: z
      .object({
        kind: z.enum(["transformer", "gru", "markov"]).default("transformer"),
        dModel: z.number().int().positive().optional(),
        embedSize: z.number().int().positive().optional(),
        layers: z.number().int().positive().optional(),
        heads: z.number().int().positive().optional(),
        feedForwardSize: z.number().int().positive().optional(),
      })
      .strict()
      .default({ kind: "transformer" }),
    /** PPO iterations; each collects one meta-episode per parallel env. */
    iterations: z.number().int().positive(),
    /** Env steps per iteration; a multiple of H (parallel envs = batchSize / H). */
    batchSize: z.number().int().positive(),
    /** Env steps per minibatch of whole trajectories; a multiple of H dividing batchSize. */
    minibatchSize: z.number().int().positive(),
    /** Adam learning rate of actor and critic. */
    learningRate: z.number().positive(),
    /** Entropy bonus coefficient. */
    entropyCoefficient: z.number().nonnegative(),
    /** Decay the entropy coefficient linearly to 0 over training. */
    entropyDecay: z.boolean().default(false),
    /** Most epochs per iteration (the critic always trains all of them). */
    epochs: z.number().int().positive().default(8),
    /** Stop updating the actor for the iteration once its KL from the rollout policy reaches this. */
    targetKl: z.number().positive().default(0.01),
    /** PPO clip ε. */
    clipRange: z.number().positive().lt(1).default(0.2),
    /** Meta-level discount γ. */
    gamma: z.number().positive().max(1).default(0.99),
    /** GAE λ. */
    gaeLambda: z.number().min(0).max(1).default(0.3),
    /** Weight of the critic's MSE. */
    valueCoefficient: z.number().nonnegative().default(0.5),
    /** L2 weight decay added to the critic's gradient. */
    criticWeightDecay: z.number().nonnegative().default(0.01),
    /** Adam ε. */
    adamEpsilon: z.number().positive().default(1e-7),
    /** Seed of everything: tasks, dynamics, weights, action sampling. */
    seed: z.number().int().default(0),
    /** Write a checkpoint every this many iterations. */
    checkpointEvery: z.number().int().positive().default(10),
    /**
     * Every this many iterations, run the greedy actor (§6.4's evaluation policy) on the run's validation tasks
     * (never trained on, never the test tasks) and log the mean return; the best actor so far is kept in the
     * checkpoint and exported as best-policy.onnx. 0 turns it off.
     */
    validateEvery: z.number().int().nonnegative().default(0),
    /** Validation tasks, one greedy meta-episode each. */
    validationEpisodes: z.number().int().min(2).default(64),
    /**
     * What trains and acts: onnxruntime (default, ≈ 10× faster on CPU: the losses' differentiated graphs, and a step
     * session rebuilt from the weights each iteration for the rollouts) or TensorFlow.js (the reference).
     */
    engine: z.enum(ENGINE_NAMES).default("onnx"),
    /**
     * Threads that share one run: each collects a slice of the envs and differentiates its part of every minibatch;
     * the gradients are summed, so N workers compute the single-worker update (to float rounding). 1 is bit-identical
     * to the single-threaded trainer. May change on resume.
     */
    workers: z.number().int().positive().max(256).default(1),
    /** Where the engine computes: cpu, or cuda (onnx engine, needs onnxruntime-node's CUDA provider). */
    device: z.enum(TRAINING_DEVICES).default("cpu"),
    /** Intra-op threads of the onnx engine. */
    threads: z.number().int().positive().max(64).default(1),
    /**
     * The critic predicts V / valueScale and is trained on λ-returns / valueScale; GAE uses the rescaled values.
     * 1 is §5.2 (raw returns). Gridworld returns are O(±100…1000): see docs/method.md, "Gridworlds".
     */
    valueScale: z.number().positive().default(1),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.horizon > TRAIN_LIMITS.horizon) {
      context.addIssue({ code: "custom", path: ["horizon"], message: `an integer in [1, ${TRAIN_LIMITS.horizon}] (the critic reads H + 1 steps, at most the models' ${MODEL_LIMITS.maxSequenceLength})`, input: config.horizon });
      return;
    }
    if (config.batchSize / config.horizon > TRAIN_LIMITS.envs) {
      context.addIssue({ code: "custom", path: ["batchSize"], message: `at most ${TRAIN_LIMITS.envs} × horizon (${TRAIN_LIMITS.envs * config.horizon}): batchSize / horizon envs run side by side`, input: config.batchSize });
    }
    if (config.validationEpisodes > TRAIN_LIMITS.envs) {
      context.addIssue({ code: "custom", path: ["validationEpisodes"], message: `an integer in [2, ${TRAIN_LIMITS.envs}]`, input: config.validationEpisodes });
    }
    if (config.batchSize % config.horizon !== 0) {
      context.addIssue({ code: "custom", path: ["batchSize"], message: `a multiple of horizon (${config.horizon})`, input: config.batchSize });
    }
    if (config.minibatchSize % config.horizon !== 0 || config.batchSize % config.minibatchSize !== 0) {
      context.addIssue({ code: "custom", path: ["minibatchSize"], message: `a multiple of horizon (${config.horizon}) that divides batchSize (${config.batchSize})`, input: config.minibatchSize });
    }
    if (config.batchSize % config.horizon === 0 && config.workers > config.batchSize / config.horizon) {
      context.addIssue({ code: "custom", path: ["workers"], message: `at most one per env: an integer in [1, ${config.batchSize / config.horizon}]`, input: config.workers });
    }
    if (config.method === "rl3-coarse" && !config.family.startsWith("grid")) {
      context.addIssue({ code: "custom", path: ["method"], message: "rl2, rl2-transition, rl3 or rl3-transition (rl3-coarse needs a gridworld family)", input: config.method });
    }
  });

export type TrainConfig = z.output<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * Validates a config; the first problem becomes a `ConfigError` naming its key. `family` must be a known family
 * name unless `customFamily` names the family object the caller supplies.
 */
export function parseTrainConfig(input: unknown, customFamily?: string): TrainConfig {
  const result = trainConfigSchema.safeParse(withoutLegacyKeys(input));
  if (result.success) {
    const family = result.data.family;
    if (family !== customFamily && !(TASK_FAMILY_NAMES as readonly string[]).includes(family)) {
      const suggestion = closestName(family, TASK_FAMILY_NAMES);
      throw new ConfigError({ field: "family", value: family, expected: `one of ${TASK_FAMILY_NAMES.join(", ")}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}` });
    }
    return result.data;
  }
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".") || "(config)";
  let value: unknown = input;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  if (issue.code === "unrecognized_keys") {
    const prefix = issue.path.map(String);
    const known = knownKeysAt(prefix).map((key) => [...prefix, key].join("."));
    throw new UnknownNameError("setting", [...prefix, issue.keys[0]!].join("."), known);
  }
  throw new ConfigError({ field, value, expected: expectationOf(issue) });
}

/**
 * Keys of earlier versions that are read and dropped: `acting` chose the rollout runtime apart from the engine until
 * the engine did both (every run in results/ acted on onnx with the onnx engine, which is what the engine does now).
 */
function withoutLegacyKeys(input: unknown): unknown {
  if (input === null || typeof input !== "object" || Array.isArray(input) || !Object.hasOwn(input, "acting")) return input;
  const { acting: _acting, ...rest } = input as Record<string, unknown>;
  return rest;
}

/** The keys a (nested) object of the config schema accepts, for "did you mean" on an unknown key. */
function knownKeysAt(path: readonly string[]): string[] {
  let schema: unknown = trainConfigSchema;
  for (const part of path) {
    schema = (schema as { shape?: Record<string, unknown> }).shape?.[part];
    // Unwrap .default() / .optional() to the object inside.
    while ((schema as { def?: { innerType?: unknown } } | undefined)?.def?.innerType) schema = (schema as { def: { innerType: unknown } }).def.innerType;
  }
  return Object.keys((schema as { shape?: Record<string, unknown> } | undefined)?.shape ?? {});
}

const TYPE_NAMES: Record<string, string> = { int: "an integer", number: "a finite number", boolean: "true or false", string: "a string", object: "an object" };

/** What a schema issue expected, in the words of every other rl3 error ("an integer", "a number > 0"), not zod's. */
function expectationOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return TYPE_NAMES[issue.expected] ?? `a value of type ${issue.expected}`;
    case "too_small":
      return issue.origin === "string" ? "a non-empty string" : `a number ${issue.inclusive ? "≥" : ">"} ${issue.minimum}`;
    case "too_big":
      return `a number ${issue.inclusive ? "≤" : "<"} ${issue.maximum}`;
    case "invalid_value":
      return `one of ${issue.values.map((option) => JSON.stringify(option)).join(", ")}`;
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    case "custom":
      return issue.message; // written by superRefine above, already in these words
    default:
      return "a valid value";
  }
}

/** Budgets of `defaultTrainConfig`: the paper's (§5.3), a few-minute CPU run, or ≥ 1% of the paper's env steps. */
export const SCALES = ["quick", "standard", "paper"] as const;
export type Scale = (typeof SCALES)[number];

/**
 * The `standard` scale's share of the paper's env steps per run (issue 12: "≥ 1% of the paper's compute"). Bandits
 * and MDPs spend it in many small iterations (the quick batch); gridworlds in the paper's own iterations, since
 * with the quick batch and model they stand still however long they train (docs/method.md, "Gridworlds").
 */
export const STANDARD_SHARE = 0.01;

/** Round `target` to a whole number of meta-episodes of length H (at least one). */
function wholeEpisodes(target: number, horizon: number): number {
  return Math.max(1, Math.round(target / horizon)) * horizon;
}

/**
 * §5.3's hyperparameters for a family and budget (`paper`), a CPU-sized variant that trains in minutes (`quick`),
 * or ≥ 1% of the paper's env steps with the quick hyperparameters (`standard`, hours on two cores). For gridworlds
 * quick and standard are both the paper's own configuration (§4.1 model, §5.3 batch and updates, §5.2 raw critic)
 * at 1% of its iterations, about an hour per run. decisions.md "Scale": the smaller scales' numbers are reported
 * beside the paper's, never in place of them.
 */
export function defaultTrainConfig(family: string, horizon: number, method: Method, scale: Scale = "quick"): TrainConfigInput {
  // Checked first: horizon 0 looped for ever rounding batches to whole episodes, a negative one gave negative
  // batch sizes, and an unknown method or scale still produced a config.
  if (typeof family !== "string") throw new InputError({ field: "family", value: family, expected: `a task family name: one of ${TASK_FAMILY_NAMES.join(", ")}` });
  taskFamily(family);
  requireInteger("horizon", horizon, 1, ENV_LIMITS.horizon);
  requireOneOf("method", method, METHOD_NAMES);
  requireOneOf("scale", scale, SCALES);
  const paper = paperConfig(family, horizon, method);
  if (scale === "paper") return paper;
  // Gridworlds have no few-minute budget that learns: with the quick model or batch, policies stand still (or sit
  // on '!' tiles) however long they train, so quick and standard are both the paper's configuration at 1% of its
  // iterations — the smallest run seen to beat standing still (docs/method.md, "Gridworlds"). A 33,600-step
  // iteration takes ~30 s on one core, so checkpoints come every 5 (2.5 min of work at risk). A greedy policy can
  // sit on a '!' tile for good while the sampled one walks off it (docs/method.md, "Greedy evaluation"), so the
  // greedy validation return is logged every 10 iterations (~4% more time) and the best actor kept.
  if (taskFamily(family).domain === "gridworld") return { ...paper, iterations: Math.ceil(STANDARD_SHARE * paper.iterations), checkpointEvery: 5, validateEvery: 10 };
  const quick = quickConfig(family, horizon, method);
  if (scale === "quick") return quick;
  const iterations = Math.ceil((STANDARD_SHARE * paper.iterations * paper.batchSize) / quick.batchSize);
  return { ...quick, iterations, checkpointEvery: 20 };
}

function paperConfig(family: string, horizon: number, method: Method): TrainConfigInput {
  const domain = taskFamily(family).domain;
  const rlcSweep = domain === "mdps" && ![100, 500].includes(horizon);
  // Gridworlds take the RLC README's exact batches (§5.3: 128 × 250 = 32,000 for 11×11, 96 × 350 = 33,600 for
  // 13×13, 8 minibatches); elsewhere Table 5's 32,000 / 3,200, or the RLC sweep's 32,768 / 4,096, in whole episodes.
  const gridBatch = domain === "gridworld" ? (horizon === 350 ? 33600 : 32000) : undefined;
  const batch = wholeEpisodes(gridBatch ?? (rlcSweep ? 32768 : 32000), horizon);
  let minibatch = wholeEpisodes(gridBatch ? gridBatch / 8 : rlcSweep ? 4096 : 3200, horizon);
  while (batch % minibatch !== 0) minibatch += horizon;
  const iterations =
    domain === "bandits" ? (horizon <= 100 ? 3000 : 6000) : domain === "mdps" ? (horizon <= 100 ? 10000 : rlcSweep ? 15000 : 24000) : family.startsWith("grid11") ? 20000 : 12000;
  return {
    family,
    horizon,
    method,
    iterations,
    batchSize: batch,
    minibatchSize: minibatch,
    learningRate: domain === "gridworld" ? 2e-4 : 3e-4,
    // The RLC sweep's entropy is its README's 0.1, decayed linearly to 0 (§5.3 [code-new]); Table 5's elsewhere.
    entropyCoefficient: rlcSweep ? 0.1 : domain === "gridworld" ? 0.04 : domain === "bandits" && horizon <= 100 ? 0.001 : 0.01,
    entropyDecay: rlcSweep,
    epochs: 8,
    checkpointEvery: 50,
  };
}

// quick (bandits and MDPs): a small transformer, 16 envs per iteration (32 for bandits, whose returns are
// noisier), minibatches of a quarter of the batch, a higher learning rate, 4 epochs.
function quickConfig(family: string, horizon: number, method: Method): TrainConfigInput {
  const domain = taskFamily(family).domain;
  const envs = domain === "bandits" ? 32 : 16;
  const quick: TrainConfigInput = {
    family,
    horizon,
    method,
    model: { kind: "transformer", dModel: 32, embedSize: 64, layers: 1, heads: 2, feedForwardSize: 64 },
    iterations: 150,
    batchSize: envs * horizon,
    minibatchSize: (envs / 4) * horizon,
    learningRate: 1e-3,
    entropyCoefficient: 0.01,
    entropyDecay: true,
    epochs: 4,
    targetKl: 0.02,
    checkpointEvery: 10,
  };
  return quick;
}
