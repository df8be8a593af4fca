/** Trajectories and cells. @module */
export type * from './trajectory.js';
