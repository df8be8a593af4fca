/**
 * Analysis: radial distribution functions, RDF errors and structure metrics
 * (minimum distances, coordination, bond angles, Stillinger-Weber energy).
 * Pure functions on flat typed arrays; no tfjs.
 *
 * @module
 */
export * from './rdf.js';
export type { FrameSelection, FrameSlice } from './validate.js';
export * from './rdf-error.js';
export * from './peaks.js';
export * from './distances.js';
export * from './coordination.js';
export * from './bond-angles.js';
export * from './stillinger-weber.js';
export { flatCell, checkPotentialSpecies } from './potential.js';
export type { Potential } from './potential.js';
export type { RelaxOptions, RelaxFrames, RelaxResult } from './relax.js';
