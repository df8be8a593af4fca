/** @module */
export { formatFromPath, loadTrajectory, saveTrajectory } from './trajectory-files.js';
export type { LoadTrajectoryOptions, SaveTrajectoryOptions, TrajectoryFormat } from './trajectory-files.js';
export { CHECKPOINT_FILES, MODEL_FILES, ModelFolderError, loadCheckpoint, loadModel, saveCheckpoint, saveModel } from './model-files.js';
export type { LoadedCheckpoint, SaveModelOptions } from './model-files.js';
export { AtomicFileWriter, writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';
export type { AtomicWriteOptions } from './atomic-write.js';
