/** @module */
export type * from './types.js';
