/** The learning layer: RePAPModel, weights, and what samplers need. @module */
export type * from './weights.js';
export type * from './source.js';
