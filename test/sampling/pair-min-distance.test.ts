import { describe, expect, it } from 'vitest';
import { ConditionalSampler } from '../../src/sampling/index.js';
import { MinimumDistance, PairMetric } from '../../src/sampling/constraint.js';
import { checkSamplingDefaults } from '../../src/model/sampling-defaults.js';
import { TinySource } from './fixtures.js';

/** Shortest distance per species pair ('Ge-Ge', 'Ge-Si', 'Si-Si', sorted names) of frame f, by brute force. */
function pairMinima(src: TinySource, positions: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, species: readonly string[], f: number): Record<string, number> {
  const n = src.codec.nAtoms;
  const metric = new PairMetric(src.cell, src.pbc);
  const p = positions.subarray(f * n * 3, (f + 1) * n * 3);
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const key = [species[i], species[j]].sort().join('-');
      out[key] = Math.min(out[key] ?? Infinity, Math.sqrt(metric.distance2(p, i, j)));
    }
  }
  return out;
}

describe('minimum distance per species pair', () => {
  const src = new TinySource({ gridSize: 8, nAtoms: 4, units: [6, 5], seed: 5, uniformOutput: true });
  const table = { 'Si-Si': 3, 'Si-Ge': 1, 'Ge-Ge': 0 };

  it('keeps every pair at its own distance, not at the largest one', async () => {
    const { trajectory, stats } = await new ConditionalSampler(src).sample(200, { seed: 3, minDistance: table, maxTries: 50 });
    expect(stats.settings.minDistances).toEqual({ 'Ge-Ge': 0, 'Ge-Si': 1, 'Si-Si': 3 }); // keys in the model's species order
    expect(stats.settings.minDistance).toBe(0);
    const bad = new Set(stats.violatingStructures);
    let siGeBetween = 0, siGeBelow1 = 0, siSiBelow3 = 0;
    for (let f = 0; f < 200; f++) {
      const m = pairMinima(src, trajectory.positions, trajectory.species, f);
      if (bad.has(f)) continue;
      if (m['Si-Si'] < 3 - 1e-9) siSiBelow3++;
      if (m['Ge-Si'] < 1 - 1e-9) siGeBelow1++;
      if (m['Ge-Si'] >= 1 && m['Ge-Si'] < 3) siGeBetween++;
    }
    expect(bad.size).toBeLessThan(200);
    expect(siSiBelow3).toBe(0);
    expect(siGeBelow1).toBe(0);
    // Si-Ge pairs closer than the Si-Si distance are allowed (a single number would forbid them).
    expect(siGeBetween).toBeGreaterThan(0);
    // and the uniform model does place Si-Si pairs closer than 3 Å without the table
    const free = await new ConditionalSampler(src).sample(200, { seed: 3, minDistance: 0 });
    let close = 0;
    for (let f = 0; f < 200; f++) if (pairMinima(src, free.trajectory.positions, free.trajectory.species, f)['Si-Si'] < 3) close++;
    expect(close).toBeGreaterThan(20);
  });

  it('a table with every value equal acts as that single number', async () => {
    const a = await new ConditionalSampler(src).sample(50, { seed: 8, minDistance: { 'Si-Si': 2, 'Ge-Si': 2, 'Ge-Ge': 2 } });
    const b = await new ConditionalSampler(src).sample(50, { seed: 8, minDistance: 2 });
    expect(Array.from(a.trajectory.positions)).toEqual(Array.from(b.trajectory.positions));
  });

  it('uses the table stored with the model unless the call gives one', async () => {
    const stored = new TinySource({ gridSize: 8, nAtoms: 4, units: [6, 5], seed: 5, uniformOutput: true }) as TinySource & { samplingDefaults: unknown };
    stored.samplingDefaults = checkSamplingDefaults({ temperature: 1, minDistance: 0, maxTries: 50, minDistances: table }, 'test');
    const s = new ConditionalSampler(stored as never);
    const fromModel = await s.sample(30, { seed: 3 });
    expect(fromModel.stats.settings.fromModel).toContain('minDistance');
    expect(fromModel.stats.settings.minDistances).toEqual({ 'Ge-Ge': 0, 'Ge-Si': 1, 'Si-Si': 3 });
    const given = await new ConditionalSampler(src).sample(30, { seed: 3, minDistance: table, maxTries: 50 });
    expect(Array.from(fromModel.trajectory.positions)).toEqual(Array.from(given.trajectory.positions));
    const overridden = await s.sample(5, { seed: 3, minDistance: 0 });
    expect(overridden.stats.settings.minDistances).toBeNull();
  });

  it('names the pair or species of a bad table', async () => {
    const s = new ConditionalSampler(src);
    await expect(s.sample(1, { seed: 1, minDistance: { 'Si-Si': 2, 'Si-Ge': 1 } })).rejects.toThrow(/'Ge-Ge'/);
    await expect(s.sample(1, { seed: 1, minDistance: { 'Si-Si': 2, 'Si-Ge': -1, 'Ge-Ge': 1 } })).rejects.toThrow(/'Si-Ge' has -1/);
    await expect(s.sample(1, { seed: 1, minDistance: { 'Si-Si': 2, 'Si-Ge': 1, 'Ge-Ge': 1, 'O-Si': 1.3 } })).rejects.toThrow(/species 'O', which the model was not trained on/);
    await expect(s.sample(1, { seed: 1, minDistance: { 'Si-Si': 2, 'Si-Ge': 1, 'Ge-Si': 1.5, 'Ge-Ge': 1 } })).rejects.toThrow(/given twice/);
    await expect(s.sample(1, { seed: 1, minDistance: { SiGe: 2 } })).rejects.toThrow(/'SiGe' is not a species pair/);
    expect(() => new MinimumDistance({ 'Si-Si': 1 })).toThrow(/needs the species/);
    expect(() => checkSamplingDefaults({ temperature: 1, minDistance: 1, maxTries: 3, minDistances: { 'Si-O': -2 } }, 'repap.json')).toThrow(/repap.json: field 'sampling.minDistances' pair 'Si-O'/);
  });
});
