/**
 * The LSTM stack's cell equations as tfjs ops on the active tfjs backend
 * (cpu, wasm, webgl, webgpu, node). Row states live in typed arrays; each step
 * uploads the states of the rows it advances, runs one fused tidy block
 * (gather-sum of input kernel rows, one matMul per layer and gate, read-out),
 * and reads the new states and the read-out back in one read: synchronously
 * (`step`), or, on a backend that cannot read synchronously (webgpu in Node,
 * which has no OffscreenCanvas), with `await tensor.data()` (`stepAsync`).
 * No tensor outlives a step.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TokenCodec } from '../encoding/types.js';
import type { RecurrentStackWeights } from '../model/weights.js';
import { HostStateEngine, outputActivation, type StepEngine } from './engine.js';

/** LSTM stack + read-out stepped with tfjs ops (any backend). */
export class TfjsStackEngine extends HostStateEngine implements StepEngine {
  /** `'tfjs-<backend>'`. */
  readonly name: string;
  private readonly idx = new Int32Array(4096);
  private weights: { k: tf.Tensor2D; r: tf.Tensor2D; b: tf.Tensor1D; U: number; hard: boolean }[] = [];
  private dense: tf.Tensor2D | null = null;
  private denseBias: tf.Tensor1D | null = null;

  /**
   * {@link TfjsStackEngine.step} reading each step's result with `await tensor.data()`; same ops, same
   * values. Defined only when the engine reads asynchronously (see the constructor), so that the sampler
   * awaits it there and steps synchronously everywhere else.
   */
  readonly stepAsync?: (r0: number, n: number, step: number, cells: Int32Array, out: Float32Array) => Promise<void>;

  /**
   * @param weights validated with `checkStackWeights`.
   * @param options.asyncReads read each step with `await tensor.data()` (defines `stepAsync`). Default:
   *   on webgpu, whose synchronous reads (through an `OffscreenCanvas`) are missing in Node and gave wrong
   *   values in chromium on SwiftShader; elsewhere synchronous reads are as fast and stay the default.
   */
  constructor(
    private readonly w: RecurrentStackWeights,
    private readonly codec: TokenCodec,
    options: { asyncReads?: boolean } = {},
  ) {
    super(w.layers.map((L) => L.units));
    this.name = `tfjs-${tf.getBackend()}`;
    if (options.asyncReads ?? !syncReadsPossible()) this.stepAsync = (r0, n, step, cells, out) => this.readAsync(r0, n, step, cells, out);
    this.weights = w.layers.map((L) => ({
      k: tf.tensor2d(L.kernel, [L.inputDim, 4 * L.units]),
      r: tf.tensor2d(L.recurrentKernel, [L.units, 4 * L.units]),
      b: tf.tensor1d(L.bias),
      U: L.units,
      hard: L.recurrentActivation === 'hardSigmoid',
    }));
    const last = w.layers[w.layers.length - 1].units;
    this.dense = tf.tensor2d(w.readout.kernel, [last, w.readout.outDim]);
    this.denseBias = w.readout.bias ? tf.tensor1d(w.readout.bias) : null;
  }

  step(r0: number, n: number, step: number, cells: Int32Array, out: Float32Array): void {
    const result = this.advance(r0, n, step, cells);
    try {
      this.unpack(r0, n, result.dataSync() as Float32Array, out);
    } finally {
      result.dispose();
    }
  }

  private async readAsync(r0: number, n: number, step: number, cells: Int32Array, out: Float32Array): Promise<void> {
    const result = this.advance(r0, n, step, cells);
    try {
      this.unpack(r0, n, (await result.data()) as Float32Array, out);
    } finally {
      result.dispose();
    }
  }

  /** Writes the new states (first `stateSize` columns of `data`) back and the outputs (the rest) to `out`. */
  private unpack(r0: number, n: number, data: Float32Array, out: Float32Array): void {
    const S = this.stateSize;
    const G = this.codec.gridSize;
    const W = S + G;
    for (let i = 0; i < n; i++) {
      this.state.set(data.subarray(i * W, i * W + S), (r0 + i) * S);
      out.set(data.subarray(i * W + S, (i + 1) * W), i * G);
      outputActivation(this.w.readout.outputActivation, out, i * G, G);
    }
  }

  /**
   * Runs one step as tfjs ops on rows `r0 .. r0 + n - 1` and returns one `[n, stateSize + gridSize]` tensor:
   * each row's new state, then its read-out before the output activation (one read per step).
   */
  private advance(r0: number, n: number, step: number, cells: Int32Array): tf.Tensor {
    const { codec, idx, stateSize: S } = this;
    // active input indices, padded to the same count per row
    const lists: number[][] = [];
    let maxA = 0;
    for (let i = 0; i < n; i++) {
      const m = codec.activeInputs(step, cells[i], idx);
      lists.push(Array.from(idx.subarray(0, m)));
      maxA = Math.max(maxA, m);
    }
    const gatherIdx = new Int32Array(n * maxA);
    const gatherW = new Float32Array(n * maxA);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < lists[i].length; a++) {
        gatherIdx[i * maxA + a] = lists[i][a];
        gatherW[i * maxA + a] = 1;
      }
    }
    const states = this.state.subarray(r0 * S, (r0 + n) * S);
    return tf.tidy(() => {
      const st = tf.tensor2d(states, [n, S]);
      const outs: tf.Tensor[] = [];
      let x: tf.Tensor2D | null = null;
      for (let l = 0; l < this.weights.length; l++) {
        const W = this.weights[l];
        const U = W.U;
        const h = tf.slice(st, [0, this.offsets[l]], [n, U]);
        const c = tf.slice(st, [0, this.offsets[l] + U], [n, U]);
        let z: tf.Tensor2D;
        if (l === 0) {
          const rowsG = tf.reshape(tf.gather(W.k, tf.tensor1d(gatherIdx, 'int32')), [n, maxA, 4 * U]);
          z = tf.sum(tf.mul(rowsG, tf.tensor3d(gatherW, [n, maxA, 1])), 1) as tf.Tensor2D;
        } else {
          z = tf.matMul(x!, W.k);
        }
        z = tf.add(tf.add(z, tf.matMul(h, W.r)), W.b);
        const gate = (t: tf.Tensor) => (W.hard ? tf.clipByValue(tf.add(tf.mul(t, 0.2), 0.5), 0, 1) : tf.sigmoid(t));
        const [zi, zf, zc, zo] = tf.split(z, 4, 1);
        const cNew = tf.add(tf.mul(gate(zf), c), tf.mul(gate(zi), tf.tanh(zc)));
        const hNew = tf.mul(gate(zo), tf.tanh(cNew)) as tf.Tensor2D;
        outs.push(hNew, cNew);
        x = hNew;
      }
      const ro = this.w.readout;
      const a = ro.hiddenActivation === 'relu' ? tf.relu(x!) : ro.hiddenActivation === 'tanh' ? tf.tanh(x!) : x!;
      let y = tf.matMul(a, this.dense!);
      if (this.denseBias) y = tf.add(y, this.denseBias);
      outs.push(y);
      return tf.concat(outs, 1);
    });
  }

  dispose(): void {
    for (const W of this.weights) {
      W.k.dispose();
      W.r.dispose();
      W.b.dispose();
    }
    this.weights = [];
    this.dense?.dispose();
    this.denseBias?.dispose();
    this.dense = null;
    this.denseBias = null;
    this.releaseState();
  }
}

/**
 * Whether the active backend reads tensors synchronously (`dataSync`) and correctly. All tfjs backends do,
 * except webgpu: it reads synchronously by drawing the buffer into an `OffscreenCanvas` (missing in Node),
 * and in chromium on SwiftShader that path returned wrong states and outputs (the demo page sampled pairs
 * 0.27 Å apart with the shipped model; `network.predict` read with `await data()` agreed with cpu to 5e-7).
 * So webgpu always reads with `await tensor.data()`: the same structures as cpu for the same seed, slower.
 */
function syncReadsPossible(): boolean {
  return tf.getBackend() !== 'webgpu';
}
