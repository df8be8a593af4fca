/**
 * The validation negative log-likelihood of multi-glass runs, position by
 * position along the sequence, and as one density over whole structures that
 * is comparable between atom orderings. Maintainers' script (reads the
 * reference data set, like scripts/train-glasses.ts).
 *
 *   npx tsx scripts/ordering-nll.ts --run /tmp/runs/C3 --run /tmp/runs/D1 [--out nll.json]
 *
 * Each run folder is an `--out` of scripts/train-glasses.ts: its validation
 * glasses are encoded exactly as in training (same split, ordering, grid; no
 * augmentation). The training logs' density (per Å^3N) sums the tokens the
 * network predicts, 1..T-1: token 0 (the first x) is an input and never
 * scored. Whole-structure densities, comparable between orderings:
 *
 * - orderings from the origin (group, frame): that sum plus ln L for token 0
 *   (uniform over the cell: any translation is as likely);
 * - centred orderings (centred, grown): the first atom is the pivot, moved to
 *   the centre of the cell, so its three tokens carry no information (the
 *   network predicts tokens 1 and 2 with near certainty). They are dropped and
 *   ln V is added instead: the density of a structure is that of its shape
 *   times 1/V for the translation that the centring removed.
 *
 * Both are densities over ordered (labelled by their canonical order) atoms;
 * both orderings are canonical, so the comparison is fair.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { useBackend } from '../src/backend/index.js';
import { loadModel, loadTrajectory } from '../src/node/index.js';
import { groupedTrainingData } from '../src/cli/grouped-data.js';
import type { GroupOrdering } from '../src/encoding/index.js';
import { TimeMajorBatcher } from '../src/model/batches.js';
import { batchOutputs, LOG_FLOOR } from '../src/model/inference.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/a-si-30-sw-300K-glasses.extxyz.gz') },
    run: { type: 'string', multiple: true },
    out: { type: 'string' },
    batch: { type: 'string', default: '200' },
  },
});
if (!values.run?.length) throw new Error('ordering-nll: --run <dir> (an --out of scripts/train-glasses.ts) is required, once per run');
await useBackend('wasm');
const md = await loadTrajectory(values.data!);
const results: Record<string, unknown>[] = [];
for (const run of values.run) {
  const training = JSON.parse(readFileSync(join(run, 'training.json'), 'utf8')) as {
    settings: Record<string, string>;
    curves: { epochs: { sequences: number; valNll?: { perStructureDensity: number } }[] };
  };
  const s = training.settings;
  const [tr, va, te] = s.split!.split(',').map(Number);
  const grid = Number(s.grid);
  const L = md.cell![0][0];
  const ordering = s.ordering as GroupOrdering;
  const g = groupedTrainingData([md], [values.data!], {
    groupBy: 'glass',
    ordering,
    augment: null, // the validation rows are encoded without augmentation in any case
    maxFramesPerGroup: Number(s['frames-per-glass']),
    split: { train: tr!, validation: va!, test: te! },
    seed: Number(s.seed),
    encoder: { gridSize: grid, sigma: Number(s['sigma-cells']) * (L / grid) },
  });
  const model = await loadModel(join(run, 'model'));
  const enc = model.encoder;
  const T = enc.sequenceLength;
  const G = enc.gridSize;
  const coords = g.data.coords;
  const cells = enc.tokenCells(coords);
  const batcher = new TimeMajorBatcher(enc, coords, cells);
  const rows = g.split.validation;
  const nats = new Float64Array(T); // summed over structures, per token (token 0 never scored)
  const B = Number(values.batch);
  for (let start = 0; start < rows.length; start += B) {
    const sub = rows.subarray(start, Math.min(start + B, rows.length));
    const { y } = batchOutputs(model, coords, batcher, sub, false);
    const p = y.dataSync() as Float32Array;
    y.dispose();
    for (let t = 0; t < T - 1; t++) {
      for (let b = 0; b < sub.length; b++) {
        const o = (t * sub.length + b) * G;
        let total = 0;
        for (let k = 0; k < G; k++) total += p[o + k]!;
        const q = p[o + cells[sub[b]! * T + t + 1]!]! / total;
        nats[t + 1] += -Math.log(Math.max(q, LOG_FLOOR));
      }
    }
  }
  const n = rows.length;
  const perToken = Array.from(nats, (v) => v / n);
  const logW = Math.log(L / G);
  const sum = (a: number, b: number): number => perToken.slice(a, b).reduce((x, y) => x + y, 0);
  const centred = ordering === 'centred' || ordering === 'grown';
  const logV = 3 * Math.log(L);
  const wholeDensity = centred ? sum(3, T) + (T - 3) * logW + logV : sum(1, T) + (T - 1) * logW + Math.log(L);
  const atoms = (a: number, b: number): number => sum(Math.max(1, 3 * a), 3 * b) / (3 * b - Math.max(1, 3 * a));
  const row = {
    run: resolve(run),
    ordering,
    augment: s.augment,
    sequences: training.curves.epochs.at(-1)?.sequences ?? null,
    validationStructures: n,
    loggedDensity: training.curves.epochs.at(-1)?.valNll?.perStructureDensity ?? null,
    scoredDensity: sum(1, T) + (T - 1) * logW,
    wholeStructureDensity: wholeDensity,
    natsPerCoordinate: {
      firstAtom: atoms(0, 1),
      atoms2to5: atoms(1, 5),
      atoms6to15: atoms(5, 15),
      atoms16toN: atoms(15, enc.nAtoms),
      allScored: sum(1, T) / (T - 1),
      afterFirstAtom: sum(3, T) / (T - 3),
    },
    perToken,
  };
  console.error(JSON.stringify({ ...row, perToken: undefined }));
  results.push(row);
  model.dispose();
}
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 1) + '\n');
