/**
 * The shipped silica model (assets/a-sio2-72-vashishta-300K-glasses) and the per-pair minimum distances
 * that repap train stores for a model of several species.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadModel } from '../../src/node/index.js';
import { ConditionalSampler } from '../../src/sampling/index.js';
import { useBackend } from '../../src/backend/index.js';
import { pairMinimumDistances } from '../../src/analysis/index.js';
import { readExtxyz } from '../../src/io/index.js';
import { ensureBuilt, repap, root, tempDir } from './helpers.js';

const asset = join(root, 'assets/a-sio2-72-vashishta-300K-glasses');
const fixture = join(root, 'test/fixtures/a-sio2-72-glasses-small.extxyz.gz');

describe('shipped silica model', () => {
  it('samples Si24 O48 structures that keep its stored per-pair minimum distances', async () => {
    await useBackend('cpu');
    const model = await loadModel(join(asset, 'model'));
    const table = model.samplingDefaults!.minDistances!;
    expect(Object.keys(table).sort()).toEqual(['O-O', 'Si-O', 'Si-Si']);
    const { trajectory, stats } = await new ConditionalSampler(model).sample(20, { seed: 3 });
    model.dispose();
    const reference = readExtxyz(gunzipSync(readFileSync(join(asset, 'reference.extxyz.gz'))).toString('utf8'));
    expect(trajectory.species).toEqual(reference.species);
    expect(stats.settings.fromModel).toContain('minDistance');
    const pm = pairMinimumDistances(trajectory);
    const bad = new Set(stats.violatingStructures);
    let checked = 0;
    for (let f = 0; f < 20; f++) {
      const below = pm.pairs.some((pair, q) => pm.perFrame[f * pm.pairs.length + q] < table[pair]);
      expect(below).toBe(bad.has(f));
      if (!below) checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('repap train on several species', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir();
  }, 300_000);
  it('stores 0.85 x the smallest distance per species pair of the training glasses', () => {
    const out = join(dir, 'm');
    const r = repap(['train', fixture, '--out', out, '--group-by', 'glass', '--species-first', '--split', '2,1,0', '--units', '4', '--layers', '1', '--grid', '20', '--max-batches', '1'], { timeout: 240_000 });
    expect(r.code, r.err).toBe(0);
    const stored = JSON.parse(readFileSync(join(out, 'repap.json'), 'utf8')).sampling;
    const training = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')).grouping.trainGroups as string[];
    const t = readExtxyz(gunzipSync(readFileSync(fixture)).toString('utf8'));
    const rows = Array.from({ length: t.nFrames }, (_, f) => f).filter((f) => training.includes(String(t.info[f].glass)));
    const smallest = pairMinimumDistances(t, { frames: rows }).smallest;
    for (const [pair, d] of Object.entries(smallest)) expect(stored.minDistances[pair]).toBeCloseTo(0.85 * d, 3);
    expect(stored.minDistance).toBeCloseTo(Math.min(...Object.values(stored.minDistances as Record<string, number>)), 12);
  }, 300_000);
});
