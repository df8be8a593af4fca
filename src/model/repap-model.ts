/**
 * `RePAPModel`: the recurrent network of Recurrent Probabilistic Axis
 * Projections, its training loop, and saving/loading.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { AxisProjectionEncoder } from '../encoding/encoder.js';
import type { EncoderJSON } from '../encoding/config.js';
import type { Cell, Pbc, Trajectory } from '../structure/trajectory.js';
import { TimeMajorBatcher } from './batches.js';
import { type RePAPModelConfig, resolveModelConfig } from './config.js';
import { type StackActivations, stackForward, stackLossAndGradients } from './lstm-stack.js';
import {
  buildNetwork,
  initializeNetwork,
  readStackWeights,
  stackTensorsOf,
  stackVariableList,
} from './network.js';
import type { GenerativeModelSource } from './source.js';
import { ensureLayersCompat } from './tfjs-compat.js';
import type { RecurrentStackWeights } from './weights.js';

type Rng = ReturnType<typeof xoroshiro128plus>;

/** Format tag and version of `repap.json` (the model metadata). */
export const MODEL_FORMAT = 'repap-model';
/** Current version of the model metadata format. Loading another version is an error. */
export const MODEL_FORMAT_VERSION = 1;

/** Builds a custom network: `[batch, steps, inputSize] -> [batch, steps, gridSize]`, not stateful. */
export type NetworkFactory = (shape: { inputSize: number; gridSize: number; config: RePAPModelConfig }) => tfl.LayersModel;

/** Options of {@link RePAPModel.create} that are not part of the serialisable config. */
export interface CreateOptions {
  /**
   * A user-supplied network instead of the built-in recurrent stack. It
   * trains on the generic tfjs path; `stackWeights()` returns null.
   */
  network?: NetworkFactory;
}

/** An encoded dataset: ordered coordinates `[nFrames, sequenceLength]` from `encoder.orderedCoordinates`. */
export interface EncodedDataset {
  /** `[nFrames, T]` row-major, in Å. */
  coords: Float32Array;
  /** The cell of the structures (stored for generation), when known. */
  cell?: Cell | null;
  /** Periodicity, when known (default: the encoder's periodic axes). */
  pbc?: Pbc;
}

/** Training data: a trajectory (encoded with the model's encoder) or an encoded dataset. */
export type TrainingData = Trajectory | EncodedDataset;

/**
 * How to split the frames, in order: first `train`, then `validation`, then
 * `test`. Each part is a fraction of the frames (all < 1, e.g. 0.8 / 0.1 / 0.1)
 * or a count (integers >= 1, e.g. 40000 / 5000 / 5000).
 */
export interface SplitSpec {
  /** Training frames. */
  train: number;
  /** Validation frames (loss after every epoch, early stopping); 0 for none. */
  validation: number;
  /** Held-out test frames (loss reported once at the end); 0 for none. */
  test: number;
}

/** Frames in each part of a split, as counts. */
export interface SplitCounts {
  /** Training frames. */
  train: number;
  /** Validation frames. */
  validation: number;
  /** Test frames. */
  test: number;
}

/** Early stopping on the validation loss (see {@link TrainOptions.earlyStopping}). */
export interface EarlyStopping {
  /** Epochs without improvement before training stops (an integer >= 1). */
  patience: number;
  /** Smallest decrease of the validation loss that counts as an improvement (0). */
  minDelta?: number;
  /** Restore the weights of the best epoch when stopping early (true). */
  restoreBestWeights?: boolean;
}

/** Progress report, after every batch and after every epoch's validation. */
export interface TrainingProgress {
  /** Epoch, 0-based. */
  epoch: number;
  /** Batches done in this epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Mean training loss over this epoch's batches so far. */
  loss: number;
  /** Validation loss of the latest finished epoch, or null. */
  valLoss: number | null;
  /** Training throughput so far (sequences per second, without validation). */
  seqPerSec: number;
  /** Seconds since train() started. */
  elapsed: number;
  /** Estimated seconds left for the remaining epochs (without early stopping). */
  eta: number;
  /** True on the report after an epoch's validation. */
  epochEnd: boolean;
}

/** Options of {@link RePAPModel.train}. */
export interface TrainOptions {
  /** Epochs (1). */
  epochs?: number;
  /**
   * Sequences per batch (32). The paper-size network first settles on a plateau
   * where it predicts zero everywhere and leaves it only after about 1,000
   * updates: at batch 32 that takes 32,000+ sequences, at batch 4 (what the
   * embedded model used; the original code used 1) about 4,000, at nearly the
   * same cost per sequence on the fast path.
   */
  batchSize?: number;
  /** Split of the frames, in order. Default fractions 0.8 / 0.1 / 0.1 (the original code's 40k / 5k / 5k of 50k). */
  split?: SplitSpec;
  /** Shuffle the training sequences every epoch (true). The original code trained in order. */
  shuffle?: boolean;
  /** Seed of the shuffling and the dropout masks (0). */
  seed?: number;
  /**
   * Stop when the validation loss has not improved by more than `minDelta`
   * (0) for `patience` epochs; when it stops so, the best epoch's weights are
   * restored (`restoreBestWeights`, default true).
   */
  earlyStopping?: EarlyStopping;
  /** Stops training after the current batch; `train` then resolves with `stopReason: 'aborted'`. */
  signal?: AbortSignal;
  /**
   * Progress callback, after every batch and after every epoch's validation
   * (`epochEnd: true`). A returned promise is awaited before training goes on,
   * so an epoch-end report can save a checkpoint (`saveModel(model, dir)`).
   */
  onProgress?: (p: TrainingProgress) => void | Promise<void>;
  /** Use the generic tfjs-layers path (autodiff through the layers model) even for an LSTM stack. */
  generic?: boolean;
  /** Sequences per batch when computing validation and test losses (128). */
  evalBatchSize?: number;
  /** Stop an epoch after this many batches (benchmarks, smoke tests). */
  maxBatchesPerEpoch?: number;
}

/** One finished epoch. */
export interface EpochRecord {
  /** 0-based. */
  epoch: number;
  /** Mean training loss over the epoch's batches (with dropout). */
  loss: number;
  /** Validation loss (no dropout), or null without a validation split. */
  valLoss: number | null;
  /** Seconds of the epoch, validation included. */
  seconds: number;
  /** Training sequences per second. */
  seqPerSec: number;
}

/** What {@link RePAPModel.train} returns. */
export interface TrainingHistory {
  /** Finished epochs. */
  epochs: EpochRecord[];
  /** Why training stopped. */
  stopReason: 'completed' | 'early-stopping' | 'aborted';
  /** Epoch of the best validation loss (whose weights were restored), or null. */
  bestEpoch: number | null;
  /** Loss on the held-out test frames, or null. */
  testLoss: number | null;
  /** Frames per part of the split. */
  split: SplitCounts;
  /** Which path trained: `'fast'` (sequence-level LSTM) or `'generic'` (tfjs-layers autodiff). */
  path: 'fast' | 'generic';
}

/** Training information stored with a saved model. */
export interface TrainingInfo {
  /** Epochs trained in total. */
  epochs: number;
  /** Sequences seen in total. */
  sequences: number;
  /** Latest training / validation / test losses. */
  loss: number | null;
  /** Latest validation loss. */
  valLoss: number | null;
  /** Latest test loss. */
  testLoss: number | null;
  /** Frames in the latest split. */
  split: SplitCounts | null;
}

/** The model metadata (`repap.json`, and `userDefinedMetadata.repap` of the tf.io artifacts). */
export interface ModelMetadata {
  /** Always `'repap-model'`. */
  format: typeof MODEL_FORMAT;
  /** {@link MODEL_FORMAT_VERSION}. */
  version: number;
  /** The encoder. */
  encoder: EncoderJSON;
  /** The network config. */
  config: RePAPModelConfig;
  /** Whether the network came from a user factory. */
  customNetwork: boolean;
  /** Empirical first coordinates (Å) of the training frames. */
  firstCoordinates: number[];
  /** Training cell. */
  cell: Cell | null;
  /** Training periodicity. */
  pbc: Pbc;
  /** Training summary. */
  training: TrainingInfo;
}

function isTrajectory(d: TrainingData): d is Trajectory {
  return typeof (d as Trajectory).nFrames === 'number' && (d as Trajectory).positions !== undefined;
}

function splitCounts(n: number, split: SplitSpec): { train: number; validation: number; test: number } {
  const parts = ['train', 'validation', 'test'] as const;
  for (const p of parts) {
    const v = split[p];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`train: split.${p} = ${String(v)}: expected a fraction in [0, 1) or a frame count >= 0`);
    }
  }
  const fractions = parts.every((p) => split[p] < 1);
  let counts: { train: number; validation: number; test: number };
  if (fractions) {
    const sum = split.train + split.validation + split.test;
    if (sum > 1 + 1e-9) throw new Error(`train: split fractions add up to ${sum}; they must not exceed 1`);
    counts = {
      train: Math.floor(split.train * n),
      validation: Math.floor(split.validation * n),
      test: Math.floor(split.test * n),
    };
    if (split.train > 0 && counts.train < 1) {
      throw new Error(`train: ${n} frames are too few for split.train = ${split.train} (0 training frames); give more frames or a count`);
    }
    if (split.validation > 0 && counts.validation < 1) {
      throw new Error(`train: ${n} frames are too few for split.validation = ${split.validation} (0 validation frames); give more frames or set it to 0`);
    }
  } else {
    for (const p of parts) {
      if (!Number.isInteger(split[p])) {
        throw new Error(`train: split.${p} = ${split[p]}: counts must be integers (or give all parts as fractions < 1)`);
      }
    }
    counts = { train: split.train, validation: split.validation, test: split.test };
    const need = counts.train + counts.validation + counts.test;
    if (need > n) {
      throw new Error(
        `train: the split needs ${need} frames (${counts.train} train + ${counts.validation} validation + ${counts.test} test) but the data has ${n}`,
      );
    }
  }
  if (counts.train < 1) throw new Error(`train: the split leaves no training frames (split.train = ${split.train})`);
  return counts;
}

function checkPositiveInt(name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`train: ${name} = ${String(v)}: expected an integer >= 1`);
  return v as number;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function makeOptimizer(config: RePAPModelConfig): tf.Optimizer {
  switch (config.optimizer) {
    case 'adam':
      // PyTorch's defaults (beta 0.9 / 0.999, eps 1e-8 added to sqrt(v)).
      return tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8);
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    default:
      // PyTorch's RMSprop defaults, as the original code used: alpha 0.99 and
      // eps 1e-8 added to sqrt(v). tfjs adds epsilon inside the square root,
      // hence 1e-16.
      return tf.train.rmsprop(config.learningRate, 0.99, 0, 1e-16);
  }
}

/**
 * The RePAP network with its encoder: trains on a trajectory and provides
 * what a sampler needs ({@link GenerativeModelSource}).
 *
 * Architecture (defaults, {@link RePAPModelConfig}): 2 stacked LSTM layers of
 * 256 units, dropout 0.5 between them, ReLU, Dense 256 -> gridSize without
 * bias, sigmoid; loss: mean squared error per output cell; RMSprop lr 1e-3.
 * LSTM stacks train on a fast sequence-level path with a hand-written
 * gradient; GRUs and user networks ({@link CreateOptions.network}) train with
 * tfjs autodiff through the layers model.
 *
 * Choices, and how they relate to the original code:
 * - read-out without bias (`readoutBias: false`), as `Linear(256, 50, bias=False)`;
 * - dropout between recurrent layers only, per element and time step, as
 *   PyTorch's `nn.LSTM(dropout=0.5)`; gates use the logistic sigmoid (Keras'
 *   default `hardSigmoid` is replaced), gate order i, f, c, o (Keras layout);
 * - RMSprop with PyTorch's defaults (alpha 0.99, eps 1e-8 outside the square root);
 * - weights drawn with Keras' schemes from a seeded stream (`config.seed`),
 *   identical on every backend (PyTorch draws uniform(±1/sqrt(U)));
 * - frames split in order (default 0.8 / 0.1 / 0.1: the original 40k / 5k /
 *   5k of 50k frames); unlike the original (batch size 1, in order) the
 *   training frames are shuffled every epoch (seeded) and batched.
 *
 * ```ts
 * const encoder = AxisProjectionEncoder.fit(trajectory);
 * const model = RePAPModel.create(encoder);
 * const history = await model.train(trajectory, { epochs: 1, batchSize: 32 });
 * ```
 */
export class RePAPModel implements GenerativeModelSource {
  /** The encoder (grid, ordering, input layout). */
  readonly encoder: AxisProjectionEncoder;
  /** The resolved config. */
  readonly config: Readonly<RePAPModelConfig>;
  /** The network, `[batch, steps, inputSize] -> [batch, steps, gridSize]`. */
  readonly network: tfl.LayersModel;
  /** Whether the network came from a user factory. */
  readonly customNetwork: boolean;
  private _cell: Cell | null;
  private _pbc: Pbc;
  private _firstCoordinates: Float64Array;
  private _training: TrainingInfo;
  private _optimizer: tf.Optimizer | null = null;
  private _disposed = false;

  private constructor(
    encoder: AxisProjectionEncoder,
    config: RePAPModelConfig,
    network: tfl.LayersModel,
    customNetwork: boolean,
  ) {
    this.encoder = encoder;
    this.config = Object.freeze({ ...config });
    this.network = network;
    this.customNetwork = customNetwork;
    this._cell = null;
    this._pbc = [...encoder.periodic] as Pbc;
    this._firstCoordinates = new Float64Array(0);
    this._training = { epochs: 0, sequences: 0, loss: null, valLoss: null, testLoss: null, split: null };
  }

  /**
   * A new, untrained model for `encoder`. Weights are drawn from `config.seed`
   * (the same on every backend).
   */
  static create(encoder: AxisProjectionEncoder, config: Partial<RePAPModelConfig> = {}, options: CreateOptions = {}): RePAPModel {
    if (!(encoder instanceof AxisProjectionEncoder)) {
      throw new Error('RePAPModel.create: encoder must be an AxisProjectionEncoder (AxisProjectionEncoder.fit(trajectory))');
    }
    const c = resolveModelConfig(config);
    ensureLayersCompat();
    let network: tfl.LayersModel;
    if (options.network) {
      network = options.network({ inputSize: encoder.inputSize, gridSize: encoder.gridSize, config: c });
      checkNetworkShape(network, encoder, 'RePAPModel.create: options.network');
    } else {
      network = buildNetwork(c, encoder.inputSize, encoder.gridSize);
      initializeNetwork(network, c);
    }
    return new RePAPModel(encoder, c, network, options.network !== undefined);
  }

  /** The encoding (same object as {@link encoder}). */
  get codec(): AxisProjectionEncoder {
    return this.encoder;
  }
  /** Training cell, or null before training on a trajectory with a cell. */
  get cell(): Cell | null {
    return this._cell;
  }
  /** Training periodicity. */
  get pbc(): Pbc {
    return this._pbc;
  }
  /** Species of each atom (original order). */
  get species(): readonly string[] {
    return this.encoder.species;
  }
  /** First-token coordinate (Å) of every training frame, to 1e-5 Å: the empirical distribution x0 is drawn from. */
  get firstCoordinates(): Float64Array {
    return this._firstCoordinates;
  }
  /** Training summary. */
  get training(): Readonly<TrainingInfo> {
    return this._training;
  }
  /** True once {@link dispose} ran. */
  get isDisposed(): boolean {
    return this._disposed;
  }
  /** True when training uses the fast sequence-level LSTM path by default. */
  get hasFastPath(): boolean {
    return !this.customNetwork && this.config.cell === 'lstm';
  }

  private checkAlive(where: string): void {
    if (this._disposed) throw new Error(`RePAPModel.${where}: the model was disposed`);
  }

  private activations(): StackActivations {
    return { hiddenActivation: this.config.hiddenActivation, outputActivation: this.config.outputActivation };
  }

  /** Ordered coordinates `[nFrames, T]` of training data, validated. */
  private encode(data: TrainingData, where: string): { coords: Float32Array; cell: Cell | null | undefined; pbc: Pbc | undefined } {
    if (data === null || typeof data !== 'object') throw new Error(`RePAPModel.${where}: expected a Trajectory or { coords }`);
    if (isTrajectory(data)) {
      if (data.nAtoms !== this.encoder.nAtoms) {
        throw new Error(
          `RePAPModel.${where}: the trajectory has ${data.nAtoms} atoms but the model's encoder has ${this.encoder.nAtoms}; ` +
            'train on frames of the same system',
        );
      }
      return { coords: this.encoder.orderedCoordinates(data), cell: data.cell, pbc: data.pbc };
    }
    const { coords } = data;
    const T = this.encoder.sequenceLength;
    if (!(coords instanceof Float32Array)) {
      throw new Error(`RePAPModel.${where}: data.coords must be a Float32Array [nFrames, ${T}] (encoder.orderedCoordinates)`);
    }
    if (coords.length === 0 || coords.length % T !== 0) {
      throw new Error(
        `RePAPModel.${where}: data.coords has ${coords.length} values, not a positive multiple of sequenceLength ${T} ` +
          `(${this.encoder.nAtoms} atoms x 3); was it encoded for another number of atoms?`,
      );
    }
    for (let i = 0; i < coords.length; i++) {
      if (!Number.isFinite(coords[i]!)) {
        throw new Error(`RePAPModel.${where}: data.coords[${i}] (frame ${Math.floor(i / T)}, token ${i % T}) is ${coords[i]}; expected finite Å`);
      }
    }
    return { coords, cell: data.cell, pbc: data.pbc };
  }

  /**
   * Trains the network. The frames are split in order into train /
   * validation / test parts ({@link TrainOptions.split}); batches are built
   * on the fly. Resolves with the history; the model keeps the trained
   * weights (the best validation epoch's with early stopping).
   */
  async train(data: TrainingData, options: TrainOptions = {}): Promise<TrainingHistory> {
    this.checkAlive('train');
    const epochs = checkPositiveInt('epochs', options.epochs ?? 1);
    const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 32);
    const evalBatchSize = checkPositiveInt('evalBatchSize', options.evalBatchSize ?? 128);
    const maxBatches = options.maxBatchesPerEpoch === undefined ? Infinity : checkPositiveInt('maxBatchesPerEpoch', options.maxBatchesPerEpoch);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new Error(`train: seed = ${String(seed)}: expected an integer`);
    const es = options.earlyStopping;
    if (es !== undefined) {
      if (!Number.isInteger(es.patience) || es.patience < 1) {
        throw new Error(`train: earlyStopping.patience = ${String(es.patience)}: expected an integer >= 1`);
      }
    }
    const { coords, cell, pbc } = this.encode(data, 'train');
    const T = this.encoder.sequenceLength;
    const nFrames = coords.length / T;
    const split = splitCounts(nFrames, options.split ?? { train: 0.8, validation: 0.1, test: 0.1 });
    if (es !== undefined && split.validation === 0) {
      throw new Error('train: earlyStopping needs validation frames; set split.validation > 0');
    }
    const cells = this.encoder.tokenCells(coords);
    const batcher = new TimeMajorBatcher(this.encoder, coords, cells);
    const trainRows = Int32Array.from({ length: split.train }, (_, i) => i);
    const valRows = Int32Array.from({ length: split.validation }, (_, i) => split.train + i);
    const testRows = Int32Array.from({ length: split.test }, (_, i) => split.train + split.validation + i);

    // What generation needs. The first coordinates are kept to 1e-5 Å (far below
    // any grid cell), so that the 40,000 values of a saved model stay small as JSON.
    const first = new Float64Array(split.train);
    for (let i = 0; i < split.train; i++) first[i] = Math.round(coords[i * T]! * 1e5) / 1e5;
    this._firstCoordinates = first;
    if (cell !== undefined) this._cell = cell;
    if (pbc !== undefined) this._pbc = [...pbc] as Pbc;

    const path: 'fast' | 'generic' = this.hasFastPath && !options.generic ? 'fast' : 'generic';
    if (!this._optimizer) this._optimizer = makeOptimizer(this.config);
    const optimizer = this._optimizer;
    const rng: Rng = xoroshiro128plus(seed);
    const batchesPerEpoch = Math.min(Math.ceil(split.train / batchSize), maxBatches);
    const history: TrainingHistory = { epochs: [], stopReason: 'completed', bestEpoch: null, testLoss: null, split, path };
    const t0 = performance.now();
    let trainSeconds = 0;
    let seqDone = 0;
    let best = Infinity;
    let bestWeights: Float32Array[] | null = null;
    let sinceBest = 0;
    let lastVal: number | null = null;
    const order = trainRows.slice();
    const vars = path === 'fast' ? stackVariableList(this.network, this.config) : [];
    const totalBatches = batchesPerEpoch * epochs;

    outer: for (let epoch = 0; epoch < epochs; epoch++) {
      const e0 = performance.now();
      if (options.shuffle ?? true) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = uniformInt(rng, 0, i);
          const tmp = order[i]!;
          order[i] = order[j]!;
          order[j] = tmp;
        }
      }
      let lossSum = 0;
      let nb = 0;
      let epochSeqs = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (options.signal?.aborted) {
          history.stopReason = 'aborted';
          break outer;
        }
        const rows = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
        const s0 = performance.now();
        const lossValue =
          path === 'fast' ? this.fastStep(batcher, rows, rng, optimizer, vars) : this.genericStep(coords, rows, rng, optimizer);
        trainSeconds += (performance.now() - s0) / 1000;
        seqDone += rows.length;
        epochSeqs += rows.length;
        lossSum += lossValue;
        nb++;
        const seqPerSec = seqDone / trainSeconds;
        const doneBatches = epoch * batchesPerEpoch + b + 1;
        await options.onProgress?.({
          epoch,
          batch: b + 1,
          batches: batchesPerEpoch,
          loss: lossSum / nb,
          valLoss: lastVal,
          seqPerSec,
          elapsed: (performance.now() - t0) / 1000,
          eta: ((totalBatches - doneBatches) * batchSize) / seqPerSec,
          epochEnd: false,
        });
        await yieldToEventLoop();
      }
      const trainLoss = lossSum / Math.max(nb, 1);
      let valLoss: number | null = null;
      if (split.validation > 0) {
        valLoss = await this.lossOn(coords, batcher, valRows, evalBatchSize, options.signal);
        if (valLoss === null) {
          history.stopReason = 'aborted';
          break outer;
        }
      }
      lastVal = valLoss;
      const seconds = (performance.now() - e0) / 1000;
      history.epochs.push({ epoch, loss: trainLoss, valLoss, seconds, seqPerSec: seqDone / trainSeconds });
      this._training = {
        ...this._training,
        epochs: this._training.epochs + 1,
        sequences: this._training.sequences + epochSeqs,
        loss: trainLoss,
        valLoss,
        split,
      };
      await options.onProgress?.({
        epoch,
        batch: nb,
        batches: batchesPerEpoch,
        loss: trainLoss,
        valLoss,
        seqPerSec: seqDone / trainSeconds,
        elapsed: (performance.now() - t0) / 1000,
        eta: (((epochs - epoch - 1) * batchesPerEpoch) * batchSize) / (seqDone / trainSeconds),
        epochEnd: true,
      });
      if (valLoss !== null) {
        const minDelta = es?.minDelta ?? 0;
        if (valLoss < best - minDelta) {
          best = valLoss;
          history.bestEpoch = epoch;
          sinceBest = 0;
          if (es && (es.restoreBestWeights ?? true)) bestWeights = this.copyWeights();
        } else {
          sinceBest++;
          if (es && sinceBest >= es.patience) {
            history.stopReason = 'early-stopping';
            break;
          }
        }
      }
    }
    if (es && (es.restoreBestWeights ?? true) && bestWeights && history.stopReason === 'early-stopping') {
      this.setWeightsFrom(bestWeights);
    }
    if (split.test > 0 && history.stopReason !== 'aborted') {
      history.testLoss = await this.lossOn(coords, batcher, testRows, evalBatchSize, options.signal);
      this._training = { ...this._training, testLoss: history.testLoss };
    }
    return history;
  }

  private fastStep(batcher: TimeMajorBatcher, rows: Int32Array, rng: Rng, optimizer: tf.Optimizer, vars: tf.Variable[]): number {
    const { layers, units, dropout } = this.config;
    const batch = batcher.build(rows, true, { rate: dropout, units, nMasks: layers - 1, rng });
    const params = stackTensorsOf(this.network, this.config);
    const { loss, grads } = stackLossAndGradients(params, this.activations(), batch);
    const list: tf.Tensor[] = [];
    for (const g of grads.layers) list.push(g.kernel, g.recurrentKernel, g.bias);
    list.push(grads.readoutKernel);
    if (grads.readoutBias) list.push(grads.readoutBias);
    const named: tf.NamedTensorMap = {};
    vars.forEach((v, i) => {
      named[v.name] = list[i]!;
    });
    optimizer.applyGradients(named);
    const value = loss.dataSync()[0]!;
    tf.dispose([loss, ...list]);
    return value;
  }

  private genericStep(coords: Float32Array, rows: Int32Array, rng: Rng, optimizer: tf.Optimizer): number {
    const enc = this.encoder.encodeBatch(coords, rows);
    const B = rows.length;
    const S = this.encoder.sequenceLength - 1;
    // Seeded dropout: every Dropout layer gets a fresh seed from the stream.
    for (const layer of this.network.layers) {
      if (layer.getClassName() === 'Dropout') (layer as unknown as { seed: number }).seed = rng.next() >>> 0;
    }
    const lossT = optimizer.minimize(
      () => {
        const x = tf.tensor3d(enc.inputs, [B, S, this.encoder.inputSize]);
        const y = tf.tensor3d(enc.targets, [B, S, this.encoder.gridSize]);
        const out = this.network.apply(x, { training: true }) as tf.Tensor;
        return tf.mean(tf.squaredDifference(out, y)) as tf.Scalar;
      },
      true,
      this.network.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const value = lossT!.dataSync()[0]!;
    lossT!.dispose();
    return value;
  }

  /** Mean loss over `rows` (no dropout); null when aborted. */
  private async lossOn(
    coords: Float32Array,
    batcher: TimeMajorBatcher,
    rows: Int32Array,
    batchSize: number,
    signal?: AbortSignal,
  ): Promise<number | null> {
    let sum = 0;
    let count = 0;
    for (let start = 0; start < rows.length; start += batchSize) {
      if (signal?.aborted) return null;
      const sub = rows.subarray(start, Math.min(start + batchSize, rows.length));
      sum += this.batchLoss(coords, batcher, sub) * sub.length;
      count += sub.length;
      await yieldToEventLoop();
    }
    return sum / count;
  }

  private batchLoss(coords: Float32Array, batcher: TimeMajorBatcher, rows: Int32Array): number {
    if (this.hasFastPath) {
      const batch = batcher.build(rows, true);
      const y = stackForward(stackTensorsOf(this.network, this.config), this.activations(), batch);
      const loss = tf.tidy(() => tf.mean(tf.squaredDifference(y, tf.tensor2d(batch.targets!, y.shape))));
      y.dispose();
      const v = loss.dataSync()[0]!;
      loss.dispose();
      return v;
    }
    const enc = this.encoder.encodeBatch(coords, rows);
    const B = rows.length;
    const S = this.encoder.sequenceLength - 1;
    const loss = tf.tidy(() => {
      const out = this.network.apply(tf.tensor3d(enc.inputs, [B, S, this.encoder.inputSize]), { training: false }) as tf.Tensor;
      return tf.mean(tf.squaredDifference(out, tf.tensor3d(enc.targets, [B, S, this.encoder.gridSize])));
    });
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }

  /**
   * Mean squared error per cell (no dropout) over every frame of `data`
   * (or the frames `options.frames`), in batches of `options.batchSize` (128).
   */
  async evaluate(data: TrainingData, options: { frames?: ArrayLike<number>; batchSize?: number } = {}): Promise<number> {
    this.checkAlive('evaluate');
    const { coords } = this.encode(data, 'evaluate');
    const T = this.encoder.sequenceLength;
    const n = coords.length / T;
    const rows = options.frames ? Int32Array.from(options.frames) : Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < rows.length; i++) {
      if (!(rows[i]! >= 0 && rows[i]! < n)) throw new Error(`RePAPModel.evaluate: frames[${i}] = ${rows[i]} is not a frame index in 0..${n - 1}`);
    }
    if (rows.length === 0) throw new Error('RePAPModel.evaluate: no frames to evaluate');
    const batcher = new TimeMajorBatcher(this.encoder, coords, this.encoder.tokenCells(coords));
    const v = await this.lossOn(coords, batcher, rows, options.batchSize ?? 128);
    return v!;
  }

  /**
   * The network's output at every step for a fixed token sequence: `cells`
   * holds the grid cells of tokens 0..n-1 (1 <= n <= sequenceLength - 1);
   * row t of the result (`[n, gridSize]`, row-major) scores token t + 1.
   * With `batch` > 1, `cells` is `[batch, n]` and the result `[batch, n, gridSize]`.
   */
  predictProbabilities(cells: ArrayLike<number>, batch = 1): Float32Array {
    this.checkAlive('predictProbabilities');
    const G = this.encoder.gridSize;
    const T = this.encoder.sequenceLength;
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
    if (this.hasFastPath) {
      const sb = TimeMajorBatcher.fromCells(this.encoder, c, batch, n);
      const y = stackForward(stackTensorsOf(this.network, this.config), this.activations(), sb);
      const ym = y.dataSync() as Float32Array;
      // time-major [n, batch, G] -> [batch, n, G]
      const out = new Float32Array(batch * n * G);
      for (let t = 0; t < n; t++) {
        for (let b = 0; b < batch; b++) out.set(ym.subarray((t * batch + b) * G, (t * batch + b + 1) * G), (b * n + t) * G);
      }
      y.dispose();
      return out;
    }
    const I = this.encoder.inputSize;
    const x = new Float32Array(batch * n * I);
    const idx = new Int32Array(8);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < n; t++) {
        const k = this.encoder.activeInputs(t, c[b * n + t]!, idx);
        for (let j = 0; j < k; j++) x[(b * n + t) * I + idx[j]!] = 1;
      }
    }
    const y = tf.tidy(() => this.network.predict(tf.tensor3d(x, [batch, n, I]), { batchSize: batch }) as tf.Tensor);
    const out = Float32Array.from(y.dataSync() as Float32Array);
    y.dispose();
    return out;
  }

  /** Plain typed-array weights of the LSTM stack for the sampler's fast path; null for a GRU or user network. */
  stackWeights(): RecurrentStackWeights | null {
    this.checkAlive('stackWeights');
    if (!this.hasFastPath) return null;
    return readStackWeights(this.network, this.config);
  }

  private copyWeights(): Float32Array[] {
    return this.network.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
  }

  private setWeightsFrom(values: Float32Array[]): void {
    const current = this.network.getWeights();
    const tensors = values.map((v, i) => tf.tensor(v, current[i]!.shape));
    this.network.setWeights(tensors);
    tf.dispose(tensors);
  }

  /** The metadata stored with the model (`repap.json`). */
  metadata(): ModelMetadata {
    return {
      format: MODEL_FORMAT,
      version: MODEL_FORMAT_VERSION,
      encoder: this.encoder.toJSON(),
      config: { ...this.config },
      customNetwork: this.customNetwork,
      firstCoordinates: Array.from(this._firstCoordinates),
      cell: this._cell,
      pbc: this._pbc,
      training: this._training,
    };
  }

  /**
   * The model as in-memory tf.io artifacts: the network's topology and
   * weights, with the repap metadata under `userDefinedMetadata.repap`.
   */
  async toArtifacts(): Promise<tf.io.ModelArtifacts> {
    this.checkAlive('toArtifacts');
    let captured: tf.io.ModelArtifacts | null = null;
    await this.network.save(
      tf.io.withSaveHandler(async (artifacts) => {
        captured = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const a = captured! as tf.io.ModelArtifacts;
    return { ...a, userDefinedMetadata: { repap: this.metadata() as unknown as object } };
  }

  /**
   * Saves through a tf.io handler or URL (`'indexeddb://name'`,
   * `'http://...'`, `'localstorage://name'`); the metadata travels in
   * `model.json`'s `userDefinedMetadata.repap`. In Node, use `saveModel` from
   * `repap/node` for a model directory.
   */
  async save(handlerOrUrl: tf.io.IOHandler | string): Promise<tf.io.SaveResult> {
    this.checkAlive('save');
    const handler = typeof handlerOrUrl === 'string' ? resolveHandler(handlerOrUrl, 'save') : handlerOrUrl;
    if (!handler.save) throw new Error('RePAPModel.save: the IOHandler cannot save (no save method)');
    return handler.save(await this.toArtifacts());
  }

  /** Loads a model saved by {@link save} (a tf.io handler or URL). */
  static async load(handlerOrUrl: tf.io.IOHandler | string): Promise<RePAPModel> {
    const handler = typeof handlerOrUrl === 'string' ? resolveHandler(handlerOrUrl, 'load') : handlerOrUrl;
    if (!handler.load) throw new Error('RePAPModel.load: the IOHandler cannot load (no load method)');
    return RePAPModel.fromArtifacts(await handler.load());
  }

  /**
   * Rebuilds a model from tf.io artifacts. The metadata is `metadata` when
   * given (a separate `repap.json`), else `artifacts.userDefinedMetadata.repap`.
   * `where` names the source in error messages.
   */
  static async fromArtifacts(artifacts: tf.io.ModelArtifacts, metadata?: unknown, where = 'model artifacts'): Promise<RePAPModel> {
    const meta = checkMetadata(metadata ?? (artifacts.userDefinedMetadata as { repap?: unknown } | undefined)?.repap, where);
    let encoder: AxisProjectionEncoder;
    try {
      encoder = AxisProjectionEncoder.fromJSON(meta.encoder);
    } catch (e) {
      throw new Error(`${where}: the encoder in the metadata is invalid: ${(e as Error).message}`);
    }
    const config = (() => {
      try {
        return resolveModelConfig(meta.config);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
    })();
    ensureLayersCompat();
    const { userDefinedMetadata: _drop, ...plain } = artifacts;
    let network: tfl.LayersModel;
    try {
      network = await tfl.loadLayersModel(tf.io.fromMemory(plain as tf.io.ModelArtifacts));
    } catch (e) {
      throw new Error(`${where}: cannot rebuild the network: ${(e as Error).message}`);
    }
    try {
      checkNetworkShape(network, encoder, where);
    } catch (e) {
      network.dispose();
      throw e;
    }
    const model = new RePAPModel(encoder, config, network, meta.customNetwork);
    model._firstCoordinates = Float64Array.from(meta.firstCoordinates);
    model._cell = meta.cell;
    model._pbc = [...meta.pbc] as Pbc;
    model._training = meta.training;
    return model;
  }

  /** Frees the network's tensors and the optimiser state. Idempotent. */
  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    this.network.dispose();
    this._optimizer?.dispose();
    this._optimizer = null;
  }
}

function resolveHandler(url: string, kind: 'save' | 'load'): tf.io.IOHandler {
  const handlers = kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
  if (handlers.length === 0) {
    throw new Error(
      `RePAPModel.${kind}: no tf.io handler for '${url}'; use 'indexeddb://name' or 'http(s)://...' in a browser, ` +
        "or saveModel/loadModel from 'repap/node' for a directory",
    );
  }
  return handlers[0]!;
}

function checkNetworkShape(network: tfl.LayersModel, encoder: AxisProjectionEncoder, where: string): void {
  const inShape = network.inputs[0]?.shape;
  const outShape = network.outputs[0]?.shape;
  if (!inShape || inShape.length !== 3 || inShape[2] !== encoder.inputSize) {
    throw new Error(
      `${where}: the network input is ${JSON.stringify(inShape)} but the encoder's input size is ${encoder.inputSize} ` +
        '(expected [batch, steps, inputSize]); the network and encoder do not belong together',
    );
  }
  if (!outShape || outShape.length !== 3 || outShape[2] !== encoder.gridSize) {
    throw new Error(
      `${where}: the network output is ${JSON.stringify(outShape)} but the encoder's grid size is ${encoder.gridSize} ` +
        '(expected [batch, steps, gridSize]); the network and encoder do not belong together',
    );
  }
}

function checkMetadata(meta: unknown, where: string): ModelMetadata {
  if (meta === null || typeof meta !== 'object') {
    throw new Error(`${where}: no repap metadata (expected an object with format '${MODEL_FORMAT}')`);
  }
  const m = meta as Partial<ModelMetadata>;
  if (m.format !== MODEL_FORMAT) {
    throw new Error(`${where}: format is ${JSON.stringify(m.format)}, expected '${MODEL_FORMAT}'`);
  }
  if (m.version !== MODEL_FORMAT_VERSION) {
    throw new Error(
      `${where}: format version ${JSON.stringify(m.version)} is not supported (this repap reads version ${MODEL_FORMAT_VERSION}); ` +
        'save the model again with a matching repap version',
    );
  }
  if (!m.encoder || typeof m.encoder !== 'object') throw new Error(`${where}: missing field 'encoder'`);
  if (!m.config || typeof m.config !== 'object') throw new Error(`${where}: missing field 'config'`);
  if (!Array.isArray(m.firstCoordinates) || m.firstCoordinates.some((v) => typeof v !== 'number')) {
    throw new Error(`${where}: field 'firstCoordinates' must be an array of numbers`);
  }
  if (!Array.isArray(m.pbc) || m.pbc.length !== 3) throw new Error(`${where}: field 'pbc' must be 3 booleans`);
  if (m.cell !== null && !(Array.isArray(m.cell) && m.cell.length === 3)) {
    throw new Error(`${where}: field 'cell' must be null or 3 lattice vectors`);
  }
  if (typeof m.customNetwork !== 'boolean') throw new Error(`${where}: field 'customNetwork' must be a boolean`);
  if (!m.training || typeof m.training !== 'object') throw new Error(`${where}: missing field 'training'`);
  return m as ModelMetadata;
}
