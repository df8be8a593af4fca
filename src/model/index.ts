/** @module */
export type * from './weights.js';
