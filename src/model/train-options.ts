/**
 * What training takes and gives: the data, the split, the options, the
 * progress reports and callbacks, the history and the checkpoint state.
 *
 * @module
 */
import type { Cell, Pbc, Trajectory } from '../structure/trajectory.js';
import type { TrainedOrdering } from '../encoding/groups.js';

/** An encoded dataset: ordered coordinates `[nFrames, sequenceLength]` from `encoder.orderedCoordinates`. */
export interface EncodedDataset {
  /** `[nFrames, T]` row-major, in Å. */
  coords: Float32Array;
  /** The cell of the structures (stored for generation), when known. */
  cell?: Cell | null;
  /** Periodicity, when known (default: the encoder's periodic axes). */
  pbc?: Pbc;
  /**
   * Group (glass) index of every row, for data made of many structures
   * (`GroupedEncoding`). With groups, {@link TrainOptions.split} counts or
   * fractions GROUPS, split with `splitFrames(groups, split, seed)`: the
   * validation and test groups are never trained on.
   */
  groups?: Int32Array;
  /**
   * Called at the start of every epoch with the training rows: rewrites those
   * rows of `coords` in place (augmentation with the ordering recomputed, for
   * example `GroupedEncoding.encode(frames, rng, ...)`); the loop then
   * recomputes their grid cells. Validation and test rows are never touched.
   * For an exact resume (`TrainOptions.resume`) it must depend only on its
   * arguments (for example an RNG seeded from the epoch): a resumed run calls
   * it again for the epoch it continues in.
   */
  refresh?: (rows: Int32Array, epoch: number) => void;
  /**
   * The grouped ordering the rows were encoded with (`GroupedEncoding`), stored
   * with the trained model (`RePAPModel.trainedOrdering`) so that frames
   * it scores later are ordered the same way. Omit for rows in the encoder's
   * own ordering.
   */
  ordering?: TrainedOrdering | null;
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
  /**
   * Split of the frames, in order. Default fractions 0.8 / 0.1 / 0.1 (the original code's 40k / 5k / 5k of 50k).
   * For data with {@link EncodedDataset.groups}: fractions or counts of groups, dealt by the seed (`splitFrames`).
   */
  split?: SplitSpec;
  /** Shuffle the training sequences every epoch (true). The original code trained in order. */
  shuffle?: boolean;
  /** Seed of the shuffling and the dropout masks (0). */
  seed?: number;
  /**
   * Stop when the validation loss (the monitored figure, with
   * {@link monitor}) has not improved by more than `minDelta` (0) for
   * `patience` epochs; when it stops so, the best epoch's weights are
   * restored (`restoreBestWeights`, default true).
   */
  earlyStopping?: EarlyStopping;
  /**
   * Stops training after the current batch; `train` then resolves with
   * `stopReason: 'aborted'`, the checkpoint callback receives the state to
   * resume from, and the model keeps the best weights so far (see
   * {@link TrainingHistory.restoredEpoch}).
   */
  signal?: AbortSignal;
  /**
   * Wall-clock budget in seconds: training stops after the batch during
   * which it runs out, as with {@link signal}, with `stopReason: 'max-time'`.
   */
  maxTime?: number;
  /** Keras-style callbacks, called in order (after {@link onProgress}). */
  callbacks?: TrainingCallback[];
  /**
   * A figure computed after every epoch's validation that decides which
   * epoch's weights the model keeps (as Keras `ModelCheckpoint(monitor,
   * save_best_only=True)`) and what {@link earlyStopping} watches, instead of
   * the validation loss: the weights of the best epoch by this figure are
   * restored when training stops early (max-time, abort, early stopping), and
   * {@link TrainingHistory.bestEpoch} names that epoch. Every epoch's value is
   * recorded in {@link EpochRecord.monitor}. Unlike the validation loss,
   * the monitor's best epoch is also restored after the last epoch. A run
   * resumed with another monitor than its checkpoint's starts the selection
   * afresh at the resumed epoch. `structureMonitor`
   * (`repap/sampling`) scores structures sampled from the current weights
   * against validation frames.
   */
  monitor?: TrainingMonitor;
  /**
   * Called with the full training state after every epoch and when training
   * stops early (abort, max-time, non-finite loss, collapse); awaited.
   * Pass the state back as {@link resume} to continue exactly.
   */
  checkpoint?: (state: TrainingCheckpoint) => void | Promise<void>;
  /**
   * Continue from a checkpoint: the weights, the optimiser state, the data
   * order and the RNG state are restored, and training goes on from the
   * batch after the checkpoint, so that an interrupted and resumed run ends
   * with the same weights as an uninterrupted one. The model's config and
   * encoder, and the options that decide the data order (batch size, seed,
   * shuffle, split, frames), must match; an error names the field that
   * differs. `epochs` counts from the start of the original run. Resuming on
   * another training path is allowed (equal to rounding, not bit for bit).
   */
  resume?: TrainingCheckpoint;
  /**
   * Progress callback, after every batch and after every epoch's validation
   * (`epochEnd: true`). A returned promise is awaited before training goes on,
   * so an epoch-end report can save a checkpoint (`saveModel(model, dir)`).
   */
  onProgress?: (p: TrainingProgress) => void | Promise<void>;
  /** Use the generic tfjs-layers path (autodiff through the layers model) even for an LSTM stack (the same as `path: 'generic'`). */
  generic?: boolean;
  /**
   * The arithmetic that trains an LSTM stack: `'kernel'` (default where it
   * can run: the fused WebAssembly SIMD kernel on worker threads), `'fast'`
   * (the sequence-level tfjs path, the reference) or `'generic'` (tfjs-layers
   * autodiff). Without WebAssembly SIMD the default falls back to `'fast'`
   * with a one-line notice.
   */
  path?: 'kernel' | 'fast' | 'generic';
  /**
   * Threads of the fused kernel, the calling one included (2 where worker
   * threads exist, else 1). The results do not depend on it. Node uses
   * `worker_threads`; a browser uses Web Workers when the page is
   * cross-origin isolated (served with `Cross-Origin-Opener-Policy:
   * same-origin` and `Cross-Origin-Embedder-Policy: require-corp`), else one
   * thread with a one-line notice that says so.
   */
  threads?: number;
  /** Sequences per batch when computing validation and test losses (128). */
  evalBatchSize?: number;
  /** Stop an epoch after this many batches (benchmarks, smoke tests). */
  maxBatchesPerEpoch?: number;
  /**
   * Collapse detection (on by default): after every epoch, training stops
   * with `stopReason: 'collapsed'` when the network predicts (almost) zero
   * probability everywhere, as a too-large learning rate does; sampling such
   * a model would fail. `false` turns the check off.
   */
  detectCollapse?: boolean;
}

/** A monitored figure's value after one epoch (see {@link TrainingMonitor}). */
export interface MonitorValue {
  /** The figure; NaN never counts as an improvement. */
  value: number;
  /** Further figures recorded beside it (for example the share of valid structures). */
  details?: Record<string, number>;
}

/**
 * A figure of merit computed after every epoch that selects the kept epoch
 * ({@link TrainOptions.monitor}).
 */
export interface TrainingMonitor {
  /** Name of the figure, recorded in the history and checkpoints. */
  readonly name: string;
  /** `'min'` when smaller is better, `'max'` when larger is better. */
  readonly mode: 'min' | 'max';
  /** The figure for the model's current weights after epoch `epoch` (0-based); awaited. */
  evaluate(epoch: number): MonitorValue | Promise<MonitorValue>;
}

/** What every callback receives after a batch (and, with `epochEnd`, after an epoch). */
export interface TrainingLogs extends TrainingProgress {
  /** Loss of this batch alone (NaN at epoch end). */
  batchLoss: number;
  /** Training sequences seen since the start of the run (resumed runs included). */
  sequences: number;
  /** Total epochs of the run. */
  epochs: number;
  /**
   * Held-out negative log-likelihood of the latest validation, or null
   * (nats per coordinate; see {@link NegativeLogLikelihood}).
   */
  valNll: NegativeLogLikelihood | null;
}

/** Held-out negative log-likelihood of a model (see `RePAPModel.negativeLogLikelihood`). */
export interface NegativeLogLikelihood {
  /** Mean over coordinates 1..T-1 of -log p(cell of the true coordinate), nats. */
  perCoordinate: number;
  /** Sum over the T-1 predicted coordinates of a structure, mean over structures, nats. */
  perStructure: number;
  /**
   * The per-structure NLL as a continuous density: every coordinate's
   * -log p_k + log(cell width in Å), so -log of a density per Å^(T-1); comparable
   * between grids.
   */
  perStructureDensity: number;
  /** Structures evaluated. */
  structures: number;
}

/**
 * Keras-style training callbacks. Every method may return a promise, which is
 * awaited before training goes on.
 */
export interface TrainingCallback {
  /** Before the first batch. */
  onTrainBegin?(logs: TrainBeginLogs): void | Promise<void>;
  /** Before an epoch's first batch (also on a resumed, partly done epoch). */
  onEpochBegin?(epoch: number, logs: TrainBeginLogs): void | Promise<void>;
  /** After every training batch. */
  onBatchEnd?(batch: number, logs: TrainingLogs): void | Promise<void>;
  /** After an epoch's validation; `logs.epochEnd` is true. */
  onEpochEnd?(epoch: number, logs: TrainingLogs, record: EpochRecord): void | Promise<void>;
  /** After training stopped, for any reason, with the history. */
  onTrainEnd?(history: TrainingHistory): void | Promise<void>;
}

/** What `onTrainBegin` and `onEpochBegin` receive. */
export interface TrainBeginLogs {
  /** Total epochs of the run. */
  epochs: number;
  /** Batches per epoch. */
  batches: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Frames of each part of the split. */
  split: SplitCounts;
  /** The path that trains. */
  path: 'kernel' | 'fast' | 'generic';
  /** First epoch and batch of this run (0, 0 unless resumed). */
  start: {
    /** Epoch (0-based). */
    epoch: number;
    /** Batches of that epoch already done. */
    batch: number;
  };
}

/** A named optimiser variable (accumulators, iteration count) as plain values. */
export interface OptimizerSlot {
  /** The tfjs optimiser's name for it. */
  name: string;
  /** Its shape. */
  shape: number[];
  /** Its values. */
  values: Float32Array;
}

/**
 * Everything needed to continue a training run exactly: weights, optimiser
 * state, the position in the data order, the RNG state and the loop's
 * bookkeeping. Produced by {@link TrainOptions.checkpoint}; written to a
 * folder by `saveCheckpoint` (repap/node).
 */
export interface TrainingCheckpoint {
  /** `'repap-checkpoint'`. */
  format: 'repap-checkpoint';
  /** Format version (1). */
  version: 1;
  /** What must match to resume: model config, encoder and the data-order options. */
  fingerprint: Record<string, unknown>;
  /** Epoch to continue in (0-based). */
  epoch: number;
  /** Batches of that epoch already done. */
  batch: number;
  /** State of the training RNG (shuffling, dropout) after those batches. */
  rngState: number[];
  /** The current epoch's order of the training rows. */
  order: Int32Array;
  /** Current weights, in `network.getWeights()` order. */
  weights: Float32Array[];
  /** Weights of the best validation epoch so far, or null. */
  bestWeights: Float32Array[] | null;
  /** Optimiser state. */
  optimizer: OptimizerSlot[];
  /** The loop's bookkeeping (running sums, best loss, history so far). */
  loop: {
    /** Sum of this epoch's batch losses so far. */
    lossSum: number;
    /** Batches of this epoch done. */
    batchesDone: number;
    /** Sequences of this epoch done. */
    epochSequences: number;
    /** Sequences since the start of the run. */
    sequences: number;
    /** Seconds spent in training steps since the start of the run. */
    trainSeconds: number;
    /** Best validation loss so far (Infinity before any), or the best monitored figure (negated for mode `'max'`). */
    best: number;
    /** Name of the {@link TrainOptions.monitor} that selected epochs, or null (the validation loss); absent in older checkpoints. */
    monitor?: string | null;
    /** Epochs since the best validation loss. */
    sinceBest: number;
    /** Latest validation loss, or null. */
    lastVal: number | null;
    /** Whether the epoch `epoch` had begun (its order is shuffled already). */
    epochStarted: boolean;
    /** The history so far. */
    history: TrainingHistory;
    /** The model's training summary so far. */
    training: TrainingInfo;
  };
  /** Why this checkpoint was taken. */
  reason: 'epoch' | TrainingHistory['stopReason'];
}

/** One finished epoch. */
export interface EpochRecord {
  /** 0-based. */
  epoch: number;
  /** Mean training loss over the epoch's batches (with dropout). */
  loss: number;
  /** Validation loss (no dropout), or null without a validation split. */
  valLoss: number | null;
  /** Validation negative log-likelihood, or null without a validation split. */
  valNll: NegativeLogLikelihood | null;
  /** Seconds of the epoch, validation included. */
  seconds: number;
  /** Training sequences per second. */
  seqPerSec: number;
  /** The {@link TrainOptions.monitor}'s figure after this epoch, with its name (absent without a monitor). */
  monitor?: MonitorValue & { name: string };
}

/** What {@link RePAPModel.train} returns. */
export interface TrainingHistory {
  /** Finished epochs. */
  epochs: EpochRecord[];
  /**
   * Why training stopped: all epochs done; early stopping; the AbortSignal
   * (Ctrl-C in the CLI); the `maxTime` budget; a NaN or infinite loss
   * (`message` names the batch and step; the weights before that batch are
   * kept); or a collapsed network (`message` says what was seen).
   */
  stopReason: 'completed' | 'early-stopping' | 'aborted' | 'max-time' | 'non-finite' | 'collapsed';
  /** Why training stopped, in words, for the stops that are not `'completed'`; null otherwise. */
  message: string | null;
  /** Epoch of the best validation loss (of the best monitored figure with {@link TrainOptions.monitor}), or null. */
  bestEpoch: number | null;
  /** The monitor that selected {@link bestEpoch} (absent: the validation loss did). */
  monitor?: { name: string; mode: 'min' | 'max' };
  /**
   * Epoch whose weights the model holds after an early stop that restored
   * the best weights (early stopping, abort, max-time, non-finite loss,
   * collapse), or null when the model holds the latest weights.
   */
  restoredEpoch: number | null;
  /** Loss on the held-out test frames, or null. */
  testLoss: number | null;
  /** Frames per part of the split. */
  split: SplitCounts;
  /** Which path trained: `'kernel'` (fused WebAssembly kernel), `'fast'` (sequence-level LSTM on tfjs) or `'generic'` (tfjs-layers autodiff). */
  path: 'kernel' | 'fast' | 'generic';
  /**
   * Threads that ran training steps, the calling one included: on the kernel
   * path, 1 + the worker threads that ran part of a batch (fewer than
   * `threads` asked for where workers could not start, e.g. a page that is
   * not cross-origin isolated); 1 on the tfjs paths.
   */
  threads: number;
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

