import { InputError, requireObject } from "@rl3/core";
import { MetaEnv, type TabularTask, VecMetaEnv, type VecMetaEnvInfo } from "@rl3/envs";
import { type Encoding, type EstimatorFactory, ObservationEncoder, type QCache } from "./observation-encoder.js";

export interface WrapperOptions {
  encoding?: Encoding;
  qCache?: QCache;
  /** RL³ only: the coarse 2-cell state abstraction of RL³-coarse (gridworlds). */
  coarse?: boolean;
  /**
   * Transition tokens (rl3's addition, not the paper's): every observation also carries the previous state and an
   * inner-reset flag (methods `rl2-transition`, `rl3-transition`).
   */
  transition?: boolean;
  /** RL³ only: each env's inner learner, any `ValueEstimator` (default: the model-based estimator of §3). */
  estimator?: EstimatorFactory;
}

/**
 * A meta-episode env whose observations are the sequence model's input vectors (§2). Built by `rl2Wrapper` and
 * `rl3Wrapper`; Gymnasium-style results; `observation` is [numEnvs × size] row-major and reused between calls.
 */
export class ObservationWrapper {
  readonly env: VecMetaEnv;
  readonly encoder: ObservationEncoder;

  constructor(env: VecMetaEnv, encoder: ObservationEncoder) {
    if (!(env instanceof VecMetaEnv)) throw new InputError({ field: "env", value: env, expected: "a VecMetaEnv" });
    if (!(encoder instanceof ObservationEncoder)) throw new InputError({ field: "encoder", value: encoder, expected: "an ObservationEncoder" });
    // The encoder's learners are sized for its family and env count: the env must be of the same ones.
    if (encoder.family !== env.family || encoder.numEnvs !== env.numEnvs) {
      throw new InputError({ field: "encoder", value: `an encoder of ${encoder.family.name} × ${encoder.numEnvs}`, expected: `an encoder of the env's family and env count (${env.family.name} × ${env.numEnvs})` });
    }
    this.env = env;
    this.encoder = encoder;
  }

  get observationSize(): number {
    return this.encoder.size;
  }

  reset(options: { tasks?: readonly TabularTask[] } = {}): { observation: Float32Array; info: VecMetaEnvInfo } {
    const { info } = this.env.reset(options);
    return { observation: this.encoder.begin(info), info };
  }

  step(actions: ArrayLike<number>): { observation: Float32Array; reward: Float64Array; terminated: boolean; truncated: false; info: VecMetaEnvInfo } {
    const { reward, terminated, info } = this.env.step(actions);
    return { observation: this.encoder.advance(info, reward), reward, terminated, truncated: false, info };
  }
}

function vectorOf(env: MetaEnv | VecMetaEnv): VecMetaEnv {
  if (!(env instanceof MetaEnv) && !(env instanceof VecMetaEnv)) throw new InputError({ field: "env", value: env, expected: "a MetaEnv or a VecMetaEnv" });
  return env instanceof MetaEnv ? env.vector : env;
}

/**
 * RL²'s inputs (§2.3): previous action and reward, start flag, time features, object-level state; with
 * `transition: true`, also the previous state (RL²-transition).
 */
export function rl2Wrapper(env: MetaEnv | VecMetaEnv, options: Omit<WrapperOptions, "coarse" | "qCache" | "estimator"> = {}): ObservationWrapper {
  const vector = vectorOf(env);
  requireObject("options", options);
  const method = options.transition ? "rl2-transition" : "rl2";
  return new ObservationWrapper(vector, new ObservationEncoder(vector.family, vector.numEnvs, { method, horizon: vector.horizon, encoding: options.encoding }));
}

/** RL³'s inputs (§2.1/§2.2): RL²'s plus the object-level learner's Q-estimates and visit counts. */
export function rl3Wrapper(env: MetaEnv | VecMetaEnv, options: WrapperOptions = {}): ObservationWrapper {
  const vector = vectorOf(env);
  requireObject("options", options);
  if (options.coarse && options.transition) {
    throw new InputError({ field: "transition", value: true, expected: "false with coarse: true (RL³-coarse has no transition-token variant)" });
  }
  const encoder = new ObservationEncoder(vector.family, vector.numEnvs, {
    method: options.coarse ? "rl3-coarse" : options.transition ? "rl3-transition" : "rl3",
    horizon: vector.horizon,
    encoding: options.encoding,
    qCache: options.qCache,
    ...(options.estimator ? { estimator: options.estimator } : {}),
  });
  return new ObservationWrapper(vector, encoder);
}
