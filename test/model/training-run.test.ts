/**
 * Training runs: callbacks, abort / max-time with exact resumption, the
 * non-finite-loss and collapse guards, the cross-entropy loss on both paths
 * and the negative log-likelihood on an analytic case.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { AxisProjectionEncoder, GroupedEncoding } from '../../src/encoding/index.js';
import { RePAPModel, type RePAPModelConfig, type TrainingCheckpoint, type TrainOptions } from '../../src/model/index.js';
import { toyTrajectory, useTf } from './fixtures.js';

const traj = toyTrajectory(40, 3, 4);
const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
const tiny: Partial<RePAPModelConfig> = { units: 6, layers: 2, dropout: 0.3, seed: 5 };
const base: TrainOptions = { epochs: 3, batchSize: 4, seed: 9, split: { train: 28, validation: 8, test: 4 } };

function weightsOf(m: RePAPModel): Float32Array[] {
  return m.network.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
}

describe('training runs', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  for (const path of ['kernel', 'fast', 'generic'] as const) {
    it(`an aborted and resumed run ends with the same weights and history as an uninterrupted one (${path} path)`, async () => {
      const a = RePAPModel.create(encoder, tiny);
      const ha = await a.train(traj, { ...base, path });
      expect(ha.path).toBe(path);
      expect(ha.stopReason).toBe('completed');
      const want = weightsOf(a);

      // Abort in the middle of epoch 2 (after its 3rd batch).
      const b = RePAPModel.create(encoder, tiny);
      const ctl = new AbortController();
      let saved: TrainingCheckpoint | null = null;
      const epochCheckpoints: number[] = [];
      const hb = await b.train(traj, {
        ...base,
        path,
        signal: ctl.signal,
        callbacks: [{ onBatchEnd: (batch, logs) => void (logs.epoch === 1 && batch === 2 && ctl.abort()) }],
        checkpoint: (cp) => {
          if (cp.reason === 'epoch') epochCheckpoints.push(cp.epoch);
          saved = cp;
        },
      });
      expect(hb.stopReason).toBe('aborted');
      expect(hb.message).toMatch(/epoch 2 after 3 of 7 batches/);
      expect(epochCheckpoints).toEqual([1]);
      // The model keeps the best weights so far: those of the only validated epoch.
      expect(hb.restoredEpoch).toBe(0);
      const cp = saved as unknown as TrainingCheckpoint;
      expect(cp.reason).toBe('aborted');
      expect([cp.epoch, cp.batch]).toEqual([1, 3]);
      b.dispose();

      // Resume in a fresh model (as after a restart) through a JSON-like round trip of the state.
      const c = RePAPModel.create(encoder, { ...tiny, seed: 77 });
      const hc = await c.train(traj, { ...base, path, resume: structuredClone(cp) });
      expect(hc.stopReason).toBe('completed');
      const got = weightsOf(c);
      expect(got.length).toBe(want.length);
      got.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(want[i]!)));
      expect(hc.epochs.map((e) => e.loss)).toEqual(ha.epochs.map((e) => e.loss));
      expect(hc.epochs.map((e) => e.valLoss)).toEqual(ha.epochs.map((e) => e.valLoss));
      expect(hc.testLoss).toBe(ha.testLoss);
      expect(c.training.sequences).toBe(a.training.sequences);
      a.dispose();
      c.dispose();
    });
  }

  it('an augmented run on groups (refresh seeded by the epoch) resumes exactly too', async () => {
    const parts = Array.from({ length: 6 }, (_, g) => toyTrajectory(6, 3, 4, 0.08, 200 + g));
    const positions = new Float64Array(36 * 9);
    parts.forEach((p, g) => positions.set(p.positions, g * 54));
    const gt = { ...parts[0]!, nFrames: 36, positions, info: Array.from({ length: 36 }, (_, f) => ({ glass: `g${Math.floor(f / 6)}` })) };
    const groups = { names: parts.map((_, g) => `g${g}`), groupOf: Int32Array.from({ length: 36 }, (_, f) => Math.floor(f / 6)) };
    const enc = AxisProjectionEncoder.fit(gt, { gridSize: 8 });
    const grouped = new GroupedEncoding(enc, gt, groups, { ordering: 'group', augment: { translate: true, symmetry: true } });
    const dataset = () => {
      const coords = grouped.encode();
      const T = enc.sequenceLength;
      return {
        coords,
        cell: gt.cell,
        pbc: gt.pbc,
        groups: groups.groupOf,
        refresh: (rows: Int32Array, epoch: number) => {
          const fresh = grouped.encode(rows, xoroshiro128plus(1000 + epoch));
          for (let i = 0; i < rows.length; i++) coords.set(fresh.subarray(i * T, (i + 1) * T), rows[i]! * T);
        },
      };
    };
    const o: TrainOptions = { epochs: 3, batchSize: 4, seed: 2, split: { train: 4, validation: 1, test: 1 } };
    const a = RePAPModel.create(enc, tiny);
    await a.train(dataset(), o);
    const b = RePAPModel.create(enc, tiny);
    const ctl = new AbortController();
    let cp: TrainingCheckpoint | null = null;
    await b.train(dataset(), { ...o, signal: ctl.signal, callbacks: [{ onBatchEnd: (i, l) => void (l.epoch === 1 && i === 2 && ctl.abort()) }], checkpoint: (x) => void (cp = x) });
    expect(cp!.reason).toBe('aborted');
    const c = RePAPModel.create(enc, tiny);
    await c.train(dataset(), { ...o, resume: cp! });
    weightsOf(c).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(weightsOf(a)[i]!)));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('maxTime stops cleanly with a checkpoint to resume from; resuming completes the run as if uninterrupted', async () => {
    const a = RePAPModel.create(encoder, tiny);
    await a.train(traj, { ...base, epochs: 2 });
    const b = RePAPModel.create(encoder, tiny);
    let cp: TrainingCheckpoint | null = null;
    const hb = await b.train(traj, { ...base, epochs: 2, maxTime: 1e-9, checkpoint: (s) => void (cp = s) });
    expect(hb.stopReason).toBe('max-time');
    expect(hb.message).toMatch(/time budget of 1e-9 s ran out in epoch 1 after 0 of 7 batches/);
    expect(hb.epochs).toHaveLength(0);
    const hc = await b.train(traj, { ...base, epochs: 2, resume: cp! });
    expect(hc.stopReason).toBe('completed');
    weightsOf(b).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(weightsOf(a)[i]!)));
    a.dispose();
    b.dispose();
  });

  it('resuming with other settings names the field that differs', async () => {
    const m = RePAPModel.create(encoder, tiny);
    let cp: TrainingCheckpoint | null = null;
    await m.train(traj, { ...base, epochs: 1, checkpoint: (s) => void (cp = s) });
    await expect(m.train(traj, { ...base, batchSize: 5, resume: cp! })).rejects.toThrow(/differs from the checkpoint in batchSize: 4 in the checkpoint, 5 now/);
    await expect(m.train(traj, { ...base, seed: 10, resume: cp! })).rejects.toThrow(/in seed: 9 in the checkpoint, 10 now/);
    const other = RePAPModel.create(encoder, { ...tiny, units: 7 });
    await expect(other.train(traj, { ...base, resume: cp! })).rejects.toThrow(/in config\.units: 6 in the checkpoint, 7 now/);
    other.dispose();
    m.dispose();
  });

  it('Keras-style callbacks are called in order with logs; onProgress still works', async () => {
    const m = RePAPModel.create(encoder, tiny);
    const calls: string[] = [];
    let progress = 0;
    const h = await m.train(traj, {
      ...base,
      epochs: 2,
      maxBatchesPerEpoch: 2,
      onProgress: () => void progress++,
      callbacks: [
        {
          onTrainBegin: (l) => void calls.push(`begin ${l.epochs}x${l.batches}`),
          onEpochBegin: (e) => void calls.push(`epoch ${e}`),
          onBatchEnd: (b, l) => void calls.push(`batch ${b} ${Number.isFinite(l.batchLoss)} ${l.sequences}`),
          onEpochEnd: (e, l, r) => void calls.push(`end ${e} ${l.valLoss === r.valLoss} ${l.valNll!.perCoordinate > 0}`),
          onTrainEnd: (hist) => void calls.push(`done ${hist.stopReason}`),
        },
      ],
    });
    expect(calls).toEqual([
      'begin 2x2',
      'epoch 0',
      'batch 0 true 4',
      'batch 1 true 8',
      'end 0 true true',
      'epoch 1',
      'batch 0 true 12',
      'batch 1 true 16',
      'end 1 true true',
      'done completed',
    ]);
    expect(progress).toBe(6);
    expect(h.epochs[1]!.valNll!.structures).toBe(8);
    m.dispose();
  });

  it('a non-finite loss stops training, names the batch and step, and keeps the last good weights', async () => {
    const m = RePAPModel.create(encoder, tiny);
    let good: Float32Array[] = [];
    const h = await m.train(traj, {
      ...base,
      callbacks: [
        {
          onEpochEnd: () => void (good = weightsOf(m)),
          onBatchEnd: (b, l) => {
            // Poison the weights after the 2nd batch of epoch 2: the next batch's loss is NaN.
            if (l.epoch === 1 && b === 1) m.setWeightsFrom(weightsOf(m).map((w) => w.map(() => NaN)));
          },
        },
      ],
    });
    expect(h.stopReason).toBe('non-finite');
    expect(h.message).toMatch(/the loss became NaN in epoch 2, batch 3 of 7 \(optimizer step 10\)/);
    expect(h.message).toMatch(/keeps the weights of epoch 1/);
    expect(h.restoredEpoch).toBe(0);
    expect(h.epochs).toHaveLength(1);
    weightsOf(m).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(good[i]!)));
    m.dispose();
  });

  it('detects a network collapsed by a huge learning rate, and says so', async () => {
    const m = RePAPModel.create(encoder, { ...tiny, learningRate: 10 });
    const h = await m.train(traj, { ...base, epochs: 4 });
    expect(h.stopReason).toBe('collapsed');
    expect(h.message).toMatch(/the network collapsed in epoch 1: the output no longer depends on the input .*learning rate \(10\) is probably too large/);
    expect(h.restoredEpoch).toBe(null);
    // Without the check the run claims success.
    const blind = RePAPModel.create(encoder, { ...tiny, learningRate: 10 });
    expect((await blind.train(traj, { ...base, epochs: 4, detectCollapse: false })).stopReason).toBe('completed');
    blind.dispose();
    m.dispose();
    // The same run with a sane learning rate completes.
    const ok = RePAPModel.create(encoder, tiny);
    expect((await ok.train(traj, { ...base, epochs: 1 })).stopReason).toBe('completed');
    ok.dispose();
  });
});

describe('softmax cross-entropy and the negative log-likelihood', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  it('the fast path and the generic tfjs-layers path give the same cross-entropy losses', async () => {
    const cfg: Partial<RePAPModelConfig> = { ...tiny, dropout: 0, loss: 'softmax-crossentropy' };
    const fast = RePAPModel.create(encoder, cfg);
    const generic = RePAPModel.create(encoder, cfg);
    expect(fast.config.outputActivation).toBe('softmax');
    const hf = await fast.train(traj, { ...base, epochs: 2, path: 'fast' });
    const hg = await generic.train(traj, { ...base, epochs: 2, generic: true });
    expect(hf.path).toBe('fast');
    expect(hg.path).toBe('generic');
    for (let e = 0; e < 2; e++) {
      expect(hf.epochs[e]!.loss).toBeCloseTo(hg.epochs[e]!.loss, 4);
      expect(hf.epochs[e]!.valLoss!).toBeCloseTo(hg.epochs[e]!.valLoss!, 4);
    }
    // Cross-entropy against a normalised target is at least its entropy and falls with training.
    expect(hf.epochs[1]!.valLoss!).toBeLessThan(hf.epochs[0]!.valLoss!);
    // The outputs are distributions.
    const p = fast.predictProbabilities([1, 2, 3], 1);
    for (let t = 0; t < 3; t++) expect(p.subarray(t * 8, t * 8 + 8).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    fast.dispose();
    generic.dispose();
  });

  it('an explicit sigmoid output with the cross-entropy loss is refused', () => {
    expect(() => RePAPModel.create(encoder, { loss: 'softmax-crossentropy', outputActivation: 'sigmoid' })).toThrow(/does not go with loss 'softmax-crossentropy'/);
  });

  for (const loss of ['sigmoid-mse', 'softmax-crossentropy'] as const) {
    it(`NLL of a network with a zero read-out is the uniform distribution's (${loss})`, async () => {
      const m = RePAPModel.create(encoder, { ...tiny, loss });
      // Zero read-out kernel: every logit 0, so the normalised output is uniform over the G cells.
      const w = m.network.getWeights();
      const readout = w.findIndex((t) => t.shape.length === 2 && t.shape[1] === encoder.gridSize && t.shape[0] === 6);
      m.network.setWeights(w.map((t, i) => (i === readout ? tf.zerosLike(t) : t)));
      const nll = await m.negativeLogLikelihood(traj);
      const G = encoder.gridSize;
      const S = encoder.sequenceLength - 1;
      expect(nll.structures).toBe(40);
      expect(nll.perCoordinate).toBeCloseTo(Math.log(G), 5);
      expect(nll.perStructure).toBeCloseTo(S * Math.log(G), 4);
      // As a density: the uniform density over the box, -log of 1/L per coordinate (L = 4 Å on every axis).
      expect(nll.perStructureDensity).toBeCloseTo(S * Math.log(4), 4);
      m.dispose();
    });
  }

  it('NLL of a trained model is below the uniform one, and matches -log p computed from predictProbabilities', async () => {
    const m = RePAPModel.create(encoder, { ...tiny, loss: 'softmax-crossentropy' });
    await m.train(traj, { ...base, epochs: 3 });
    const frames = [30, 31];
    const nll = await m.negativeLogLikelihood(traj, { frames });
    const coords = encoder.orderedCoordinates(traj);
    const cells = encoder.tokenCells(coords);
    const T = encoder.sequenceLength;
    const G = encoder.gridSize;
    let sum = 0;
    for (const f of frames) {
      const seq = Array.from(cells.subarray(f * T, f * T + T - 1));
      const p = m.predictProbabilities(seq, 1);
      for (let t = 0; t < T - 1; t++) {
        const row = p.subarray(t * G, (t + 1) * G);
        const total = row.reduce((s, v) => s + v, 0);
        sum -= Math.log(row[cells[f * T + t + 1]!]! / total);
      }
    }
    expect(nll.perStructure).toBeCloseTo(sum / frames.length, 3);
    expect(nll.perCoordinate).toBeLessThan(Math.log(G));
    m.dispose();
  });
});
