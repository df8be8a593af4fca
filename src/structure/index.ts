/** Trajectories and cells: the data types every other layer builds on. @module */
export type * from './trajectory.js';
export * from './cell.js';
export * from './build.js';
export * from './views.js';
