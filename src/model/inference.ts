/**
 * Inference with a `RePAPModel`'s network: the output distributions of a
 * batch of sequences, the training loss, the negative log-likelihood and the
 * collapse check. One implementation for the fast LSTM path and the generic
 * tfjs-layers path.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AxisProjectionEncoder } from '../encoding/encoder.js';
import { TimeMajorBatcher } from './batches.js';
import type { RePAPModelConfig } from './config.js';
import { type StackActivations, stackForward, stackLoss } from './lstm-stack.js';
import { stackTensorsOf } from './network.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { NegativeLogLikelihood } from './train-options.js';

/** What inference needs of a model (a `RePAPModel` is one). */
export interface InferenceModel {
  /** The encoder. */
  readonly encoder: AxisProjectionEncoder;
  /** The config. */
  readonly config: Readonly<RePAPModelConfig>;
  /** The network. */
  readonly network: tfl.LayersModel;
  /** Whether the fast LSTM path applies. */
  readonly hasFastPath: boolean;
}

/** Smallest probability inside a logarithm (float32 keeps it as a normal number). */
export const LOG_FLOOR = 1e-30;

/** The read-out activations of a config. */
export function activationsOf(config: Readonly<RePAPModelConfig>): StackActivations {
  return { hiddenActivation: config.hiddenActivation, outputActivation: config.outputActivation, loss: config.loss };
}

/**
 * Network outputs (no dropout) for the sequences `rows` of an encoded set, as
 * `[rows.length * (T-1), G]` with row `t * B + b` (time-major), and the cells of
 * the tokens they predict in the same order. The caller owns the tensor.
 */
export function batchOutputs(
  model: InferenceModel,
  coords: Float32Array,
  batcher: TimeMajorBatcher,
  rows: Int32Array,
  withTargets: boolean,
): { y: tf.Tensor2D; targets: Float32Array | undefined } {
  const enc = model.encoder;
  const S = enc.sequenceLength - 1;
  const B = rows.length;
  const G = enc.gridSize;
  if (model.hasFastPath) {
    const batch = batcher.build(rows, withTargets);
    const y = stackForward(stackTensorsOf(model.network, model.config), activationsOf(model.config), batch);
    return { y, targets: batch.targets };
  }
  const e = enc.encodeBatch(coords, rows);
  const y = tf.tidy(() => {
    const out = model.network.apply(tf.tensor3d(e.inputs, [B, S, enc.inputSize]), { training: false }) as tf.Tensor;
    // batch-major [B, S, G] -> time-major [S * B, G]
    return tf.reshape(tf.transpose(out, [1, 0, 2]), [S * B, G]) as tf.Tensor2D;
  });
  let targets: Float32Array | undefined;
  if (withTargets) {
    targets = new Float32Array(S * B * G);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < S; t++) targets.set(e.targets.subarray((b * S + t) * G, (b * S + t + 1) * G), (t * B + b) * G);
    }
  }
  return { y, targets };
}

/**
 * The training loss of outputs `y` (probabilities, `[R, G]`) against targets
 * (`[R, G]`): for `'sigmoid-mse'` the mean over every cell of the squared error;
 * for `'softmax-crossentropy'` the mean over rows of `-sum_k t_k log p_k`, with
 * every target row normalised to sum 1. Inside a tidy.
 */
export function lossOf(config: Readonly<RePAPModelConfig>, y: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  if (config.loss === 'softmax-crossentropy') {
    const G = y.shape[y.shape.length - 1]!;
    const y2 = tf.reshape(y, [-1, G]);
    const t2 = tf.reshape(targets, [-1, G]);
    const t = tf.div(t2, tf.sum(t2, 1, true));
    return tf.neg(tf.mean(tf.sum(tf.mul(t, tf.log(tf.maximum(y2, LOG_FLOOR))), 1))) as tf.Scalar;
  }
  return tf.mean(tf.squaredDifference(y, targets)) as tf.Scalar;
}

/** The model's loss (its config's loss, no dropout) on the sequences `rows`. */
export function batchLoss(model: InferenceModel, coords: Float32Array, batcher: TimeMajorBatcher, rows: Int32Array): number {
  if (model.hasFastPath) {
    const l = stackLoss(stackTensorsOf(model.network, model.config), activationsOf(model.config), batcher.build(rows, true));
    const v = l.dataSync()[0]!;
    l.dispose();
    return v;
  }
  const { y, targets } = batchOutputs(model, coords, batcher, rows, true);
  const loss = tf.tidy(() => lossOf(model.config, y, tf.tensor2d(targets!, y.shape)));
  y.dispose();
  const v = loss.dataSync()[0]!;
  loss.dispose();
  return v;
}

/** Running sums of the negative log-likelihood over batches (see {@link nllOfBatch}). */
export interface NllSums {
  /** Sum of -log p_k over coordinates. */
  nats: number;
  /** Sum of log(cell width) over coordinates. */
  logWidth: number;
  /** Coordinates. */
  coordinates: number;
  /** Structures. */
  structures: number;
}

/**
 * Adds the negative log-likelihood of the sequences `rows` to `sums`: for
 * every predicted token, the output row normalised to sum 1 (as the samplers
 * do: sigmoid outputs divided by their sum, softmax as is) and
 * `-log p(cell of the true coordinate)`.
 */
export function nllOfBatch(model: InferenceModel, coords: Float32Array, batcher: TimeMajorBatcher, cells: Int32Array, rows: Int32Array, sums: NllSums): void {
  const enc = model.encoder;
  const T = enc.sequenceLength;
  const S = T - 1;
  const G = enc.gridSize;
  const B = rows.length;
  const { y } = batchOutputs(model, coords, batcher, rows, false);
  const p = y.dataSync() as Float32Array;
  y.dispose();
  const logW = [Math.log(enc.cellWidth(0)), Math.log(enc.cellWidth(1)), Math.log(enc.cellWidth(2))];
  for (let t = 0; t < S; t++) {
    for (let b = 0; b < B; b++) {
      const o = (t * B + b) * G;
      let total = 0;
      for (let k = 0; k < G; k++) total += p[o + k]!;
      const k = cells[rows[b]! * T + t + 1]!;
      const q = total > 0 ? p[o + k]! / total : 0;
      sums.nats += -Math.log(Math.max(q, LOG_FLOOR));
      sums.logWidth += logW[(t + 1) % 3]!;
    }
  }
  sums.coordinates += S * B;
  sums.structures += B;
}

/** The report of {@link NllSums}. */
export function nllReport(s: NllSums): NegativeLogLikelihood {
  const per = s.nats / s.coordinates;
  return {
    perCoordinate: per,
    perStructure: s.nats / s.structures,
    perStructureDensity: (s.nats + s.logWidth) / s.structures,
    structures: s.structures,
  };
}

/** What {@link collapseCheck} found. */
export interface CollapseReport {
  /** True when the network has collapsed. */
  collapsed: boolean;
  /** What was seen, in words (empty when healthy). */
  message: string;
}

/**
 * Whether the network has collapsed, as a too-large learning rate leaves it:
 * on the sequences `rows`, a share of at least `1 %` of the output rows sums to
 * less than 1e-6 (or is not finite), so that sampling would find no
 * distribution to draw from; or the output no longer depends on the input
 * (90 % of consecutive output rows equal to 1e-6, as dead ReLUs or saturated
 * sigmoids leave them).
 */
export function collapseCheck(model: InferenceModel, coords: Float32Array, batcher: TimeMajorBatcher, rows: Int32Array): CollapseReport {
  const G = model.encoder.gridSize;
  const { y } = batchOutputs(model, coords, batcher, rows, false);
  const p = y.dataSync() as Float32Array;
  y.dispose();
  const R = p.length / G;
  let dead = 0;
  let nonFinite = 0;
  for (let r = 0; r < R; r++) {
    let total = 0;
    for (let k = 0; k < G; k++) total += p[r * G + k]!;
    if (!Number.isFinite(total)) nonFinite++;
    else if (!(total >= 1e-6)) dead++;
  }
  if (nonFinite > 0) return { collapsed: true, message: `${nonFinite} of ${R} output rows are not finite` };
  if (dead >= Math.max(1, 0.01 * R)) {
    return { collapsed: true, message: `${dead} of ${R} output rows sum to less than 1e-6 (the network predicts zero everywhere; sampling would fail)` };
  }
  if (R > 2) {
    // A healthy network gives different outputs for different inputs; a collapsed one
    // (dead ReLUs, saturated sigmoids) gives the same row for almost every input.
    let same = 0;
    for (let r = 1; r < R; r++) {
      let d = 0;
      for (let k = 0; k < G; k++) d = Math.max(d, Math.abs(p[r * G + k]! - p[(r - 1) * G + k]!));
      if (d < 1e-6) same++;
    }
    if (same >= 0.9 * (R - 1)) {
      return { collapsed: true, message: `the output no longer depends on the input (${same + 1} of ${R} output rows are identical)` };
    }
  }
  return { collapsed: false, message: '' };
}

/**
 * The network's output at every step for fixed token cells `[batch, n]`
 * (1 <= n <= T-1), batch-major `[batch, n, G]`; see `RePAPModel.predictProbabilities`.
 */
export function predictCells(model: InferenceModel, cells: ArrayLike<number>, batch: number): Float32Array {
  const G = model.encoder.gridSize;
  const T = model.encoder.sequenceLength;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`predictProbabilities: batch = ${batch}: expected an integer >= 1`);
  const n = cells.length / batch;
  if (!Number.isInteger(n) || n < 1 || n > T - 1) {
    throw new Error(`predictProbabilities: cells has ${cells.length} entries; expected batch x n with 1 <= n <= ${T - 1}`);
  }
  const c = Int32Array.from(cells);
  for (let i = 0; i < c.length; i++) {
    if (!(c[i]! >= 0 && c[i]! < G) || c[i] !== cells[i]) {
      throw new Error(`predictProbabilities: cells[${i}] = ${cells[i]} is not a grid cell in 0..${G - 1}`);
    }
  }
  if (model.hasFastPath) {
    const sb = TimeMajorBatcher.fromCells(model.encoder, c, batch, n);
    const y = stackForward(stackTensorsOf(model.network, model.config), activationsOf(model.config), sb);
    const ym = y.dataSync() as Float32Array;
    // time-major [n, batch, G] -> [batch, n, G]
    const out = new Float32Array(batch * n * G);
    for (let t = 0; t < n; t++) {
      for (let b = 0; b < batch; b++) out.set(ym.subarray((t * batch + b) * G, (t * batch + b + 1) * G), (b * n + t) * G);
    }
    y.dispose();
    return out;
  }
  const I = model.encoder.inputSize;
  const x = new Float32Array(batch * n * I);
  const idx = new Int32Array(8);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < n; t++) {
      const k = model.encoder.activeInputs(t, c[b * n + t]!, idx);
      for (let j = 0; j < k; j++) x[(b * n + t) * I + idx[j]!] = 1;
    }
  }
  const y = tf.tidy(() => model.network.predict(tf.tensor3d(x, [batch, n, I]), { batchSize: batch }) as tf.Tensor);
  const out = Float32Array.from(y.dataSync() as Float32Array);
  y.dispose();
  return out;
}
