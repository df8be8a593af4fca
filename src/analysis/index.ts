/**
 * Analysis: radial distribution functions, RDF errors and structure metrics
 * (minimum distances, coordination, bond angles, Stillinger-Weber energy).
 * Pure functions on flat typed arrays; no tfjs.
 *
 * @module
 */
export * from './rdf.js';
export type { FrameSelection, FrameSlice } from './validate.js';
