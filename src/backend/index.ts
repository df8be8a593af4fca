/**
 * The backend layer: the one place that picks and initialises a tfjs execution backend
 * (`cpu`, `wasm`, `webgpu`, `webgl`, `tensorflow`).
 *
 * @module
 */
export { BACKEND_NAMES, BACKEND_PACKAGES, NODE_WEBGPU_PACKAGE, TFJS_VERSION, isBackendName } from './names.js';
export type { BackendName } from './names.js';
export { probeBackend, useBackend } from './use-backend.js';
export type { BackendProbe, UseBackendOptions, WasmBinaryName } from './use-backend.js';
