/**
 * A model trained with the softmax cross-entropy loss: every sampling engine
 * uses its softmax output as the distribution (no further normalisation
 * needed), and a temperature T acts as softmax(logits / T).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel } from '../../src/model/index.js';
import { ConditionalSampler } from '../../src/sampling/index.js';
import { toyTrajectory, useTf } from '../model/fixtures.js';

describe('sampling a softmax cross-entropy model', () => {
  let model: RePAPModel;
  let cells: number[];
  beforeAll(async () => {
    await useTf('cpu');
    const traj = toyTrajectory(40, 3, 4);
    const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
    model = RePAPModel.create(encoder, { units: 6, loss: 'softmax-crossentropy', seed: 2 });
    await model.train(traj, { epochs: 2, batchSize: 4, split: { train: 32, validation: 8, test: 0 } });
    const coords = encoder.orderedCoordinates(traj);
    cells = Array.from(encoder.tokenCells(coords).subarray(0, encoder.sequenceLength));
  });

  for (const engine of ['js', 'wasm', 'tfjs'] as const) {
    it(`the ${engine} engine's distributions are the network's softmax output`, () => {
      const sampler = new ConditionalSampler(model, { engine });
      const p = sampler.probabilities(cells);
      const ref = model.predictProbabilities(cells.slice(0, model.encoder.sequenceLength - 1), 1);
      let worst = 0;
      for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i]! - ref[i]!));
      expect(worst).toBeLessThan(2e-5);
      for (let t = 0; t < 3; t++) expect(p.subarray(t * 8, t * 8 + 8).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    });
  }

  it('temperature T on a softmax model is softmax(logits / T)', async () => {
    const G = model.encoder.gridSize;
    const T = 0.5;
    const p = model.predictProbabilities(cells.slice(0, 4), 1).subarray(3 * G, 4 * G);
    // logits up to a constant: log p
    const z = Array.from(p, (v) => Math.log(v) / T);
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    const want = e.map((v) => v / s);
    const { applyTemperature } = await import('../../src/sampling/token-sampler.js');
    const got = Float32Array.from(p);
    applyTemperature(got, 0, G, T);
    want.forEach((v, k) => expect(got[k]).toBeCloseTo(v, 6));
  });
});
