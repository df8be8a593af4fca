/** Shared WebAssembly emitter (moved to src/wasm/emit.ts). @module */
export { assemble, FnBuilder, I32, V128 } from '../wasm/emit.js';
