/**
 * The fast step engine: the LSTM stack + read-out in a WebAssembly SIMD
 * kernel generated for the network's shapes (see `wasm-kernel.ts`).
 *
 * Per step and row block (128 rows, so the block's states stay in L2): layer
 * 1's pre-activations are the bias plus a gather of input-kernel rows (the
 * input is a sum of one-hots, so there is no input product); then one product
 * per layer (`[h_1 | h_2] · [K_2; R_2]` fuses layer 2's two products), the cell
 * update with rational tanh / sigmoid (a few float32 ulp), ReLU and the
 * read-out product. The read-out's output activation uses exact `Math.exp`.
 *
 * With `threads > 1` (Node), the rows of every step are split between the
 * calling thread and `worker_threads` sharing the WebAssembly memory,
 * synchronised with `Atomics` once per step.
 *
 * @module
 */
import type { TokenCodec } from '../encoding/types.js';
import type { RecurrentStackWeights } from '../model/weights.js';
import { outputActivation, type StepEngine } from './engine.js';
import { assemble } from '../wasm/emit.js';
import { wasmRelaxedSimdSupported, wasmSimdSupported } from '../wasm/detect.js';
import { hOffset, kernelFunctions, packPanels, PANEL, type KernelShape } from './wasm-kernel.js';

const PAGE = 65536;
/** Rows per block (bounded scratch, cache-friendly). */
const BLOCK = 128;
/** Largest number of active inputs per step. */
const MAX_ACTIVE = 32;
/** Control block (int32 words): [wake, chunksDone, stateBase, idxBase, nIdx, outBase, r0, n, quit, error, nChunks << 16 | next, -, chunk]. */
const CTL = 0;

export { wasmRelaxedSimdSupported, wasmSimdSupported };

interface Layout {
  shape: KernelShape;
  weightBytes: number;
  scratchZ: number[];
  scratchA: number[];
  fixedEnd: number;
  nLayers: number;
}

type Exports = Record<string, (...a: number[]) => void>;

/**
 * Runs rows `r0 .. r0 + n - 1` through one step. Self-contained (no closure
 * over module scope): its source is also run inside worker threads.
 */
function runRows(ex: Exports, nLayers: number, S: number, gp: number, block: number,
  stateBase: number, idxBase: number, nIdx: number, outBase: number, zBase: number, aBase: number, r0: number, n: number): void {
  for (let c = r0; c < r0 + n; c += block) {
    const m = Math.min(block, r0 + n - c);
    const st = stateBase + c * S * 4;
    ex.init0(zBase, idxBase + c * nIdx * 4, nIdx, m);
    ex.gemm0(st, zBase, m);
    ex.gates0(zBase, st, m);
    for (let l = 1; l < nLayers; l++) {
      ex['init' + l](zBase, m);
      ex['gemm' + l](st, zBase, m);
      ex['gates' + l](zBase, st, m);
    }
    ex.relu(st, aBase, m);
    const o = outBase + c * gp * 4;
    ex.initro(o, m);
    ex.gemmro(aBase, o, m);
  }
}

/**
 * Claims row chunks of the current step until none is left: the word
 * `ctl[10] = nChunks << 16 | next` is advanced with compareExchange, so a
 * thread that is descheduled simply takes fewer chunks (no static split to
 * wait for on a shared machine). A step is published (params, then the word)
 * only after every chunk of the previous one is done, so a stale reader sees
 * `next == nChunks` and takes nothing. Self-contained apart from `runRows`:
 * both declarations are copied into the worker source by their (possibly
 * minified) names.
 */
function claimChunks(ctl: Int32Array, ex: Exports, nLayers: number, S: number, gp: number, zBase: number, aBase: number): void {
  for (;;) {
    const cur = Atomics.load(ctl, 10);
    const nChunks = cur >>> 16, next = cur & 0xffff;
    if (next >= nChunks) return;
    if (Atomics.compareExchange(ctl, 10, cur, cur + 1) !== cur) continue;
    const r0 = Atomics.load(ctl, 6), n = Atomics.load(ctl, 7), chunk = Atomics.load(ctl, 12);
    const a = r0 + next * chunk;
    const m = Math.min(chunk, r0 + n - a);
    try {
      runRows(ex, nLayers, S, gp, chunk, Atomics.load(ctl, 2), Atomics.load(ctl, 3), Atomics.load(ctl, 4), Atomics.load(ctl, 5), zBase, aBase, a, m);
    } catch {
      Atomics.store(ctl, 9, 1);
    }
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
}

const WORKER_SOURCE = `
${runRows.toString()}
${claimChunks.toString()}
{
  const __repapData = require('node:worker_threads').workerData;
  const __repapEx = new WebAssembly.Instance(__repapData.module, { env: { memory: __repapData.memory } }).exports;
  const __repapCtl = new Int32Array(__repapData.memory.buffer, ${CTL}, 16);
  let __repapSeen = 0;
  for (;;) {
    Atomics.wait(__repapCtl, 0, __repapSeen);
    __repapSeen = Atomics.load(__repapCtl, 0);
    if (Atomics.load(__repapCtl, 8) !== 0) break;
    ${claimChunks.name}(__repapCtl, __repapEx, __repapData.nLayers, __repapData.S, __repapData.gp, __repapData.zBase, __repapData.aBase);
  }
}
`;

const moduleCache = new Map<string, WebAssembly.Module>();

function pad4(x: number): number {
  return Math.ceil(x / 4) * 4;
}

/** The WebAssembly SIMD engine (see the module comment). */
export class WasmStackEngine implements StepEngine {
  /** `'wasm-simd'` or `'wasm-simd-<threads>t'`. */
  readonly name: string;
  private readonly layout: Layout;
  private readonly memory: WebAssembly.Memory;
  private readonly ex: Exports;
  private capacity = 0;
  private stateBase = 0;
  private idxBase = 0;
  private outBase = 0;
  private f32!: Float32Array;
  private i32!: Int32Array;
  private readonly idx = new Int32Array(4096);
  private tmpIdx = new Int32Array(0);
  private tmpCounts = new Int32Array(0);
  private threads: number;
  private workers: { terminate(): Promise<number> }[] = [];
  private ctl: Int32Array | null = null;
  private readonly G: number;
  private readonly outKind: 'sigmoid' | 'softmax' | 'linear';
  private readonly zeroRow: number;

  /** Rows per register tile of the generated matrix product (tuning knob; null = 4). */
  static rowTile: number | null = null;

  /** Row chunks per thread and step when threads > 1 (tuning knob: more balance against more weight traffic). */
  static chunksPerThread = 4;

  /** Whether to use fused multiply-add when the runtime has relaxed SIMD (tuning knob; null = yes). */
  static fma: boolean | null = null;

  /** True when `w` fits this engine: sigmoid gates with tanh cell activations. */
  static supports(w: RecurrentStackWeights): boolean {
    return w.cell === 'lstm' && w.layers.every((L) => L.activation === 'tanh' && L.recurrentActivation === 'sigmoid');
  }

  /** @param weights validated with `checkStackWeights` and {@link WasmStackEngine.supports}. */
  constructor(private readonly weights: RecurrentStackWeights, private readonly codec: TokenCodec, options: { threads?: number } = {}) {
    const threads = options.threads ?? 1;
    const canThread = threads > 1 && typeof SharedArrayBuffer !== 'undefined' && typeof process !== 'undefined' && !!process.versions?.node;
    this.threads = canThread ? threads : 1;
    this.name = this.threads > 1 ? `wasm-simd-${this.threads}t` : 'wasm-simd';
    this.G = codec.gridSize;
    this.outKind = weights.readout.outputActivation;
    const up = weights.layers.map((L) => pad4(L.units));
    const gp = Math.ceil(this.G / PANEL) * PANEL;
    const sumUp = up.reduce((a, b) => a + b, 0);
    const S = 2 * sumUp;
    // weights
    let at = 64;
    const take = (floats: number) => {
      const a = at;
      at += Math.ceil((floats * 4) / 16) * 16;
      return a;
    };
    const inputDim = weights.layers[0].inputDim;
    this.zeroRow = inputDim;
    const k0 = take((inputDim + 1) * 4 * up[0]);
    const w: number[] = [], b: number[] = [];
    up.forEach((U, l) => {
      const K = l === 0 ? U : up[l - 1] + U;
      w.push(take(K * 4 * U));
      b.push(take(4 * U));
    });
    const ro = take(up[up.length - 1] * gp);
    const rob = take(gp);
    const weightEnd = at;
    const shape: KernelShape = { up, gp, s: S, k0, w, b, ro, rob, rt: 4, fma: (WasmStackEngine.fma ?? true) && wasmRelaxedSimdSupported() };
    // 4 rows x 8 columns: 8 accumulator chains; 6 rows (12 chains) measured no faster with fused multiply-add
    (shape as { rt: number }).rt = WasmStackEngine.rowTile ?? 4;
    const scratchZ: number[] = [], scratchA: number[] = [];
    const maxU4 = 4 * Math.max(...up);
    for (let t = 0; t < this.threads; t++) {
      scratchZ.push(take(BLOCK * maxU4));
      scratchA.push(take(BLOCK * up[up.length - 1]));
    }
    this.layout = { shape, weightBytes: weightEnd, scratchZ, scratchA, fixedEnd: at, nLayers: up.length };
    const key = JSON.stringify(shape) + (this.threads > 1 ? 'shared' : '');
    let mod = moduleCache.get(key);
    if (!mod) {
      const bytes = assemble(kernelFunctions(shape), { initial: 1, maximum: this.threads > 1 ? 65536 : undefined, shared: this.threads > 1 });
      mod = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      if (moduleCache.size > 16) moduleCache.clear();
      moduleCache.set(key, mod);
    }
    const pages = Math.ceil(at / PAGE) + 1;
    this.memory = this.threads > 1
      ? new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor)
      : new WebAssembly.Memory({ initial: pages });
    this.ex = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.refreshViews();
    this.packWeights(up, gp, shape);
    this.ensureRows(1);
    if (this.threads > 1) this.startWorkers(mod);
  }

  private refreshViews(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }

  private packWeights(up: number[], gp: number, shape: KernelShape): void {
    const f = this.f32;
    const W = this.weights;
    // layer 1 input kernel: rows of 4 up_0, gate blocks padded; one extra zero row
    const L0 = W.layers[0];
    const U0 = L0.units, P0 = up[0];
    for (let i = 0; i < L0.inputDim; i++) {
      for (let g = 0; g < 4; g++) {
        for (let u = 0; u < U0; u++) f[shape.k0 / 4 + i * 4 * P0 + g * P0 + u] = L0.kernel[i * 4 * U0 + g * U0 + u];
      }
    }
    W.layers.forEach((L, l) => {
      const U = L.units, P = up[l];
      const col = (n: number) => {
        const g = Math.floor(n / P), u = n % P;
        return u < U ? g * U + u : -1;
      };
      const Kprev = l === 0 ? 0 : up[l - 1];
      const Uprev = l === 0 ? 0 : W.layers[l - 1].units;
      packPanels((k, n) => {
        const c = col(n);
        if (c < 0) return 0;
        if (k < Kprev) return k < Uprev ? L.kernel[k * 4 * U + c] : 0; // input part (layer >= 2)
        const kr = k - Kprev;
        return kr < U ? L.recurrentKernel[kr * 4 * U + c] : 0;
      }, Kprev + P, 4 * P, f, shape.w[l] / 4);
      for (let n = 0; n < 4 * P; n++) {
        const c = col(n);
        f[shape.b[l] / 4 + n] = c < 0 ? 0 : L.bias[c];
      }
    });
    const R = W.readout;
    const UL = W.layers[W.layers.length - 1].units;
    packPanels((k, n) => (k < UL && n < R.outDim ? R.kernel[k * R.outDim + n] : 0), up[up.length - 1], gp, f, shape.ro / 4);
    for (let n = 0; n < gp; n++) f[shape.rob / 4 + n] = R.bias && n < R.outDim ? R.bias[n] : 0;
  }

  private startWorkers(mod: WebAssembly.Module): void {
    // Node only: resolved lazily so that bundles for browsers never load it
    const req = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process?.getBuiltinModule;
    const wt = (req ? req('node:worker_threads') : null) as typeof import('node:worker_threads') | null;
    if (!wt) {
      this.threads = 1;
      return;
    }
    this.ctl = new Int32Array(this.memory.buffer, CTL, 16);
    const { shape, nLayers } = this.layout;
    for (let t = 1; t < this.threads; t++) {
      const worker = new wt.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: mod, memory: this.memory, nLayers, S: shape.s, gp: shape.gp,
          zBase: this.layout.scratchZ[t], aBase: this.layout.scratchA[t],
        },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  ensureRows(rows: number): void {
    if (rows <= this.capacity) return;
    const cap = Math.max(rows, 2 * this.capacity);
    const { shape, fixedEnd } = this.layout;
    const idxBase = fixedEnd;
    const outBase = idxBase + cap * MAX_ACTIVE * 4;
    const stateBase = outBase + cap * shape.gp * 4;
    const end = stateBase + cap * shape.s * 4;
    const need = Math.ceil(end / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) this.memory.grow(need);
    this.refreshViews();
    if (this.capacity > 0) {
      this.f32.copyWithin(stateBase / 4, this.stateBase / 4, this.stateBase / 4 + this.capacity * shape.s);
    }
    this.f32.fill(0, stateBase / 4 + this.capacity * shape.s, end / 4);
    this.idxBase = idxBase;
    this.outBase = outBase;
    this.stateBase = stateBase;
    this.capacity = cap;
  }

  reset(r0: number, n: number): void {
    const S = this.layout.shape.s;
    const b = this.stateBase / 4;
    this.f32.fill(0, b + r0 * S, b + (r0 + n) * S);
  }

  copyRows(from: number, to: number, n: number): void {
    const S = this.layout.shape.s;
    const b = this.stateBase / 4;
    this.f32.copyWithin(b + to * S, b + from * S, b + (from + n) * S);
  }

  step(r0: number, n: number, step: number, cells: Int32Array, out: Float32Array): void {
    const { codec, idx, i32, f32, G } = this;
    // active inputs of every row, padded with the zero row to the same count nIdx;
    // row r0 + i at word idxBase / 4 + r0 * MAX_ACTIVE + i * nIdx
    let nIdx = 0;
    const tmp = this.tmpIdx.length >= n * MAX_ACTIVE ? this.tmpIdx : (this.tmpIdx = new Int32Array(n * MAX_ACTIVE));
    const counts = this.tmpCounts.length >= n ? this.tmpCounts : (this.tmpCounts = new Int32Array(n));
    for (let i = 0; i < n; i++) {
      const m = codec.activeInputs(step, cells[i], idx);
      if (m > MAX_ACTIVE) throw new Error(`wasm engine: the codec activates ${m} inputs at step ${step}; at most ${MAX_ACTIVE} are supported (use engine 'js')`);
      counts[i] = m;
      for (let a = 0; a < m; a++) tmp[i * MAX_ACTIVE + a] = idx[a];
      if (m > nIdx) nIdx = m;
    }
    const base = this.idxBase / 4 + r0 * MAX_ACTIVE;
    for (let i = 0; i < n; i++) {
      const o = base + i * nIdx;
      const m = counts[i];
      for (let a = 0; a < nIdx; a++) i32[o + a] = a < m ? tmp[i * MAX_ACTIVE + a] : this.zeroRow;
    }
    const { shape, nLayers, scratchZ, scratchA } = this.layout;
    const idxBase = this.idxBase + r0 * (MAX_ACTIVE - nIdx) * 4;
    if (this.threads > 1 && n >= 2 * this.threads && n <= 65535 * 8 && this.ctl) {
      const ctl = this.ctl;
      // chunks: about chunksPerThread per thread, at most BLOCK rows, at least 8
      const chunk = Math.max(8, Math.min(BLOCK, Math.ceil(n / (WasmStackEngine.chunksPerThread * this.threads))));
      const nChunks = Math.ceil(n / chunk);
      Atomics.store(ctl, 1, 0);
      Atomics.store(ctl, 9, 0);
      Atomics.store(ctl, 2, this.stateBase);
      Atomics.store(ctl, 3, idxBase);
      Atomics.store(ctl, 4, nIdx);
      Atomics.store(ctl, 5, this.outBase);
      Atomics.store(ctl, 6, r0);
      Atomics.store(ctl, 7, n);
      Atomics.store(ctl, 12, chunk);
      Atomics.store(ctl, 10, (nChunks << 16) | 0);
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      claimChunks(ctl, this.ex, nLayers, shape.s, shape.gp, scratchZ[0], scratchA[0]);
      for (;;) {
        const done = Atomics.load(ctl, 1);
        if (done >= nChunks) break;
        if (Atomics.wait(ctl, 1, done, 60000) === 'timed-out') throw new Error('wasm engine: a worker thread did not answer within 60 s');
      }
      if (Atomics.load(ctl, 9) !== 0) throw new Error('wasm engine: a worker thread failed');
    } else {
      runRows(this.ex, nLayers, shape.s, shape.gp, BLOCK, this.stateBase, idxBase, nIdx, this.outBase, scratchZ[0], scratchA[0], r0, n);
    }
    const ob = this.outBase / 4;
    for (let i = 0; i < n; i++) {
      const src = ob + (r0 + i) * shape.gp;
      for (let g = 0; g < G; g++) out[i * G + g] = f32[src + g];
      outputActivation(this.outKind, out, i * G, G);
    }
  }

  dispose(): void {
    if (this.ctl) {
      Atomics.store(this.ctl, 8, 1);
      Atomics.add(this.ctl, 0, 1);
      Atomics.notify(this.ctl, 0);
      for (const w of this.workers) void w.terminate();
      this.workers = [];
      this.ctl = null;
    }
  }
}
