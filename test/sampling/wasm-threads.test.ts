import v8 from 'node:v8';
// fused multiply-add in the kernel (relaxed SIMD): Node 20 needs the flag before the first compile
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
import { describe, expect, it } from 'vitest';
import { ConditionalSampler } from '../../src/sampling/index.js';
import { wasmRelaxedSimdSupported } from '../../src/sampling/wasm-engine.js';
import { networkProbabilities, TinySource } from './fixtures.js';

describe('wasm engine with fused multiply-add and worker threads', () => {
  const src = new TinySource({ gridSize: 9, nAtoms: 6, units: [12, 8], seed: 13 });
  it('uses relaxed SIMD here and still matches the layers model to 1e-5', () => {
    expect(wasmRelaxedSimdSupported()).toBe(true);
    const T = src.codec.sequenceLength;
    const cells = Int32Array.from({ length: T }, (_, t) => (t * 5 + 1) % 9);
    const ref = networkProbabilities(src, cells);
    for (const threads of [1, 2]) {
      const p = new ConditionalSampler(src, { engine: 'wasm', threads }).probabilities(cells);
      let worst = 0;
      for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - ref[i]));
      expect(worst).toBeLessThan(1e-5);
    }
  });
  it('two threads give bit-identical structures to one thread', async () => {
    const one = await new ConditionalSampler(src, { engine: 'wasm', threads: 1 }).sample(300, { seed: 4, batchSize: 150, minDistance: 1.5 });
    const s2 = new ConditionalSampler(src, { engine: 'wasm', threads: 2 });
    const two = await s2.sample(300, { seed: 4, batchSize: 150, minDistance: 1.5 });
    expect(two.stats.engine).toBe('wasm-simd-2t');
    expect(Array.from(two.trajectory.positions)).toEqual(Array.from(one.trajectory.positions));
    expect(Array.from(two.stats.perStructure.redraws)).toEqual(Array.from(one.stats.perStructure.redraws));
  });
});
