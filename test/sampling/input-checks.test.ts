/**
 * Inputs of ConditionalSampler that were silently changed or too large to
 * hold: a fractional seed (was used as its integer part) and an n whose
 * positions exceed what sample() keeps in memory (points to stream()).
 */
import { describe, expect, it } from 'vitest';
import { ConditionalSampler } from '../../src/sampling/index.js';
import { TinySource } from './fixtures.js';

describe('sampler input checks', () => {
  const src = new TinySource({ nAtoms: 5, seed: 5 });
  it('rejects a fractional or non-numeric seed instead of truncating it', async () => {
    const s = new ConditionalSampler(src, { engine: 'js' });
    await expect(s.sample(2, { seed: 1.5 })).rejects.toThrow(/sample: options\.seed must be an integer \(got 1\.5\); a fractional seed would silently lose its fraction/);
    await expect(s.sample(2, { seed: '7' as unknown as number })).rejects.toThrow(/options\.seed must be an integer \(got '7'\)/);
    expect(() => s.stream(2, { seed: NaN })).toThrow(/options\.seed must be an integer \(got NaN\)/);
    // whole seeds, negative ones included, still work and repeat
    const a = await s.sample(3, { seed: -4, minDistance: 0 });
    const b = await s.sample(3, { seed: -4, minDistance: 0 });
    expect(Array.from(a.trajectory.positions)).toEqual(Array.from(b.trajectory.positions));
  });
  it('points to stream() when sample(n) would hold more than 1 GiB of positions, before generating anything', async () => {
    const s = new ConditionalSampler(src, { engine: 'js' });
    const n = Math.ceil(2 ** 27 / 15) + 1; // 5 atoms x 3 coordinates per structure
    let progress = 0;
    await expect(s.sample(n, { seed: 1, onProgress: () => progress++ })).rejects.toThrow(
      /sample: 8947850 structures of 5 atoms need 1\.0 GiB of positions in one trajectory, above the 1 GiB that sample\(\) holds; use stream\(n, options\)/,
    );
    expect(progress).toBe(0);
    // the stream of the same n starts (and is abandoned after one batch)
    const it = s.stream(n, { seed: 1, batchSize: 4, minDistance: 0 });
    const first = await it.next();
    expect(first.value?.trajectory.nFrames).toBe(4);
    await it.return(undefined);
  });
});
