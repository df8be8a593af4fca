/** The learning layer: RePAPModel, weights, and what samplers need. @module */
export type { LSTMLayerWeights, ReadoutWeights, RecurrentStackWeights } from './weights.js';
export type { GenerativeModelSource } from './source.js';
export { DEFAULT_MODEL_CONFIG, resolveModelConfig } from './config.js';
export type { OptimizerName, RePAPModelConfig, RecurrentCell } from './config.js';
export { MODEL_FORMAT, MODEL_FORMAT_VERSION, RePAPModel } from './repap-model.js';
export type {
  CreateOptions,
  EarlyStopping,
  EncodedDataset,
  EpochRecord,
  ModelMetadata,
  NetworkFactory,
  SplitCounts,
  SplitSpec,
  TrainOptions,
  TrainingData,
  TrainingHistory,
  TrainingInfo,
  TrainingProgress,
} from './repap-model.js';
export { splitFrames } from './group-split.js';
export type { GroupSplit, GroupSplitSpec } from './group-split.js';
