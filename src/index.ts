/**
 * repap: Recurrent Probabilistic Axis Projections for atomic structures.
 *
 * This index re-exports the public names of the layers, listed one by one (a
 * new export is a decision, checked by test/package/public-names.json). Import a
 * subpath (`repap/io`, `repap/analysis`, ...) or the root; bundlers drop the
 * layers you do not use. `repap/node` (files on disk) is a subpath only.
 *
 * @module
 */
export {
  cartesianToFractional,
  cellInverse,
  cellVolume,
  fractionalToCartesian,
  frameView,
  isOrthorhombic,
  MinimumImage,
  positionsView,
  toCell,
  trajectoryFromArrays,
  validateTrajectory,
} from './structure/index.js';
export type {
  AtomArray,
  Cell,
  FrameInfo,
  InfoValue,
  Pbc,
  Positions,
  PositionsDtype,
  Trajectory,
  TrajectoryArrays,
  Vec3,
} from './structure/index.js';
export {
  ExtxyzReader,
  readExtxyz,
  readLammpsDump,
  readPoscar,
  readRawFrames,
  writeExtxyz,
  writePoscar,
  writeRawFrames,
} from './io/index.js';
export type {
  ExtxyzReaderOptions,
  RawFrames,
  RawFramesSidecar,
  ReadExtxyzOptions,
  ReadLammpsDumpOptions,
  ReadPoscarOptions,
  ReadRawFramesOptions,
  WriteExtxyzOptions,
  WritePoscarOptions,
} from './io/index.js';
export {
  SILICON_SW,
  bondAngleDistribution,
  checkPotentialSpecies,
  coordinationHistogram,
  coordinationNumbers,
  flatCell,
  minimumDistances,
  radialDistribution,
  rdfError,
  rdfPeaks,
  parseStillingerWeber,
  stillingerWeber,
  stillingerWeberEnergy,
  stillingerWeberForces,
} from './analysis/index.js';
export type {
  BondAngleDistribution,
  BondAngleOptions,
  CoordinationOptions,
  FrameSelection,
  FrameSlice,
  MinimumDistanceOptions,
  EnergyAndForces,
  Potential,
  RdfCurve,
  RdfCurveObject,
  RdfErrorOptions,
  RdfErrorWeighting,
  RdfNormalization,
  RdfOptions,
  RdfPeaks,
  RdfPeaksOptions,
  RdfResult,
  RelaxFrames,
  RelaxOptions,
  RelaxResult,
  StillingerWeberOptions,
  StillingerWeberParams,
} from './analysis/index.js';
export {
  AxisProjectionEncoder,
  DEFAULT_ENCODER_CONFIG,
  atomOrdering,
  meanPositions,
  orderingDistances,
} from './encoding/index.js';
export type {
  AxisRange,
  EncodedBatch,
  EncodedBatchBuffers,
  EncodedBatchWithRows,
  EncoderConfig,
  EncoderJSON,
  OrderingRule,
  ResolvedEncoderConfig,
  StepEncoding,
  TokenCodec,
} from './encoding/index.js';
export {
  DEFAULT_MODEL_CONFIG,
  DEFAULT_SPLIT,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  RePAPModel,
  resolveModelConfig,
  splitFramesInOrder,
} from './model/index.js';
export type {
  CreateOptions,
  EarlyStopping,
  EncodedDataset,
  EpochRecord,
  FrameSplit,
  GenerativeModelSource,
  LSTMLayerWeights,
  ModelIntegrity,
  ModelLoss,
  ModelMetadata,
  NegativeLogLikelihood,
  NetworkFactory,
  OptimizerName,
  OptimizerSlot,
  RePAPModelConfig,
  ReadoutWeights,
  RecurrentCell,
  RecurrentStackWeights,
  SplitCounts,
  SplitSpec,
  TrainBeginLogs,
  TrainOptions,
  TrainingCallback,
  TrainingCheckpoint,
  TrainingData,
  TrainingHistory,
  TrainingInfo,
  TrainingLogs,
  TrainingProgress,
} from './model/index.js';
export {
  ConditionalSampler,
  MinimumDistance,
  PairMetric,
  drawFromCumulative,
  greedySampler,
  multinomialSampler,
  nucleusSampler,
  topKSampler,
  wasmRelaxedSimdSupported,
  wasmSimdSupported,
} from './sampling/index.js';
export type {
  ConditionalSamplerOptions,
  Constraint,
  ConstraintContext,
  SampleOptions,
  SampleResult,
  SampleStats,
  SamplerEngine,
  StepEngine,
  TokenSampler,
} from './sampling/index.js';
export {
  BACKEND_NAMES,
  BACKEND_PACKAGES,
  NODE_WEBGPU_PACKAGE,
  TFJS_VERSION,
  isBackendName,
  probeBackend,
  useBackend,
} from './backend/index.js';
export type {
  BackendName,
  BackendProbe,
  UseBackendOptions,
  WasmBinaryName,
} from './backend/index.js';
export {
  formatNumber,
  formatTable,
  lineChart,
} from './plot/index.js';
export type {
  LineChartOptions,
  LineSeries,
  TableCell,
  TableOptions,
} from './plot/index.js';
