/**
 * The generic step engine for any tfjs-layers network (GRU, attention, user
 * models): it keeps each row's token history and, at every step, runs
 * `source.network` on the whole prefix and reads the last time step. This is
 * exact for any architecture (dropout is inactive in `predict`) but costs
 * O(T^2) network steps per structure instead of O(T) — about 45x more for
 * the paper's T = 90 — the way the original RePAP code sampled.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { TokenCodec } from '../encoding/types.js';
import type { StepEngine } from './engine.js';

/** Re-runs `network` on each row's whole prefix at every step (O(T^2); any architecture). */
export class RerunEngine implements StepEngine {
  /** `'rerun'`. */
  readonly name: string = 'rerun';
  private history = new Int32Array(0);
  private rows = 0;
  private readonly T: number;
  private readonly idx = new Int32Array(4096);

  /** @param network maps `[batch, steps, inputSize]` to `[batch, steps, gridSize]`. */
  constructor(private readonly network: LayersModel, private readonly codec: TokenCodec) {
    this.T = codec.sequenceLength;
  }

  ensureRows(rows: number): void {
    if (rows <= this.rows) return;
    const next = new Int32Array(rows * this.T);
    next.set(this.history);
    this.history = next;
    this.rows = rows;
  }

  reset(r0: number, n: number): void {
    this.history.fill(0, r0 * this.T, (r0 + n) * this.T);
  }

  copyRows(from: number, to: number, n: number): void {
    this.history.copyWithin(to * this.T, from * this.T, (from + n) * this.T);
  }

  step(r0: number, n: number, step: number, cells: Int32Array, out: Float32Array): void {
    const { codec, T, history, idx } = this;
    const I = codec.inputSize;
    const G = codec.gridSize;
    const steps = step + 1;
    const input = new Float32Array(n * steps * I);
    for (let i = 0; i < n; i++) {
      const h = (r0 + i) * T;
      history[h + step] = cells[i];
      for (let t = 0; t < steps; t++) {
        const m = codec.activeInputs(t, history[h + t], idx);
        const base = (i * steps + t) * I;
        for (let a = 0; a < m; a++) input[base + idx[a]] += 1;
      }
    }
    const last = tf.tidy(() => {
      const x = tf.tensor3d(input, [n, steps, I]);
      const y = this.network.predict(x) as tf.Tensor;
      return tf.reshape(tf.slice(y, [0, steps - 1, 0], [n, 1, G]), [n, G]);
    });
    const data = last.dataSync() as Float32Array;
    out.set(data.subarray(0, n * G));
    last.dispose();
  }

  dispose(): void {
    this.history = new Int32Array(0);
    this.rows = 0;
  }
}
