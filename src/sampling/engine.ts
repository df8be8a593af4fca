/**
 * Step engines: what runs the network one step at a time for a batch of rows.
 * The sampler drives an engine; engines differ only in speed.
 *
 * - {@link JsStackEngine}: plain typed-array LSTM cell equations (reference; any activation).
 * - `WasmStackEngine`: the same equations in a generated WebAssembly SIMD kernel (the fast path).
 * - `TfjsStackEngine`: the same equations as tfjs ops (runs on the active tfjs backend).
 * - `RerunEngine`: any tfjs-layers network, re-running the whole prefix each step (O(T^2)).
 *
 * @module
 */
import type { TokenCodec } from '../encoding/types.js';
import type { RecurrentStackWeights } from '../model/weights.js';

/**
 * Runs a recurrent network one step at a time for rows of a batch, carrying
 * each row's state. Rows are numbered `0 .. capacity - 1`; the sampler uses
 * several row ranges (live rows, checkpoints, retries) and copies states
 * between them to rewind.
 */
export interface StepEngine {
  /** Engine name for logs and benchmark tables. */
  readonly name: string;
  /** Makes rows `0 .. rows - 1` usable (keeps existing states). */
  ensureRows(rows: number): void;
  /** Sets rows `r0 .. r0 + n - 1` to the initial (zero) state. */
  reset(r0: number, n: number): void;
  /** Copies the states of rows `from .. from + n - 1` onto rows `to .. to + n - 1` (ranges must not overlap). */
  copyRows(from: number, to: number, n: number): void;
  /**
   * Feeds token `step` (grid cell `cells[i]` for row `r0 + i`) to rows
   * `r0 .. r0 + n - 1`, advances their states, and writes the network output
   * (after the output activation) for the next token to `out[i * gridSize + g]`.
   */
  step(r0: number, n: number, step: number, cells: Int32Array, out: Float32Array): void;
  /**
   * Optional: the same as {@link StepEngine.step} with identical results, for
   * engines that read their results asynchronously (tfjs ops on a GPU
   * backend; webgpu in Node cannot read synchronously at all). The sampler
   * awaits it when present and calls `step` otherwise.
   */
  stepAsync?(r0: number, n: number, step: number, cells: Int32Array, out: Float32Array): Promise<void>;
  /** Releases memory (tensors, WebAssembly instances, workers). */
  dispose(): void;
}

/** Checks a weight set against the codec; returns a message naming the mismatch, or null. */
export function checkStackWeights(w: RecurrentStackWeights, codec: TokenCodec): string | null {
  if (w.cell !== 'lstm') return `stackWeights().cell is '${w.cell}'; only 'lstm' has a fast path`;
  if (w.layers.length < 1) return 'stackWeights().layers is empty';
  let inDim = codec.inputSize;
  for (let l = 0; l < w.layers.length; l++) {
    const L = w.layers[l];
    const U = L.units;
    if (L.inputDim !== inDim) return `stackWeights().layers[${l}].inputDim is ${L.inputDim}, expected ${inDim}`;
    if (L.kernel.length !== inDim * 4 * U) return `stackWeights().layers[${l}].kernel has ${L.kernel.length} values, expected ${inDim}x${4 * U}`;
    if (L.recurrentKernel.length !== U * 4 * U) return `stackWeights().layers[${l}].recurrentKernel has ${L.recurrentKernel.length} values, expected ${U}x${4 * U}`;
    if (L.bias.length !== 4 * U) return `stackWeights().layers[${l}].bias has ${L.bias.length} values, expected ${4 * U}`;
    inDim = U;
  }
  const r = w.readout;
  if (r.outDim !== codec.gridSize) return `stackWeights().readout.outDim is ${r.outDim}, expected the grid size ${codec.gridSize}`;
  if (r.kernel.length !== inDim * r.outDim) return `stackWeights().readout.kernel has ${r.kernel.length} values, expected ${inDim}x${r.outDim}`;
  if (r.bias !== null && r.bias.length !== r.outDim) return `stackWeights().readout.bias has ${r.bias.length} values, expected ${r.outDim}`;
  return null;
}

/** Applies the read-out output activation to `out[off .. off + G)` in place (exact Math.exp). */
export function outputActivation(kind: 'sigmoid' | 'softmax' | 'linear', out: Float32Array, off: number, G: number): void {
  if (kind === 'sigmoid') {
    for (let g = 0; g < G; g++) out[off + g] = 1 / (1 + Math.exp(-out[off + g]));
  } else if (kind === 'softmax') {
    let m = -Infinity;
    for (let g = 0; g < G; g++) if (out[off + g] > m) m = out[off + g];
    let s = 0;
    for (let g = 0; g < G; g++) {
      const e = Math.exp(out[off + g] - m);
      out[off + g] = e;
      s += e;
    }
    for (let g = 0; g < G; g++) out[off + g] /= s;
  }
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
function hardSigmoid(x: number): number {
  const y = 0.2 * x + 0.5;
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

/**
 * Per-row LSTM state (h then c of every layer) kept in one host array, with the
 * row bookkeeping a {@link StepEngine} needs; the engines that step on the host
 * or read their state back every step extend it.
 */
export abstract class HostStateEngine {
  protected state = new Float32Array(0);
  protected rows = 0;
  /** Floats of state per row. */
  protected readonly stateSize: number;
  /** Offset of each layer's h (its c follows) within a row's state. */
  protected readonly offsets: number[] = [];

  constructor(units: readonly number[]) {
    let s = 0;
    for (const u of units) {
      this.offsets.push(s);
      s += 2 * u; // h then c
    }
    this.stateSize = s;
  }

  ensureRows(rows: number): void {
    if (rows <= this.rows) return;
    const next = new Float32Array(rows * this.stateSize);
    next.set(this.state);
    this.state = next;
    this.rows = rows;
  }

  reset(r0: number, n: number): void {
    this.state.fill(0, r0 * this.stateSize, (r0 + n) * this.stateSize);
  }

  copyRows(from: number, to: number, n: number): void {
    const S = this.stateSize;
    this.state.copyWithin(to * S, from * S, (from + n) * S);
  }

  /** Frees the host state. */
  protected releaseState(): void {
    this.state = new Float32Array(0);
    this.rows = 0;
  }
}

/**
 * The LSTM stack + read-out in plain JavaScript on typed arrays: the input
 * projection of layer 1 is a gather of kernel rows (the input is a sum of
 * one-hots), then per step one recurrent product per layer. Portable
 * reference; about 1 GFLOP/s.
 */
export class JsStackEngine extends HostStateEngine implements StepEngine {
  /** `'js'`. */
  readonly name: string = 'js';
  private readonly z: Float32Array;
  private readonly idx = new Int32Array(4096);
  private readonly act: Float32Array;

  /** @param weights validated with {@link checkStackWeights}. */
  constructor(private readonly weights: RecurrentStackWeights, private readonly codec: TokenCodec) {
    super(weights.layers.map((L) => L.units));
    const maxU = Math.max(...weights.layers.map((L) => L.units));
    this.z = new Float32Array(4 * maxU);
    this.act = new Float32Array(maxU);
  }

  step(r0: number, n: number, step: number, cells: Int32Array, out: Float32Array): void {
    const { weights, codec, z, idx, state, stateSize: S } = this;
    const G = codec.gridSize;
    const ro = weights.readout;
    for (let i = 0; i < n; i++) {
      const base = (r0 + i) * S;
      const nActive = codec.activeInputs(step, cells[i], idx);
      let prevH = -1;
      for (let l = 0; l < weights.layers.length; l++) {
        const L = weights.layers[l];
        const U = L.units;
        const U4 = 4 * U;
        const hOff = base + this.offsets[l];
        const cOff = hOff + U;
        for (let j = 0; j < U4; j++) z[j] = L.bias[j];
        if (l === 0) {
          for (let a = 0; a < nActive; a++) {
            const row = idx[a] * U4;
            for (let j = 0; j < U4; j++) z[j] += L.kernel[row + j];
          }
        } else {
          for (let k = 0; k < L.inputDim; k++) {
            const x = state[prevH + k];
            if (x === 0) continue;
            const row = k * U4;
            for (let j = 0; j < U4; j++) z[j] += x * L.kernel[row + j];
          }
        }
        for (let k = 0; k < U; k++) {
          const x = state[hOff + k];
          if (x === 0) continue;
          const row = k * U4;
          for (let j = 0; j < U4; j++) z[j] += x * L.recurrentKernel[row + j];
        }
        const gate = L.recurrentActivation === 'sigmoid' ? sigmoid : hardSigmoid;
        for (let u = 0; u < U; u++) {
          const ig = gate(z[u]);
          const fg = gate(z[U + u]);
          const cg = Math.tanh(z[2 * U + u]);
          const og = gate(z[3 * U + u]);
          const c = fg * state[cOff + u] + ig * cg;
          state[cOff + u] = c;
          state[hOff + u] = og * Math.tanh(c);
        }
        prevH = hOff;
      }
      // read-out
      const lastU = weights.layers[weights.layers.length - 1].units;
      const act = this.act;
      for (let k = 0; k < lastU; k++) {
        const h = state[prevH + k];
        act[k] = ro.hiddenActivation === 'relu' ? (h > 0 ? h : 0) : ro.hiddenActivation === 'tanh' ? Math.tanh(h) : h;
      }
      const o = i * G;
      for (let g = 0; g < G; g++) out[o + g] = ro.bias ? ro.bias[g] : 0;
      for (let k = 0; k < lastU; k++) {
        const a = act[k];
        if (a === 0) continue;
        const row = k * G;
        for (let g = 0; g < G; g++) out[o + g] += a * ro.kernel[row + g];
      }
      outputActivation(ro.outputActivation, out, o, G);
    }
  }

  dispose(): void {
    this.releaseState();
  }
}
