/**
 * Trains the embedded a-Si model shipped in `assets/a-si-30-sw-300K/model/`.
 * Maintainers' script: it reads the MD trajectory from the reference data set
 * (`../shared/data` beside the repository, or `--data PATH`), which the package
 * itself never reads at run time.
 *
 *   npx tsx scripts/train-embedded.ts --epochs 3 --grid 100 --sigma-cells 0.5 --seed 1 --backend wasm
 *
 * It saves the model and `training.json` (command, seed, backend, curves) after
 * every epoch, so a run cut short still leaves a usable model, and a
 * checkpoint in OUT/checkpoint. `--minutes` (or Ctrl-C) stops it after the
 * current batch with the best weights so far; `--resume OUT/checkpoint`
 * continues exactly.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AxisProjectionEncoder, RePAPModel, readRawFrames, useBackend } from '../src/index.js';
import { loadCheckpoint, saveCheckpoint, saveModel } from '../src/node/index.js';
import type { EpochRecord, TrainingHistory } from '../src/model/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/a-si-30-sw-300K') },
    out: { type: 'string', default: resolve(import.meta.dirname, '../assets/a-si-30-sw-300K') },
    epochs: { type: 'string', default: '3' },
    grid: { type: 'string', default: '100' },
    'sigma-cells': { type: 'string', default: '0.5' },
    units: { type: 'string', default: '256' },
    batch: { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.001' },
    optimizer: { type: 'string', default: 'rmsprop' },
    dropout: { type: 'string', default: '0.5' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
    minutes: { type: 'string', default: '1e9' },
    'max-batches': { type: 'string' },
    frames: { type: 'string', default: '40000' },
    'val-frames': { type: 'string', default: '4000' },
    resume: { type: 'string' },
  },
});

const backend = await useBackend(values.backend as 'wasm');
const sidecar = JSON.parse(readFileSync(`${values.data}.json`, 'utf8'));
const md = readRawFrames(readFileSync(`${values.data}.positions.f32`), sidecar);
const nFrames = Math.min(Number(values.frames), md.nFrames);
const grid = Number(values.grid);
const L = md.cell![0][0];
const sigma = Number(values['sigma-cells']) * (L / grid);
const trainFrames = Int32Array.from({ length: Math.floor(nFrames * 0.8) }, (_, i) => i);
const seed = Number(values.seed);
// --resume DIR continues a stopped run exactly from its checkpoint (OUT/checkpoint): weights, optimiser
// state, data order and RNG state; the settings must be those of that run.
const resumed = values.resume ? await loadCheckpoint(values.resume) : null;
const model = resumed
  ? resumed.model
  : RePAPModel.create(AxisProjectionEncoder.fit(md, { gridSize: grid, sigma }, trainFrames), {
      units: Number(values.units),
      learningRate: Number(values.lr),
      optimizer: values.optimizer as 'rmsprop',
      dropout: Number(values.dropout),
      seed,
    });
const coords = model.codec.orderedCoordinates(md, Int32Array.from({ length: nFrames }, (_, i) => i));
const epochs = Number(values.epochs);
const curve: { epoch: number; batch: number; sequences: number; loss: number; seconds: number }[] = [];
const t0 = Date.now();
mkdirSync(values.out!, { recursive: true });
const command = `npx tsx scripts/train-embedded.ts ${process.argv.slice(2).join(' ')}`.trim();
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const record = (history: TrainingHistory | null, epochsDone: EpochRecord[]): string =>
  JSON.stringify(
    {
      command,
      backend,
      seed,
      data: 'a-si-30-sw-300K.positions.f32 (LAMMPS Stillinger-Weber a-Si, 30 atoms, 300 K), first ' + nFrames + ' frames',
      split: { train: trainFrames.length, validation: Number(values['val-frames']), test: 0 },
      // From the model itself, so a resumed run records what it trains, whatever its flags say.
      encoder: {
        gridSize: model.codec.gridSize,
        sigma: model.codec.config.sigma,
        sigmaCells: model.codec.config.sigma / model.codec.cellWidth(0),
        normalization: model.codec.config.normalization,
        ordering: model.codec.orderingRule,
      },
      network: model.config,
      batchSize: Number(values.batch),
      epochs: epochsDone,
      stopReason: history?.stopReason ?? null,
      message: history?.message ?? null,
      restoredEpoch: history?.restoredEpoch ?? null,
      testLoss: history?.testLoss ?? null,
      curve,
      finished: new Date().toISOString(),
      minutes: (Date.now() - t0) / 60000,
      resumedFrom: values.resume ?? null,
    },
    null,
    1,
  ) + '\n';
const epochsDone: EpochRecord[] = [];
// One run: the training API keeps the time budget (maxTime), Ctrl-C (signal), a checkpoint every
// epoch (OUT/checkpoint, for --resume) and the best weights. The embedded model's record in
// assets/a-si-30-sw-300K/training.json was made by an earlier version of this script, which called
// train() once per epoch with the seed seed * 1000 + epoch.
const history = await model.train(
  { coords: coords.subarray(0, (trainFrames.length + Number(values['val-frames'])) * model.codec.sequenceLength), cell: md.cell, pbc: md.pbc },
  {
    epochs,
    batchSize: Number(values.batch),
    seed,
    split: { train: trainFrames.length, validation: Number(values['val-frames']), test: 0 },
    signal: controller.signal,
    maxTime: Number(values.minutes) * 60,
    ...(resumed ? { resume: resumed.checkpoint } : {}),
    ...(values['max-batches'] ? { maxBatchesPerEpoch: Number(values['max-batches']) } : {}),
    checkpoint: (cp) => saveCheckpoint(model, cp, resolve(values.out!, 'checkpoint')),
    callbacks: [
      {
        onBatchEnd: (b, l) => {
          if ((b + 1) % 50 === 0 || b + 1 === l.batches) {
            curve.push({ epoch: l.epoch, batch: b + 1, sequences: l.sequences, loss: l.loss, seconds: (Date.now() - t0) / 1000 });
            console.log(`epoch ${l.epoch + 1} batch ${b + 1}/${l.batches} loss ${l.loss.toExponential(4)} ${l.seqPerSec.toFixed(1)} seq/s elapsed ${((Date.now() - t0) / 60000).toFixed(1)} min`);
          }
        },
        onEpochEnd: async (e, l, rec) => {
          epochsDone.push(rec);
          console.log(`epoch ${e + 1}: loss ${l.loss} val ${l.valLoss} val NLL ${l.valNll?.perCoordinate.toFixed(4) ?? '-'} nats/coordinate`);
          // The model after every epoch, so a run cut short still leaves a usable one.
          await saveModel(model, resolve(values.out!, 'model'), { files: {} });
          writeFileSync(resolve(values.out!, 'training.json'), record(null, epochsDone));
        },
      },
    ],
  },
);
console.log(`stopped: ${history.stopReason}${history.message ? ` (${history.message})` : ''}`);
await saveModel(model, resolve(values.out!, 'model'));
writeFileSync(resolve(values.out!, 'training.json'), record(history, history.epochs));
model.dispose();
