import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ensureLayersCompat } from '../../src/model/tfjs-compat.js';
import { ensureGradients } from '../../src/model/gradients.js';

describe('tfjs-layers on plain tfjs-core (Node)', () => {
  it("a default LSTM (orthogonal initializer, chained tensor methods) builds, predicts and trains after ensureLayersCompat()", async () => {
    await tf.setBackend('cpu');
    ensureLayersCompat();
    expect(typeof (tf.Tensor.prototype as unknown as { flatten: unknown }).flatten).toBe('function');
    const m = tfl.sequential();
    m.add(tfl.layers.lstm({ units: 5, inputShape: [null, 3], returnSequences: true }));
    m.add(tfl.layers.dense({ units: 2 }));
    const rk = tf.reshape(m.layers[0]!.getWeights()[1] as tf.Tensor, [5, 20]) as tf.Tensor2D;
    // orthogonal recurrent kernel: rows orthonormal
    const gram = tf.matMul(rk, rk, false, true);
    const g = gram.dataSync();
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(g[i * 5 + j]!).toBeCloseTo(i === j ? 1 : 0, 4);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tf.randomNormal([4, 6, 3], 0, 1, 'float32', 1);
    const y = tf.randomNormal([4, 6, 2], 0, 1, 'float32', 2);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    expect((h.history.loss as number[])[2]!).toBeLessThan((h.history.loss as number[])[0]!);
    tf.dispose([rk, gram, x, y]);
    m.dispose();
  });

  it('registered gradients match finite differences for the kernels they cover', () => {
    ensureGradients();
    const x = tf.tensor2d([0.3, -0.7, 1.2, 0.1, 0.5, -0.2], [2, 3]);
    const w = tf.tensor2d([0.2, -0.1, 0.4, 0.3, -0.5, 0.6], [3, 2]);
    // a composition of the kernels that tfjs-layers' LSTM, Dense and the MSE loss use
    const target = tf.tensor2d([0.1, 0.5, 0.2, 0.9, 0.3, 0.7, 0.4, 0.6], [4, 2]);
    const f = (a: tf.Tensor): tf.Scalar =>
      tf.tidy(() => {
        const h = tf.tanh(tf.matMul(a as tf.Tensor2D, w));
        const [p, q] = tf.split(tf.concat([tf.sigmoid(h), tf.relu(h)], 1), 2, 1);
        const s = tf.stack([p!, q!]);
        const u = tf.unstack(tf.tile(tf.transpose(s, [0, 2, 1]), [1, 1, 2]));
        const v = tf.slice(tf.reshape(tf.add(u[0]!, tf.mul(u[1]!, 2)), [4, 2]), [0, 0], [4, 2]);
        return tf.mean(tf.squaredDifference(tf.softmax(tf.expandDims(v, 0)), target)) as tf.Scalar;
      });
    const g = tf.grad(f)(x).dataSync();
    const xv = x.dataSync();
    for (let i = 0; i < xv.length; i++) {
      const p = Float32Array.from(xv);
      const m = Float32Array.from(xv);
      p[i]! += 1e-2;
      m[i]! -= 1e-2;
      const fd = (f(tf.tensor2d(p, [2, 3])).dataSync()[0]! - f(tf.tensor2d(m, [2, 3])).dataSync()[0]!) / 2e-2;
      expect(Math.abs(fd - g[i]!)).toBeLessThan(2e-4);
    }
  });
});

describe('in a fresh Node process', () => {
  it('importing repap installs nothing; building a RePAPModel makes default tfjs-layers LSTMs work', async () => {
    const { spawnSync } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const script = `
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-cpu');
      const tfl = await import('@tensorflow/tfjs-layers');
      const repap = await import('./src/index.ts');
      const build = () => { const m = tfl.sequential(); m.add(tfl.layers.lstm({ units: 3, inputShape: [null, 2] })); m.dispose(); return 'ok'; };
      const before = typeof tf.Tensor.prototype.flatten;
      let first; try { first = build(); } catch (e) { first = e.message; }
      const L = 4, F = 4, N = 2;
      const traj = { nFrames: F, nAtoms: N, positions: new Float64Array(F * N * 3).map((_, i) => (i * 0.7) % L),
        cell: [[L,0,0],[0,L,0],[0,0,L]], pbc: [true,true,true], species: ['Si','Si'], info: [{},{},{},{}] };
      repap.RePAPModel.create(repap.AxisProjectionEncoder.fit(traj, { gridSize: 4 }), { units: 2 }).dispose();
      console.log(JSON.stringify({ before, first, after: build() }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(line.startsWith('{'), r.stderr).toBe(true);
    const out = JSON.parse(line);
    expect(out.before).toBe('undefined');
    expect(out.first).toMatch(/flatten is not a function/);
    expect(out.after).toBe('ok');
  }, 60_000);
});
