/**
 * `RePAPModel`: the recurrent network of Recurrent Probabilistic Axis
 * Projections with its encoder. Training is in `fit.ts`, inference in
 * `inference.ts`, the file format in `serialization.ts`.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { AxisProjectionEncoder } from '../encoding/encoder.js';
import { checkTrainedOrdering, encodeAsTrained, type TrainedOrdering } from '../encoding/groups.js';
import type { Cell, Pbc, Trajectory } from '../structure/trajectory.js';
import { TimeMajorBatcher } from './batches.js';
import { type RePAPModelConfig, resolveModelConfig } from './config.js';
import { fit, nllOn } from './fit.js';
import { batchLoss, predictCells } from './inference.js';
import { buildNetwork, initializeNetwork, readStackWeights } from './network.js';
import { makeOptimizer } from './optimizer.js';
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelMetadata,
  checkMetadata,
  checkNetworkShape,
  networkArtifacts,
  networkFromArtifacts,
  resolveHandler,
} from './serialization.js';
import { checkSamplingDefaults, type SamplingDefaults } from './sampling-defaults.js';
import type { GenerativeModelSource } from './source.js';
import { ensureLayersCompat } from './tfjs-compat.js';
import type { EncodedDataset, NegativeLogLikelihood, TrainingData, TrainingHistory, TrainingInfo, TrainOptions } from './train-options.js';
import type { RecurrentStackWeights } from './weights.js';

export { MODEL_FORMAT, MODEL_FORMAT_VERSION } from './serialization.js';
export type { ModelMetadata } from './serialization.js';
export type {
  EarlyStopping,
  EncodedDataset,
  EpochRecord,
  SplitCounts,
  SplitSpec,
  TrainingData,
  TrainingHistory,
  TrainingInfo,
  TrainingProgress,
  TrainOptions,
} from './train-options.js';

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

function isTrajectory(d: TrainingData): d is Trajectory {
  return typeof (d as Trajectory).nFrames === 'number' && (d as Trajectory).positions !== undefined;
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
  private _sampling: SamplingDefaults | null = null;
  private _ordering: TrainedOrdering | null = null;
  /** Training summary (read and written by the training loop). @internal */
  trainingInfo: TrainingInfo;
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
    this.trainingInfo = { epochs: 0, sequences: 0, loss: null, valLoss: null, testLoss: null, split: null };
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
  /**
   * The sampling defaults stored with the model (temperature, minimum
   * distance, tries; `repap.json` field `sampling`), or null. Samplers use
   * them unless a call overrides them. Setting validates the values.
   */
  get samplingDefaults(): Readonly<SamplingDefaults> | null {
    return this._sampling;
  }
  set samplingDefaults(value: SamplingDefaults | null) {
    this._sampling = value === null ? null : Object.freeze(checkSamplingDefaults(value, 'RePAPModel.samplingDefaults'));
  }
  /**
   * The grouped ordering the model was trained with (`repap.json` field
   * `ordering`: per glass, per frame, centred or grown, with the group key and
   * the augmentation), or null for the encoder's own fixed ordering. Set by
   * {@link train} from `EncodedDataset.ordering`; {@link negativeLogLikelihood}
   * and {@link evaluate} order the frames of a trajectory this way. Setting
   * validates the value.
   */
  get trainedOrdering(): Readonly<TrainedOrdering> | null {
    return this._ordering;
  }
  set trainedOrdering(value: TrainedOrdering | null) {
    this._ordering = value === null ? null : Object.freeze(checkTrainedOrdering(value, 'RePAPModel.trainedOrdering'));
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
    return this.trainingInfo;
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

  /** A trajectory's frames in the grouped ordering the model was trained with. */
  private encodeAsTrained(data: Trajectory, where: string): Float32Array {
    try {
      return encodeAsTrained(this.encoder, data, this._ordering!);
    } catch (e) {
      throw new Error(`RePAPModel.${where}: ${(e as Error).message}`);
    }
  }

  /** Validated, encoded training data. @internal */
  encodeForTraining(data: unknown): { coords: Float32Array; cell: Cell | null | undefined; pbc: Pbc | undefined; ordering: TrainedOrdering | null } {
    const ordering = isTrajectory(data as TrainingData) ? null : ((data as EncodedDataset).ordering ?? null);
    return { ...this.encode(data as TrainingData, 'train'), ordering: ordering === null ? null : checkTrainedOrdering(ordering, 'RePAPModel.train: data.ordering') };
  }

  /**
   * Records what generation needs of the training frames: their first
   * coordinates (to 1e-5 Å, far below any grid cell, so that the 40,000 values
   * of a saved model stay small as JSON), the cell and the periodicity.
   * @internal
   */
  recordTrainingFrames(coords: Float32Array, trainRows: Int32Array, cell: unknown, pbc: unknown, ordering: TrainedOrdering | null = null): void {
    this._ordering = ordering === null ? null : Object.freeze({ ...ordering });
    const T = this.encoder.sequenceLength;
    const first = new Float64Array(trainRows.length);
    for (let i = 0; i < trainRows.length; i++) first[i] = Math.round(coords[trainRows[i]! * T]! * 1e5) / 1e5;
    this._firstCoordinates = first;
    if (cell !== undefined) this._cell = cell as Cell | null;
    if (pbc !== undefined) this._pbc = [...(pbc as Pbc)] as Pbc;
  }

  /** The persistent optimiser, created on first use. @internal */
  optimizer(): tf.Optimizer {
    if (!this._optimizer) this._optimizer = makeOptimizer(this.config);
    return this._optimizer;
  }

  /**
   * Trains the network. The frames are split in order into train /
   * validation / test parts ({@link TrainOptions.split}); batches are built
   * on the fly. Resolves with the history; the model keeps the trained
   * weights (the best validation epoch's after early stopping, an abort or the
   * time budget; the last good ones after a non-finite loss or a collapse:
   * see {@link TrainingHistory.restoredEpoch}). Callbacks, checkpoints and
   * exact resumption: {@link TrainOptions.callbacks},
   * {@link TrainOptions.checkpoint}, {@link TrainOptions.resume}.
   */
  async train(data: TrainingData, options: TrainOptions = {}): Promise<TrainingHistory> {
    this.checkAlive('train');
    return fit(this, data, options);
  }

  /**
   * The model's loss (its config's loss, no dropout) over every frame of
   * `data` (or the frames `options.frames`), in batches of `options.batchSize`
   * (128): the mean squared error per cell for `'sigmoid-mse'`, the mean
   * cross-entropy per coordinate for `'softmax-crossentropy'`.
   */
  async evaluate(data: TrainingData, options: { frames?: ArrayLike<number>; batchSize?: number } = {}): Promise<number> {
    this.checkAlive('evaluate');
    const { coords, rows, batcher } = this.evaluationSet(data, options.frames, 'evaluate');
    const bs = options.batchSize ?? 128;
    let sum = 0;
    for (let start = 0; start < rows.length; start += bs) {
      const sub = rows.subarray(start, Math.min(start + bs, rows.length));
      sum += batchLoss(this, coords, batcher, sub) * sub.length;
    }
    return sum / rows.length;
  }

  /**
   * Held-out negative log-likelihood of `data` (every frame, or
   * `options.frames`): for every coordinate after the first, the network's
   * output normalised to a distribution over the grid cells (as the samplers
   * use it) and `-log p` of the cell the true coordinate lies in. Reported
   * per coordinate and per structure (nats), and per structure as a density
   * (`-log p + log(cell width in Å)` summed: -log of a density per Å^(3N-1),
   * comparable between grids).
   */
  async negativeLogLikelihood(data: TrainingData, options: { frames?: ArrayLike<number>; batchSize?: number } = {}): Promise<NegativeLogLikelihood> {
    this.checkAlive('negativeLogLikelihood');
    const { coords, rows, batcher, cells } = this.evaluationSet(data, options.frames, 'negativeLogLikelihood');
    return (await nllOn(this, coords, batcher, cells, rows, options.batchSize ?? 128))!;
  }

  private evaluationSet(data: TrainingData, frames: ArrayLike<number> | undefined, where: string): { coords: Float32Array; rows: Int32Array; batcher: TimeMajorBatcher; cells: Int32Array } {
    const coords = this._ordering !== null && isTrajectory(data) ? this.encodeAsTrained(data, where) : this.encode(data, where).coords;
    const T = this.encoder.sequenceLength;
    const n = coords.length / T;
    const rows = frames ? Int32Array.from(frames) : Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < rows.length; i++) {
      if (!(rows[i]! >= 0 && rows[i]! < n) || (frames && rows[i] !== frames[i])) {
        throw new Error(`RePAPModel.${where}: frames[${i}] = ${frames ? frames[i] : rows[i]} is not a frame index in 0..${n - 1}`);
      }
    }
    if (rows.length === 0) throw new Error(`RePAPModel.${where}: no frames to evaluate`);
    const cells = this.encoder.tokenCells(coords);
    return { coords, rows, cells, batcher: new TimeMajorBatcher(this.encoder, coords, cells) };
  }

  /**
   * The network's output at every step for a fixed token sequence: `cells`
   * holds the grid cells of tokens 0..n-1 (1 <= n <= sequenceLength - 1);
   * row t of the result (`[n, gridSize]`, row-major) scores token t + 1.
   * With `batch` > 1, `cells` is `[batch, n]` and the result `[batch, n, gridSize]`.
   * For a `'softmax-crossentropy'` model each row is a distribution (sums to 1).
   */
  predictProbabilities(cells: ArrayLike<number>, batch = 1): Float32Array {
    this.checkAlive('predictProbabilities');
    return predictCells(this, cells, batch);
  }

  /** Plain typed-array weights of the LSTM stack for the sampler's fast path; null for a GRU or user network. */
  stackWeights(): RecurrentStackWeights | null {
    this.checkAlive('stackWeights');
    if (!this.hasFastPath) return null;
    return readStackWeights(this.network, this.config);
  }

  /** Copies of the weights, in `network.getWeights()` order. @internal */
  copyWeights(): Float32Array[] {
    return this.network.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
  }

  /** Sets the weights from copies made by {@link copyWeights}. @internal */
  setWeightsFrom(values: Float32Array[]): void {
    const current = this.network.getWeights();
    if (values.length !== current.length || values.some((v, i) => v.length !== current[i]!.size)) {
      throw new Error('RePAPModel: the stored weights do not fit this network (another architecture)');
    }
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
      training: this.trainingInfo,
      ...(this._sampling ? { sampling: { ...this._sampling } } : {}),
      ...(this._ordering ? { ordering: { ...this._ordering, augment: this._ordering.augment ? { ...this._ordering.augment } : null } } : {}),
    };
  }

  /**
   * The model as in-memory tf.io artifacts: the network's topology and
   * weights, with the repap metadata under `userDefinedMetadata.repap`.
   */
  async toArtifacts(): Promise<tf.io.ModelArtifacts> {
    this.checkAlive('toArtifacts');
    const a = await networkArtifacts(this.network);
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
    let config: RePAPModelConfig;
    try {
      config = resolveModelConfig(meta.config);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    ensureLayersCompat();
    const network = await networkFromArtifacts(artifacts, encoder, where);
    const model = new RePAPModel(encoder, config, network, meta.customNetwork);
    model._firstCoordinates = Float64Array.from(meta.firstCoordinates);
    model._cell = meta.cell;
    model._pbc = [...meta.pbc] as Pbc;
    model.trainingInfo = meta.training;
    if (meta.sampling !== undefined) model._sampling = Object.freeze(checkSamplingDefaults(meta.sampling, where));
    if (meta.ordering !== undefined) model._ordering = Object.freeze(checkTrainedOrdering(meta.ordering, where));
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
