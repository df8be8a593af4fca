import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel } from '../../src/model/index.js';
import { stackLoss, stackLossAndGradients, type StackTensors, type StackBatch } from '../../src/model/lstm-stack.js';
import { stackTensorsOf } from '../../src/model/network.js';
import { TimeMajorBatcher } from '../../src/model/batches.js';
import { toyTrajectory, useTf } from './fixtures.js';

function randomStack(D: number, U: number, G: number, readoutBias: boolean, seed: number): StackTensors {
  const rn = (shape: number[], s: number) => tf.randomNormal(shape, 0, 0.4, 'float32', seed * 100 + s);
  return {
    layers: [
      { kernel: rn([D, 4 * U], 1), recurrentKernel: rn([U, 4 * U], 2), bias: rn([4 * U], 3) },
      { kernel: rn([U, 4 * U], 4), recurrentKernel: rn([U, 4 * U], 5), bias: rn([4 * U], 6) },
    ],
    readoutKernel: rn([U, G], 7),
    readoutBias: readoutBias ? rn([G], 8) : null,
  };
}

function flatParams(p: StackTensors): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const l of p.layers) out.push(l.kernel, l.recurrentKernel, l.bias);
  out.push(p.readoutKernel);
  if (p.readoutBias) out.push(p.readoutBias);
  return out;
}

function withParam(p: StackTensors, k: number, t: tf.Tensor): StackTensors {
  const flat = flatParams(p);
  flat[k] = t;
  const layers = p.layers.map((_, l) => ({ kernel: flat[3 * l]!, recurrentKernel: flat[3 * l + 1]!, bias: flat[3 * l + 2]! }));
  const n = 3 * p.layers.length;
  return { layers, readoutKernel: flat[n]!, readoutBias: p.readoutBias ? flat[n + 1]! : null };
}

describe('sequence-level LSTM gradient', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  for (const acts of [
    { hiddenActivation: 'relu', outputActivation: 'sigmoid' },
    { hiddenActivation: 'tanh', outputActivation: 'softmax' },
    { hiddenActivation: 'linear', outputActivation: 'linear' },
    { hiddenActivation: 'relu', outputActivation: 'softmax', loss: 'softmax-crossentropy' },
  ] as const) {
    it(`matches central finite differences (${acts.hiddenActivation}/${acts.outputActivation}${'loss' in acts ? `/${acts.loss}` : ''}, dropout masks)`, () => {
      const S = 5;
      const B = 3;
      const G = 3;
      const U = 4;
      const D = G + S;
      const p = randomStack(D, U, G, true, 1);
      const R = S * B;
      const active = new Int32Array(2 * R);
      for (let r = 0; r < R; r++) {
        active[r] = (r * 7) % G;
        active[R + r] = G + Math.floor(r / B);
      }
      const targets = Float32Array.from({ length: R * G }, (_, i) => ((i * 37) % 11) / 11);
      const mask = Float32Array.from({ length: R * U }, (_, i) => ((i * 13) % 3 === 0 ? 0 : 1.5));
      const batch: StackBatch = { steps: S, batch: B, nActive: 2, active, targets, dropoutMasks: [mask] };
      // Finite differences see the same masks: compare against a masked loss.
      const maskedLoss = (q: StackTensors): number => {
        const { loss, grads } = stackLossAndGradients(q, acts, batch);
        const v = loss.dataSync()[0]!;
        tf.dispose([loss, ...flatGrads(grads)]);
        return v;
      };
      const { loss, grads } = stackLossAndGradients(p, acts, batch);
      const g = flatGrads(grads);
      const flat = flatParams(p);
      let worst = 0;
      let scale = 0;
      const eps = 1e-2;
      flat.forEach((w, k) => {
        const vals = w.dataSync();
        const gv = g[k]!.dataSync();
        for (let j = 0; j < vals.length; j += 2) {
          const plus = Float32Array.from(vals);
          plus[j]! += eps;
          const minus = Float32Array.from(vals);
          minus[j]! -= eps;
          const tp = tf.tensor(plus, w.shape);
          const tm = tf.tensor(minus, w.shape);
          const fd = (maskedLoss(withParam(p, k, tp)) - maskedLoss(withParam(p, k, tm))) / (2 * eps);
          tf.dispose([tp, tm]);
          worst = Math.max(worst, Math.abs(fd - gv[j]!));
          scale = Math.max(scale, Math.abs(gv[j]!));
        }
      });
      // float32 central differences with eps 1e-2: truncation ~eps^2 * f''' and rounding ~1e-7 / eps.
      expect(scale).toBeGreaterThan(1e-3);
      expect(worst).toBeLessThan(2e-4);
      expect(stackLoss(p, acts, { ...batch, dropoutMasks: undefined }).dataSync()[0]).not.toBeCloseTo(loss.dataSync()[0]!, 6);
      tf.dispose([loss, ...g, ...flat]);
    });
  }
});

function flatGrads(g: ReturnType<typeof stackLossAndGradients>['grads']): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const l of g.layers) out.push(l.kernel, l.recurrentKernel, l.bias);
  out.push(g.readoutKernel);
  if (g.readoutBias) out.push(g.readoutBias);
  return out;
}

describe('fast path vs the tfjs-layers network (autodiff)', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  for (const readoutBias of [false, true]) {
    it(`same loss and gradients on a tiny model (readoutBias ${readoutBias})`, () => {
      const traj = toyTrajectory(6, 3, 4);
      const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 6 });
      const model = RePAPModel.create(encoder, { units: 5, dropout: 0, readoutBias, seed: 3 });
      const coords = encoder.orderedCoordinates(traj);
      const rows = [0, 2, 3, 5];
      const S = encoder.sequenceLength - 1;
      // Fast path.
      const batcher = new TimeMajorBatcher(encoder, coords, encoder.tokenCells(coords));
      const params = stackTensorsOf(model.network, model.config);
      const { loss, grads } = stackLossAndGradients(
        params,
        { hiddenActivation: 'relu', outputActivation: 'sigmoid' },
        batcher.build(rows, true),
      );
      const fast = flatGrads(grads);
      // Generic path: autodiff through the layers model on encodeBatch() tensors.
      const enc = encoder.encodeBatch(coords, rows);
      const vars = model.network.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads: auto } = tf.variableGrads(() => {
        const x = tf.tensor3d(enc.inputs, [rows.length, S, encoder.inputSize]);
        const y = tf.tensor3d(enc.targets, [rows.length, S, encoder.gridSize]);
        return tf.mean(tf.squaredDifference(model.network.apply(x, { training: false }) as tf.Tensor, y)) as tf.Scalar;
      }, vars);
      expect(loss.dataSync()[0]).toBeCloseTo(value.dataSync()[0]!, 6);
      expect(vars.length).toBe(fast.length);
      let worst = 0;
      let scale = 0;
      vars.forEach((v, i) => {
        const a = auto[v.name]!.dataSync();
        const b = fast[i]!.dataSync();
        expect(b.length).toBe(a.length);
        for (let j = 0; j < a.length; j++) {
          worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
          scale = Math.max(scale, Math.abs(a[j]!));
        }
      });
      expect(scale).toBeGreaterThan(1e-4);
      expect(worst).toBeLessThan(1e-5 * Math.max(1, scale));
      tf.dispose([loss, value, ...fast, ...Object.values(auto)]);
      model.dispose();
    });
  }
});
