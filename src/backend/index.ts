/**
 * The backend layer: the one place that picks and initialises a tfjs execution backend
 * (`cpu`, `wasm`, `webgpu`, `webgl`, `tensorflow`).
 *
 * @module
 */
export * from './names.js';
export * from './use-backend.js';
