/**
 * Trains a model on the 64-glass a-Si ensemble (the multi-glass model shipped
 * in `assets/a-si-30-sw-300K-glasses/`, and the runs of docs/generalisation.md).
 * Maintainers' script: it reads the glasses from the reference data set
 * (`../shared/data` beside the repository, or `--data PATH`), which the package
 * itself never reads at run time.
 *
 *   npx tsx scripts/train-glasses.ts --out /tmp/glasses-run --minutes 45 --units 128 --layers 1 \
 *     --grid 100 --loss softmax-crossentropy --ordering group --augment symmetry --seed 42
 *
 * The split is by glass (`--split 52,6,6`, dealt by `--seed`): validation and
 * test glasses are never trained on. The model is saved after every epoch
 * (`--epoch-batches` batches) and at the end, with `training.json` (command,
 * seed, split, curves).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RePAPModel, useBackend, type ModelLoss } from '../src/index.js';
import { loadModel, loadTrajectory, saveModel } from '../src/node/index.js';
import { groupedTrainingData, parseAugment } from '../src/cli/grouped-data.js';
import type { GroupOrdering } from '../src/encoding/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/a-si-30-sw-300K-glasses.extxyz.gz') },
    out: { type: 'string' },
    minutes: { type: 'string', default: '45' },
    epochs: { type: 'string', default: '1000' },
    'epoch-batches': { type: 'string', default: '800' },
    units: { type: 'string', default: '128' },
    layers: { type: 'string', default: '1' },
    grid: { type: 'string', default: '100' },
    'sigma-cells': { type: 'string', default: '0.5' },
    loss: { type: 'string', default: 'softmax-crossentropy' },
    ordering: { type: 'string', default: 'group' },
    augment: { type: 'string', default: 'symmetry' },
    batch: { type: 'string', default: '16' },
    lr: { type: 'string', default: '0.001' },
    optimizer: { type: 'string', default: 'adam' },
    dropout: { type: 'string', default: '0' },
    split: { type: 'string', default: '52,6,6' },
    'frames-per-glass': { type: 'string', default: '500' },
    seed: { type: 'string', default: '42' },
    backend: { type: 'string', default: 'wasm' },
    threads: { type: 'string' },
    // Continue from a saved model folder's weights (same encoder and network; a fresh optimiser state).
    init: { type: 'string' },
  },
});
if (!values.out) throw new Error('train-glasses: --out <dir> is required');
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const backend = await useBackend(values.backend as 'wasm');
const seed = Number(values.seed);
const [tr, va, te] = values.split!.split(',').map(Number);
const md = await loadTrajectory(values.data!);
const grid = Number(values.grid);
const L = md.cell![0][0];
const g = groupedTrainingData([md], [values.data!], {
  groupBy: 'glass',
  ordering: values.ordering as GroupOrdering,
  // 'rotate': the 48 cubic operations without translations (for centred orderings: the canonical pivot, turned)
  augment: values.augment === 'rotate' ? { translate: false, symmetry: true } : parseAugment(values.augment),
  maxFramesPerGroup: Number(values['frames-per-glass']),
  split: { train: tr!, validation: va!, test: te! },
  seed,
  encoder: { gridSize: grid, sigma: Number(values['sigma-cells']) * (L / grid) },
});
const model = values.init !== undefined ? await loadModel(resolve(values.init)) : RePAPModel.create(g.encoder, {
  units: Number(values.units),
  layers: Number(values.layers),
  learningRate: Number(values.lr),
  optimizer: values.optimizer as 'adam',
  dropout: Number(values.dropout),
  loss: values.loss as ModelLoss,
  seed,
});
// Until a temperature is chosen on the validation glasses: the values a likelihood model should need.
model.samplingDefaults = { temperature: 1, minDistance: 2.0, maxTries: 10 };
const batch = Number(values.batch);
const curves = { batchLoss: [] as [number, number][], epochs: [] as Record<string, unknown>[] };
const started = new Date().toISOString();
const record = (history: unknown): void => {
  writeFileSync(
    join(out, 'training.json'),
    JSON.stringify(
      {
        command: ['npx tsx scripts/train-glasses.ts', ...process.argv.slice(2)].join(' '),
        started,
        backend,
        seed,
        settings: { ...values, data: values.data!.split('/').pop() },
        sigma: g.encoder.config.sigma,
        grouping: g.record,
        frames: { train: g.split.train.length, validation: g.split.validation.length, test: g.split.test.length },
        curves,
        history,
      },
      null,
      1,
    ) + '\n',
  );
};
console.error(
  `train-glasses: ${g.split.train.length} training frames of ${g.split.groups.train.length} glasses, ` +
    `${g.split.validation.length} validation frames of ${g.split.groups.validation.length} glasses (${g.record.validationGroups}); ` +
    `${values.layers} x ${values.units} LSTM, grid ${grid}, loss ${values.loss}, ordering ${values.ordering}, augment ${values.augment}; backend ${backend}`,
);
let seqs = 0;
const history = await model.train(g.data, {
  epochs: Number(values.epochs),
  batchSize: batch,
  seed,
  split: { train: tr!, validation: va!, test: te! },
  maxBatchesPerEpoch: Number(values['epoch-batches']),
  maxTime: Number(values.minutes) * 60,
  ...(values.threads !== undefined ? { threads: Number(values.threads) } : {}),
  onProgress: (p) => {
    if (!p.epochEnd) {
      seqs += batch;
      if (p.batch % 20 === 0) curves.batchLoss.push([seqs, p.loss]);
    }
  },
  callbacks: [
    {
      onEpochEnd: async (epoch, logs) => {
        curves.epochs.push({ epoch, sequences: seqs, ...(logs as unknown as Record<string, unknown>), elapsed: (logs as { elapsed?: number }).elapsed });
        console.error(`epoch ${epoch + 1}: ${JSON.stringify(logs)}`);
        await saveModel(model, join(out, 'model'));
        record(null);
      },
    },
  ],
});
await saveModel(model, join(out, 'model'));
record(history);
console.error(`done: ${history.stopReason} ${history.message ?? ''}; test loss ${history.testLoss}`);
model.dispose();
