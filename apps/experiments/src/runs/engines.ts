import { type EngineFactories, type EngineName } from "@rl3/algorithms";
import { ConfigError, type TrainingEngine, type TrainingEngineOptions } from "@rl3/core";
import { TfjsTrainingEngine } from "@rl3/models";
import { ONNX_DEVICES, OnnxTrainingEngine } from "@rl3/onnx/node";

/** Devices per engine, for `--device` validation. */
export const ENGINE_DEVICES: Readonly<Record<EngineName, readonly string[]>> = { onnx: ONNX_DEVICES, tfjs: ["cpu"] };

/**
 * The runtimes the CLI trains with, by the names `TrainConfig.engine` takes: onnxruntime-node (the default) and
 * TensorFlow.js (the reference, on whatever backend `initBackend` chose). The library never picks one itself.
 */
export async function createTrainingEngine(name: EngineName, options: TrainingEngineOptions): Promise<TrainingEngine> {
  if (!ENGINE_DEVICES[name]?.includes(options.device ?? "cpu")) {
    throw new ConfigError({ field: "device", value: options.device, expected: `one of ${ENGINE_DEVICES[name]?.join(", ")} for the ${name} engine` });
  }
  if (name === "onnx") return OnnxTrainingEngine.create(options);
  // tfjs computes on whatever backend initBackend chose; "cpu" here means "not a GPU device".
  return TfjsTrainingEngine.create({ ...options, device: undefined });
}

/** `TrainerOptions.engines` for the trainer: every engine this app has. */
export const ENGINES: EngineFactories = {
  onnx: (options) => createTrainingEngine("onnx", options),
  tfjs: (options) => createTrainingEngine("tfjs", options),
};
