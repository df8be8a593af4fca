/** @module */
export { formatFromPath, loadTrajectory, saveTrajectory } from './trajectory-files.js';
export type { LoadTrajectoryOptions, SaveTrajectoryOptions, TrajectoryFormat } from './trajectory-files.js';
export { MODEL_FILES, loadModel, saveModel } from './model-files.js';
