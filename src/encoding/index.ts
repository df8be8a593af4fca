/** Axis-projection encoding of atomic structures into RePAP token sequences (no tfjs). @module */
export type { TokenCodec } from './types.js';
export { DEFAULT_ENCODER_CONFIG } from './config.js';
export type { AxisRange, EncoderConfig, EncoderJSON, OrderingRule, ResolvedEncoderConfig, StepEncoding } from './config.js';
export { atomOrdering, meanPositions, orderingDistances } from './ordering.js';
export { AxisProjectionEncoder } from './encoder.js';
export type { EncodedBatch, EncodedBatchBuffers, EncodedBatchWithRows } from './encoder.js';
export { GroupedEncoding, checkTrainedOrdering, concatTrajectories, cubicOperation, encodeAsTrained, groupFramesBy } from './groups.js';
export type { AugmentOptions, FrameGroups, GroupOrdering, GroupedEncodingOptions, TrainedOrdering, UintSource } from './groups.js';
