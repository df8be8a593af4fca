/**
 * `repap train <trajectory> --out <dir>`: fit an encoder, train a RePAP model
 * with a live progress bar, save the model folder plus training.json and
 * loss.svg.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve, basename } from 'node:path';
import { useBackend, BACKEND_NAMES, type BackendName } from '../../backend/index.js';
import { AxisProjectionEncoder } from '../../encoding/index.js';
import { pairMinimumDistances } from '../../analysis/distances.js';
import { pairTableOf, resolvePairTable } from '../../structure/pair-table.js';
import { structureMonitor } from '../../sampling/index.js';
import { FALLBACK_SAMPLING, RePAPModel, type SamplingDefaults, type EpochRecord, type SplitSpec, type TrainingCheckpoint, type TrainingData, type TrainingLogs } from '../../model/index.js';
import type { Trajectory } from '../../structure/trajectory.js';
import { groupedTrainingData, parseAugment } from '../grouped-data.js';
import { loadCheckpoint, saveCheckpoint, saveModel } from '../../node/index.js';
import { lineChart } from '../../plot/svg.js';
import { choiceOption, normalizeOptionalValue, numberOption, parseCommand, UsageError } from '../args.js';
import { TRAIN_HELP } from '../help.js';
import { ProgressBar, formatDuration } from '../progress.js';
import { checkOutput, CommandOutput, readTrajectoryFile, writeText } from '../files.js';
import { packageVersion } from '../assets.js';
import { sliceFrames } from '../reference.js';
import type { CliIO } from '../main.js';

/** One point of the loss curves written to training.json. */
interface CurvePoint {
  /** Training sequences seen. */
  sequences: number;
  /** Epoch (0-based), fractional within the epoch. */
  epoch: number;
  /** Loss. */
  loss: number;
}

/** Runs `repap train`; returns the exit code. */
export async function trainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('train', normalizeChooseTemperature(argv), {
    help: { type: 'boolean', short: 'h' },
    out: { type: 'string', short: 'o' },
    epochs: { type: 'string' },
    batch: { type: 'string' },
    grid: { type: 'string' },
    sigma: { type: 'string' },
    units: { type: 'string' },
    layers: { type: 'string' },
    'learning-rate': { type: 'string' },
    optimizer: { type: 'string' },
    'max-frames': { type: 'string' },
    'max-batches': { type: 'string' },
    validation: { type: 'string' },
    split: { type: 'string' },
    patience: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    'group-by': { type: 'string' },
    'species-first': { type: 'boolean' },
    ordering: { type: 'string' },
    augment: { type: 'string' },
    json: { type: 'string' },
    'max-time': { type: 'string' },
    resume: { type: 'string' },
    threads: { type: 'string' },
    loss: { type: 'string' },
    monitor: { type: 'string' },
    'monitor-structures': { type: 'string' },
    'choose-temperature': { type: 'string' },
    'temperature-structures': { type: 'string' },
  }, { min: 1, max: 10_000, names: '<trajectory> [more trajectories]' });
  if (values.help) {
    io.out.write(TRAIN_HELP);
    return 0;
  }
  if (typeof values.out !== 'string') throw new UsageError("repap train: --out <dir> is required (the folder to save the model in)");
  const epochs = numberOption('train', values, 'epochs', { min: 1, max: 100_000, integer: true, default: 1 });
  const batchSize = numberOption('train', values, 'batch', { min: 1, max: 100_000, integer: true, default: 4 });
  const threads = numberOption('train', values, 'threads', { min: 1, max: 64, integer: true, default: Math.min(2, availableParallelism()) });
  const gridSize = numberOption('train', values, 'grid', { min: 2, max: 10_000, integer: true, default: 50 });
  const sigma = values.sigma === undefined ? undefined : numberOption('train', values, 'sigma', { min: 1e-6, max: 1e3, default: 0 });
  const units = numberOption('train', values, 'units', { min: 1, max: 8192, integer: true, default: 256 });
  const layers = numberOption('train', values, 'layers', { min: 1, max: 16, integer: true, default: 2 });
  const learningRate = numberOption('train', values, 'learning-rate', { min: 1e-9, max: 10, default: 1e-3 });
  const optimizer = choiceOption('train', values, 'optimizer', ['rmsprop', 'adam', 'sgd'] as const, 'rmsprop');
  const maxFrames = numberOption('train', values, 'max-frames', { min: 1, integer: true, default: Infinity });
  const maxBatches = values['max-batches'] === undefined ? undefined : numberOption('train', values, 'max-batches', { min: 1, integer: true, default: 0 });
  const validation = numberOption('train', values, 'validation', { min: 0, max: 0.9, default: 0.1 });
  const patience = values.patience === undefined ? undefined : numberOption('train', values, 'patience', { min: 1, max: 10_000, integer: true, default: 1 });
  const seed = numberOption('train', values, 'seed', { min: 0, max: 2 ** 31 - 1, integer: true, default: 42 });
  const backend = choiceOption<BackendName>('train', values, 'backend', BACKEND_NAMES, 'wasm');
  const loss = choiceOption('train', values, 'loss', ['sigmoid-mse', 'softmax-crossentropy'] as const, 'sigmoid-mse');
  const monitorKind = choiceOption('train', values, 'monitor', ['validation-loss', 'structure'] as const, 'validation-loss');
  const monitorStructures = numberOption('train', values, 'monitor-structures', { min: 1, max: 100_000, integer: true, default: 100 });
  if (values['monitor-structures'] !== undefined && monitorKind !== 'structure') {
    throw new UsageError('repap train: --monitor-structures applies to --monitor structure');
  }
  const chooseTemperatures = values['choose-temperature'] === undefined ? null : parseTemperatureList(String(values['choose-temperature']));
  const temperatureStructures = numberOption('train', values, 'temperature-structures', { min: 1, max: 100_000, integer: true, default: 100 });
  if (values['temperature-structures'] !== undefined && chooseTemperatures === null) {
    throw new UsageError('repap train: --temperature-structures applies to --choose-temperature');
  }
  const maxTime = values['max-time'] === undefined ? undefined : parseDuration(String(values['max-time']));
  const resumeDir = typeof values.resume === 'string' ? resolve(values.resume) : undefined;
  // every output is checked before the work starts
  const outDir = checkOutput('train', '--out', values.out, 'folder');
  const report = new CommandOutput('train', values, io);
  const path = positionals[0];
  const groupBy = typeof values['group-by'] === 'string' ? values['group-by'] : undefined;
  const isGrouped = positionals.length > 1 || groupBy !== undefined;
  const ordering = choiceOption('train', values, 'ordering', ['group', 'frame', 'centred', 'grown'] as const, 'group');
  const augment = parseAugment(typeof values.augment === 'string' ? values.augment : undefined);
  if (!isGrouped && (values.ordering !== undefined || augment !== null)) {
    throw new UsageError('repap train: --ordering and --augment apply to training on many structures; give several files or --group-by <key>');
  }

  // --split train,validation,test: frame counts, or fractions of the frames, in order.
  const splitParts = typeof values.split === 'string' ? values.split.split(',').map((x) => Number(x.trim())) : null;
  if (splitParts && (splitParts.length !== 3 || splitParts.some((x) => !Number.isFinite(x) || x < 0))) {
    throw new UsageError(`repap train: --split is '${String(values.split)}'; expected three numbers train,validation,test (counts such as 32000,4000,4000 or fractions such as 0.8,0.1,0.1)`);
  }
  let traj: Trajectory;
  let nTrain: number, nVal: number, nTest: number;
  let data: TrainingData;
  let encoder: AxisProjectionEncoder;
  let groupRecord: Record<string, unknown> | null = null;
  let splitSpec: SplitSpec;
  let trainRows: ArrayLike<number>;
  let validationRows: Int32Array;
  const encoderOptions = { gridSize, ...(sigma !== undefined ? { sigma } : {}), ...(values['species-first'] ? { speciesFirst: true } : {}) };
  if (isGrouped) {
    // Many structures: the split, --split and --validation count groups (glasses), dealt by the seed.
    const parts: Trajectory[] = [];
    for (const p of positionals) parts.push(await readTrajectoryFile('train', p));
    const spec = splitParts ? { train: splitParts[0]!, validation: splitParts[1]!, test: splitParts[2]! } : { train: 1 - validation, validation, test: 0 };
    const g = groupedTrainingData(parts, positionals, { groupBy, ordering, augment, maxFramesPerGroup: maxFrames, split: spec, seed, encoder: encoderOptions });
    traj = g.trajectory;
    data = g.data;
    encoder = g.encoder;
    splitSpec = spec;
    [nTrain, nVal, nTest] = [g.split.train.length, g.split.validation.length, g.split.test.length];
    trainRows = g.split.train;
    validationRows = g.split.validation;
    groupRecord = g.record;
  } else {
  traj = await readTrajectoryFile('train', path);
  if (traj.nFrames > maxFrames) traj = sliceFrames(traj, 0, maxFrames);
  if (splitParts) {
    const parts = splitParts;
    const counts = parts.every((x) => x < 1) ? parts.map((x) => Math.floor(x * traj.nFrames)) : parts.map((x) => Math.floor(x));
    [nTrain, nVal, nTest] = counts;
    if (nTrain + nVal + nTest > traj.nFrames) {
      throw new UsageError(`repap train: --split ${String(values.split)} needs ${nTrain + nVal + nTest} frames but ${path} has ${traj.nFrames}`);
    }
  } else {
    nVal = Math.floor(traj.nFrames * validation);
    nTrain = traj.nFrames - nVal;
    nTest = 0;
  }
  if (nTrain < 1) throw new UsageError(`repap train: ${path} has ${traj.nFrames} frames; the split leaves none for training`);
  // Ordering from the mean positions over the training frames only (the validation frames stay unseen).
  const trainFrames = Int32Array.from({ length: nTrain }, (_, i) => i);
  encoder = AxisProjectionEncoder.fit(traj, encoderOptions, trainFrames);
  trainRows = trainFrames;
  validationRows = Int32Array.from({ length: nVal }, (_, i) => nTrain + i);
  data = traj;
  splitSpec = { train: nTrain, validation: nVal, test: nTest };
  }
  if (monitorKind === 'structure' && nVal === 0) {
    throw new UsageError('repap train: --monitor structure scores sampled structures against the validation frames, and this split has none; give --validation or --split with validation frames');
  }
  if (chooseTemperatures !== null && nVal === 0) {
    throw new UsageError('repap train: --choose-temperature scores sampled structures against the validation frames, and this split has none; give --validation or --split with validation frames');
  }
  const activeBackend = await useBackend(backend);
  const model = RePAPModel.create(encoder, { units, layers, learningRate, optimizer, seed, loss });
  // Every model (one species too): per-pair minimum distances for the sampler, 0.85 x the smallest seen in the
  // training frames, and backtracking on (set before training, so that --monitor structure samples with them).
  model.samplingDefaults = trainedSamplingDefaults(traj, trainRows);
  // --monitor structure: after every epoch, structures sampled from the current weights against the validation frames select the kept epoch.
  const monitor = monitorKind === 'structure' ? structureMonitor(model, traj, { frames: validationRows, structures: monitorStructures, seed }) : undefined;
  // --resume: the state of an earlier run (its <out>/checkpoint folder, or the folder itself).
  let resume: TrainingCheckpoint | undefined;
  if (resumeDir) {
    const dir = existsSync(join(resumeDir, 'checkpoint', 'checkpoint.json')) ? join(resumeDir, 'checkpoint') : resumeDir;
    const loaded = await loadCheckpoint(dir);
    loaded.model.dispose();
    resume = loaded.checkpoint;
  }
  const batchesPerEpoch = Math.min(Math.ceil(nTrain / batchSize), maxBatches ?? Infinity);
  const log = (s: string): void => void io.err.write(s + '\n');
  const pivotOrdering = ordering === 'centred' || ordering === 'grown';
  const orderingWords = pivotOrdering ? `${ordering} (${ordering === 'centred' ? 'shells about' : 'growth from'} a pivot atom at the centre)` : `per ${ordering}`;
  const shiftWords = pivotOrdering ? 'a random pivot atom' : 'translations';
  const augmentWords = augment ? (augment.symmetry ? `${shiftWords} + cubic symmetry` : shiftWords) : 'none';
  log(
    `repap train: ${nTrain} training + ${nVal} validation${nTest > 0 ? ` + ${nTest} test` : ''} frames of ${traj.nAtoms} atoms from ${positionals.map((p) => basename(p)).join(', ')}; ` +
      (groupRecord
        ? `${(groupRecord.trainGroups as string[]).length} + ${(groupRecord.validationGroups as string[]).length}${nTest > 0 ? ` + ${(groupRecord.testGroups as string[]).length}` : ''} groups by ${String(groupRecord.groupBy)}, ordering ${orderingWords}, augmentation ${augmentWords}; `
        : '') +
      `${layers} x ${units} LSTM, grid ${gridSize}, sigma ${encoder.config.sigma.toFixed(4)} Å; ${epochs} epoch(s) of ${batchesPerEpoch} batches of ${batchSize}; backend ${activeBackend}`,
  );
  // Ctrl-C stops after the current batch; the run then saves what it has. A second Ctrl-C quits at once.
  const stopper = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) {
      log('repap train: interrupted again; quitting without saving');
      process.exit(130);
    }
    log('\nrepap train: interrupted; stopping after the current batch and saving (Ctrl-C again to quit without saving)');
    stopper.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const batchLoss: CurvePoint[] = [];
    const valLoss: CurvePoint[] = [];
    let bar: ProgressBar | null = null;
    let barStart = 0;
    const checkpointDir = join(outDir, 'checkpoint');
    const callbacks = [
      {
        onEpochBegin: (epoch: number, l: { start: { batch: number } }): void => {
          barStart = l.start.batch;
          bar = new ProgressBar(`epoch ${epoch + 1}/${epochs}`, Math.max(1, Math.min(nTrain, batchesPerEpoch * batchSize) - barStart * batchSize), io.err);
        },
        onBatchEnd: (_b: number, p: TrainingLogs): void => {
          batchLoss.push({ sequences: p.sequences, epoch: p.epoch + p.batch / p.batches, loss: p.batchLoss });
          bar?.update(
            Math.min(p.batch * batchSize, nTrain) - barStart * batchSize,
            `loss ${p.loss.toFixed(4)} ${p.seqPerSec.toFixed(1)} seq/s${p.valLoss !== null ? ` val ${p.valLoss.toFixed(4)}` : ''} run ETA ${formatDuration(p.eta)}`,
          );
        },
        onEpochEnd: (_e: number, p: TrainingLogs, record: EpochRecord): void => {
          bar?.finish();
          if (p.valLoss !== null) valLoss.push({ sequences: p.sequences, epoch: p.epoch + 1, loss: p.valLoss });
          const nll = p.valNll;
          log(
            `epoch ${p.epoch + 1}/${epochs}: loss ${p.loss.toFixed(5)}${p.valLoss !== null ? `, validation loss ${p.valLoss.toFixed(5)}` : ''}` +
              (nll ? `, validation NLL ${nll.perCoordinate.toFixed(4)} nats/coordinate, ${nll.perStructure.toFixed(2)} nats/structure (${nll.perStructureDensity.toFixed(2)} as a density per Å^${encoder.sequenceLength - 1})` : '') +
              `, ${p.seqPerSec.toFixed(1)} seq/s, ${formatDuration(p.elapsed)}`,
          );
          if (record.monitor) log(`epoch ${p.epoch + 1}/${epochs}: ${monitorLine(record.monitor, monitorStructures, nVal)}`);
        },
      },
    ];
    const history = await model.train(data, {
      epochs,
      batchSize,
      seed,
      split: splitSpec,
      ...(patience !== undefined && nVal > 0 ? { earlyStopping: { patience, restoreBestWeights: true } } : {}),
      callbacks,
      ...(monitor ? { monitor } : {}),
      signal: stopper.signal,
      ...(maxTime !== undefined ? { maxTime } : {}),
      ...(resume ? { resume } : {}),
      threads,
      // A checkpoint every epoch, and when the run stops early: a model folder of the current weights plus the run's state.
      checkpoint: (cp) => saveCheckpoint(model, cp, checkpointDir),
      ...(maxBatches !== undefined ? { maxBatchesPerEpoch: maxBatches } : {}),
    }).catch((e: unknown) => {
      const m = /differs from the checkpoint in ([\w.]+)/.exec((e as Error).message);
      if (m) throw new UsageError(`repap train: --resume ${values.resume}: ${(e as Error).message.replace(/^train: /, '')}${flagHint(m[1]!)}`);
      throw e;
    });
    (bar as ProgressBar | null)?.finish();

    // --choose-temperature: the kept weights sample at each listed temperature, scored against the validation frames only.
    let temperatureChoice: TemperatureChoice | null = null;
    if (chooseTemperatures !== null) {
      if (history.stopReason === 'non-finite' || history.stopReason === 'collapsed' || history.stopReason === 'aborted') {
        log(`repap train: --choose-temperature skipped (the run ${history.stopReason === 'aborted' ? 'was interrupted' : 'failed'}); the stored temperature stays ${model.samplingDefaults?.temperature ?? FALLBACK_SAMPLING.temperature}`);
      } else {
        temperatureChoice = await chooseTemperature(model, traj, validationRows, chooseTemperatures, temperatureStructures, seed, log);
      }
    }

    const smooth = movingAverage(batchLoss.map((p) => p.loss), Math.max(1, Math.round(batchLoss.length / 100)));
    const training = {
      repapVersion: packageVersion(),
      command: ['repap', 'train', ...argv].join(' '),
      trajectory: basename(path),
      frames: {
        total: traj.nFrames,
        train: nTrain,
        validation: nVal,
        test: nTest,
        trainFrames: groupRecord ? 'the training groups' : `0-${nTrain - 1}`,
        validationFrames: groupRecord ? 'the validation groups' : nVal > 0 ? `${nTrain}-${nTrain + nVal - 1}` : null,
        testFrames: groupRecord ? 'the test groups' : nTest > 0 ? `${nTrain + nVal}-${nTrain + nVal + nTest - 1}` : null,
      },
      ...(groupRecord ? { grouping: groupRecord } : {}),
      seed,
      backend: activeBackend,
      settings: { epochs, batchSize, gridSize, sigma: encoder.config.sigma, units, layers, learningRate, optimizer, loss, maxBatchesPerEpoch: maxBatches ?? null, maxTime: maxTime ?? null, resumedFrom: resumeDir ?? null, monitor: monitorKind, ...(monitor ? { monitorStructures } : {}) },
      history,
      sampling: model.samplingDefaults,
      ...(temperatureChoice ? { temperatureChoice } : {}),
      curves: { batchLoss, validationLoss: valLoss },
    };
    const files: Record<string, string> = { 'training.json': JSON.stringify(training, null, 1) + '\n' };
    const series = [{ label: 'training loss (per batch, smoothed)', x: batchLoss.map((p) => p.epoch), y: smooth, color: '#0072B2' }];
    if (valLoss.length > 0) series.push({ label: 'validation loss', x: valLoss.map((p) => p.epoch), y: valLoss.map((p) => p.loss), color: '#D55E00' });
    if (batchLoss.length > 0) {
      files['loss.svg'] = lineChart(series, { title: `RePAP training on ${basename(path)}`, xLabel: 'epoch', yLabel: 'loss', logY: true });
    }
    await saveModel(model, outDir, { files });
    const last = history.epochs[history.epochs.length - 1];
    report.line(
      `trained ${history.epochs.length} epoch(s) in ${formatDuration(history.epochs.reduce((s, e) => s + e.seconds, 0))}: loss ${last?.loss.toFixed(5) ?? '-'}` +
        `${last?.valLoss != null ? `, validation loss ${last.valLoss.toFixed(5)}` : ''}${history.testLoss !== null ? `, test loss ${history.testLoss.toFixed(5)}` : ''}, ${last?.seqPerSec.toFixed(1) ?? '-'} seq/s (${history.stopReason})`,
    );
    const kept =
      history.restoredEpoch !== null
        ? `the weights of epoch ${history.restoredEpoch + 1}${history.bestEpoch === history.restoredEpoch ? (history.monitor ? ' (best structure figure on the validation frames)' : ' (best validation loss)') : ''}`
        : history.stopReason === 'non-finite' || history.stopReason === 'collapsed'
          ? 'the weights from before training'
          : history.stopReason === 'aborted' || history.stopReason === 'max-time'
            ? 'the latest weights (no validated epoch yet)'
            : 'the final weights';
    if (history.message) log(`repap train: stopped (${history.stopReason}): ${history.message}`);
    report.line(`saved the model to ${outDir} (model.json, weights.bin, repap.json, training.json${batchLoss.length > 0 ? ', loss.svg' : ''}) with ${kept}`);
    if (model.samplingDefaults) report.line(samplingLine(model.samplingDefaults));
    if (history.stopReason === 'aborted' || history.stopReason === 'max-time') {
      report.line(`to continue: repap train ${argv.filter((x, i) => x !== '--resume' && argv[i - 1] !== '--resume').join(' ')} --resume ${checkpointDir}`);
    }
    // --json: training.json without the per-batch curves, plus where the model is
    const { curves: _curves, ...summary } = training;
    await report.emit({ ...summary, model: outDir });
    // Ctrl-C: 130 (as a shell reports SIGINT), after saving; a failed run (non-finite loss, collapse): 1.
    if (history.stopReason === 'aborted') return 130;
    if (history.stopReason === 'non-finite' || history.stopReason === 'collapsed') return 1;
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    model.dispose();
  }
}

/** The temperatures `--choose-temperature` tries when given no list. */
export const DEFAULT_TEMPERATURES: readonly number[] = [0.2, 0.4, 0.6, 0.8, 1];

/** Share of valid structures a temperature needs to be chosen by `--choose-temperature`. */
const VALID_SHARE = 0.99;

/** Tries per atom stored by `repap train` (with backtracking: the fastest setting with every structure valid, docs/generalisation.md). */
const TRAINED_MAX_TRIES = 20;
/** Backtracks per structure stored by `repap train`. */
const TRAINED_MAX_BACKTRACKS = 100;
/** Atoms undone per backtrack stored by `repap train`. */
const TRAINED_BACKTRACK_DEPTH = 3;

/** One temperature of `--choose-temperature`: its scores against the validation frames. */
interface TemperatureRow {
  /** Sampling temperature. */
  temperature: number;
  /** Sum of the partial Err_RDF over species pairs (the total Err_RDF for one species); smaller is better. */
  figure: number;
  /** Err_RDF per species pair. */
  errRdf: Record<string, number>;
  /** Share of structures that met the minimum distances. */
  valid: number;
  /** Sampling and scoring time, s. */
  seconds: number;
}

/** What `--choose-temperature` measured and chose (training.json field `temperatureChoice`). */
interface TemperatureChoice {
  /** The chosen temperature (stored in repap.json). */
  chosen: number;
  /** The rule that chose it. */
  rule: string;
  /** Structures sampled per temperature. */
  structures: number;
  /** Seed of every temperature's sampling (the same random stream for each). */
  seed: number;
  /** Validation frames scored against. */
  validationFrames: number;
  /** One row per temperature, in the order given. */
  table: TemperatureRow[];
}

/**
 * `--choose-temperature` takes an optional list: alone (followed by another
 * flag, a file or nothing) it means the default list; followed by a word of
 * numbers and commas it takes that word. Returns the arguments with the flag
 * in `--choose-temperature=VALUE` form (an empty value for the default list).
 */
function normalizeChooseTemperature(argv: readonly string[]): string[] {
  return normalizeOptionalValue(argv, '--choose-temperature', (next) => /^[-+\d.,eE\s]+$/.test(next) && /\d/.test(next), '');
}

/** The temperatures of `--choose-temperature` (empty text: the default list); a UsageError naming the flag for a value outside (0, 10]. */
export function parseTemperatureList(text: string): number[] {
  if (text.trim() === '') return [...DEFAULT_TEMPERATURES];
  const words = text.split(',').map((x) => x.trim());
  const list = words.map(Number);
  const bad = words.findIndex((w, i) => w === '' || !Number.isFinite(list[i]!) || list[i]! <= 0 || list[i]! > 10);
  if (bad >= 0) {
    throw new UsageError(
      `repap train: --choose-temperature '${text}': '${words[bad]}' is not a temperature in (0, 10]; give a comma-separated list such as ${DEFAULT_TEMPERATURES.join(',')} (the default)`,
    );
  }
  return [...new Set(list)];
}

/**
 * The sampling defaults `repap train` stores with every model: per-pair
 * minimum distances at 0.85 x the smallest distance per species pair in the
 * training frames (one 'Si-Si' entry for a-Si), temperature 1 (until
 * --choose-temperature chooses one), and backtracking on.
 */
function trainedSamplingDefaults(traj: Trajectory, trainRows: ArrayLike<number>): SamplingDefaults {
  const frames = Int32Array.from(trainRows);
  const table = pairTableOf(resolvePairTable(pairMinimumDistances(traj, { frames }).smallest, traj.species, 'training frames'), 0.85);
  return {
    ...FALLBACK_SAMPLING,
    minDistance: Math.min(...Object.values(table)),
    minDistances: table,
    maxTries: TRAINED_MAX_TRIES,
    maxBacktracks: TRAINED_MAX_BACKTRACKS,
    backtrackDepth: TRAINED_BACKTRACK_DEPTH,
    note:
      `minDistances: 0.85 x the smallest distance per species pair in the ${frames.length} training frames; ` +
      `temperature 1 (as trained; repap train --choose-temperature chooses one on the validation frames); ` +
      `${TRAINED_MAX_TRIES} tries, at most ${TRAINED_MAX_BACKTRACKS} backtracks of ${TRAINED_BACKTRACK_DEPTH} atoms: the fastest setting with every structure valid on the a-Si validation glasses (docs/generalisation.md; the silica model needed 0.3 backtracks per structure, docs/silica.md)`,
  };
}

/**
 * Samples `structures` structures at each temperature (same seed) from the
 * model's current weights and stored defaults, scores them against the
 * validation frames with {@link structureMonitor}, and stores the chosen
 * temperature in `model.samplingDefaults`: the lowest figure among the
 * temperatures with >= 99 % valid structures, else the most valid.
 */
async function chooseTemperature(
  model: RePAPModel,
  traj: Trajectory,
  validationRows: Int32Array,
  temperatures: readonly number[],
  structures: number,
  seed: number,
  log: (s: string) => void,
): Promise<TemperatureChoice> {
  const base: SamplingDefaults = model.samplingDefaults ?? { ...FALLBACK_SAMPLING };
  const table: TemperatureRow[] = [];
  log(`repap train: --choose-temperature: ${structures} structures per temperature against the ${validationRows.length} validation frames`);
  try {
    for (const temperature of temperatures) {
      model.samplingDefaults = { ...base, temperature };
      const m = await structureMonitor(model, traj, { frames: validationRows, structures, seed }).evaluate(0);
      const d = m.details ?? {};
      const errRdf = pairErrRdf(d);
      const row = { temperature, figure: m.value, errRdf, valid: d.valid ?? 0, seconds: d.seconds ?? 0 };
      table.push(row);
      log(`  T ${String(temperature).padEnd(5)} figure ${row.figure.toFixed(4)}${Object.keys(errRdf).length > 1 ? ` (${Object.entries(errRdf).map(([p, e]) => `${p} ${e.toFixed(3)}`).join(', ')})` : ''}, ${(100 * row.valid).toFixed(1)} % valid, ${row.seconds.toFixed(1)} s`);
    }
  } finally {
    model.samplingDefaults = base;
  }
  const eligible = table.filter((r) => r.valid >= VALID_SHARE);
  const byFigure = (a: TemperatureRow, b: TemperatureRow): number => a.figure - b.figure;
  const best = eligible.length > 0 ? [...eligible].sort(byFigure)[0]! : [...table].sort((a, b) => b.valid - a.valid || a.figure - b.figure)[0]!;
  const scoreWords = Object.keys(best.errRdf).length > 1 ? 'sum of partial Err_RDF' : 'Err_RDF';
  const rule =
    eligible.length > 0
      ? `the lowest ${scoreWords} among the temperatures with >= ${100 * VALID_SHARE} % valid structures`
      : `no temperature reached ${100 * VALID_SHARE} % valid structures: the one with the most valid, then the lowest ${scoreWords}`;
  const list = temperatures.join(', ');
  model.samplingDefaults = {
    ...base,
    temperature: best.temperature,
    note:
      `temperature ${best.temperature}: ${rule} (T ${list}; ${structures} structures each, seed ${seed}, against the ${validationRows.length} validation frames; repap train --choose-temperature: ${best.figure.toFixed(4)}, ${(100 * best.valid).toFixed(1)} % valid); ` +
      (base.note ?? '').replace(/temperature 1 \(as trained; [^)]*\); /, ''),
  };
  log(`repap train: --choose-temperature: T = ${best.temperature} (${rule})`);
  return { chosen: best.temperature, rule, structures, seed, validationFrames: validationRows.length, table };
}

/** The stored sampling defaults in one line, for the training summary. */
function samplingLine(s: SamplingDefaults): string {
  const distances = s.minDistances ? Object.entries(s.minDistances).map(([p, d]) => `${p} ${d} Å`).join(', ') : `${s.minDistance} Å`;
  return (
    `sampling defaults stored in repap.json: temperature ${s.temperature}, minimum distance ${distances}, ${s.maxTries} tries, ` +
    `${s.maxBacktracks ? `at most ${s.maxBacktracks} backtracks of ${s.backtrackDepth ?? 3} atoms` : 'no backtracking'}`
  );
}

/** The Err_RDF per species pair among a structure monitor's details (keys `errRdf:<pair>`). */
function pairErrRdf(details: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(details)) if (k.startsWith('errRdf:')) out[k.slice('errRdf:'.length)] = details[k]!;
  return out;
}

/** One epoch's --monitor structure figures, for the log. */
function monitorLine(m: NonNullable<EpochRecord['monitor']>, structures: number, frames: number): string {
  const d = m.details ?? {};
  const pairs = Object.entries(pairErrRdf(d)).map(([p, e]) => `${p} ${e.toFixed(3)}`);
  return (
    `structure figure ${m.value.toFixed(4)} (sum of partial Err_RDF of ${structures} sampled structures against the ${frames} validation frames${pairs.length > 1 ? `: ${pairs.join(', ')}` : ''})` +
    `${d.valid !== undefined ? `, ${(100 * d.valid).toFixed(0)} % valid` : ''}${d.seconds !== undefined ? `, ${d.seconds.toFixed(1)} s` : ''}`
  );
}

/** The command-line flag behind a field of the training configuration, for resume errors. */
function flagHint(field: string): string {
  const flags: Record<string, string> = {
    'config.units': '--units', 'config.layers': '--layers', 'config.learningRate': '--learning-rate', 'config.optimizer': '--optimizer',
    'config.loss': '--loss', batchSize: '--batch', seed: '--seed', split: '--split/--validation', frames: 'the input frames (--max-frames)',
    shuffle: 'shuffling',
  };
  const key = Object.keys(flags).find((k) => field === k || field.startsWith(k + '.'));
  if (key) return ` (set by ${flags[key]}; give the same value as the run being resumed)`;
  if (field.startsWith('encoder.')) return ' (the encoder: --grid, --sigma, the input frames or the ordering; give the same as the run being resumed)';
  return '';
}

/**
 * Seconds of a duration: `90`, `90s`, `30m`, `1h`, `1h30m`, `1.5h`. Throws a
 * UsageError naming --max-time otherwise.
 */
export function parseDuration(text: string): number {
  const t = text.trim();
  const m = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(t);
  const secs = m && t !== '' ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : NaN;
  if (!(secs > 0) || !Number.isFinite(secs)) {
    throw new UsageError(`repap train: --max-time is '${text}'; expected a duration such as 90s, 30m, 1h or 1h30m`);
  }
  return secs;
}

/** Centred moving average with half-window `w`. */
function movingAverage(v: readonly number[], w: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < v.length; i++) {
    let s = 0, n = 0;
    for (let j = Math.max(0, i - w); j <= Math.min(v.length - 1, i + w); j++) {
      s += v[j];
      n++;
    }
    out.push(s / n);
  }
  return out;
}
