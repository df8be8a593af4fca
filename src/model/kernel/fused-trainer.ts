/**
 * The fused training kernel: forward, loss, backpropagation through time and
 * the optimiser update of an LSTM stack + Dense read-out, in a WebAssembly
 * SIMD module generated at run time for the network's shapes
 * (`emit-train.ts`), on worker threads.
 *
 * A batch is split into a fixed number of shards (`shards`, default 2) of
 * consecutive sequences; threads claim shards. Each shard runs, time-major
 * (`row = step * shardBatch + b`):
 * - layer 1's input projection as a row gather of input-kernel rows (the input
 *   is a sum of one-hots); a deeper layer's as one product over all steps;
 * - per step, `h_{t-1} · R` and the fused gate update (rational tanh / sigmoid,
 *   a few float32 ulp), storing the gate values for the backward pass;
 * - the read-out product, the loss and its gradient (exact `Math.exp`);
 * - backward per step `dZ_{t+1} · Rᵀ` and the fused gate backward (bias
 *   gradient accumulated in the same pass);
 * - every weight gradient as one register-blocked product over all steps
 *   (`Hᵀ · dZ`, cache-blocked over the rows), layer 1's kernel gradient as a
 *   row scatter-add.
 *
 * The shards' gradients are then summed in shard order and the optimiser
 * update runs over one flat vector. Because the shards do not depend on the
 * thread count, the results are bit-identical for any number of threads.
 *
 * @module
 */
import { assemble } from '../../wasm/emit.js';
import { wasmRelaxedSimdSupported, wasmSimdSupported } from '../../wasm/detect.js';
import type { StackBatch } from '../lstm-stack.js';
import { trainKernelFunctions } from './emit-train.js';
import { FlatOptimizer, type KernelOptimizerName, type KernelOptimizerState } from './optimizer.js';

/** The network the kernel trains (the fields of `RePAPModelConfig` it needs, plus the encoder's sizes). */
export interface FusedNetworkSpec {
  /** Input vector size (the first layer's kernel rows). */
  inputDim: number;
  /** One-hots per input vector (`encoder.activeInputCount`). */
  nActive: number;
  /** Units per LSTM layer. */
  units: number;
  /** LSTM layers. */
  layers: number;
  /** Read-out size (grid cells). */
  gridSize: number;
  /** Activation of the last hidden state before the read-out. */
  hiddenActivation: 'relu' | 'linear' | 'tanh';
  /** Activation of the read-out. */
  outputActivation: 'sigmoid' | 'softmax' | 'linear';
  /**
   * `'mse'`: mean over every output cell of the squared error of the
   * activated read-out; `'crossentropy'` (softmax only): mean over rows of
   * `-sum_k t_k log p_k`, each target row normalised to sum 1.
   */
  loss: 'mse' | 'crossentropy';
  /** Whether the read-out has a bias. */
  readoutBias: boolean;
  /** Optimiser. */
  optimizer: KernelOptimizerName;
  /** Learning rate. */
  learningRate: number;
}

/** Options of {@link FusedLSTMTrainer}. */
export interface FusedTrainerOptions {
  /** Threads, the calling one included (Node: `worker_threads`; elsewhere 1). Default 1. */
  threads?: number;
  /** Shards per batch (2); results depend on this, not on the thread count. */
  shards?: number;
  /** Use fused multiply-add where relaxed SIMD is available (true). */
  fma?: boolean;
  /** Sequences per batch to size the buffers for (grown when a larger batch comes). */
  batchSize?: number;
  /** Time steps per sequence to size the buffers for. */
  steps?: number;
}

/** Where the fused kernel can run, and why not. */
export interface FusedKernelSupport {
  /** True when this runtime compiles WebAssembly SIMD. */
  simd: boolean;
  /** True when it has relaxed SIMD (fused multiply-add). */
  fma: boolean;
  /**
   * Worker threads with shared WebAssembly memory: Node's `worker_threads`, or
   * Web Workers on a cross-origin isolated page (served with
   * `Cross-Origin-Opener-Policy: same-origin` and
   * `Cross-Origin-Embedder-Policy: require-corp`).
   */
  threads: boolean;
}

/** What this runtime offers the fused kernel. */
export function fusedKernelSupport(): FusedKernelSupport {
  return { simd: wasmSimdSupported(), fma: wasmRelaxedSimdSupported(), threads: nodeWorkerThreads() !== null || webWorkersUsable() };
}

/**
 * Why the kernel runs on one thread here, in words (null when it can start
 * worker threads): a page that is not cross-origin isolated is told which two
 * headers its host must send.
 */
export function kernelThreadsUnavailable(): string | null {
  if (nodeWorkerThreads() !== null || webWorkersUsable()) return null;
  const g = globalThis as { Worker?: unknown; crossOriginIsolated?: boolean };
  if (typeof g.Worker === 'function' && g.crossOriginIsolated === false) {
    return (
      'the page is not cross-origin isolated, so it has no SharedArrayBuffer for worker threads; ' +
      'serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp'
    );
  }
  return 'no worker threads with shared memory';
}

/**
 * Web Workers can share the kernel's memory: a cross-origin isolated page (or
 * a worker of one) with `Worker`, `SharedArrayBuffer` and Blob URLs.
 */
function webWorkersUsable(): boolean {
  const g = globalThis as { Worker?: unknown; crossOriginIsolated?: boolean; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  return (
    g.crossOriginIsolated === true &&
    typeof g.Worker === 'function' &&
    typeof SharedArrayBuffer !== 'undefined' &&
    typeof g.Blob === 'function' &&
    typeof g.URL?.createObjectURL === 'function'
  );
}

/**
 * Whether this thread may block in `Atomics.wait`: not the main thread of a
 * page (it spins on the done counter instead).
 */
function canBlock(): boolean {
  const g = globalThis as { WorkerGlobalScope?: unknown; document?: unknown };
  return nodeWorkerThreads() !== null || typeof g.WorkerGlobalScope !== 'undefined' || typeof g.document === 'undefined';
}

type WorkerThreads = typeof import('node:worker_threads');
function nodeWorkerThreads(): WorkerThreads | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  // Node only: resolved lazily so that bundles for browsers never load it
  const req = (globalThis as { process?: { getBuiltinModule?: (n: string) => unknown } }).process?.getBuiltinModule;
  return (req ? (req('node:worker_threads') as WorkerThreads) : null) ?? null;
}

const PAGE = 65536;
const MAX_SHARDS = 16;
/** Control block (int32 words at byte 0): see `shardWork`. */
const CTL_WORDS = 64;
const HEADER_BYTES = CTL_WORDS * 4;

const pad8 = (x: number): number => Math.ceil(x / 8) * 8;

type Exports = Record<string, (...a: number[]) => void>;

/** Byte addresses of one shard's buffers. */
interface ShardLayout {
  rcap: number;
  bcap: number;
  idx: number;
  T: number;
  M: number[];
  Z: number[];
  C: number[];
  TC: number[];
  H: number[];
  X: number[];
  A: number;
  P: number;
  dH: number;
  dC: number;
  zero: number;
  grad: number;
  gK: number[];
  gR: number[];
  gb: number[];
  gW: number;
  gbro: number;
}

/** Everything a shard needs (plain numbers: it is sent to the workers). */
interface Layout {
  up: number;
  gp: number;
  /** Row strides (floats) of [*, 4 up], [*, up] and [*, gp] rows. */
  zs: number;
  hs: number;
  gs: number;
  G: number;
  L: number;
  nAct: number;
  loss: number; // 0 mse, 1 cross-entropy
  out: number; // 0 sigmoid, 1 softmax, 2 linear
  hid: number; // 0 relu, 1 linear, 2 tanh
  nParams: number;
  params: number;
  K: number[];
  R: number[];
  b: number[];
  Wro: number;
  bro: number; // 0: none
  RT: number[];
  KT: number[];
  WroT: number;
  shards: ShardLayout[];
}

/**
 * One shard's forward (and, when training, backward) pass. Self-contained (no
 * closure over module scope): its source also runs inside worker threads.
 * Control words: i32[4] steps, i32[5] training, i32[8 + s] sequences of shard
 * s, i32[28] dropout masks present, f32[24] the loss normaliser; the shard's
 * loss sum goes to f32[32 + s].
 */
function shardWork(ex: Exports, mem: WebAssembly.Memory, lay: Layout, s: number): void {
  const f32 = new Float32Array(mem.buffer);
  const i32 = new Int32Array(mem.buffer);
  const B = i32[8 + s]!, S = i32[4]!, train = i32[5] !== 0, masked = i32[28] !== 0, norm = f32[24]!;
  const sh = lay.shards[s]!;
  if (B === 0) {
    f32[32 + s] = 0;
    return;
  }
  const U = lay.up, U4 = 4 * U, G = lay.G, Gp = lay.gp, L = lay.L, R = S * B;
  const HS = lay.hs, ZS = lay.zs, GS = lay.gs;
  const MC = 64, KC = 256;
  const chunked = (fn: (...a: number[]) => void, a: number, aRow: number, w: number, c: number, cRow: number, k: number) => {
    for (let r0 = 0; r0 < R; r0 += MC) fn(a + r0 * aRow * 4, w, c + r0 * cRow * 4, Math.min(MC, R - r0), k);
  };
  // forward
  for (let l = 0; l < L; l++) {
    const Z = sh.Z[l]!, H = sh.H[l]!, C = sh.C[l]!, TC = sh.TC[l]!;
    if (l === 0) {
      ex.gather!(Z, sh.idx, lay.nAct, sh.rcap * 4, R, lay.K[0]!, lay.b[0]!);
    } else {
      let X = sh.H[l - 1]!;
      if (masked) {
        X = sh.X[l]!;
        ex.vmul!(X, sh.H[l - 1]!, sh.M[l - 1]!, R * HS);
      }
      ex.fill!(Z, lay.b[l]!, R);
      chunked(ex.mmU4!, X, HS, lay.K[l]!, Z, ZS, U);
    }
    for (let t = 0; t < S; t++) {
      const zt = Z + t * B * ZS * 4, o = t * B * HS * 4;
      if (t > 0) ex.mmU4!(H + o - B * HS * 4, lay.R[l]!, zt, B, U);
      ex.gatesF!(zt, t > 0 ? C + o - B * HS * 4 : sh.zero, C + o, TC + o, H + o, B);
    }
  }
  // read-out
  const top = sh.H[L - 1]!;
  const A = lay.hid === 1 ? top : sh.A;
  if (lay.hid !== 1) {
    const a = A / 4, h = top / 4;
    if (lay.hid === 0) ex.relu!(A, top, R * HS);
    else for (let j = 0; j < R * HS; j++) f32[a + j] = Math.tanh(f32[h + j]!);
  }
  const P = sh.P, p0 = P / 4, t0 = sh.T / 4;
  for (let r = 0; r < R; r++) {
    for (let g = 0; g < Gp; g++) f32[p0 + r * GS + g] = lay.bro !== 0 ? f32[lay.bro / 4 + g]! : 0;
  }
  chunked(ex.mmG!, A, HS, lay.Wro, P, GS, U);
  let sum = 0;
  for (let r = 0; r < R; r++) {
    const pr = p0 + r * GS, tr = t0 + r * GS;
    if (lay.out === 1) {
      let mx = -Infinity;
      for (let g = 0; g < G; g++) mx = Math.max(mx, f32[pr + g]!);
      let se = 0;
      for (let g = 0; g < G; g++) se += Math.exp(f32[pr + g]! - mx);
      const lse = mx + Math.log(se);
      if (lay.loss === 1) {
        // targets normalised to sum 1 per row
        let st = 0;
        for (let g = 0; g < G; g++) st += f32[tr + g]!;
        for (let g = 0; g < G; g++) sum -= (f32[tr + g]! / st) * (f32[pr + g]! - lse);
        if (train) for (let g = 0; g < G; g++) f32[pr + g] = (Math.exp(f32[pr + g]! - lse) - f32[tr + g]! / st) / norm;
      } else {
        let dot = 0;
        for (let g = 0; g < G; g++) {
          const y = Math.exp(f32[pr + g]! - lse);
          const d = y - f32[tr + g]!;
          sum += d * d;
          dot += ((2 * d) / norm) * y;
          f32[pr + g] = y;
        }
        if (train) {
          for (let g = 0; g < G; g++) {
            const y = f32[pr + g]!;
            f32[pr + g] = y * ((2 * (y - f32[tr + g]!)) / norm - dot);
          }
        }
      }
    } else {
      for (let g = 0; g < G; g++) {
        const z = f32[pr + g]!;
        const y = lay.out === 0 ? 1 / (1 + Math.exp(-z)) : z;
        const d = y - f32[tr + g]!;
        sum += d * d;
        if (train) f32[pr + g] = lay.out === 0 ? ((2 * d) / norm) * y * (1 - y) : (2 * d) / norm;
      }
    }
  }
  f32[32 + s] = sum;
  if (!train) return;
  // backward
  f32.fill(0, sh.grad / 4, sh.grad / 4 + lay.nParams);
  for (let k0 = 0; k0 < R; k0 += KC) ex.tnG!(A + k0 * HS * 4, P + k0 * GS * 4, sh.gW, U, Math.min(KC, R - k0));
  if (lay.bro !== 0) {
    const gb = sh.gbro / 4;
    for (let r = 0; r < R; r++) for (let g = 0; g < G; g++) f32[gb + g] += f32[p0 + r * GS + g]!;
  }
  const dH = sh.dH, d0 = dH / 4;
  f32.fill(0, d0, d0 + R * HS);
  chunked(ex.mmGU!, P, GS, lay.WroT, dH, HS, Gp);
  if (lay.hid === 0) {
    ex.reluB!(dH, top, R * HS);
  } else if (lay.hid === 2) {
    const a = A / 4;
    for (let j = 0; j < R * HS; j++) f32[d0 + j] = f32[d0 + j]! * (1 - f32[a + j]! * f32[a + j]!);
  }
  for (let l = L - 1; l >= 0; l--) {
    const Z = sh.Z[l]!, H = sh.H[l]!, C = sh.C[l]!, TC = sh.TC[l]!;
    f32.fill(0, sh.dC / 4, sh.dC / 4 + B * HS);
    for (let t = S - 1; t >= 0; t--) {
      const o = t * B * HS * 4, zt = Z + t * B * ZS * 4;
      if (t < S - 1) ex.mm4U!(zt + B * ZS * 4, lay.RT[l]!, dH + o, B, U4);
      ex.gatesB!(zt, TC + o, t > 0 ? C + o - B * HS * 4 : sh.zero, dH + o, sh.dC, sh.gb[l]!, B);
    }
    for (let k0 = 0; k0 < R - B; k0 += KC) ex.tnU4!(H + k0 * HS * 4, Z + (k0 + B) * ZS * 4, sh.gR[l]!, U, Math.min(KC, R - B - k0));
    if (l > 0) {
      const X = masked ? sh.X[l]! : sh.H[l - 1]!;
      for (let k0 = 0; k0 < R; k0 += KC) ex.tnU4!(X + k0 * HS * 4, Z + k0 * ZS * 4, sh.gK[l]!, U, Math.min(KC, R - k0));
      f32.fill(0, d0, d0 + R * HS);
      chunked(ex.mm4U!, Z, ZS, lay.KT[l]!, dH, HS, U4);
      if (masked) ex.vmul!(dH, dH, sh.M[l - 1]!, R * HS);
    } else {
      ex.scatter!(Z, sh.idx, lay.nAct, sh.rcap * 4, R, sh.gK[0]!);
    }
  }
}

/**
 * Claims shards of the current job until none is left (`i32[2]` is the next
 * shard, `i32[3]` their number), counting finished ones in `i32[1]` and, per
 * thread, in `i32[48 + thread]` (the calling thread is 0); a failure sets
 * `i32[7]`. Self-contained apart from `shardWork`.
 */
function claimShards(ctl: Int32Array, ex: Exports, mem: WebAssembly.Memory, lay: Layout, thread: number): void {
  for (;;) {
    const n = Atomics.load(ctl, 3);
    const s = Atomics.add(ctl, 2, 1);
    if (s >= n) return;
    try {
      shardWork(ex, mem, lay, s);
    } catch {
      Atomics.store(ctl, 7, 1);
    }
    Atomics.add(ctl, 48 + thread, 1);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
}

const WORKER_SOURCE = `
const __name = (f) => f;
${shardWork.toString()}
${claimShards.toString()}
{
  const __d = process.getBuiltinModule('node:worker_threads').workerData;
  const __ex = new WebAssembly.Instance(__d.module, { env: { memory: __d.memory } }).exports;
  const __ctl = new Int32Array(__d.memory.buffer, 0, ${CTL_WORDS});
  let __seen = Atomics.load(__ctl, 0);
  for (;;) {
    Atomics.wait(__ctl, 0, __seen);
    __seen = Atomics.load(__ctl, 0);
    if (Atomics.load(__ctl, 6) === __d.generation) break;
    ${claimShards.name}(__ctl, __ex, __d.memory, __d.lay, __d.thread);
  }
}
`;

/**
 * The same loop in a Web Worker (a classic worker from a Blob URL, so that it
 * needs no file of its own and no bundler step): its data comes in the first
 * message; it answers `ready` (or the error) before it blocks.
 */
const WEB_WORKER_SOURCE = `
const __name = (f) => f;
${shardWork.toString()}
${claimShards.toString()}
self.onmessage = (e) => {
  self.onmessage = null;
  const __d = e.data;
  let __ex;
  try {
    __ex = new WebAssembly.Instance(__d.module, { env: { memory: __d.memory } }).exports;
  } catch (err) {
    self.postMessage({ ready: false, error: String((err && err.message) || err) });
    return;
  }
  const __ctl = new Int32Array(__d.memory.buffer, 0, ${CTL_WORDS});
  let __seen = Atomics.load(__ctl, 0);
  self.postMessage({ ready: true });
  for (;;) {
    Atomics.wait(__ctl, 0, __seen);
    __seen = Atomics.load(__ctl, 0);
    if (Atomics.load(__ctl, 6) === __d.generation) break;
    ${claimShards.name}(__ctl, __ex, __d.memory, __d.lay, __d.thread);
  }
  self.close();
};
`;

let webWorkerUrl: string | null = null;
/** One Blob URL per page for the Web Worker source. */
function webWorkerSourceUrl(): string {
  webWorkerUrl ??= URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
  return webWorkerUrl;
}

/** One weight tensor: its Keras shape and where its padded copy lives in the flat vector. */
interface VarSpec {
  /** Float offset in the flat parameter vector. */
  off: number;
  rows: number;
  cols: number;
  paddedRows: number;
  paddedCols: number;
  /** Column map: 'gates' (4 blocks of units), 'plain' (identity). */
  kind: 'gates' | 'plain';
  /** Units per gate block (kind 'gates'). */
  units: number;
  /** Padded units per gate block. */
  up: number;
}

/**
 * The fused WebAssembly SIMD trainer of an LSTM stack + read-out (see the
 * module comment). Weights, gradients and optimiser state are plain
 * `Float32Array`s in Keras layout, in the order of the network's variables
 * (per layer kernel, recurrent kernel, bias; then the read-out kernel and
 * bias), so the tfjs model, checkpoints and this kernel exchange them directly.
 *
 * ```ts
 * const trainer = new FusedLSTMTrainer(spec, { threads: 2 });
 * trainer.setWeights(weights);
 * const loss = trainer.step(batch); // forward, backward, optimiser update
 * ```
 */
export class FusedLSTMTrainer {
  /** `'wasm-simd'`, `'wasm-simd-fma'`, with `-<n>t` for n threads. */
  readonly name: string;
  /** Threads in use (the calling one included). */
  readonly threads: number;
  /** Shards per batch. */
  readonly shards: number;
  /** Whether the products use fused multiply-add. */
  readonly fma: boolean;
  private readonly spec: FusedNetworkSpec;
  private readonly up: number;
  private readonly gp: number;
  private readonly vars: VarSpec[];
  private readonly nParams: number;
  private readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  private readonly ex: Exports;
  private readonly fixedEnd: number;
  /** Byte addresses of the optimiser's accumulators (in the kernel's memory) and of its update's scalars. */
  private readonly slotAddr: number[];
  private readonly scalarsAddr: number;
  private lay: Layout;
  private optimizer: FlatOptimizer;
  private workers: { terminate(): unknown }[] = [];
  /** Web Workers that have not yet answered (their start needs the page's event loop). */
  private starting: Promise<void>[] = [];
  private generation = 0;
  private ctl: Int32Array;
  private disposed = false;

  /** Throws (naming what is missing) when this runtime has no WebAssembly SIMD. */
  constructor(spec: FusedNetworkSpec, options: FusedTrainerOptions = {}) {
    if (!wasmSimdSupported()) throw new Error('FusedLSTMTrainer: this runtime has no WebAssembly SIMD; train with the tfjs path');
    const shards = options.shards ?? 2;
    if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
      throw new Error(`FusedLSTMTrainer: shards = ${String(shards)}: expected an integer in 1..${MAX_SHARDS}`);
    }
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`FusedLSTMTrainer: threads = ${String(threads)}: expected an integer >= 1`);
    if (spec.loss === 'crossentropy' && spec.outputActivation !== 'softmax') {
      throw new Error(`FusedLSTMTrainer: the cross-entropy loss needs a softmax read-out (outputActivation is '${spec.outputActivation}')`);
    }
    this.spec = { ...spec };
    this.shards = shards;
    const canThread = threads > 1 && (nodeWorkerThreads() !== null || webWorkersUsable());
    this.threads = canThread ? Math.min(threads, shards) : 1;
    this.fma = (options.fma ?? true) && wasmRelaxedSimdSupported();
    this.name = `wasm-simd${this.fma ? '-fma' : ''}${this.threads > 1 ? `-${this.threads}t` : ''}`;
    const U = spec.units, G = spec.gridSize;
    const up = (this.up = pad8(U));
    const gp = (this.gp = pad8(G));
    // row strides past powers of two (see TrainKernelShape)
    const zs = 4 * up + 16, hs = up + 16, gs = gp + 8;
    // flat parameters, Keras variable order
    const vars: VarSpec[] = [];
    let off = 0;
    const addVar = (rows: number, cols: number, paddedRows: number, kind: 'gates' | 'plain') => {
      const paddedCols = kind === 'gates' ? zs : gs;
      vars.push({ off, rows, cols, paddedRows, paddedCols, kind, units: U, up });
      off += Math.ceil((paddedRows * paddedCols) / 4) * 4;
    };
    for (let l = 0; l < spec.layers; l++) {
      addVar(l === 0 ? spec.inputDim : U, 4 * U, l === 0 ? spec.inputDim : up, 'gates');
      addVar(U, 4 * U, up, 'gates');
      addVar(1, 4 * U, 1, 'gates');
    }
    addVar(U, G, up, 'plain');
    if (spec.readoutBias) addVar(1, G, 1, 'plain');
    this.vars = vars;
    this.nParams = off;
    // fixed region: header, parameters, transposes
    let at = HEADER_BYTES;
    const take = (floats: number) => {
      const a = at;
      at += Math.ceil((floats * 4) / 64) * 64;
      return a;
    };
    const params = take(off);
    const RT: number[] = [], KT: number[] = [];
    for (let l = 0; l < spec.layers; l++) {
      RT.push(take(4 * up * hs));
      KT.push(l === 0 ? 0 : take(4 * up * hs));
    }
    const WroT = take(gp * hs);
    // the optimiser's accumulators and the scalars of its next update
    this.slotAddr = Array.from({ length: FlatOptimizer.slotCount(spec.optimizer) }, () => take(off));
    this.scalarsAddr = take(16);
    this.fixedEnd = at;
    const pAddr = (k: number) => params + vars[k]!.off * 4;
    const L = spec.layers;
    this.lay = {
      up, gp, zs, hs, gs, G, L, nAct: spec.nActive,
      loss: spec.loss === 'crossentropy' ? 1 : 0,
      out: spec.outputActivation === 'sigmoid' ? 0 : spec.outputActivation === 'softmax' ? 1 : 2,
      hid: spec.hiddenActivation === 'relu' ? 0 : spec.hiddenActivation === 'linear' ? 1 : 2,
      nParams: off, params,
      K: Array.from({ length: L }, (_, l) => pAddr(3 * l)),
      R: Array.from({ length: L }, (_, l) => pAddr(3 * l + 1)),
      b: Array.from({ length: L }, (_, l) => pAddr(3 * l + 2)),
      Wro: pAddr(3 * L),
      bro: spec.readoutBias ? pAddr(3 * L + 1) : 0,
      RT, KT, WroT, shards: [],
    };
    const shared = this.threads > 1;
    this.memory = shared
      ? new WebAssembly.Memory({ initial: Math.ceil(at / PAGE) + 1, maximum: 65536, shared: true } as WebAssembly.MemoryDescriptor)
      : new WebAssembly.Memory({ initial: Math.ceil(at / PAGE) + 1 });
    const bytes = assemble(trainKernelFunctions({ up, gp, zs, hs, gs, rt: 4, fma: this.fma }), { initial: 1, maximum: shared ? 65536 : undefined, shared });
    this.module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    this.ex = new WebAssembly.Instance(this.module, { env: { memory: this.memory } }).exports as unknown as Exports;
    this.ctl = new Int32Array(this.memory.buffer, 0, CTL_WORDS);
    this.optimizer = new FlatOptimizer(spec.optimizer, spec.learningRate, off, this.slotViews());
    const b = Math.max(1, Math.ceil((options.batchSize ?? 32) / shards));
    this.ensureCapacity(b, (options.steps ?? 1) * b);
  }

  /** Sizes, in the order of the weights, as Keras shapes `[rows, cols]` (a bias is `[cols]`). */
  get weightShapes(): number[][] {
    return this.vars.map((v, k) => (this.isBias(k) ? [v.cols] : [v.rows, v.cols]));
  }

  private isBias(k: number): boolean {
    const L = this.spec.layers;
    return (k < 3 * L && k % 3 === 2) || k === 3 * L + 1;
  }

  private f32(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  private ensureCapacity(bcap: number, rcap: number): void {
    const cur = this.lay.shards[0];
    if (cur && cur.bcap >= bcap && cur.rcap >= rcap) return;
    if (cur) {
      bcap = Math.max(bcap, cur.bcap);
      rcap = Math.max(rcap, cur.rcap);
    }
    const { zs, hs, gs, L, nAct } = this.lay;
    let at = this.fixedEnd;
    const take = (floats: number) => {
      const a = at;
      at += Math.ceil((floats * 4) / 64) * 64;
      return a;
    };
    const shards: ShardLayout[] = [];
    for (let s = 0; s < this.shards; s++) {
      const sh: ShardLayout = {
        rcap, bcap,
        idx: take(nAct * rcap), T: take(rcap * gs),
        M: [], Z: [], C: [], TC: [], H: [], X: [],
        A: 0, P: 0, dH: 0, dC: 0, zero: 0, grad: 0, gK: [], gR: [], gb: [], gW: 0, gbro: 0,
      };
      for (let l = 0; l < L; l++) {
        if (l < L - 1) sh.M.push(take(rcap * hs));
        sh.Z.push(take(rcap * zs));
        sh.C.push(take(rcap * hs));
        sh.TC.push(take(rcap * hs));
        sh.H.push(take(rcap * hs));
        sh.X.push(l === 0 ? 0 : take(rcap * hs));
      }
      sh.A = take(rcap * hs);
      sh.P = take(rcap * gs);
      sh.dH = take(rcap * hs);
      sh.dC = take(bcap * hs);
      sh.zero = take(bcap * hs);
      sh.grad = take(this.nParams);
      const gAddr = (k: number) => sh.grad + this.vars[k]!.off * 4;
      for (let l = 0; l < L; l++) {
        sh.gK.push(gAddr(3 * l));
        sh.gR.push(gAddr(3 * l + 1));
        sh.gb.push(gAddr(3 * l + 2));
      }
      sh.gW = gAddr(3 * L);
      sh.gbro = this.spec.readoutBias ? gAddr(3 * L + 1) : 0;
      shards.push(sh);
    }
    const need = Math.ceil(at / PAGE) - this.memory.buffer.byteLength / PAGE;
    if (need > 0) {
      try {
        this.memory.grow(need);
      } catch (e) {
        throw new Error(
          `FusedLSTMTrainer: cannot grow the WebAssembly memory to ${Math.ceil(at / 2 ** 20)} MiB for ${bcap} sequences x ${rcap / bcap} steps per shard ` +
            `(${(e as Error).message}); use a smaller batch`,
        );
      }
    }
    // a grown non-shared memory has a new buffer: views must be rebuilt
    this.ctl = new Int32Array(this.memory.buffer, 0, CTL_WORDS);
    this.f32().fill(0, this.fixedEnd / 4, at / 4);
    this.lay = { ...this.lay, shards };
    if (this.threads > 1) this.restartWorkers();
  }

  private restartWorkers(): void {
    this.stopWorkers();
    const wt = nodeWorkerThreads();
    this.generation++;
    if (!wt) {
      this.startWebWorkers();
      return;
    }
    for (let t = 1; t < this.threads; t++) {
      const w = new wt.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: this.module, memory: this.memory, lay: this.lay, generation: this.generation, thread: t },
      });
      // a failed worker leaves its shards to the others (the calling thread claims every shard left)
      w.on('error', (e: Error) => console.warn(`repap: a training kernel worker thread failed (${e.message}); continuing on fewer threads`));
      w.unref();
      this.workers.push(w);
    }
  }

  /**
   * Web Workers sharing the memory (a page must be cross-origin isolated). Until
   * a worker has started (which needs the page's event loop: see
   * {@link FusedLSTMTrainer.ready}), the calling thread claims its shards.
   */
  private startWebWorkers(): void {
    const data = { module: this.module, memory: this.memory, lay: this.lay, generation: this.generation };
    this.starting = [];
    for (let t = 1; t < this.threads; t++) {
      const w = new Worker(webWorkerSourceUrl(), { name: `repap-train-${t}` });
      this.starting.push(
        new Promise<void>((resolve) => {
          const warn = (why: string) => {
            console.warn(`repap: a training kernel worker failed (${why}); continuing on fewer threads`);
            resolve();
          };
          w.onmessage = (e: MessageEvent<{ ready: boolean; error?: string }>) => {
            if (e.data.ready) resolve();
            else warn(e.data.error ?? 'unknown error');
          };
          w.onerror = (e: ErrorEvent) => {
            e.preventDefault();
            warn(e.message || 'the worker could not start');
          };
        }),
      );
      w.postMessage({ ...data, thread: t });
      this.workers.push(w);
    }
  }

  /**
   * Resolves when the worker threads have started (at once in Node). In a
   * browser, Web Workers start only while the page's event loop runs, so an
   * async caller awaits this before the first step; the steps are correct
   * without it (the calling thread runs the shards of workers not yet started).
   */
  ready(): Promise<void> {
    return Promise.all(this.starting).then(() => undefined);
  }

  /**
   * Shards run so far by each thread: `[calling thread, worker 1, ...]`
   * (cumulative over the trainer's life; a worker's count shows that it ran).
   */
  shardsByThread(): number[] {
    return Array.from({ length: this.threads }, (_, t) => Atomics.load(this.ctl, 48 + t));
  }

  private stopWorkers(): void {
    this.starting = [];
    if (this.workers.length === 0) return;
    Atomics.store(this.ctl, 6, this.generation);
    Atomics.add(this.ctl, 0, 1);
    Atomics.notify(this.ctl, 0);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }

  private checkAlive(where: string): void {
    if (this.disposed) throw new Error(`FusedLSTMTrainer.${where}: the trainer was disposed`);
  }

  /** Copies Keras-layout weights (the network's variables, in order) into the kernel. */
  setWeights(weights: readonly Float32Array[]): void {
    this.checkAlive('setWeights');
    if (weights.length !== this.vars.length) {
      throw new Error(`FusedLSTMTrainer.setWeights: got ${weights.length} arrays, expected ${this.vars.length} (${this.weightShapes.map((s) => `[${s}]`).join(', ')})`);
    }
    const f = this.f32();
    const base = this.lay.params / 4;
    this.vars.forEach((v, k) => {
      const w = weights[k]!;
      if (w.length !== v.rows * v.cols) {
        throw new Error(`FusedLSTMTrainer.setWeights: weights[${k}] has ${w.length} values, expected ${v.rows} x ${v.cols}`);
      }
      this.padInto(v, w, f, base + v.off);
    });
    this.refreshTransposes();
  }

  /** The kernel's weights in Keras layout (fresh arrays). */
  readWeights(): Float32Array[] {
    this.checkAlive('readWeights');
    const f = this.f32();
    return this.vars.map((v) => this.unpad(v, f, this.lay.params / 4 + v.off));
  }

  /**
   * The kernel's weights in Keras layout, written into `out` (arrays from
   * {@link FusedLSTMTrainer.readWeights}): no allocation per training step.
   * Returns `out`.
   */
  readWeightsInto(out: Float32Array[]): Float32Array[] {
    this.checkAlive('readWeightsInto');
    if (out.length !== this.vars.length || out.some((a, k) => a.length !== this.vars[k]!.rows * this.vars[k]!.cols)) {
      throw new Error(`FusedLSTMTrainer.readWeightsInto: expected ${this.vars.length} arrays shaped ${this.weightShapes.map((s) => `[${s}]`).join(', ')}`);
    }
    const f = this.f32();
    this.vars.forEach((v, k) => this.unpad(v, f, this.lay.params / 4 + v.off, out[k]));
    return out;
  }

  /** Keras layout -> the padded layout, one block copy per row and gate (gate q's columns start at q * up). */
  private padInto(v: VarSpec, src: Float32Array, dst: Float32Array, o: number): void {
    dst.fill(0, o, o + v.paddedRows * v.paddedCols);
    const [blocks, width, step] = v.kind === 'gates' ? [4, v.units, v.up] : [1, v.cols, 0];
    for (let r = 0; r < v.rows; r++) {
      for (let q = 0; q < blocks; q++) dst.set(src.subarray(r * v.cols + q * width, r * v.cols + (q + 1) * width), o + r * v.paddedCols + q * step);
    }
  }

  /** The padded layout -> Keras layout (into `out`, or a fresh array). */
  private unpad(v: VarSpec, src: Float32Array, o: number, out: Float32Array = new Float32Array(v.rows * v.cols)): Float32Array {
    const [blocks, width, step] = v.kind === 'gates' ? [4, v.units, v.up] : [1, v.cols, 0];
    for (let r = 0; r < v.rows; r++) {
      for (let q = 0; q < blocks; q++) {
        const a = o + r * v.paddedCols + q * step;
        out.set(src.subarray(a, a + width), r * v.cols + q * width);
      }
    }
    return out;
  }

  private refreshTransposes(): void {
    const f = this.f32();
    const { up, gp, zs, hs, gs, L } = this.lay;
    // [rows, cols] with row stride ls -> [cols, rows] with row stride hs
    const tr = (src: number, rows: number, cols: number, ls: number, dst: number) => {
      const s = src / 4, d = dst / 4;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) f[d + c * hs + r] = f[s + r * ls + c]!;
    };
    for (let l = 0; l < L; l++) {
      tr(this.lay.R[l]!, up, 4 * up, zs, this.lay.RT[l]!);
      if (l > 0) tr(this.lay.K[l]!, up, 4 * up, zs, this.lay.KT[l]!);
    }
    tr(this.lay.Wro, up, gp, gs, this.lay.WroT);
  }

  /** Writes a batch into the shards and runs them; returns the loss (mean). */
  private run(batch: StackBatch, train: boolean): number {
    const { steps: S, batch: B, nActive } = batch;
    if (nActive !== this.spec.nActive) throw new Error(`FusedLSTMTrainer: the batch has ${nActive} active inputs per row, the kernel was built for ${this.spec.nActive}`);
    const targets = batch.targets;
    if (!targets) throw new Error('FusedLSTMTrainer: batch.targets is required');
    const { hs, gs, G, L } = this.lay;
    const R = S * B;
    if (targets.length !== R * G) throw new Error(`FusedLSTMTrainer: batch.targets has ${targets.length} values, expected ${R} x ${G}`);
    const masks = train ? batch.dropoutMasks : undefined;
    const masked = !!masks && L > 1 && masks.slice(0, L - 1).some((m) => m);
    const per = Math.ceil(B / this.shards);
    this.ensureCapacity(per, S * per);
    const f = this.f32();
    const i = new Int32Array(this.memory.buffer);
    const ctl = this.ctl;
    const U = this.spec.units;
    for (let s = 0; s < this.shards; s++) {
      const b0 = Math.min(B, s * per);
      const Bs = Math.min(B, b0 + per) - b0;
      ctl[8 + s] = Bs;
      if (Bs === 0) continue;
      const sh = this.lay.shards[s]!;
      const Rs = S * Bs;
      for (let t = 0; t < S; t++) {
        for (let bb = 0; bb < Bs; bb++) {
          const src = t * B + b0 + bb, dst = t * Bs + bb;
          for (let a = 0; a < nActive; a++) i[sh.idx / 4 + a * sh.rcap + dst] = batch.active[a * R + src]!;
          f.set(targets.subarray(src * G, src * G + G), sh.T / 4 + dst * gs);
          if (masked) {
            for (let l = 0; l < L - 1; l++) {
              const m = masks![l];
              const o = sh.M[l]! / 4 + dst * hs;
              if (m) f.set(m.subarray(src * U, src * U + U), o);
              else f.fill(1, o, o + U);
            }
          }
        }
      }
      void Rs;
    }
    ctl[4] = S;
    ctl[5] = train ? 1 : 0;
    ctl[28] = masked ? 1 : 0;
    const norm = this.spec.loss === 'crossentropy' ? R : R * G;
    f[24] = norm;
    ctl[7] = 0;
    if (this.threads > 1 && this.workers.length > 0) {
      Atomics.store(ctl, 1, 0);
      Atomics.store(ctl, 3, this.shards);
      Atomics.store(ctl, 2, 0);
      Atomics.add(ctl, 0, 1);
      Atomics.notify(ctl, 0);
      claimShards(ctl, this.ex, this.memory, this.lay, 0);
      // the main thread of a page may not block: it spins on the counter (the workers' shards are as long as its own)
      const blocking = canBlock(), until = performance.now() + 120000;
      for (;;) {
        const done = Atomics.load(ctl, 1);
        if (done >= this.shards) break;
        if (blocking ? Atomics.wait(ctl, 1, done, 120000) === 'timed-out' : performance.now() > until) {
          throw new Error('FusedLSTMTrainer: a worker thread did not answer within 120 s');
        }
      }
      if (Atomics.load(ctl, 7) !== 0) throw new Error('FusedLSTMTrainer: a worker thread failed');
    } else {
      for (let s = 0; s < this.shards; s++) shardWork(this.ex, this.memory, this.lay, s);
      Atomics.add(ctl, 48, this.shards);
    }
    let sum = 0;
    for (let s = 0; s < this.shards; s++) sum += f[32 + s]!;
    if (train) {
      // sum the shards' gradients into shard 0's, in shard order
      for (let s = 1; s < this.shards; s++) {
        if (ctl[8 + s] !== 0) this.ex.vadd!(this.lay.shards[0]!.grad, this.lay.shards[s]!.grad, this.nParams);
      }
    }
    return sum / norm;
  }

  /**
   * Loss and the gradient of every weight (Keras layout, in the order of the
   * weights) of one batch with its dropout masks; no update.
   */
  lossAndGradients(batch: StackBatch): { loss: number; grads: Float32Array[] } {
    this.checkAlive('lossAndGradients');
    const loss = this.run(batch, true);
    const f = this.f32();
    const g0 = this.lay.shards[0]!.grad / 4;
    return { loss, grads: this.vars.map((v) => this.unpad(v, f, g0 + v.off)) };
  }

  /**
   * One training step: loss and gradients with the batch's dropout masks, then
   * the optimiser update. Returns the loss before the update; when it is not
   * finite, nothing is updated.
   */
  step(batch: StackBatch): number {
    this.checkAlive('step');
    const loss = this.run(batch, true);
    // a non-finite loss leaves the weights and the optimiser state as they were
    if (!Number.isFinite(loss)) return loss;
    // the update in WebAssembly SIMD, bit-identical to FlatOptimizer.apply
    const o = this.opt();
    this.f32().set(o.scalars(), this.scalarsAddr / 4);
    const [p, g, n, k] = [this.lay.params, this.lay.shards[0]!.grad, this.nParams, this.scalarsAddr];
    if (o.name === 'sgd') this.ex.sgd!(p, g, n, k);
    else this.ex[o.name]!(p, g, this.slotAddr[0]!, this.slotAddr[1]!, n, k);
    o.advance();
    this.refreshTransposes();
    return loss;
  }

  /** Views of the optimiser's accumulators in the kernel's memory. */
  private slotViews(): Float32Array[] {
    const f = this.f32();
    return this.slotAddr.map((a) => f.subarray(a / 4, a / 4 + this.nParams));
  }

  /** The optimiser, its slot views rebuilt when the memory has grown (a grown non-shared memory detaches the old views). */
  private opt(): FlatOptimizer {
    const o = this.optimizer;
    if (o.slots.some((v) => v.length !== this.nParams)) o.slots = this.slotViews();
    return o;
  }

  /** Loss of a batch without dropout and without gradients (validation). */
  loss(batch: StackBatch): number {
    this.checkAlive('loss');
    return this.run(batch, false);
  }

  /** The optimiser state in Keras layout (for checkpoints). */
  optimizerState(): KernelOptimizerState {
    const o = this.opt();
    return {
      name: o.name,
      iterations: o.iterations,
      accBeta: o.name === 'adam' ? [o.accBeta[0], o.accBeta[1]] : null,
      slots: o.slots.map((slot) => this.vars.map((v) => this.unpad(v, slot, v.off))),
    };
  }

  /** Restores a state from {@link optimizerState}. */
  setOptimizerState(state: KernelOptimizerState): void {
    if (state.name !== this.spec.optimizer) throw new Error(`FusedLSTMTrainer.setOptimizerState: the state is for '${state.name}', the trainer uses '${this.spec.optimizer}'`);
    const o = new FlatOptimizer(this.spec.optimizer, this.spec.learningRate, this.nParams);
    if (state.slots.length !== o.slots.length) throw new Error(`FusedLSTMTrainer.setOptimizerState: ${state.slots.length} slots, expected ${o.slots.length}`);
    state.slots.forEach((slot, k) => {
      if (slot.length !== this.vars.length) throw new Error(`FusedLSTMTrainer.setOptimizerState: slot ${k} has ${slot.length} arrays, expected ${this.vars.length}`);
      this.vars.forEach((v, j) => {
        if (slot[j]!.length !== v.rows * v.cols) throw new Error(`FusedLSTMTrainer.setOptimizerState: slot ${k}, variable ${j}: ${slot[j]!.length} values, expected ${v.rows * v.cols}`);
        this.padInto(v, slot[j]!, o.slots[k]!, v.off);
      });
    });
    o.iterations = state.iterations;
    if (state.accBeta) o.accBeta = [state.accBeta[0], state.accBeta[1]];
    // into the kernel's memory, once every slot was checked
    const views = this.slotViews();
    o.slots.forEach((slot, k) => views[k]!.set(slot));
    o.slots = views;
    this.optimizer = o;
  }

  /** Stops the worker threads. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopWorkers();
  }
}
