/**
 * ConditionalSampler on a real (tiny, briefly trained) RePAPModel with the
 * AxisProjectionEncoder, trained on frames of the a-Si 30-atom set.
 */
import { openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel } from '../../src/model/index.js';
import { readExtxyz, writeExtxyz } from '../../src/io/index.js';
import { ConditionalSampler, PairMetric } from '../../src/sampling/index.js';
import type { Cell, Trajectory } from '../../src/structure/trajectory.js';

const DATA = resolve(__dirname, '../../../shared/data');

function loadFrames(nFrames: number): Trajectory {
  const meta = JSON.parse(readFileSync(resolve(DATA, 'a-si-30-sw-300K.json'), 'utf8'));
  const nAtoms = meta.shape[1] as number;
  const buf = Buffer.alloc(nFrames * nAtoms * 3 * 4);
  const fd = openSync(resolve(DATA, meta.positionsFile ?? 'a-si-30-sw-300K.positions.f32'), 'r');
  readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const positions = new Float64Array(new Float32Array(buf.buffer, buf.byteOffset, nFrames * nAtoms * 3));
  return {
    nFrames, nAtoms, positions, cell: meta.cell as Cell, pbc: [true, true, true],
    species: Array(nAtoms).fill('Si'), info: Array.from({ length: nFrames }, () => ({})),
  };
}

describe('with a trained RePAPModel', () => {
  it('matches the layers model, samples clean structures, writes extxyz', async () => {
    await tf.setBackend('cpu');
    const traj = loadFrames(120);
    const encoder = AxisProjectionEncoder.fit(traj);
    const model = RePAPModel.create(encoder, { units: 16, layers: 2, seed: 3 });
    await model.train(traj, { epochs: 1, batchSize: 16, maxBatchesPerEpoch: 4, split: { train: 100, validation: 10, test: 10 } });
    expect(model.firstCoordinates.length).toBeGreaterThan(0);
    const T = encoder.sequenceLength, G = encoder.gridSize;

    // teacher-forced distributions of a real training sequence: engines vs the layers model
    const cells = encoder.tokenCells(encoder.orderedCoordinates(traj, [0]));
    const x = new Float32Array((T - 1) * encoder.inputSize);
    const idx = new Int32Array(16);
    for (let t = 0; t < T - 1; t++) {
      const m = encoder.activeInputs(t, cells[t], idx);
      for (let a = 0; a < m; a++) x[t * encoder.inputSize + idx[a]] += 1;
    }
    const ref = tf.tidy(() => (model.network.predict(tf.tensor3d(x, [1, T - 1, encoder.inputSize])) as tf.Tensor).dataSync() as Float32Array);
    for (let t = 0; t < T - 1; t++) {
      let s = 0;
      for (let g = 0; g < G; g++) s += ref[t * G + g];
      for (let g = 0; g < G; g++) ref[t * G + g] /= s;
    }
    for (const engine of ['wasm', 'js'] as const) {
      const p = new ConditionalSampler(model, { engine }).probabilities(cells);
      let worst = 0;
      for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - ref[i]));
      expect(worst).toBeLessThan(1e-5);
    }

    const before = tf.memory().numTensors;
    const sampler = new ConditionalSampler(model);
    const prefix = Array.from({ length: 2 }, (_, k) => {
      const a = encoder.permutation[k];
      return [0, 1, 2].map((ax) => traj.positions[a * 3 + ax] - traj.cell![ax][ax] * Math.floor(traj.positions[a * 3 + ax] / traj.cell![ax][ax]));
    });
    const { trajectory, stats } = await sampler.sample(40, { seed: 11, minDistance: 2.0, maxTries: 30, jitter: true, prefix });
    expect(tf.memory().numTensors).toBe(before);
    expect(trajectory.nFrames).toBe(40);
    expect(trajectory.cell).toEqual(traj.cell);
    expect(trajectory.species).toEqual(traj.species);
    expect(stats.placedAtoms).toBe(40 * 28);
    const metric = new PairMetric(traj.cell, traj.pbc);
    const violating = new Set(stats.violatingStructures);
    for (let f = 0; f < 40; f++) {
      const pos = trajectory.positions.subarray(f * 90, (f + 1) * 90);
      let dmin = Infinity;
      for (let i = 0; i < 30; i++) for (let j = 0; j < i; j++) dmin = Math.min(dmin, Math.sqrt(metric.distance2(pos, i, j)));
      if (!violating.has(f)) expect(dmin).toBeGreaterThanOrEqual(2.0);
      for (let k = 0; k < 2; k++) {
        for (let ax = 0; ax < 3; ax++) expect(pos[encoder.permutation[k] * 3 + ax]).toBe(prefix[k][ax]);
      }
    }
    // round trip through extxyz
    const back = readExtxyz(writeExtxyz(trajectory));
    expect(back.nFrames).toBe(40);
    expect(back.species).toEqual(trajectory.species);
    for (let i = 0; i < 90; i++) expect(back.positions[i]).toBeCloseTo(trajectory.positions[i], 5);
    model.dispose();
    await expect(sampler.sample(1)).rejects.toThrow(/model was disposed/);
  });
});
