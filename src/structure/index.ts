/** Trajectories and cells: the data types every other layer builds on. @module */
export type { AtomArray, Cell, FrameInfo, InfoValue, Pbc, Positions, Trajectory, Vec3 } from './trajectory.js';
export { cartesianToFractional, cellInverse, cellVolume, fractionalToCartesian, isOrthorhombic } from './cell.js';
export { toCell, trajectoryFromArrays, validateTrajectory } from './build.js';
export type { PositionsDtype, TrajectoryArrays } from './build.js';
export { frameView, positionsView } from './views.js';
export { MinimumImage } from './images.js';
export type { PairDistanceTable } from './pair-table.js';
