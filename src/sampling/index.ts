/** Generation: ConditionalSampler, token-drawing strategies, constraints. @module */
export { ConditionalSampler } from './conditional-sampler.js';
export type { ConditionalSamplerOptions, SampleOptions, SampleResult, SampleStats, SamplerEngine, SamplingField, SamplingSettings } from './conditional-sampler.js';
export { drawFromCumulative, greedySampler, multinomialSampler, nucleusSampler, topKSampler } from './token-sampler.js';
export type { TokenSampler } from './token-sampler.js';
export { MinimumDistance, PairMetric } from './constraint.js';
export type { Constraint, ConstraintContext } from './constraint.js';
export type { StepEngine } from './engine.js';
export { wasmSimdSupported, wasmRelaxedSimdSupported } from './wasm-engine.js';
export { STRUCTURE_MONITOR_NAME, structureMonitor } from './structure-monitor.js';
export type { StructureMonitorOptions } from './structure-monitor.js';
