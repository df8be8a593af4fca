/**
 * Trains the embedded a-Si model shipped in `assets/a-si-30-sw-300K/model/`.
 * Maintainers' script: it reads the MD trajectory from the reference data set
 * (`../shared/data` beside the repository, or `--data PATH`), which the package
 * itself never reads at run time.
 *
 *   npx tsx scripts/train-embedded.ts --epochs 3 --grid 100 --sigma-cells 0.5 --seed 1 --backend wasm
 *
 * It trains one epoch per `train()` call (the optimiser state carries over) and
 * saves the model and `training.json` (command, seed, backend, curves) after
 * every epoch, so a run cut short still leaves a usable model. `--minutes`
 * stops it after the current batch once the time is spent.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AxisProjectionEncoder, RePAPModel, readRawFrames, useBackend } from '../src/index.js';
import { loadModel, saveModel } from '../src/node/index.js';

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
// --resume DIR continues from a saved checkpoint (weights; the optimiser state starts afresh).
const model = values.resume
  ? await loadModel(values.resume)
  : RePAPModel.create(AxisProjectionEncoder.fit(md, { gridSize: grid, sigma }, trainFrames), {
      units: Number(values.units),
      learningRate: Number(values.lr),
      optimizer: values.optimizer as 'rmsprop',
      dropout: Number(values.dropout),
      seed,
    });
const coords = model.codec.orderedCoordinates(md, Int32Array.from({ length: nFrames }, (_, i) => i));
const previous = values.resume ? JSON.parse(readFileSync(resolve(values.resume, '../training.json'), 'utf8')) : null;
const epochs = Number(values.epochs);
const deadline = Date.now() + Number(values.minutes) * 60_000;
const controller = new AbortController();
const curve: { epoch: number; batch: number; sequences: number; loss: number; seconds: number }[] = [];
const epochsDone: { epoch: number; loss: number; valLoss: number | null; seconds: number; seqPerSec: number }[] = [];
const t0 = Date.now();
let sequences = 0;
mkdirSync(values.out!, { recursive: true });
const command = `npx tsx scripts/train-embedded.ts ${process.argv.slice(2).join(' ')}`.trim();
for (let epoch = 0; epoch < epochs && !controller.signal.aborted; epoch++) {
  const history = await model.train(
    { coords: coords.subarray(0, (trainFrames.length + Number(values['val-frames'])) * model.codec.sequenceLength), cell: md.cell, pbc: md.pbc },
    {
      epochs: 1,
      batchSize: Number(values.batch),
      seed: seed * 1000 + epoch,
      split: { train: trainFrames.length, validation: Number(values['val-frames']), test: 0 },
      signal: controller.signal,
      ...(values['max-batches'] ? { maxBatchesPerEpoch: Number(values['max-batches']) } : {}),
      onProgress: (p) => {
        if (Date.now() > deadline) controller.abort();
        if (p.epochEnd) return;
        sequences += Number(values.batch);
        if (p.batch % 50 === 0 || p.batch === p.batches) {
          curve.push({ epoch, batch: p.batch, sequences, loss: p.loss, seconds: (Date.now() - t0) / 1000 });
          console.log(
            `epoch ${epoch + 1} batch ${p.batch}/${p.batches} loss ${p.loss.toExponential(4)} ` +
              `${p.seqPerSec.toFixed(1)} seq/s elapsed ${((Date.now() - t0) / 60000).toFixed(1)} min`,
          );
        }
      },
    },
  );
  const rec = history.epochs[0];
  if (rec) epochsDone.push({ ...rec, epoch });
  console.log(`epoch ${epoch + 1}: loss ${rec?.loss} val ${rec?.valLoss} test ${history.testLoss} (${history.stopReason})`);
  await saveModel(model, resolve(values.out!, 'model'));
  writeFileSync(
    resolve(values.out!, 'training.json'),
    JSON.stringify(
      {
        command,
        backend,
        seed,
        data: 'a-si-30-sw-300K.positions.f32 (LAMMPS Stillinger-Weber a-Si, 30 atoms, 300 K), first ' + nFrames + ' frames',
        split: history.split,
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
        testLoss: history.testLoss,
        curve,
        finished: new Date().toISOString(),
        minutes: (Date.now() - t0) / 60000,
        resumedFrom: previous,
      },
      null,
      1,
    ) + '\n',
  );
}
model.dispose();
