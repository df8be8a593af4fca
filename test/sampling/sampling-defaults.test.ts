/**
 * Sampling defaults stored with a model: used by the sampler unless a call
 * overrides them, reported in the stats, saved in repap.json, and validated
 * (a hand-edited value out of range names the file, the field and the range).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel } from '../../src/model/index.js';
import { checkSamplingDefaults } from '../../src/model/sampling-defaults.js';
import { ConditionalSampler } from '../../src/sampling/index.js';
import { loadModel, saveModel } from '../../src/node/model-files.js';
import { toyTrajectory, useTf } from '../model/fixtures.js';

const traj = toyTrajectory(40, 4, 4);
let model: RePAPModel;
let tmp: string;

beforeAll(async () => {
  await useTf('cpu');
  tmp = mkdtempSync(join(tmpdir(), 'repap-sampling-defaults-'));
  model = RePAPModel.create(AxisProjectionEncoder.fit(traj, { gridSize: 8 }), { units: 8, seed: 5 });
  await model.train(traj, { epochs: 1, batchSize: 8, split: { train: 32, validation: 8, test: 0 } });
});
afterAll(() => {
  model.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

async function positions(options: Parameters<ConditionalSampler['sample']>[1]) {
  const r = await new ConditionalSampler(model, { engine: 'js' }).sample(40, { seed: 3, ...options });
  return { pos: Array.from(r.trajectory.positions), stats: r.stats };
}

describe('sampling defaults stored with the model', () => {
  it('are used when a call gives none, and a call overrides them', async () => {
    model.samplingDefaults = null;
    const cold = await positions({ temperature: 0.3, minDistance: 0.9, maxTries: 4 });
    const hot = await positions({ temperature: 1, minDistance: 0.9, maxTries: 4 });
    const fallback = await positions({});
    expect(fallback.stats.settings).toMatchObject({ temperature: 1, minDistance: 2.0, maxTries: 10, fromModel: [] });
    expect(cold.pos).not.toEqual(hot.pos);

    model.samplingDefaults = { temperature: 0.3, minDistance: 0.9, maxTries: 4 };
    const stored = await positions({});
    expect(stored.pos).toEqual(cold.pos);
    expect(stored.stats.settings).toMatchObject({ temperature: 0.3, minDistance: 0.9, maxTries: 4, fromModel: ['temperature', 'minDistance', 'maxTries'] });
    const overridden = await positions({ temperature: 1 });
    expect(overridden.pos).toEqual(hot.pos);
    expect(overridden.stats.settings.fromModel).toEqual(['minDistance', 'maxTries']);
  });

  it('travel through saveModel / loadModel (repap.json field sampling)', async () => {
    model.samplingDefaults = { temperature: 0.25, minDistance: 1.5, maxTries: 7, note: 'chosen on validation frames' };
    const dir = join(tmp, 'ok');
    await saveModel(model, dir);
    const meta = JSON.parse(readFileSync(join(dir, 'repap.json'), 'utf8'));
    expect(meta.sampling).toEqual({ temperature: 0.25, minDistance: 1.5, maxTries: 7, note: 'chosen on validation frames' });
    const loaded = await loadModel(dir);
    expect(loaded.samplingDefaults).toEqual(meta.sampling);
    loaded.dispose();
  });

  it('the shipped a-Si model carries the defaults chosen for it (temperature 0.2, 2 Å, 10 tries)', async () => {
    const shipped = await loadModel(join(__dirname, '../../assets/a-si-30-sw-300K/model'));
    expect(shipped.samplingDefaults).toMatchObject({ temperature: 0.2, minDistance: 2, maxTries: 10 });
    const chosen = JSON.parse(readFileSync(join(__dirname, '../../assets/a-si-30-sw-300K/sampling.json'), 'utf8'));
    expect(shipped.samplingDefaults?.temperature).toBe(chosen.temperature);
    shipped.dispose();
  });

  it('a hand-edited value out of range is an error naming the file, the field and the valid range', async () => {
    model.samplingDefaults = { temperature: 0.25, minDistance: 1.5, maxTries: 7 };
    for (const [field, value, range] of [
      ['temperature', 50, /\(0, 10\]/],
      ['minDistance', -1, /\[0, 10\]/],
      ['maxTries', 2.5, /integer from 1 to 1000/],
    ] as const) {
      const dir = join(tmp, `bad-${field}`);
      await saveModel(model, dir);
      const path = join(dir, 'repap.json');
      const meta = JSON.parse(readFileSync(path, 'utf8'));
      meta.sampling[field] = value;
      writeFileSync(path, JSON.stringify(meta));
      const err = await loadModel(dir).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/repap\.json/);
      expect(err?.message).toMatch(new RegExp(`sampling\\.${field}`));
      expect(err?.message).toMatch(range);
    }
    expect(() => { model.samplingDefaults = { temperature: 0, minDistance: 2, maxTries: 10 }; }).toThrow(/sampling\.temperature/);
    expect(() => checkSamplingDefaults({ temperature: 1, minDistance: 2, maxTries: 10, tries: 3 }, 'x')).toThrow(/sampling\.tries' is not a sampling default/);
  });
});
