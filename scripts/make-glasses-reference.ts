/**
 * Builds the small reference shipped with the multi-glass model
 * (`assets/a-si-30-sw-300K-glasses/`), so that `repap demo --model glasses`
 * never reads `../shared` at run time. Maintainers' script:
 *
 *   npx tsx scripts/make-glasses-reference.ts --training /tmp/glasses-run/training.json
 *
 * Writes
 * - `validation.extxyz.gz`: every 10th frame (50 per glass) of the validation
 *   glasses of the training run (the glasses the model never saw; model and
 *   temperature choices are made on them), with their `glass=` keys;
 * - `test.extxyz.gz`: the same for the test glasses (held out, reported once);
 * - `inherent.extxyz.gz`: the energy-minimised structure of all 64 glasses
 *   (`glass=`, `energy=`), for novelty against the training glasses and the
 *   inherent energies of the unseen ones;
 * - `glasses.json`: which glasses are training, validation and test.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeExtxyz } from '../src/io/index.js';
import { loadTrajectory } from '../src/node/index.js';
import type { Trajectory } from '../src/structure/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/a-si-30-sw-300K-glasses') },
    training: { type: 'string' },
    out: { type: 'string', default: resolve(import.meta.dirname, '../assets/a-si-30-sw-300K-glasses') },
    every: { type: 'string', default: '10' },
  },
});
if (!values.training) throw new Error('make-glasses-reference: --training <training.json of the run> is required (it names the glasses of each part)');
const run = JSON.parse(readFileSync(values.training, 'utf8')) as { grouping: { trainGroups: string[]; validationGroups: string[]; testGroups: string[] } };
const { trainGroups, validationGroups, testGroups } = run.grouping;
mkdirSync(values.out!, { recursive: true });
const every = Number(values.every);

function select(t: Trajectory, keep: (f: number) => boolean): Trajectory {
  const n3 = t.nAtoms * 3;
  const frames: number[] = [];
  for (let f = 0; f < t.nFrames; f++) if (keep(f)) frames.push(f);
  const positions = new Float64Array(frames.length * n3);
  frames.forEach((f, i) => positions.set(t.positions.subarray(f * n3, (f + 1) * n3), i * n3));
  return { ...t, nFrames: frames.length, positions, info: frames.map((f) => t.info[f]!) };
}

const md = await loadTrajectory(`${values.data}.extxyz.gz`);
const seen = new Map<string, number>();
const index = md.info.map((info) => {
  const g = String(info.glass);
  const k = seen.get(g) ?? 0;
  seen.set(g, k + 1);
  return k;
});
for (const [name, groups] of [['validation', validationGroups], ['test', testGroups]] as const) {
  const part = select(md, (f) => groups.includes(String(md.info[f]!.glass)) && index[f]! % every === 0);
  writeFileSync(join(values.out!, `${name}.extxyz.gz`), gzipSync(writeExtxyz(part, { precision: 6 })));
  console.error(`${name}: ${part.nFrames} frames of ${groups.length} glasses`);
}
const inherent = await loadTrajectory(`${values.data}.inherent.extxyz.gz`);
writeFileSync(join(values.out!, 'inherent.extxyz.gz'), gzipSync(writeExtxyz(inherent, { precision: 6 })));
writeFileSync(
  join(values.out!, 'glasses.json'),
  JSON.stringify(
    {
      about:
        'The glasses of the a-si-30-sw-300K-glasses set (64 melt-quenched 30-atom a-Si glasses, Stillinger-Weber, 500 frames at 300 K each) in each part of ' +
        'the split by glass of the shipped model (scripts/train-glasses.ts, seed in training.json). validation.extxyz.gz and test.extxyz.gz hold every ' +
        `${every}th frame of those glasses; inherent.extxyz.gz the energy-minimised structure of all 64 (docs/data.md).`,
      train: trainGroups,
      validation: validationGroups,
      test: testGroups,
      framesPerGlass: 500 / every,
    },
    null,
    1,
  ) + '\n',
);
