/** Axis-projection encoding of atomic structures into RePAP token sequences (no tfjs). @module */
export type * from './types.js';
export * from './config.js';
export * from './ordering.js';
export * from './gaussian.js';
export * from './encoder.js';
