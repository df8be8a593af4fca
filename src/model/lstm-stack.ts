/**
 * Sequence-level LSTM stack with a hand-written gradient: the fast training
 * path of `RePAPModel`.
 *
 * tfjs-layers' LSTM differentiates through its per-time-step graph, which ends
 * in hundreds of small transposed matrix products per batch (slow on every
 * backend). Here a whole batch of sequences is processed time-major
 * (`row = step * batch + b`):
 *
 * - the first layer's input projection is a row gather, because the network
 *   input is a sum of one-hots (`x·W = W[cell] + W[G + t] (+ W[species])`);
 * - a deeper layer's input projection is one matrix product over all steps;
 * - only `h·U_rec` (forward) and `dz·U_recᵀ` (backward) run per step, as tfjs
 *   matrix products on the active backend;
 * - the gate arithmetic of a step runs as one fused loop over plain typed
 *   arrays (the wasm backend's element-wise kernels cost ~3 ns per element and
 *   op, and a cell step needs ~20 of them);
 * - every weight gradient is ONE large matrix product over all steps
 *   (`H_prevᵀ · dZ`); the first layer's kernel gradient is a scatter-add of `dZ` rows.
 *
 * The equations are those of Keras / tfjs-layers' LSTM (gate order i, f, c, o;
 * `recurrentActivation` sigmoid; `activation` tanh), with inverted dropout
 * between layers as in PyTorch's `nn.LSTM(dropout=p)`, then a read-out
 * `outAct(hidAct(h) · W + b)` and the mean squared error over every output cell.
 *
 * No `transposeA/B` flags are used: on the wasm backend a transposed product
 * is about 15x slower than a plain one, so transposed operands are built in JS.
 * On the cpu backend the products run in a plain JS loop (tfjs-cpu's matMul
 * reaches ~0.8 GFLOP/s; the loop about twice that).
 *
 * Where the time goes (wasm, batch 32, paper network, ~13.5 GFLOP per batch):
 * ~60 % in XNNPACK matrix products at ~30 GFLOP/s (wasm SIMD128, one thread),
 * the rest in the JS gate loops, copies between JS and the wasm heap and
 * weight packing. PyTorch on one AVX-512 core runs its sgemm at ~100+ GFLOP/s,
 * hence ~0.3-0.5x its throughput.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/** One LSTM layer's weight tensors (Keras layout). */
export interface LSTMLayerTensors {
  /** `[inputDim, 4U]`. */
  kernel: tf.Tensor;
  /** `[U, 4U]`. */
  recurrentKernel: tf.Tensor;
  /** `[4U]`. */
  bias: tf.Tensor;
}

/** The tensors of a whole LSTM stack + read-out. */
export interface StackTensors {
  /** From input to output. */
  layers: LSTMLayerTensors[];
  /** `[U, G]`. */
  readoutKernel: tf.Tensor;
  /** `[G]` or null (no bias). */
  readoutBias: tf.Tensor | null;
}

/** Activations of the read-out. */
export interface StackActivations {
  /** Applied to the last layer's hidden state before the Dense layer. */
  hiddenActivation: 'relu' | 'linear' | 'tanh';
  /** Applied to the Dense output. */
  outputActivation: 'sigmoid' | 'softmax' | 'linear';
  /**
   * The training loss (`'sigmoid-mse'` when absent): the mean squared error
   * over every cell, or for `'softmax-crossentropy'` the mean over rows of
   * `-sum_k t_k log softmax(logits)_k` with each target row normalised to sum 1.
   */
  loss?: 'sigmoid-mse' | 'softmax-crossentropy';
}

/**
 * One time-major batch for the stack.
 *
 * `active[k * steps * batch + row]` is the index of the k-th one in the input
 * vector of `row = step * batch + b` (each input is a sum of `nActive` one-hots).
 */
export interface StackBatch {
  /** Time steps S. */
  steps: number;
  /** Sequences B. */
  batch: number;
  /** Ones per input vector. */
  nActive: number;
  /** `[nActive, S * B]` indices into the first layer's kernel rows. */
  active: Int32Array;
  /** `[S * B, G]` time-major targets (training / loss only). */
  targets?: Float32Array;
  /**
   * Inverted-dropout masks applied to the output of layer l (l < layers - 1),
   * each `[S * B, U]` holding 0 or `1 / (1 - p)`. Missing or null: no dropout.
   */
  dropoutMasks?: (Float32Array | null)[];
}

/** Gradients of one LSTM layer's weights (Keras layout). */
export interface LayerGradients {
  /** `[inputDim, 4U]`. */
  kernel: tf.Tensor2D;
  /** `[U, 4U]`. */
  recurrentKernel: tf.Tensor2D;
  /** `[4U]`. */
  bias: tf.Tensor1D;
}

/** Loss and gradients of one batch, from {@link stackLossAndGradients}. */
export interface StackLossAndGradients {
  /** Mean squared error over every output cell of the batch. */
  loss: tf.Scalar;
  /** Gradients of the loss with respect to every weight. */
  grads: StackGradients;
}

/** Gradients as tensors, one per tensor of {@link StackTensors}. */
export interface StackGradients {
  /** Per layer. */
  layers: LayerGradients[];
  /** `[U, G]`. */
  readoutKernel: tf.Tensor2D;
  /** `[G]` or null. */
  readoutBias: tf.Tensor1D | null;
}

interface LayerTrace {
  x: Float32Array | null; // layer input (after dropout) for layer > 0, [rows, inDim]
  i: Float32Array;
  f: Float32Array;
  g: Float32Array;
  o: Float32Array;
  c: Float32Array;
  tc: Float32Array;
  h: Float32Array;
}

/** `tf.tidy` for a function returning an object of tensors (and nulls). */
function tidyObj<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** tanh through one `Math.exp` (V8's `Math.tanh` is ~1.5x slower); absolute error < 1e-15. */
function tanh(x: number): number {
  return 2 / (1 + Math.exp(-2 * x)) - 1;
}

/**
 * Whether the products run in the JS loop below instead of `tf.matMul`: on
 * the cpu backend, whose own matMul reaches ~0.8 GFLOP/s, about 3x faster.
 */
function jsProducts(): boolean {
  return tf.getBackend() === 'cpu';
}

/**
 * `a [m, k] · b [k, n]` row-major in plain JS, four rows of `a` at a time
 * (one pass over a row of `b` feeds four output rows); zero entries of `a`
 * (dropped units) are skipped.
 */
function gemm(a: Float32Array, m: number, k: number, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(m * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    const a0 = i * k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!;
      const x1 = a[a0 + k + p]!;
      const x2 = a[a0 + 2 * k + p]!;
      const x3 = a[a0 + 3 * k + p]!;
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const bo = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bo + j]!;
        c[c0 + j] += x0 * bv;
        c[c1 + j] += x1 * bv;
        c[c2 + j] += x2 * bv;
        c[c3 + j] += x3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const c0 = i * n;
    const a0 = i * k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!;
      if (x0 === 0) continue;
      const bo = p * n;
      for (let j = 0; j < n; j++) c[c0 + j] += x0 * b[bo + j]!;
    }
  }
  return c;
}

/** Row-major `[rows, cols]` -> `[cols, rows]`. */
function transposeData(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[o + c]!;
  }
  return out;
}

/** `a [m, k] · b`, result as a typed array. `b` is a tensor `[k, n]`. */
function matMulData(a: Float32Array, m: number, k: number, b: tf.Tensor): Float32Array {
  if (jsProducts()) return gemm(a, m, k, b.dataSync() as Float32Array, b.shape[1]!);
  const t = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), b as tf.Tensor2D));
  const d = t.dataSync() as Float32Array;
  t.dispose();
  return d;
}

/** Input projection + bias of layer 0, time-major `[rows, 4U]`, as a row gather. */
function firstProjection(kernel: Float32Array, bias: Float32Array, width: number, batch: StackBatch): Float32Array {
  const rows = batch.steps * batch.batch;
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    out.set(bias, o);
    for (let k = 0; k < batch.nActive; k++) {
      const src = batch.active[k * rows + r]! * width;
      for (let j = 0; j < width; j++) out[o + j] += kernel[src + j]!;
    }
  }
  return out;
}

/**
 * Runs one LSTM layer over all steps from zero state. `zx` = input
 * projection + bias, `[rows, 4U]` (overwritten). Returns h (and the trace).
 */
function layerForward(
  zx: Float32Array,
  recurrentKernel: tf.Tensor,
  steps: number,
  B: number,
  U: number,
  keepTrace: boolean,
): Omit<LayerTrace, 'x'> | { h: Float32Array } {
  const rows = steps * B;
  const U4 = 4 * U;
  const h = new Float32Array(rows * U);
  const i = keepTrace ? new Float32Array(rows * U) : null;
  const f = keepTrace ? new Float32Array(rows * U) : null;
  const g = keepTrace ? new Float32Array(rows * U) : null;
  const o = keepTrace ? new Float32Array(rows * U) : null;
  const c = keepTrace ? new Float32Array(rows * U) : null;
  const tc = keepTrace ? new Float32Array(rows * U) : null;
  let cPrev = new Float32Array(B * U);
  let cCur = new Float32Array(B * U);
  for (let t = 0; t < steps; t++) {
    const rec = t === 0 ? null : matMulData(h.subarray((t - 1) * B * U, t * B * U), B, U, recurrentKernel);
    for (let b = 0; b < B; b++) {
      const zrow = (t * B + b) * U4;
      const rrow = b * U4;
      const hrow = (t * B + b) * U;
      for (let u = 0; u < U; u++) {
        let zi = zx[zrow + u]!;
        let zf = zx[zrow + U + u]!;
        let zg = zx[zrow + 2 * U + u]!;
        let zo = zx[zrow + 3 * U + u]!;
        if (rec !== null) {
          zi += rec[rrow + u]!;
          zf += rec[rrow + U + u]!;
          zg += rec[rrow + 2 * U + u]!;
          zo += rec[rrow + 3 * U + u]!;
        }
        const ig = sigmoid(zi);
        const fg = sigmoid(zf);
        const gg = tanh(zg);
        const og = sigmoid(zo);
        const cv = fg * cPrev[b * U + u]! + ig * gg;
        const tcv = tanh(cv);
        cCur[b * U + u] = cv;
        h[hrow + u] = og * tcv;
        if (keepTrace) {
          i![hrow + u] = ig;
          f![hrow + u] = fg;
          g![hrow + u] = gg;
          o![hrow + u] = og;
          c![hrow + u] = cv;
          tc![hrow + u] = tcv;
        }
      }
    }
    const tmp = cPrev;
    cPrev = cCur;
    cCur = tmp;
  }
  if (!keepTrace) return { h };
  return { h, i: i!, f: f!, g: g!, o: o!, c: c!, tc: tc! };
}

interface ForwardResult {
  traces: LayerTrace[];
  /** Last layer's h, [rows, U]. */
  last: Float32Array;
}

function forwardStack(params: StackTensors, batch: StackBatch, keepTrace: boolean): ForwardResult {
  const { steps } = batch;
  const B = batch.batch;
  const rows = steps * B;
  const traces: LayerTrace[] = [];
  let x: Float32Array | null = null;
  for (let l = 0; l < params.layers.length; l++) {
    const layer = params.layers[l]!;
    const U = layer.recurrentKernel.shape[0]!;
    const U4 = 4 * U;
    const bias = layer.bias.dataSync() as Float32Array;
    let zx: Float32Array;
    if (l === 0) {
      zx = firstProjection(layer.kernel.dataSync() as Float32Array, bias, U4, batch);
    } else {
      const inDim = layer.kernel.shape[0]!;
      const xx = x!;
      zx = matMulData(xx, rows, inDim, layer.kernel);
      for (let r = 0; r < rows; r++) {
        const o = r * U4;
        for (let j = 0; j < U4; j++) zx[o + j] += bias[j]!;
      }
    }
    const res = layerForward(zx, layer.recurrentKernel, steps, B, U, keepTrace);
    if (keepTrace) traces.push({ x, ...(res as Omit<LayerTrace, 'x'>) });
    let out = res.h;
    const mask = batch.dropoutMasks?.[l];
    if (mask && l < params.layers.length - 1) {
      const dropped = new Float32Array(out.length);
      for (let j = 0; j < out.length; j++) dropped[j] = out[j]! * mask[j]!;
      out = dropped;
    }
    x = out;
    if (!keepTrace) traces.push({ h: res.h } as LayerTrace);
  }
  return { traces, last: x! };
}

function readout(params: StackTensors, acts: StackActivations, last: tf.Tensor2D): { hr: tf.Tensor2D; y: tf.Tensor2D; logits: tf.Tensor2D } {
  const hr =
    acts.hiddenActivation === 'relu' ? tf.relu(last) : acts.hiddenActivation === 'tanh' ? tf.tanh(last) : last;
  let logits: tf.Tensor2D = tf.matMul(hr, params.readoutKernel as tf.Tensor2D);
  if (params.readoutBias) logits = tf.add(logits, params.readoutBias);
  const y =
    acts.outputActivation === 'sigmoid'
      ? tf.sigmoid(logits)
      : acts.outputActivation === 'softmax'
        ? tf.softmax(logits)
        : logits;
  return { hr, y, logits };
}

/**
 * Inference: the read-out of every step, time-major `[S * B, G]` (no dropout).
 * The caller owns the returned tensor.
 */
export function stackForward(params: StackTensors, acts: StackActivations, batch: StackBatch): tf.Tensor2D {
  const { last } = forwardStack(params, { ...batch, dropoutMasks: undefined }, false);
  const U = params.readoutKernel.shape[0]!;
  return tf.tidy(() => readout(params, acts, tf.tensor2d(last, [last.length / U, U])).y);
}

/** The loss of the stack on a batch (no dropout; `acts.loss`, mean squared error by default). The caller owns the scalar. */
export function stackLoss(params: StackTensors, acts: StackActivations, batch: StackBatch): tf.Scalar {
  const targets = batch.targets;
  if (!targets) throw new Error('stackLoss: batch.targets is required');
  const { last } = forwardStack(params, { ...batch, dropoutMasks: undefined }, false);
  const U = params.readoutKernel.shape[0]!;
  return tf.tidy(() => {
    const { y, logits } = readout(params, acts, tf.tensor2d(last, [last.length / U, U]));
    const t2 = tf.tensor2d(targets, y.shape);
    if (acts.loss === 'softmax-crossentropy') {
      const t = tf.div(t2, tf.sum(t2, 1, true));
      return tf.div(tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(logits)))), y.shape[0]) as tf.Scalar;
    }
    return tf.mean(tf.squaredDifference(y, t2)) as tf.Scalar;
  });
}

/**
 * Loss (mean squared error over all cells, with the batch's dropout masks) and
 * the gradient of every weight, computed by a hand-written sequence-level
 * backward pass. The caller owns (and must dispose) every returned tensor.
 */
export function stackLossAndGradients(
  params: StackTensors,
  acts: StackActivations,
  batch: StackBatch,
): StackLossAndGradients {
  const targets = batch.targets;
  if (!targets) throw new Error('stackLossAndGradients: batch.targets is required');
  const { steps } = batch;
  const B = batch.batch;
  const rows = steps * B;
  const nLayers = params.layers.length;
  const { traces, last } = forwardStack(params, batch, true);
  const Ulast = params.readoutKernel.shape[0]!;

  // Read-out forward + backward on the backend (a few large ops).
  const head = tidyObj(() => {
    const lastT = tf.tensor2d(last, [rows, Ulast]);
    const { hr, y, logits } = readout(params, acts, lastT);
    let loss: tf.Scalar;
    let dLogits: tf.Tensor2D;
    if (acts.loss === 'softmax-crossentropy') {
      if (acts.outputActivation !== 'softmax') throw new Error("stackLossAndGradients: loss 'softmax-crossentropy' needs outputActivation 'softmax'");
      // Targets normalised per row; loss = mean over rows of -sum_k t_k log softmax(z)_k; dz = (p - t) / rows.
      const t2 = tf.tensor2d(targets, y.shape);
      const t = tf.div(t2, tf.sum(t2, 1, true));
      loss = tf.div(tf.neg(tf.sum(tf.mul(t, tf.logSoftmax(logits)))), rows) as tf.Scalar;
      dLogits = tf.div(tf.sub(y, t), rows) as tf.Tensor2D;
    } else {
      const diff = tf.sub(y, tf.tensor2d(targets, y.shape));
      const n = y.size;
      loss = tf.div(tf.sum(tf.square(diff)), n) as tf.Scalar;
      const dy = tf.mul(diff, 2 / n) as tf.Tensor2D;
      if (acts.outputActivation === 'sigmoid') dLogits = tf.mul(dy, tf.mul(y, tf.sub(1, y)));
      else if (acts.outputActivation === 'softmax') dLogits = tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), 1, true)));
      else dLogits = dy;
    }
    const gReadoutKernel = tf.matMul(tf.transpose(hr), dLogits) as tf.Tensor2D;
    const gReadoutBias = params.readoutBias ? (tf.sum(dLogits, 0) as tf.Tensor1D) : null;
    let dH = tf.matMul(dLogits, tf.transpose(params.readoutKernel as tf.Tensor2D)) as tf.Tensor2D;
    if (acts.hiddenActivation === 'relu') dH = tf.mul(dH, tf.step(lastT));
    else if (acts.hiddenActivation === 'tanh') dH = tf.mul(dH, tf.sub(1, tf.square(hr)));
    return { loss, gReadoutKernel, gReadoutBias, dH };
  });
  let dH = head.dH.dataSync() as Float32Array;
  head.dH.dispose();

  const layerGrads: StackGradients['layers'] = new Array(nLayers);
  for (let l = nLayers - 1; l >= 0; l--) {
    const layer = params.layers[l]!;
    const tr = traces[l]!;
    const U = layer.recurrentKernel.shape[0]!;
    const U4 = 4 * U;
    const { dZ, gBias: gBiasData } = layerBackward(tr, dH, layer.recurrentKernel, steps, B, U);
    const grads = tidyObj(() => {
      const dZt = tf.tensor2d(dZ, [rows, U4]);
      const gBias = tf.tensor1d(gBiasData);
      // One product per layer for the recurrent (and, above layer 0, the input)
      // kernel gradient: [X | H_prev]ᵀ · dZ, with H_prev = 0 at step 0.
      const inDim = l === 0 ? 0 : layer.kernel.shape[0]!;
      const width = inDim + U;
      const at = new Float32Array(width * rows);
      if (l > 0) {
        const x = tr.x!;
        for (let r = 0; r < rows; r++) {
          const o = r * inDim;
          for (let c = 0; c < inDim; c++) at[c * rows + r] = x[o + c]!;
        }
      }
      const h = tr.h;
      for (let r = B; r < rows; r++) {
        const o = (r - B) * U;
        for (let u = 0; u < U; u++) at[(inDim + u) * rows + r] = h[o + u]!;
      }
      const prod = jsProducts()
        ? tf.tensor2d(gemm(at, width, rows, dZ, U4), [width, U4])
        : tf.matMul(tf.tensor2d(at, [width, rows]), dZt);
      const gRec = (l === 0 ? prod : tf.slice(prod, [inDim, 0], [U, U4])) as tf.Tensor2D;
      let gKernel: tf.Tensor2D;
      let dX: tf.Tensor2D | null = null;
      if (l === 0) {
        const nIn = layer.kernel.shape[0]!;
        const acc = new Float32Array(nIn * U4);
        for (let r = 0; r < rows; r++) {
          const src = r * U4;
          for (let k = 0; k < batch.nActive; k++) {
            const dst = batch.active[k * rows + r]! * U4;
            for (let j = 0; j < U4; j++) acc[dst + j] += dZ[src + j]!;
          }
        }
        gKernel = tf.tensor2d(acc, [nIn, U4]);
      } else {
        gKernel = tf.slice(prod, [0, 0], [inDim, U4]) as tf.Tensor2D;
        dX = jsProducts()
          ? tf.tensor2d(gemm(dZ, rows, U4, transposeData(layer.kernel.dataSync() as Float32Array, inDim, U4), inDim), [rows, inDim])
          : (tf.matMul(dZt, tf.transpose(layer.kernel as tf.Tensor2D)) as tf.Tensor2D);
      }
      return { gBias, gRec, gKernel, dX };
    });
    layerGrads[l] = { kernel: grads.gKernel, recurrentKernel: grads.gRec, bias: grads.gBias };
    if (grads.dX) {
      const dX = grads.dX.dataSync() as Float32Array;
      grads.dX.dispose();
      const mask = batch.dropoutMasks?.[l - 1];
      if (mask) for (let j = 0; j < dX.length; j++) dX[j] = dX[j]! * mask[j]!;
      dH = dX;
    }
  }
  return {
    loss: head.loss,
    grads: { layers: layerGrads, readoutKernel: head.gReadoutKernel, readoutBias: head.gReadoutBias },
  };
}

/** Backward through one LSTM layer: dZ `[rows, 4U]` and the bias gradient (its column sums), given dL/dh for every step. */
function layerBackward(
  tr: LayerTrace,
  dHout: Float32Array,
  recurrentKernel: tf.Tensor,
  steps: number,
  B: number,
  U: number,
): { dZ: Float32Array; gBias: Float32Array } {
  const rows = steps * B;
  const U4 = 4 * U;
  const dZ = new Float32Array(rows * U4);
  const gBias = new Float32Array(U4);
  const recT = tf.transpose(recurrentKernel);
  let dhNext: Float32Array | null = null;
  const dcNext = new Float32Array(B * U);
  const { i, f, g, o, c, tc } = tr;
  try {
    for (let t = steps - 1; t >= 0; t--) {
      for (let b = 0; b < B; b++) {
        const row = t * B + b;
        const hrow = row * U;
        const zrow = row * U4;
        const prow = hrow - B * U; // previous step, same sequence
        for (let u = 0; u < U; u++) {
          const k = hrow + u;
          const dh = dHout[k]! + (dhNext !== null ? dhNext[b * U + u]! : 0);
          const ov = o[k]!;
          const tcv = tc[k]!;
          const iv = i[k]!;
          const fv = f[k]!;
          const gv = g[k]!;
          const dc = dh * ov * (1 - tcv * tcv) + dcNext[b * U + u]!;
          const cp = t > 0 ? c[prow + u]! : 0;
          const zi = dc * gv * iv * (1 - iv);
          const zf = dc * cp * fv * (1 - fv);
          const zg = dc * iv * (1 - gv * gv);
          const zo = dh * tcv * ov * (1 - ov);
          dZ[zrow + u] = zi;
          dZ[zrow + U + u] = zf;
          dZ[zrow + 2 * U + u] = zg;
          dZ[zrow + 3 * U + u] = zo;
          gBias[u] += zi;
          gBias[U + u] += zf;
          gBias[2 * U + u] += zg;
          gBias[3 * U + u] += zo;
          dcNext[b * U + u] = dc * fv;
        }
      }
      if (t > 0) dhNext = matMulData(dZ.subarray(t * B * U4, (t + 1) * B * U4), B, U4, recT);
    }
  } finally {
    recT.dispose();
  }
  return { dZ, gBias };
}
