/**
 * Installs a checkpoint written by scripts/train-embedded.ts as the embedded
 * model: copies the model folder into `assets/a-si-30-sw-300K/model/`, keeps the
 * first coordinates to 1e-5 Å (as `RePAPModel.train` now does) so the package
 * stays small, merges the training records of resumed runs into
 * `assets/a-si-30-sw-300K/training.json`, and draws `docs/training-curves.svg`.
 *
 *   npx tsx scripts/finalize-embedded.ts --run /path/to/run
 */
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { lineChart } from '../src/plot/index.js';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    assets: { type: 'string', default: resolve(import.meta.dirname, '../assets/a-si-30-sw-300K') },
    svg: { type: 'string', default: resolve(import.meta.dirname, '../docs/training-curves.svg') },
  },
});
if (!values.run) throw new Error('finalize-embedded: give --run <folder written by train-embedded.ts>');

interface Record {
  command: string;
  epochs: { epoch: number; loss: number; valLoss: number | null; seconds: number; seqPerSec: number }[];
  curve: { epoch: number; batch: number; sequences: number; loss: number; seconds: number }[];
  batchSize: number;
  resumedFrom: Record | null;
  [key: string]: unknown;
}
const last = JSON.parse(readFileSync(resolve(values.run, 'training.json'), 'utf8')) as Record;
// Oldest run first.
const runs: Record[] = [];
for (let r: Record | null = last; r; r = r.resumedFrom) runs.unshift(r);

const dest = resolve(values.assets!, 'model');
mkdirSync(dest, { recursive: true });
copyFileSync(resolve(values.run, 'model/weights.bin'), resolve(dest, 'weights.bin'));
const round = (v: number) => Math.round(v * 1e5) / 1e5;
const meta = JSON.parse(readFileSync(resolve(values.run, 'model/repap.json'), 'utf8'));
meta.firstCoordinates = meta.firstCoordinates.map(round);
const modelJson = JSON.parse(readFileSync(resolve(values.run, 'model/model.json'), 'utf8'));
modelJson.userDefinedMetadata.repap = meta;
writeFileSync(resolve(dest, 'model.json'), JSON.stringify(modelJson));
writeFileSync(resolve(dest, 'repap.json'), JSON.stringify(meta, null, 1));

// One continuous record: sequences and seconds accumulate over the resumed runs.
let seqOffset = 0;
let secOffset = 0;
let epochOffset = 0;
const curve: { sequences: number; loss: number; seconds: number }[] = [];
const epochs: { epoch: number; sequences: number; loss: number; valLoss: number | null; seconds: number; seqPerSec: number }[] = [];
for (const run of runs) {
  for (const c of run.curve) curve.push({ sequences: seqOffset + c.sequences, loss: c.loss, seconds: secOffset + c.seconds });
  let seqAtEpochEnd = seqOffset;
  for (const e of run.epochs) {
    const lastPoint = run.curve.filter((c) => c.epoch === e.epoch).at(-1);
    seqAtEpochEnd = seqOffset + (lastPoint?.sequences ?? 0);
    epochs.push({ ...e, epoch: epochOffset + e.epoch, sequences: seqAtEpochEnd });
  }
  seqOffset += run.curve.at(-1)?.sequences ?? 0;
  secOffset += run.curve.at(-1)?.seconds ?? 0;
  epochOffset += run.epochs.length;
}
const { resumedFrom: _r, curve: _c, epochs: _e, command: _cmd, ...settings } = last;
const training = {
  about:
    'How the embedded model was trained: scripts/train-embedded.ts (run, then resumed from its checkpoint), ' +
    'one record per chunk of batches ("epoch" = --max-batches batches of a shuffled pass over the 32,000 training frames).',
  commands: runs.map((r) => r.command),
  ...settings,
  sequences: seqOffset,
  hours: secOffset / 3600,
  epochs,
  curve,
};
writeFileSync(resolve(values.assets!, 'training.json'), JSON.stringify(training, null, 1) + '\n');

const val = epochs.filter((e) => e.valLoss !== null);
writeFileSync(
  values.svg!,
  lineChart(
    [
      { label: 'training loss (running mean in each chunk, with dropout)', x: curve.map((c) => c.sequences), y: curve.map((c) => c.loss), color: '#0072B2' },
      { label: 'validation loss (no dropout)', x: val.map((e) => e.sequences), y: val.map((e) => e.valLoss as number), color: '#D55E00', dash: '7 4' },
    ],
    { title: 'Embedded a-Si model: mean squared error per cell', xLabel: 'training sequences', yLabel: 'MSE', logY: true },
  ),
);
console.log(`installed ${values.run} -> ${dest}; ${epochs.length} records, ${seqOffset} sequences, ${(secOffset / 60).toFixed(1)} min`);
