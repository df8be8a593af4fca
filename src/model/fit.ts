/**
 * The training loop of `RePAPModel.train`: epochs of shuffled batches,
 * validation, early stopping, callbacks, time budget, abort, checkpoints and
 * exact resumption, and the guards against a non-finite loss and a collapsed
 * network.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { TimeMajorBatcher } from './batches.js';
import { activationsOf, batchLoss, collapseCheck, lossOf, nllOfBatch, nllReport, type InferenceModel, type NllSums } from './inference.js';
import { stackLossAndGradients } from './lstm-stack.js';
import { stackTensorsOf, stackVariableList } from './network.js';
import { makeOptimizer, readOptimizerState, writeOptimizerState } from './optimizer.js';
import { kernelNotice, kernelStepper, kernelUnavailable } from './kernel/stepper.js';
import { DEFAULT_SPLIT, splitCounts } from './split.js';
import { splitFrames } from './group-split.js';
import type { TrainedOrdering } from '../encoding/groups.js';
import type {
  EncodedDataset,
  EpochRecord,
  NegativeLogLikelihood,
  OptimizerSlot,
  SplitCounts,
  TrainBeginLogs,
  TrainingCallback,
  TrainingCheckpoint,
  TrainingHistory,
  TrainingInfo,
  TrainingLogs,
  TrainOptions,
} from './train-options.js';
import type { AxisProjectionEncoder } from '../encoding/encoder.js';

/** The training RNG (shuffling, dropout masks): a pure-rand generator. */
export type TrainingRng = ReturnType<typeof xoroshiro128plus>;

/**
 * One implementation of a training step (the seam between the loop and the
 * arithmetic): the fast sequence-level tfjs path, the generic tfjs-layers
 * path, or a native kernel.
 * @internal
 */
export interface TrainStepper {
  /** Which path this is. */
  readonly path: 'kernel' | 'fast' | 'generic';
  /** The optimiser state as tfjs optimiser slots, for a stepper that keeps its own (the kernel). */
  optimizerSlots?(): OptimizerSlot[];
  /** Restores the optimiser state of a resumed run into a stepper that keeps its own. */
  setOptimizerSlots?(slots: readonly OptimizerSlot[]): void;
  /** The loss (no dropout) of the sequences `rows`, where the stepper computes it faster than the tfjs forward pass. */
  loss?(rows: Int32Array): number;
  /**
   * One optimiser step on the training sequences `rows` (dropout masks drawn
   * from `rng`); returns the batch loss. When the loss is not finite, the
   * weights and the optimiser state are left as they were.
   */
  step(rows: Int32Array, rng: TrainingRng): number;
  /** Resolves when the stepper's worker threads have started (Web Workers start only while the event loop runs). */
  ready?(): Promise<void>;
  /** Threads that have run steps so far, the calling one included (the kernel's workers that ran a shard). */
  threadsUsed?(): number;
  /** Frees what the stepper holds (not the model's weights). */
  dispose?(): void;
}

/** What the loop needs of a model besides inference (a `RePAPModel` provides it). @internal */
export interface TrainableModel extends InferenceModel {
  /** Encoded training data, validated. */
  encodeForTraining(data: unknown): { coords: Float32Array; cell: unknown; pbc: unknown; ordering: TrainedOrdering | null };
  /** Records what generation needs of the training frames. */
  recordTrainingFrames(coords: Float32Array, trainRows: Int32Array, cell: unknown, pbc: unknown, ordering: TrainedOrdering | null): void;
  /** The persistent optimiser (created on first use). */
  optimizer(): tf.Optimizer;
  /** Training summary, read and written. */
  trainingInfo: TrainingInfo;
  /** Copies of the weights, in `network.getWeights()` order. */
  copyWeights(): Float32Array[];
  /** Sets the weights from copies. */
  setWeightsFrom(values: Float32Array[]): void;
}

/** The groups and refresh hook of grouped data (`EncodedDataset.groups`), validated; null for ungrouped data. */
function groupedData(data: unknown, nFrames: number): { groups: Int32Array; refresh?: EncodedDataset['refresh'] } | null {
  const d = data as EncodedDataset;
  if (d === null || typeof d !== 'object' || (d.groups === undefined && d.refresh === undefined)) return null;
  if (!(d.groups instanceof Int32Array) || d.groups.length !== nFrames) {
    throw new Error(`train: data.groups must be an Int32Array with one group index per row (${nFrames}); see groupFramesBy and GroupedEncoding`);
  }
  if (d.refresh !== undefined && typeof d.refresh !== 'function') throw new Error('train: data.refresh must be a function (rows, epoch) => void');
  return { groups: d.groups, ...(d.refresh ? { refresh: d.refresh } : {}) };
}

/** Lets the data rewrite the training rows (augmentation), then recomputes their grid cells. */
function refreshRows(
  encoder: AxisProjectionEncoder,
  coords: Float32Array,
  cells: Int32Array,
  rows: Int32Array,
  epoch: number,
  refresh: NonNullable<EncodedDataset['refresh']>,
): void {
  refresh(rows, epoch);
  const T = encoder.sequenceLength;
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i]! * T;
    for (let t = 0; t < T; t++) {
      const v = coords[base + t]!;
      if (!Number.isFinite(v)) throw new Error(`train: data.refresh wrote ${v} at row ${rows[i]}, token ${t}; expected finite Å`);
      cells[base + t] = encoder.cellOf(v, t % 3);
    }
  }
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function checkPositiveInt(name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`train: ${name} = ${String(v)}: expected an integer >= 1`);
  return v as number;
}

/** The fast path's step: hand-written sequence-level gradient, tfjs optimiser. */
function fastStepper(model: TrainableModel, batcher: TimeMajorBatcher): TrainStepper {
  const vars = stackVariableList(model.network, model.config);
  const { layers, units, dropout } = model.config;
  return {
    path: 'fast',
    step(rows, rng) {
      const batch = batcher.build(rows, true, { rate: dropout, units, nMasks: layers - 1, rng });
      const params = stackTensorsOf(model.network, model.config);
      const { loss, grads } = stackLossAndGradients(params, activationsOf(model.config), batch);
      const list: tf.Tensor[] = [];
      for (const g of grads.layers) list.push(g.kernel, g.recurrentKernel, g.bias);
      list.push(grads.readoutKernel);
      if (grads.readoutBias) list.push(grads.readoutBias);
      const value = loss.dataSync()[0]!;
      if (Number.isFinite(value)) {
        const named: tf.NamedTensorMap = {};
        vars.forEach((v, i) => {
          named[v.name] = list[i]!;
        });
        model.optimizer().applyGradients(named);
      }
      tf.dispose([loss, ...list]);
      return value;
    },
  };
}

/** The generic path's step: tfjs autodiff through the layers model. */
function genericStepper(model: TrainableModel, coords: Float32Array): TrainStepper {
  const enc: AxisProjectionEncoder = model.encoder;
  return {
    path: 'generic',
    step(rows, rng) {
      const e = enc.encodeBatch(coords, rows);
      const B = rows.length;
      const S = enc.sequenceLength - 1;
      // Seeded dropout: every Dropout layer gets a fresh seed from the stream.
      for (const layer of model.network.layers) {
        if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = rng.next() >>> 0;
      }
      const weights = model.network.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value: lossT, grads } = model.optimizer().computeGradients(() => {
        const x = tf.tensor3d(e.inputs, [B, S, enc.inputSize]);
        const y = tf.tensor3d(e.targets, [B, S, enc.gridSize]);
        const out = model.network.apply(x, { training: true }) as tf.Tensor;
        return lossOf(model.config, out, y);
      }, weights);
      const value = lossT.dataSync()[0]!;
      if (Number.isFinite(value)) model.optimizer().applyGradients(grads);
      tf.dispose([lossT, ...Object.values(grads)]);
      return value;
    },
  };
}

/**
 * The path that trains: `options.path`, else the fused kernel for an LSTM
 * stack where it can run (else, with a one-line notice, the fast tfjs path),
 * else the generic path.
 */
function trainingPath(model: TrainableModel, options: TrainOptions): 'kernel' | 'fast' | 'generic' {
  const asked = options.generic ? 'generic' : options.path;
  if (asked !== undefined && asked !== 'kernel' && asked !== 'fast' && asked !== 'generic') {
    throw new Error(`train: path = ${JSON.stringify(asked)}: expected 'kernel', 'fast' or 'generic'`);
  }
  if (asked === 'generic') return 'generic';
  if (!model.hasFastPath) {
    if (asked) throw new Error(`train: path '${asked}' trains only the built-in LSTM stack; use path 'generic' for a GRU or a custom network`);
    return 'generic';
  }
  if (asked === 'fast') return 'fast';
  const why = kernelUnavailable(model);
  if (why === null) return 'kernel';
  if (asked === 'kernel') throw new Error(`train: path 'kernel' cannot run: ${why}; use path 'fast'`);
  kernelNotice(`the fused training kernel cannot run (${why}); training on the tfjs path`);
  return 'fast';
}

/** Mean loss over `rows` (no dropout); null when aborted. */
async function lossOn(
  model: TrainableModel,
  coords: Float32Array,
  batcher: TimeMajorBatcher,
  rows: Int32Array,
  batchSize: number,
  signal?: AbortSignal,
  stepper?: TrainStepper,
): Promise<number | null> {
  let sum = 0;
  let count = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    if (signal?.aborted) return null;
    const sub = rows.subarray(start, Math.min(start + batchSize, rows.length));
    sum += (stepper?.loss ? stepper.loss(sub) : batchLoss(model, coords, batcher, sub)) * sub.length;
    count += sub.length;
    await yieldToEventLoop();
  }
  return sum / count;
}

/** Held-out negative log-likelihood over `rows`; null when aborted. */
export async function nllOn(
  model: InferenceModel,
  coords: Float32Array,
  batcher: TimeMajorBatcher,
  cells: Int32Array,
  rows: Int32Array,
  batchSize: number,
  signal?: AbortSignal,
): Promise<NegativeLogLikelihood | null> {
  const sums: NllSums = { nats: 0, logWidth: 0, coordinates: 0, structures: 0 };
  for (let start = 0; start < rows.length; start += batchSize) {
    if (signal?.aborted) return null;
    nllOfBatch(model, coords, batcher, cells, rows.subarray(start, Math.min(start + batchSize, rows.length)), sums);
    await yieldToEventLoop();
  }
  return nllReport(sums);
}

/** What must match between a checkpoint and a resumed run. */
function fingerprintOf(model: InferenceModel, o: { batchSize: number; seed: number; shuffle: boolean; split: SplitCounts; path: string; frames: number }): Record<string, unknown> {
  return {
    // The initialisation seed does not matter: the weights come from the checkpoint.
    config: { ...model.config, seed: undefined },
    encoder: model.encoder.toJSON(),
    batchSize: o.batchSize,
    seed: o.seed,
    shuffle: o.shuffle,
    split: o.split,
    // Not the path: the optimiser state is kept in tfjs's layout on every path, so a run may
    // continue on another path (then equal to an uninterrupted run to rounding, not bit for bit).
    frames: o.frames,
  };
}

/** The first differing field between two fingerprints, as a dotted path with both values, or null. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null;
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return null;
  }
  const show = (v: unknown): string => {
    const s = JSON.stringify(v);
    return s === undefined ? 'missing' : s.length > 60 ? s.slice(0, 57) + '...' : s;
  };
  return `${path || '(value)'}: ${show(a)} in the checkpoint, ${show(b)} now`;
}

/**
 * Trains `model` on `data`; the implementation of `RePAPModel.train`.
 * @internal
 */
export async function fit(model: TrainableModel, data: unknown, options: TrainOptions = {}): Promise<TrainingHistory> {
  const epochs = checkPositiveInt('epochs', options.epochs ?? 1);
  const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 32);
  const evalBatchSize = checkPositiveInt('evalBatchSize', options.evalBatchSize ?? 128);
  const maxBatches = options.maxBatchesPerEpoch === undefined ? Infinity : checkPositiveInt('maxBatchesPerEpoch', options.maxBatchesPerEpoch);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new Error(`train: seed = ${String(seed)}: expected an integer`);
  if (options.maxTime !== undefined && !(typeof options.maxTime === 'number' && options.maxTime > 0)) {
    throw new Error(`train: maxTime = ${String(options.maxTime)}: expected a number of seconds > 0`);
  }
  const es = options.earlyStopping;
  if (es !== undefined) {
    if (!Number.isInteger(es.patience) || es.patience < 1) {
      throw new Error(`train: earlyStopping.patience = ${String(es.patience)}: expected an integer >= 1`);
    }
  }
  const monitor = options.monitor;
  if (monitor !== undefined) {
    if (monitor === null || typeof monitor !== 'object' || typeof monitor.evaluate !== 'function' || typeof monitor.name !== 'string' || (monitor.mode !== 'min' && monitor.mode !== 'max')) {
      throw new Error("train: monitor must be an object { name, mode: 'min' | 'max', evaluate(epoch) }, for example structureMonitor(model, frames) from repap/sampling");
    }
  }
  const selectedBy = monitor ? `the monitored ${monitor.name}` : 'the validation loss';
  const shuffle = options.shuffle ?? true;
  const { coords, cell, pbc, ordering } = model.encodeForTraining(data);
  const T = model.encoder.sequenceLength;
  const nFrames = coords.length / T;
  const grouped = groupedData(data, nFrames);
  const groupSplit = grouped ? splitFrames(grouped.groups, options.split ?? DEFAULT_SPLIT, seed) : null;
  const split = groupSplit
    ? { train: groupSplit.train.length, validation: groupSplit.validation.length, test: groupSplit.test.length }
    : splitCounts(nFrames, options.split ?? DEFAULT_SPLIT);
  if (es !== undefined && split.validation === 0) {
    throw new Error('train: earlyStopping needs validation frames; set split.validation > 0');
  }
  const cells = model.encoder.tokenCells(coords);
  const batcher = new TimeMajorBatcher(model.encoder, coords, cells);
  const trainRows = groupSplit ? groupSplit.train : Int32Array.from({ length: split.train }, (_, i) => i);
  const valRows = groupSplit ? groupSplit.validation : Int32Array.from({ length: split.validation }, (_, i) => split.train + i);
  const testRows = groupSplit ? groupSplit.test : Int32Array.from({ length: split.test }, (_, i) => split.train + split.validation + i);
  const path = trainingPath(model, options);
  const fingerprint = fingerprintOf(model, { batchSize, seed, shuffle, split, path, frames: nFrames });
  const resume = options.resume;
  if (resume) {
    if (resume.format !== 'repap-checkpoint' || resume.version !== 1) {
      throw new Error(`train: options.resume is not a repap checkpoint (format ${JSON.stringify(resume.format)}, version ${JSON.stringify(resume.version)})`);
    }
    // Fields the current run does not fingerprint (older checkpoints) are not compared.
    const stored = Object.fromEntries(Object.keys(fingerprint).map((k) => [k, resume.fingerprint?.[k]]));
    const diff = firstDifference(stored, fingerprint);
    if (diff) throw new Error(`train: cannot resume: the run differs from the checkpoint in ${diff}; resume with the same settings`);
  }
  // A resumed run that selects by another figure than the checkpoint's starts the selection afresh.
  const selectionChanged = resume !== undefined && (resume.loop.monitor ?? null) !== (monitor?.name ?? null);

  model.recordTrainingFrames(coords, trainRows, cell, pbc, ordering);
  const stepper =
    path === 'kernel'
      ? kernelStepper(model, batcher, { threads: options.threads, batchSize })
      : path === 'fast'
        ? fastStepper(model, batcher)
        : genericStepper(model, coords);
  await stepper.ready?.();
  const batchesPerEpoch = Math.min(Math.ceil(split.train / batchSize), maxBatches);
  const detectCollapse = options.detectCollapse ?? true;
  // Rows probed for collapse: a few validation sequences, else training ones.
  const probeRows = (split.validation > 0 ? valRows : trainRows).subarray(0, 8);

  let rng: TrainingRng;
  let order: Int32Array;
  let history: TrainingHistory;
  let startEpoch = 0;
  let startBatch = 0;
  let lossSum = 0;
  let nb = 0;
  let epochSeqs = 0;
  let seqDone = 0;
  let trainSeconds = 0;
  let best = Infinity;
  let sinceBest = 0;
  let lastVal: number | null = null;
  let lastValNll: NegativeLogLikelihood | null = null;
  let bestWeights: Float32Array[] | null = null;
  let resumedMidEpoch = false;
  let epochStarted = false;
  if (resume) {
    resumedMidEpoch = resume.loop.epochStarted;
    model.setWeightsFrom(resume.weights);
    await writeOptimizerState(model.optimizer(), resume.optimizer);
    stepper.setOptimizerSlots?.(resume.optimizer);
    rng = xoroshiro128plusFromState(resume.rngState);
    order = Int32Array.from(resume.order);
    const l = resume.loop;
    history = structuredClone(l.history);
    history.stopReason = 'completed';
    history.message = null;
    history.restoredEpoch = null;
    startEpoch = resume.epoch;
    startBatch = resume.batch;
    lossSum = l.lossSum;
    nb = l.batchesDone;
    epochSeqs = l.epochSequences;
    seqDone = l.sequences;
    trainSeconds = l.trainSeconds;
    best = l.best;
    sinceBest = l.sinceBest;
    lastVal = l.lastVal;
    bestWeights = resume.bestWeights ? resume.bestWeights.map((w) => Float32Array.from(w)) : null;
    model.trainingInfo = { ...l.training };
    if (selectionChanged) {
      best = Infinity;
      sinceBest = 0;
      bestWeights = null;
      history.bestEpoch = null;
    }
    if (monitor) history.monitor = { name: monitor.name, mode: monitor.mode };
    else delete history.monitor;
  } else {
    rng = xoroshiro128plus(seed);
    order = trainRows.slice();
    history = { epochs: [], stopReason: 'completed', message: null, bestEpoch: null, restoredEpoch: null, testLoss: null, split, path, threads: 1 };
    if (monitor) history.monitor = { name: monitor.name, mode: monitor.mode };
  }
  // The weights to fall back to after a non-finite loss: the latest epoch's end (or the start).
  let lastGood = model.copyWeights();
  let lastGoodEpoch: number | null = history.epochs.length > 0 ? history.epochs[history.epochs.length - 1]!.epoch : null;

  const callbacks: TrainingCallback[] = [];
  if (options.onProgress) {
    const onProgress = options.onProgress;
    callbacks.push({
      onBatchEnd: (_b, logs) => onProgress(progressOf(logs)),
      onEpochEnd: (_e, logs) => onProgress(progressOf(logs)),
    });
  }
  if (options.callbacks) {
    if (!Array.isArray(options.callbacks)) throw new Error('train: callbacks must be an array of callback objects');
    callbacks.push(...options.callbacks);
  }
  const t0 = performance.now();
  const deadline = options.maxTime !== undefined ? t0 + options.maxTime * 1000 : Infinity;
  const totalBatches = batchesPerEpoch * epochs;
  const begin: TrainBeginLogs = { epochs, batches: batchesPerEpoch, batchSize, split, path, start: { epoch: startEpoch, batch: startBatch } };

  const snapshot = async (epoch: number, batch: number, reason: TrainingCheckpoint['reason']): Promise<TrainingCheckpoint> => ({
    format: 'repap-checkpoint',
    version: 1,
    fingerprint,
    epoch,
    batch,
    rngState: rng.getState().slice(),
    order: order.slice(),
    weights: model.copyWeights(),
    bestWeights,
    optimizer: stepper.optimizerSlots ? stepper.optimizerSlots() : await readOptimizerState(model.optimizer()),
    loop: {
      lossSum,
      batchesDone: nb,
      epochSequences: epochSeqs,
      sequences: seqDone,
      trainSeconds,
      best,
      sinceBest,
      lastVal,
      monitor: monitor?.name ?? null,
      epochStarted,
      history: structuredClone(history),
      training: { ...model.trainingInfo },
    },
    reason,
  });

  for (const c of callbacks) await c.onTrainBegin?.(begin);
  let stop: { reason: TrainingHistory['stopReason']; message: string; epoch: number; batch: number } | null = null;
  try {
    outer: for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const e0 = performance.now();
      const firstBatch = epoch === startEpoch ? startBatch : 0;
      // A resumed epoch that had begun keeps its order (the shuffle is done).
      // Augmentation of this epoch (again for a resumed epoch: refresh depends only on rows and epoch).
      if (grouped?.refresh) refreshRows(model.encoder, coords, cells, trainRows, epoch, grouped.refresh);
      if (!(epoch === startEpoch && resumedMidEpoch)) {
        if (shuffle) {
          for (let i = order.length - 1; i > 0; i--) {
            const j = uniformInt(rng, 0, i);
            const tmp = order[i]!;
            order[i] = order[j]!;
            order[j] = tmp;
          }
        }
        lossSum = 0;
        nb = 0;
        epochSeqs = 0;
      }
      epochStarted = true;
      for (const c of callbacks) await c.onEpochBegin?.(epoch, { ...begin, start: { epoch, batch: firstBatch } });
      for (let b = firstBatch; b < batchesPerEpoch; b++) {
        if (options.signal?.aborted) {
          stop = { reason: 'aborted', message: `aborted in epoch ${epoch + 1} after ${b} of ${batchesPerEpoch} batches`, epoch, batch: b };
          break outer;
        }
        if (performance.now() >= deadline) {
          stop = { reason: 'max-time', message: `the time budget of ${options.maxTime} s ran out in epoch ${epoch + 1} after ${b} of ${batchesPerEpoch} batches`, epoch, batch: b };
          break outer;
        }
        const rows = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
        const rngBefore = rng.getState().slice();
        const s0 = performance.now();
        const lossValue = stepper.step(rows, rng);
        if (!Number.isFinite(lossValue)) {
          rng = xoroshiro128plusFromState(rngBefore);
          const step = epoch * batchesPerEpoch + b + 1;
          stop = {
            reason: 'non-finite',
            message:
              `the loss became ${lossValue} in epoch ${epoch + 1}, batch ${b + 1} of ${batchesPerEpoch} (optimizer step ${step}); ` +
              `training stopped and the model keeps the weights of ${lastGoodEpoch === null ? 'the start of training' : `epoch ${lastGoodEpoch + 1}`}` +
              ' (try a smaller learning rate)',
            epoch,
            batch: b,
          };
          break outer;
        }
        trainSeconds += (performance.now() - s0) / 1000;
        seqDone += rows.length;
        epochSeqs += rows.length;
        lossSum += lossValue;
        nb++;
        const seqPerSec = seqDone / trainSeconds;
        const doneBatches = epoch * batchesPerEpoch + b + 1;
        const logs: TrainingLogs = {
          epoch,
          batch: b + 1,
          batches: batchesPerEpoch,
          loss: lossSum / nb,
          batchLoss: lossValue,
          valLoss: lastVal,
          valNll: lastValNll,
          seqPerSec,
          elapsed: (performance.now() - t0) / 1000,
          eta: ((totalBatches - doneBatches) * batchSize) / seqPerSec,
          epochEnd: false,
          sequences: seqDone,
          epochs,
        };
        for (const c of callbacks) await c.onBatchEnd?.(b, logs);
        await yieldToEventLoop();
      }
      const trainLoss = lossSum / Math.max(nb, 1);
      let valLoss: number | null = null;
      let valNll: NegativeLogLikelihood | null = null;
      if (split.validation > 0) {
        valLoss = await lossOn(model, coords, batcher, valRows, evalBatchSize, options.signal, stepper);
        if (valLoss !== null) valNll = await nllOn(model, coords, batcher, cells, valRows, evalBatchSize, options.signal);
        if (valLoss === null || valNll === null) {
          stop = { reason: 'aborted', message: `aborted during the validation of epoch ${epoch + 1}`, epoch, batch: batchesPerEpoch };
          break outer;
        }
      }
      lastVal = valLoss;
      lastValNll = valNll;
      // The monitored figure (structures sampled from these weights, for example) selects the kept epoch.
      let monitored: EpochRecord['monitor'] | undefined;
      if (monitor) {
        const m = await monitor.evaluate(epoch);
        if (m === null || typeof m !== 'object' || typeof m.value !== 'number') {
          throw new Error(`train: monitor '${monitor.name}' returned ${JSON.stringify(m)} after epoch ${epoch + 1}; expected { value: number }`);
        }
        monitored = { name: monitor.name, value: m.value, ...(m.details ? { details: { ...m.details } } : {}) };
      }
      const seconds = (performance.now() - e0) / 1000;
      const record: EpochRecord = { epoch, loss: trainLoss, valLoss, valNll, seconds, seqPerSec: seqDone / trainSeconds, ...(monitored ? { monitor: monitored } : {}) };
      history.epochs.push(record);
      model.trainingInfo = {
        ...model.trainingInfo,
        epochs: model.trainingInfo.epochs + 1,
        sequences: model.trainingInfo.sequences + epochSeqs,
        loss: trainLoss,
        valLoss,
        split,
      };
      // What selects: the validation loss, or the monitored figure (negated when larger is better).
      const selectBy = monitored ? (monitor!.mode === 'max' ? -monitored.value : monitored.value) : valLoss;
      if (selectBy !== null) {
        if (selectBy < best - (es?.minDelta ?? 0)) {
          best = selectBy;
          history.bestEpoch = epoch;
          sinceBest = 0;
          bestWeights = model.copyWeights();
        } else {
          sinceBest++;
        }
      }
      const collapse = detectCollapse ? collapseCheck(model, coords, batcher, probeRows) : { collapsed: false, message: '' };
      if (!collapse.collapsed) {
        lastGood = model.copyWeights();
        lastGoodEpoch = epoch;
      }
      const logs: TrainingLogs = {
        epoch,
        batch: nb,
        batches: batchesPerEpoch,
        loss: trainLoss,
        batchLoss: NaN,
        valLoss,
        valNll,
        seqPerSec: seqDone / trainSeconds,
        elapsed: (performance.now() - t0) / 1000,
        eta: ((epochs - epoch - 1) * batchesPerEpoch * batchSize) / (seqDone / trainSeconds),
        epochEnd: true,
        sequences: seqDone,
        epochs,
      };
      for (const c of callbacks) await c.onEpochEnd?.(epoch, logs, record);
      if (collapse.collapsed) {
        stop = {
          reason: 'collapsed',
          message: `the network collapsed in epoch ${epoch + 1}: ${collapse.message}; the learning rate (${model.config.learningRate}) is probably too large`,
          epoch: epoch + 1,
          batch: 0,
        };
        break outer;
      }
      if (es && selectBy !== null && sinceBest >= es.patience) {
        stop = { reason: 'early-stopping', message: `no improvement of ${selectedBy} for ${es.patience} epoch(s)`, epoch: epoch + 1, batch: 0 };
        break outer;
      }
      epochStarted = false;
      if (options.checkpoint) await options.checkpoint(await snapshot(epoch + 1, 0, 'epoch'));
    }
  } finally {
    history.threads = stepper.threadsUsed?.() ?? 1;
    stepper.dispose?.();
  }

  if (stop) {
    history.stopReason = stop.reason;
    history.message = stop.message;
    if (stop.reason === 'aborted' || stop.reason === 'max-time') {
      // The state to continue from is the current one; then the model keeps the best weights so far.
      if (options.checkpoint) await options.checkpoint(await snapshot(stop.epoch, stop.batch, stop.reason));
      if (bestWeights && history.bestEpoch !== null) {
        model.setWeightsFrom(bestWeights);
        history.restoredEpoch = history.bestEpoch;
      }
    } else if (stop.reason === 'non-finite' || stop.reason === 'collapsed') {
      model.setWeightsFrom(lastGood);
      history.restoredEpoch = lastGoodEpoch;
    } else if (stop.reason === 'early-stopping' && (es?.restoreBestWeights ?? true) && bestWeights) {
      model.setWeightsFrom(bestWeights);
      history.restoredEpoch = history.bestEpoch;
    }
  } else if (monitor && bestWeights && history.bestEpoch !== null && history.bestEpoch !== history.epochs[history.epochs.length - 1]?.epoch) {
    // With a monitor the kept weights are the best epoch's by it, also after the last epoch.
    model.setWeightsFrom(bestWeights);
    history.restoredEpoch = history.bestEpoch;
  }
  if (split.test > 0 && history.stopReason !== 'aborted') {
    history.testLoss = await lossOn(model, coords, batcher, testRows, evalBatchSize, options.signal);
    model.trainingInfo = { ...model.trainingInfo, testLoss: history.testLoss };
  }
  for (const c of callbacks) await c.onTrainEnd?.(history);
  return history;
}

function progressOf(l: TrainingLogs): import('./train-options.js').TrainingProgress {
  return {
    epoch: l.epoch,
    batch: l.batch,
    batches: l.batches,
    loss: l.loss,
    valLoss: l.valLoss,
    seqPerSec: l.seqPerSec,
    elapsed: l.elapsed,
    eta: l.eta,
    epochEnd: l.epochEnd,
  };
}

export { makeOptimizer };
