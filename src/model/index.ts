/** The learning layer: RePAPModel, weights, and what samplers need. @module */
export type { LSTMLayerWeights, ReadoutWeights, RecurrentStackWeights } from './weights.js';
export type { GenerativeModelSource } from './source.js';
export { DEFAULT_MODEL_CONFIG, resolveModelConfig } from './config.js';
export type { OptimizerName, RePAPModelConfig, RecurrentCell } from './config.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, RePAPModel } from './repap-model.js';
export type { CreateOptions, NetworkFactory } from './repap-model.js';
export type { ModelIntegrity, ModelMetadata } from './serialization.js';
export type { ModelLoss } from './config.js';
export type {
  EarlyStopping,
  EncodedDataset,
  EpochRecord,
  MonitorValue,
  NegativeLogLikelihood,
  OptimizerSlot,
  SplitCounts,
  SplitSpec,
  TrainBeginLogs,
  TrainingCallback,
  TrainingCheckpoint,
  TrainingData,
  TrainingHistory,
  TrainingInfo,
  TrainingLogs,
  TrainingMonitor,
  TrainingProgress,
  TrainOptions,
} from './train-options.js';
export { DEFAULT_SPLIT, splitFramesInOrder } from './split.js';
export type { FrameSplit } from './split.js';
export { splitFrames } from './group-split.js';
export type { GroupSplit, GroupSplitSpec } from './group-split.js';
export { FALLBACK_SAMPLING } from './sampling-defaults.js';
export type { SamplingDefaults } from './sampling-defaults.js';
export { fusedKernelSupport } from './kernel/fused-trainer.js';
export type { FusedKernelSupport } from './kernel/fused-trainer.js';
