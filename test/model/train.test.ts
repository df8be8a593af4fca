import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel, type RePAPModelConfig, type TrainOptions, type TrainingProgress } from '../../src/model/index.js';
import { toyTrajectory, useTf } from './fixtures.js';

const traj = toyTrajectory(48, 4, 4);
const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
const split = { train: 32, validation: 8, test: 8 };

function tiny(config: Partial<RePAPModelConfig> = {}): RePAPModel {
  return RePAPModel.create(encoder, { units: 8, seed: 7, ...config });
}

async function lossesOf(config: Partial<RePAPModelConfig>, options: TrainOptions): Promise<{ batch: number[]; val: (number | null)[] }> {
  const model = tiny(config);
  const batch: number[] = [];
  const history = await model.train(traj, {
    split,
    batchSize: 8,
    ...options,
    onProgress: (p) => {
      if (!p.epochEnd) batch.push(p.loss);
    },
  });
  model.dispose();
  return { batch, val: history.epochs.map((e) => e.valLoss) };
}

describe('RePAPModel.train', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  it('trains on cpu and on wasm with the same losses', async () => {
    // SGD keeps backend rounding differences proportional (RMSprop/Adam divide
    // by the running gradient scale and can amplify the sign of near-zero
    // gradient entries). float32 rounding per op ~6e-8 relative; kernels sum in
    // different orders, over ~10^3 dependent ops per batch. Measured: at most
    // 4e-7 relative over 12 batches; 1e-5 leaves headroom, while a real
    // difference (a wrong kernel, a missed dropout mask) is >> 1e-3.
    const opts: TrainOptions = { epochs: 3, seed: 11 };
    const config: Partial<RePAPModelConfig> = { optimizer: 'sgd', learningRate: 0.5, dropout: 0.5 };
    await useTf('cpu');
    const cpu = await lossesOf(config, opts);
    await useTf('wasm');
    const wasm = await lossesOf(config, opts);
    await useTf('cpu');
    expect(cpu.batch.length).toBe(12);
    expect(wasm.batch.length).toBe(cpu.batch.length);
    for (let i = 0; i < cpu.batch.length; i++) {
      expect(Math.abs(wasm.batch[i]! - cpu.batch[i]!)).toBeLessThan(1e-5 * cpu.batch[i]!);
    }
    for (let i = 0; i < cpu.val.length; i++) expect(Math.abs(wasm.val[i]! - cpu.val[i]!)).toBeLessThan(1e-5 * cpu.val[i]!);
    // and the model did learn something
    expect(cpu.val[2]!).toBeLessThan(cpu.val[0]!);
  });

  it('the fast path and the generic tfjs-layers path give the same losses', async () => {
    const opts: TrainOptions = { epochs: 2, seed: 3 };
    const config: Partial<RePAPModelConfig> = { optimizer: 'sgd', learningRate: 0.5, dropout: 0 };
    const fast = await lossesOf(config, { ...opts, path: 'fast' });
    const generic = await lossesOf(config, { ...opts, generic: true });
    expect(generic.batch.length).toBe(fast.batch.length);
    for (let i = 0; i < fast.batch.length; i++) expect(generic.batch[i]!).toBeCloseTo(fast.batch[i]!, 5);
    for (let i = 0; i < fast.val.length; i++) expect(generic.val[i]!).toBeCloseTo(fast.val[i]!, 5);
  });

  it('learns a learnable toy sequence: validation loss falls well below the initial loss', async () => {
    const model = tiny({ learningRate: 1e-2, dropout: 0 });
    const valFrames = Array.from({ length: 8 }, (_, i) => 32 + i);
    const before = await model.evaluate(traj, { frames: valFrames });
    const history = await model.train(traj, { epochs: 12, batchSize: 8, split, seed: 1 });
    const after = history.epochs.at(-1)!.valLoss!;
    expect(await model.evaluate(traj, { frames: valFrames })).toBeCloseTo(after, 6);
    expect(after).toBeLessThan(0.5 * before);
    expect(history.testLoss).not.toBeNull();
    expect(history.testLoss!).toBeLessThan(0.5 * before);
    expect(history.path).toBe('kernel');
    model.dispose();
  });

  it('GRU and a user network train on the generic path', async () => {
    const gru = tiny({ cell: 'gru', learningRate: 1e-2, dropout: 0 });
    expect(gru.stackWeights()).toBeNull();
    const h1 = await gru.train(traj, { epochs: 4, batchSize: 8, split });
    expect(h1.path).toBe('generic');
    expect(h1.epochs[3]!.valLoss!).toBeLessThan(h1.epochs[0]!.valLoss!);
    gru.dispose();
    const user = RePAPModel.create(encoder, { learningRate: 1e-2 }, {
      network: ({ inputSize, gridSize }) => {
        const m = tfl.sequential();
        m.add(tfl.layers.simpleRNN({ units: 6, returnSequences: true, inputShape: [null, inputSize] }));
        m.add(tfl.layers.dense({ units: gridSize, activation: 'sigmoid' }));
        return m;
      },
    });
    expect(user.customNetwork).toBe(true);
    const h2 = await user.train(traj, { epochs: 3, batchSize: 8, split });
    expect(h2.epochs[2]!.valLoss!).toBeLessThan(h2.epochs[0]!.valLoss!);
    expect(user.predictProbabilities([1, 2, 3]).length).toBe(3 * 8);
    user.dispose();
  });

  it('seeded runs are reproducible on the same backend; another seed differs', async () => {
    const opts: TrainOptions = { epochs: 2, seed: 5 };
    const a = await lossesOf({}, opts);
    const b = await lossesOf({}, opts);
    const c = await lossesOf({}, { ...opts, seed: 6 });
    expect(b.batch).toEqual(a.batch);
    expect(b.val).toEqual(a.val);
    expect(c.batch).not.toEqual(a.batch);
  });

  it('stores what sampling needs: first coordinates of the training frames, cell, pbc, species', async () => {
    const model = tiny();
    await model.train(traj, { epochs: 1, batchSize: 8, split });
    const coords = encoder.orderedCoordinates(traj);
    const T = encoder.sequenceLength;
    expect(model.firstCoordinates.length).toBe(32);
    // kept to 1e-5 Å (so saved models stay small)
    for (let i = 0; i < 32; i++) expect(Math.abs(model.firstCoordinates[i]! - coords[i * T]!)).toBeLessThanOrEqual(5e-6 + 1e-12);
    expect(model.cell).toEqual(traj.cell);
    expect(model.pbc).toEqual([true, true, true]);
    expect(model.species).toEqual(traj.species);
    const w = model.stackWeights()!;
    expect(w.layers.map((l) => [l.inputDim, l.units])).toEqual([
      [encoder.inputSize, 8],
      [8, 8],
    ]);
    expect(w.readout.bias).toBeNull();
    expect(w.readout.outDim).toBe(8);
    model.dispose();
  });

  it('predictProbabilities matches the layers network and the stack weights run by hand', () => {
    const model = tiny({ readoutBias: true, seed: 9 });
    const cells = [3, 1, 4, 1, 5];
    const fast = model.predictProbabilities(cells);
    const x = new Float32Array(cells.length * encoder.inputSize);
    const idx = new Int32Array(4);
    cells.forEach((c, t) => {
      const n = encoder.activeInputs(t, c, idx);
      for (let j = 0; j < n; j++) x[t * encoder.inputSize + idx[j]!] = 1;
    });
    const y = tf.tidy(() => model.network.predict(tf.tensor3d(x, [1, cells.length, encoder.inputSize])) as tf.Tensor);
    const ref = y.dataSync();
    y.dispose();
    for (let i = 0; i < ref.length; i++) expect(fast[i]!).toBeCloseTo(ref[i]!, 6);
    // batch of two sequences
    const two = model.predictProbabilities([...cells, ...cells.map((c) => (c + 2) % 8)], 2);
    expect(Array.from(two.subarray(0, fast.length)).every((v, i) => Math.abs(v - fast[i]!) < 1e-6)).toBe(true);
    model.dispose();
  });

  it('awaits an async onProgress (checkpoints at epoch ends)', async () => {
    const model = tiny();
    const events: string[] = [];
    await model.train(traj, {
      epochs: 2,
      batchSize: 16,
      split,
      onProgress: async (p) => {
        events.push(`start ${p.epoch}/${p.batch}${p.epochEnd ? ' end' : ''}`);
        await new Promise((r) => setTimeout(r, 5));
        events.push('done');
      },
    });
    // every report finished before the next one started
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe('done');
    expect(events.filter((e) => e.endsWith('end')).length).toBe(2);
    model.dispose();
  });

  it('an AbortSignal stops training after the current batch', async () => {
    const model = tiny();
    const ctrl = new AbortController();
    const seen: TrainingProgress[] = [];
    const history = await model.train(traj, {
      epochs: 5,
      batchSize: 4,
      split,
      signal: ctrl.signal,
      onProgress: (p) => {
        seen.push(p);
        if (seen.length === 3) ctrl.abort();
      },
    });
    expect(history.stopReason).toBe('aborted');
    expect(seen.length).toBe(3);
    expect(history.epochs.length).toBe(0);
    // the third report is batch 3 of 8 in epoch 0, after 12 sequences
    const p = seen[2]!;
    expect([p.epoch, p.batch, p.batches, p.epochEnd]).toEqual([0, 3, 8, false]);
    // throughput counts training time only (<= elapsed), so seqPerSec * elapsed >= the 12 sequences done;
    // the ETA is the 37 batches left of 5 x 8 at that throughput
    expect(p.seqPerSec * p.elapsed).toBeGreaterThanOrEqual(12 * (1 - 1e-9));
    expect(p.eta * p.seqPerSec).toBeCloseTo(37 * 4, 6);
    // stopped after the current batch: the weights are those of exactly 3 optimizer steps
    const three = tiny();
    await three.train(traj, { epochs: 1, batchSize: 4, split, maxBatchesPerEpoch: 3 });
    expect(Array.from(model.stackWeights()!.readout.kernel)).toEqual(Array.from(three.stackWeights()!.readout.kernel));
    const four = tiny();
    await four.train(traj, { epochs: 1, batchSize: 4, split, maxBatchesPerEpoch: 4 });
    expect(Array.from(model.stackWeights()!.readout.kernel)).not.toEqual(Array.from(four.stackWeights()!.readout.kernel));
    three.dispose();
    four.dispose();
    model.dispose();
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    const model = tiny({ learningRate: 1e-2 });
    let bestWeights: Float32Array | null = null;
    const history = await model.train(traj, {
      epochs: 10,
      batchSize: 8,
      split,
      earlyStopping: { patience: 2, minDelta: 10 },
      onProgress: (p) => {
        if (p.epochEnd && p.epoch === 0) bestWeights = model.stackWeights()!.readout.kernel;
      },
    });
    expect(history.stopReason).toBe('early-stopping');
    expect(history.epochs.length).toBe(3);
    expect(history.bestEpoch).toBe(0);
    expect(Array.from(model.stackWeights()!.readout.kernel)).toEqual(Array.from(bestWeights!));
    model.dispose();
  });

  it('no tensor leaks in train, evaluate and predict; dispose frees everything', async () => {
    const start = tf.memory().numTensors;
    const model = tiny();
    // the first tfjs-path train call creates the optimiser state (owned by the model)
    await model.train(traj, { epochs: 1, batchSize: 8, split });
    await model.train(traj, { epochs: 1, batchSize: 8, split, path: 'fast' });
    const before = tf.memory().numTensors;
    await model.train(traj, { epochs: 1, batchSize: 8, split });
    await model.train(traj, { epochs: 1, batchSize: 8, split, generic: true });
    await model.evaluate(traj);
    model.predictProbabilities([1, 2, 3]);
    model.stackWeights();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    expect(model.isDisposed).toBe(true);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => model.predictProbabilities([1])).toThrow(/disposed/);
  });

  describe('bad input', () => {
    it('atom count mismatch', async () => {
      const model = tiny();
      await expect(model.train(toyTrajectory(20, 3, 4), { split })).rejects.toThrow(/3 atoms but the model's encoder has 4/);
      await expect(model.train({ coords: new Float32Array(13) })).rejects.toThrow(/not a positive multiple of sequenceLength 12/);
      model.dispose();
    });
    it('too few frames for the split', async () => {
      const model = tiny();
      await expect(model.train(traj, { split: { train: 40, validation: 8, test: 8 } })).rejects.toThrow(/needs 56 frames .* has 48/);
      await expect(model.train(toyTrajectory(5, 4, 4))).rejects.toThrow(/5 frames are too few for split.validation = 0.1/);
      await expect(model.train(traj, { split: { train: 0.8, validation: 0.3, test: 0 } })).rejects.toThrow(/add up to 1.1/);
      await expect(model.train(traj, { split: { train: 0, validation: 0.5, test: 0 } })).rejects.toThrow(/no training frames/);
      await expect(model.train(traj, { split: { train: 40, validation: 0, test: 0 }, earlyStopping: { patience: 1 } })).rejects.toThrow(
        /earlyStopping needs validation frames/,
      );
      model.dispose();
    });
    it('bad training options', async () => {
      const model = tiny();
      await expect(model.train(traj, { epochs: 0 })).rejects.toThrow(/epochs = 0/);
      await expect(model.train(traj, { batchSize: 2.5 })).rejects.toThrow(/batchSize = 2.5/);
      await expect(model.train(traj, { earlyStopping: { patience: 0 } })).rejects.toThrow(/patience = 0/);
      await expect(model.train({ coords: new Float32Array(12).fill(NaN) })).rejects.toThrow(/coords\[0\] .* is NaN/);
      model.dispose();
    });
    it('bad config values name the field', () => {
      expect(() => tiny({ units: 0 })).toThrow(/config.units = 0: expected an integer >= 1/);
      expect(() => tiny({ layers: 1.5 })).toThrow(/config.layers = 1.5/);
      expect(() => tiny({ dropout: 1 })).toThrow(/config.dropout = 1: expected a probability in \[0, 1\)/);
      expect(() => tiny({ learningRate: -1 })).toThrow(/config.learningRate = -1/);
      expect(() => tiny({ optimizer: 'lbfgs' as never })).toThrow(/config.optimizer = "lbfgs": expected one of 'rmsprop', 'adam', 'sgd'/);
      expect(() => tiny({ cell: 'rnn' as never })).toThrow(/config.cell/);
      expect(() => tiny({ unitz: 3 } as never)).toThrow(/unknown field 'unitz'/);
      expect(() => RePAPModel.create({} as never)).toThrow(/must be an AxisProjectionEncoder/);
    });
    it('bad predictProbabilities input', () => {
      const model = tiny();
      expect(() => model.predictProbabilities([])).toThrow(/1 <= n <= 11/);
      expect(() => model.predictProbabilities(new Array(12).fill(0))).toThrow(/1 <= n <= 11/);
      expect(() => model.predictProbabilities([0, 8])).toThrow(/cells\[1\] = 8 is not a grid cell in 0..7/);
      model.dispose();
    });
  });
});
