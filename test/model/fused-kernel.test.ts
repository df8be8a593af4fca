import v8 from 'node:v8';
// relaxed SIMD (fused multiply-add): Node 20 needs the flag before the first compile
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from '../../src/model/gradients.js';
import { FusedLSTMTrainer, type FusedNetworkSpec } from '../../src/model/kernel/fused-trainer.js';
import { stackLossAndGradients, type StackBatch, type StackTensors } from '../../src/model/lstm-stack.js';
import { wasmRelaxedSimdSupported } from '../../src/wasm/detect.js';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel, type RePAPModelConfig } from '../../src/model/index.js';
import { toyTrajectory, useTf } from './fixtures.js';

/** A deterministic pseudo-random stream in [-a, a). */
function stream(seed: number): (a: number) => number {
  let x = seed >>> 0 || 1;
  return (a) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 4294967296 - 0.5) * 2 * a;
  };
}

interface Case {
  spec: FusedNetworkSpec;
  weights: Float32Array[];
  batch: StackBatch;
}

/** A tiny network and batch: G grid cells, inputs = G cells + S step one-hots (2 active per row). */
function makeCase(o: { layers: number; units: number; G: number; S: number; B: number; loss: 'mse' | 'crossentropy'; dropout: boolean; readoutBias?: boolean; seed?: number; optimizer?: 'rmsprop' | 'adam' | 'sgd' }): Case {
  const r = stream(o.seed ?? 7);
  const { layers, units: U, G, S, B } = o;
  const D = G + S;
  const spec: FusedNetworkSpec = {
    inputDim: D, nActive: 2, units: U, layers, gridSize: G,
    hiddenActivation: 'relu',
    outputActivation: o.loss === 'crossentropy' ? 'softmax' : 'sigmoid',
    loss: o.loss, readoutBias: o.readoutBias ?? false, optimizer: o.optimizer ?? 'rmsprop', learningRate: 1e-2,
  };
  const weights: Float32Array[] = [];
  for (let l = 0; l < layers; l++) {
    weights.push(Float32Array.from({ length: (l === 0 ? D : U) * 4 * U }, () => r(0.5)));
    weights.push(Float32Array.from({ length: U * 4 * U }, () => r(0.5)));
    weights.push(Float32Array.from({ length: 4 * U }, () => r(0.5)));
  }
  weights.push(Float32Array.from({ length: U * G }, () => r(0.8)));
  if (spec.readoutBias) weights.push(Float32Array.from({ length: G }, () => r(0.5)));
  const R = S * B;
  const active = new Int32Array(2 * R);
  const targets = new Float32Array(R * G);
  for (let t = 0; t < S; t++) {
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      active[row] = Math.floor((r(0.5) + 0.5) * G) % G;
      active[R + row] = G + t;
      let sum = 0;
      for (let g = 0; g < G; g++) sum += targets[row * G + g] = Math.exp(-((g - ((t * 3 + b) % G)) ** 2));
      // cross-entropy targets are normalised by the loss: give them another scale here
      if (o.loss === 'crossentropy') for (let g = 0; g < G; g++) targets[row * G + g] *= 0.5 + b / sum;
    }
  }
  const dropoutMasks = o.dropout
    ? Array.from({ length: layers - 1 }, () => Float32Array.from({ length: R * U }, () => (r(0.5) > -0.25 ? 1 / 0.75 : 0)))
    : undefined;
  return { spec, weights, batch: { steps: S, batch: B, nActive: 2, active, targets, dropoutMasks } };
}

function stackTensors(c: Case): StackTensors {
  const { spec, weights } = c;
  const U = spec.units;
  const layers = Array.from({ length: spec.layers }, (_, l) => ({
    kernel: tf.tensor2d(weights[3 * l]!, [l === 0 ? spec.inputDim : U, 4 * U]),
    recurrentKernel: tf.tensor2d(weights[3 * l + 1]!, [U, 4 * U]),
    bias: tf.tensor1d(weights[3 * l + 2]!),
  }));
  const n = 3 * spec.layers;
  return {
    layers,
    readoutKernel: tf.tensor2d(weights[n]!, [U, spec.gridSize]),
    readoutBias: spec.readoutBias ? tf.tensor1d(weights[n + 1]!) : null,
  };
}

/**
 * The reference by tfjs autodiff through an unrolled Keras LSTM (gate order
 * i, f, c, o), written with tf ops only: loss and gradient of every weight.
 */
function autodiffReference(c: Case): { loss: number; grads: Float32Array[] } {
  const { spec, batch } = c;
  const { steps: S, batch: B } = batch;
  const R = S * B;
  const U = spec.units;
  const G = spec.gridSize;
  const x = new Float32Array(R * spec.inputDim);
  for (let r = 0; r < R; r++) for (let a = 0; a < batch.nActive; a++) x[r * spec.inputDim + batch.active[a * R + r]!] += 1;
  return tf.tidy(() => {
    const xs = tf.tensor2d(x, [R, spec.inputDim]);
    const ts = tf.tensor2d(batch.targets!, [R, G]);
    const masks = batch.dropoutMasks?.map((m) => (m ? tf.tensor2d(m, [R, U]) : null));
    const params = c.weights.map((w) => tf.tensor(w));
    const f = (...ws: tf.Tensor[]): tf.Scalar => {
      let input = xs;
      let inDim = spec.inputDim;
      for (let l = 0; l < spec.layers; l++) {
        const K = tf.reshape(ws[3 * l]!, [inDim, 4 * U]);
        const Rk = tf.reshape(ws[3 * l + 1]!, [U, 4 * U]);
        const bias = ws[3 * l + 2]!;
        const zx = tf.add(tf.matMul(input as tf.Tensor2D, K as tf.Tensor2D), bias);
        let h: tf.Tensor2D = tf.zeros([B, U]);
        let cs: tf.Tensor2D = tf.zeros([B, U]);
        const hs: tf.Tensor2D[] = [];
        for (let t = 0; t < S; t++) {
          const z = tf.add(tf.slice(zx, [t * B, 0], [B, 4 * U]), tf.matMul(h, Rk as tf.Tensor2D));
          const [zi, zf, zg, zo] = tf.split(z, 4, 1);
          cs = tf.add(tf.mul(tf.sigmoid(zf!), cs), tf.mul(tf.sigmoid(zi!), tf.tanh(zg!)));
          h = tf.mul(tf.sigmoid(zo!), tf.tanh(cs));
          hs.push(h);
        }
        let out = tf.concat(hs, 0);
        const m = masks?.[l];
        if (m && l < spec.layers - 1) out = tf.mul(out, m);
        input = out;
        inDim = U;
      }
      let logits = tf.matMul(tf.relu(input) as tf.Tensor2D, tf.reshape(ws[3 * spec.layers]!, [U, G]) as tf.Tensor2D);
      if (spec.readoutBias) logits = tf.add(logits, ws[3 * spec.layers + 1]!);
      if (spec.loss === 'crossentropy') {
        const tn = tf.div(ts, tf.sum(ts, 1, true));
        return tf.neg(tf.mean(tf.sum(tf.mul(tn, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      }
      return tf.mean(tf.squaredDifference(tf.sigmoid(logits), ts)) as tf.Scalar;
    };
    const { value, grads } = tf.valueAndGrads(f)(params);
    return { loss: value.dataSync()[0]!, grads: grads.map((g) => Float32Array.from(g.dataSync())) } as unknown as tf.TensorContainer;
  }) as unknown as { loss: number; grads: Float32Array[] };
}

/** Largest |a - b| relative to the largest |b| of the array. */
function relErr(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / Math.max(scale, 1e-30);
}

describe('fused WebAssembly training kernel', () => {
  beforeAll(async () => {
    await useTf('cpu');
    ensureGradients();
  });

  for (const layers of [1, 2]) {
    for (const loss of ['mse', 'crossentropy'] as const) {
      it(`loss and gradients match tfjs autodiff: ${layers} layer(s), ${loss}, dropout masks, units not a multiple of 8`, () => {
        const c = makeCase({ layers, units: 6, G: 5, S: 7, B: 5, loss, dropout: layers > 1, readoutBias: true });
        const ref = autodiffReference(c);
        for (const fma of [false, true]) {
          const k = new FusedLSTMTrainer(c.spec, { shards: 2, fma });
          k.setWeights(c.weights);
          const got = k.lossAndGradients(c.batch);
          expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
          got.grads.forEach((g, i) => expect(relErr(g, ref.grads[i]!), `weight ${i}`).toBeLessThan(1e-5));
          k.dispose();
        }
      });
    }
  }

  for (const loss of ['mse', 'crossentropy'] as const) it(`matches the hand-written tfjs-path gradient (stackLossAndGradients), ${loss}`, () => {
    const c = makeCase({ layers: 2, units: 16, G: 10, S: 12, B: 6, loss, dropout: true, seed: 3 });
    const p = stackTensors(c);
    const before = tf.memory().numTensors;
    const acts = loss === 'mse'
      ? ({ hiddenActivation: 'relu', outputActivation: 'sigmoid', loss: 'sigmoid-mse' } as const)
      : ({ hiddenActivation: 'relu', outputActivation: 'softmax', loss: 'softmax-crossentropy' } as const);
    const ref = stackLossAndGradients(p, acts, c.batch);
    const refGrads = [...ref.grads.layers.flatMap((l) => [l.kernel, l.recurrentKernel, l.bias]), ref.grads.readoutKernel];
    const k = new FusedLSTMTrainer(c.spec, { shards: 3 });
    k.setWeights(c.weights);
    const got = k.lossAndGradients(c.batch);
    expect(Math.abs(got.loss - ref.loss.dataSync()[0]!) / got.loss).toBeLessThan(1e-5);
    refGrads.forEach((g, i) => expect(relErr(got.grads[i]!, g.dataSync() as Float32Array), `weight ${i}`).toBeLessThan(1e-5));
    tf.dispose([ref.loss, ...refGrads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(p.layers).flatMap((l) => [l.kernel, l.recurrentKernel, l.bias]).concat([p.readoutKernel]));
    k.dispose();
  });

  for (const optimizer of ['rmsprop', 'adam', 'sgd'] as const) {
    it(`two ${optimizer} steps agree with tfjs's optimizer`, () => {
      const c = makeCase({ layers: 2, units: 8, G: 6, S: 5, B: 4, loss: 'mse', dropout: true, optimizer, seed: 11 });
      const k = new FusedLSTMTrainer(c.spec, { shards: 2 });
      k.setWeights(c.weights);
      const vars = c.weights.map((w, i) => tf.variable(tf.tensor(w), true, `fused-opt-${optimizer}-${i}`));
      const opt: tf.Optimizer =
        optimizer === 'adam' ? tf.train.adam(1e-2, 0.9, 0.999, 1e-8) : optimizer === 'sgd' ? tf.train.sgd(1e-2) : tf.train.rmsprop(1e-2, 0.99, 0, 1e-16);
      for (let step = 0; step < 2; step++) {
        // the reference gradient from the kernel's own current weights, applied by tfjs
        const { grads } = k.lossAndGradients(c.batch);
        const named: tf.NamedTensorMap = {};
        vars.forEach((v, i) => (named[v.name] = tf.tensor(grads[i]!, v.shape)));
        opt.applyGradients(named);
        tf.dispose(Object.values(named));
        k.step(c.batch);
        const w = k.readWeights();
        vars.forEach((v, i) => {
          const ref = v.dataSync() as Float32Array;
          let worst = 0;
          for (let j = 0; j < ref.length; j++) worst = Math.max(worst, Math.abs(w[i]![j]! - ref[j]!) / Math.max(Math.abs(ref[j]!), 1e-3));
          expect(worst, `step ${step}, weight ${i}`).toBeLessThan(1e-5);
        });
      }
      const st = k.optimizerState();
      expect(st.iterations).toBe(2);
      expect(st.slots.length).toBe(optimizer === 'sgd' ? 0 : 2);
      opt.dispose();
      tf.dispose(vars);
      k.dispose();
    });
  }

  it('gives bit-identical losses and weights with 1, 2 and 3 threads (fixed shards)', () => {
    const c = makeCase({ layers: 2, units: 16, G: 8, S: 9, B: 7, loss: 'mse', dropout: true, seed: 5 });
    const runs = [1, 2, 3].map((threads) => {
      const k = new FusedLSTMTrainer(c.spec, { shards: 3, threads });
      k.setWeights(c.weights);
      const losses = [k.step(c.batch), k.step(c.batch), k.loss(c.batch)];
      const w = k.readWeights();
      const name = k.name;
      const counts = k.shardsByThread();
      k.dispose();
      return { losses, w, name, counts };
    });
    expect(runs[1]!.name).toMatch(/-2t$/);
    // every shard of the 3 passes ran once, on one of the threads
    runs.forEach((r, t) => {
      expect(r.counts.length).toBe(t + 1);
      expect(r.counts.reduce((a, b) => a + b, 0)).toBe(9);
    });
    for (const r of runs.slice(1)) {
      expect(r.losses).toEqual(runs[0]!.losses);
      r.w.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(runs[0]!.w[i]!)));
    }
  });

  it('has relaxed SIMD here, and the fused multiply-add kernel stays within 1e-5 of the plain one', () => {
    expect(wasmRelaxedSimdSupported()).toBe(true);
    const c = makeCase({ layers: 2, units: 8, G: 5, S: 6, B: 3, loss: 'crossentropy', dropout: true });
    const [a, b] = [false, true].map((fma) => {
      const k = new FusedLSTMTrainer(c.spec, { fma });
      k.setWeights(c.weights);
      const r = k.lossAndGradients(c.batch);
      expect(k.name).toBe(fma ? 'wasm-simd-fma' : 'wasm-simd');
      k.dispose();
      return r;
    });
    expect(Math.abs(a!.loss - b!.loss) / a!.loss).toBeLessThan(1e-5);
    a!.grads.forEach((g, i) => expect(relErr(b!.grads[i]!, g)).toBeLessThan(1e-5));
  });

  it('rejects bad input with the field and the fix named', () => {
    const c = makeCase({ layers: 1, units: 4, G: 3, S: 2, B: 2, loss: 'mse', dropout: false });
    expect(() => new FusedLSTMTrainer({ ...c.spec, loss: 'crossentropy' })).toThrow(/softmax/);
    expect(() => new FusedLSTMTrainer(c.spec, { shards: 0 })).toThrow(/shards = 0/);
    const k = new FusedLSTMTrainer(c.spec);
    expect(() => k.setWeights(c.weights.slice(1))).toThrow(/expected 4/);
    k.dispose();
  });

  describe('RePAPModel.train on the kernel', () => {
    const traj = toyTrajectory(40, 4, 4);
    const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
    const split = { train: 24, validation: 8, test: 8 };

    for (const loss of ['sigmoid-mse', 'softmax-crossentropy'] as const) {
      // SGD: RMSprop with its tiny epsilon turns rounding-level differences of near-zero gradients into
      // full-size steps (g / sqrt(mean g^2)), so paths agree only step by step (tested above)
      it(`is the default path and gives the losses of the tfjs fast path (${loss}, dropout, 2 layers, SGD)`, async () => {
        const cfg: Partial<RePAPModelConfig> = { units: 12, layers: 2, dropout: 0.3, loss, seed: 4, optimizer: 'sgd', learningRate: 0.5 };
        const run = async (path?: 'fast') => {
          const m = RePAPModel.create(encoder, cfg);
          const batches: number[] = [];
          const h = await m.train(traj, { epochs: 2, batchSize: 6, split, seed: 9, ...(path ? { path } : {}), onProgress: (p) => void (p.epochEnd || batches.push(p.loss)) });
          const w = m.network.getWeights().map((t) => Float32Array.from(t.dataSync()));
          m.dispose();
          return { h, batches, w };
        };
        const kernel = await run();
        const fast = await run('fast');
        expect(kernel.h.path).toBe('kernel');
        expect(fast.h.path).toBe('fast');
        expect(kernel.batches.length).toBe(8);
        // same data order and dropout masks: the losses agree to float rounding over 8 updates
        kernel.batches.forEach((l, i) => expect(Math.abs(l - fast.batches[i]!) / fast.batches[i]!).toBeLessThan(1e-4));
        for (let e = 0; e < 2; e++) expect(Math.abs(kernel.h.epochs[e]!.valLoss! - fast.h.epochs[e]!.valLoss!) / fast.h.epochs[e]!.valLoss!).toBeLessThan(1e-4);
        kernel.w.forEach((w, i) => expect(relErr(w, fast.w[i]!)).toBeLessThan(1e-3));
      });
    }

    it('refuses path kernel for a GRU, naming the path to use', async () => {
      const m = RePAPModel.create(encoder, { units: 4, cell: 'gru' });
      await expect(m.train(traj, { split, path: 'kernel' })).rejects.toThrow(/path 'generic'/);
      await expect(m.train(traj, { split, path: 'fused' as 'kernel' })).rejects.toThrow(/path = "fused"/);
      m.dispose();
    });
  });
});
