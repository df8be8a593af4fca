/** The learning layer: RePAPModel, weights, and what samplers need. @module */
export type * from './weights.js';
export type * from './source.js';
export * from './config.js';
export * from './tfjs-compat.js';
export * from './gradients.js';
export * from './lstm-stack.js';
export * from './repap-model.js';
