/** Generation: ConditionalSampler, token-drawing strategies, constraints. @module */
export * from './conditional-sampler.js';
export * from './token-sampler.js';
export * from './constraint.js';
export { structureRandom, structureSeed } from './rng.js';
export type { StepEngine } from './engine.js';
export { wasmSimdSupported, wasmRelaxedSimdSupported } from './wasm-engine.js';
