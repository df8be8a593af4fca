/**
 * repap: Recurrent Probabilistic Axis Projections for atomic structures.
 *
 * This index only re-exports the layers. Import a subpath (`repap/io`,
 * `repap/analysis`, ...) or the root; bundlers drop the layers you do not use.
 *
 * @module
 */
export * from './structure/index.js';
export * from './io/index.js';
export * from './analysis/index.js';
export * from './encoding/index.js';
export * from './model/index.js';
export * from './sampling/index.js';
export * from './backend/index.js';
export * from './plot/index.js';
