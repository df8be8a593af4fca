/**
 * Calibration of a multi-glass model (docs/generalisation.md, "Calibration"):
 * the spread of the model's predicted distribution of each coordinate, on
 * frames of the VALIDATION glasses encoded with the run's own ordering, at
 * temperature 1 and at lower temperatures (`p^(1/T)`, as the sampler applies
 * it). The spread of a predicted row is its circular standard deviation on the
 * periodic grid (about the row's circular mean), in Å. It is reported by
 * position in the sequence: for the last atoms, which fill the sites the
 * earlier atoms left free, the MD's spread is the thermal one (the frames'
 * RMS displacement from their inherent structures per coordinate, 0.137 /
 * sqrt(3) Å for the validation glasses, from `evaluateEnsemble`), widened by
 * the target's Gaussian (sigma). Maintainers' script (reads ../shared).
 *
 *   npx tsx scripts/calibration-glasses.ts --run /tmp/glasses-run --frames 300 --out /tmp/glasses-run/calibration.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { useBackend } from '../src/backend/index.js';
import { groupedTrainingData } from '../src/cli/grouped-data.js';
import { loadModel, loadTrajectory } from '../src/node/index.js';
import { applyTemperature } from '../src/sampling/token-sampler.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/a-si-30-sw-300K-glasses.extxyz.gz') },
    run: { type: 'string' },
    out: { type: 'string' },
    frames: { type: 'string', default: '300' },
    temperatures: { type: 'string', default: '1,0.6,0.45,0.3,0.2,0.1' },
    'md-rms': { type: 'string', default: '0.1365' },
  },
});
if (!values.run) throw new Error('calibration-glasses: --run <dir> (the --out of train-glasses.ts) is required');
await useBackend('wasm');
const run = JSON.parse(readFileSync(join(values.run, 'training.json'), 'utf8')) as {
  settings: Record<string, string>;
  grouping: { validationGroups: string[] };
};
const s = run.settings;
const [tr, va, te] = s.split!.split(',').map(Number);
const md = await loadTrajectory(values.data!);
const L = md.cell![0][0];
const grid = Number(s.grid);
// The run's own encoding (ordering, grid, sigma, split); validation rows are never augmented.
const g = groupedTrainingData([md], [values.data!], {
  groupBy: 'glass',
  ordering: s.ordering as 'group' | 'frame',
  augment: null,
  maxFramesPerGroup: Number(s['frames-per-glass']),
  split: { train: tr!, validation: va!, test: te! },
  seed: Number(s.seed),
  encoder: { gridSize: grid, sigma: Number(s['sigma-cells']) * (L / grid) },
});
const model = await loadModel(join(values.run, 'model'));
const enc = model.codec;
const T = enc.sequenceLength;
const G = enc.gridSize;
const nAtoms = T / 3;
const valRows = g.split.validation;
const want = Math.min(Number(values.frames), valRows.length);
const stride = valRows.length / want;
const rows = Array.from({ length: want }, (_, i) => valRows[Math.floor(i * stride)]!);
const coords = new Float32Array(want * T);
rows.forEach((r, i) => coords.set(g.data.coords.subarray(r * T, (r + 1) * T), i * T));
const cells = enc.tokenCells(coords);
const input = new Int32Array(want * (T - 1));
for (let i = 0; i < want; i++) input.set(cells.subarray(i * T, i * T + T - 1), i * (T - 1));
const temps = values.temperatures!.split(',').map(Number);
const cosK = Float64Array.from({ length: G }, (_, k) => Math.cos((2 * Math.PI * k) / G));
const sinK = Float64Array.from({ length: G }, (_, k) => Math.sin((2 * Math.PI * k) / G));
// Sum of variances (cells^2) per temperature and atom position (token t + 1 belongs to atom floor((t + 1) / 3)).
const sumVar = temps.map(() => new Float64Array(nAtoms));
const count = new Float64Array(nAtoms);
const row = new Float32Array(G);
const batch = 50;
for (let b0 = 0; b0 < want; b0 += batch) {
  const nb = Math.min(batch, want - b0);
  const p = model.predictProbabilities(input.subarray(b0 * (T - 1), (b0 + nb) * (T - 1)), nb);
  for (let b = 0; b < nb; b++) {
    for (let t = 0; t < T - 1; t++) {
      const atom = Math.floor((t + 1) / 3);
      count[atom]! += 1;
      temps.forEach((temp, ti) => {
        row.set(p.subarray((b * (T - 1) + t) * G, (b * (T - 1) + t + 1) * G));
        let total = 0;
        for (let k = 0; k < G; k++) total += row[k]!;
        for (let k = 0; k < G; k++) row[k]! /= total;
        applyTemperature(row, 0, G, temp);
        let c = 0, sn = 0;
        for (let k = 0; k < G; k++) {
          c += row[k]! * cosK[k]!;
          sn += row[k]! * sinK[k]!;
        }
        const m = (Math.atan2(sn, c) / (2 * Math.PI)) * G;
        let v = 0;
        for (let k = 0; k < G; k++) {
          let d = k - m;
          d -= G * Math.round(d / G);
          v += row[k]! * d * d;
        }
        sumVar[ti]![atom]! += v;
      });
    }
  }
}
const width = enc.cellWidth(0);
const sigma = enc.config.sigma;
const mdPerCoordinate = Number(values['md-rms']) / Math.sqrt(3);
const expected = Math.sqrt(mdPerCoordinate ** 2 + sigma ** 2);
const blocks: [string, number, number][] = [
  ['atoms 1-10', 0, 10],
  ['atoms 11-20', 10, 20],
  ['atoms 21-30', 20, 30],
  ['last 5 atoms', nAtoms - 5, nAtoms],
  ['last atom', nAtoms - 1, nAtoms],
];
const spread = (ti: number, a0: number, a1: number): number => {
  let v = 0, n = 0;
  for (let a = a0; a < a1; a++) {
    v += sumVar[ti]![a]!;
    n += count[a]!;
  }
  return Math.sqrt(v / n) * width;
};
const table = temps.map((temp, ti) => ({
  temperature: temp,
  spread: Object.fromEntries(blocks.map(([name, a0, a1]) => [name, spread(ti, a0, a1)])),
  ratioLast5: spread(ti, nAtoms - 5, nAtoms) / expected,
}));
for (const r of table) console.error(JSON.stringify(r));
const result = {
  command: ['npx tsx scripts/calibration-glasses.ts', ...process.argv.slice(2)].join(' '),
  run: resolve(values.run),
  validationGlasses: run.grouping.validationGroups,
  frames: want,
  cellWidth: width,
  sigma,
  mdRmsDisplacement: Number(values['md-rms']),
  mdPerCoordinate,
  expectedSpread: expected,
  table,
};
writeFileSync(values.out ?? join(values.run, 'calibration.json'), JSON.stringify(result, null, 1) + '\n');
model.dispose();
