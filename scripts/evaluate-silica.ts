/**
 * Measures the silica goals of docs/silica.md for a model folder against the MD frames of glasses the
 * model never saw (the validation and test glasses named in its training.json):
 *
 *   npx tsx scripts/evaluate-silica.ts <modelDir> <glasses.extxyz.gz> [n=200] [relaxed=60] [seed=42] [glasses=unseen] [temperature]
 *
 * `glasses`: `validation` (choosing a model or a temperature: the validation glass only), `test` (the
 * figures reported once for the chosen model) or `unseen` (both). `temperature`: overrides the model's
 * stored sampling temperature.
 *
 * Prints one JSON object: composition, partial RDF first peaks (0.05 Å bins), Si coordination by O at
 * 2.0 Å, O-Si-O and Si-O-Si mean angles, validity at the stored per-pair minimum distances, Vashishta
 * energies before and after relaxation of generated structures and of MD frames relaxed the same way,
 * and the copy distance (how closely the generated structures sit on the training glasses, beside the
 * same figure for MD frames of the training glasses and of the reference glasses).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadTrajectory } from '../src/node/index.js';
import { ConditionalSampler, PairMetric } from '../src/sampling/index.js';
import { evaluateEnsemble } from '../src/analysis/index.js';
import { useBackend } from '../src/backend/index.js';
import type { Trajectory } from '../src/structure/index.js';

const [modelDir, dataPath, nArg = '200', relaxArg = '60', seedArg = '42', which = 'unseen', temperatureArg] = process.argv.slice(2);
if (!modelDir || !dataPath || !['unseen', 'validation', 'test'].includes(which)) {
  console.error('usage: npx tsx scripts/evaluate-silica.ts <modelDir> <glasses.extxyz.gz> [n] [relaxed] [seed] [unseen|validation|test] [temperature]');
  process.exit(2);
}
await useBackend('cpu');
const training = JSON.parse(readFileSync(join(modelDir, 'training.json'), 'utf8'));
const unseen: string[] = [
  ...(which === 'test' ? [] : training.grouping.validationGroups),
  ...(which === 'validation' ? [] : training.grouping.testGroups),
];
const md = await loadTrajectory(dataPath);
const pick = (t: Trajectory, rows: number[]): Trajectory => {
  const n3 = t.nAtoms * 3;
  const positions = new Float64Array(rows.length * n3);
  rows.forEach((f, i) => positions.set(t.positions.subarray(f * n3, (f + 1) * n3), i * n3));
  return { ...t, nFrames: rows.length, positions, info: rows.map((f) => t.info[f]) };
};
const rows: number[] = [];
for (let f = 0; f < md.nFrames; f++) if (unseen.includes(String(md.info[f].glass))) rows.push(f);
const reference = pick(md, rows);
const model = await loadModel(modelDir);
const n = Number(nArg);
const t0 = Date.now();
const { trajectory: generated, stats } = await new ConditionalSampler(model).sample(n, {
  seed: Number(seedArg),
  ...(temperatureArg !== undefined ? { temperature: Number(temperatureArg) } : {}),
});
const sampleSeconds = (Date.now() - t0) / 1000;
const exact = generated.species.every((s, i) => s === md.species[i]);
const minDistances = model.samplingDefaults?.minDistances;
const relaxN = Number(relaxArg);
const gen = relaxN < n ? pick(generated, Array.from({ length: relaxN }, (_, i) => i)) : generated;
const report = evaluateEnsemble(generated, reference, {
  ...(minDistances ? { minDistances } : {}),
  pairCutoffs: { 'O-Si': 2.0 },
  bootstrap: 100,
  seed: 1,
});
// The same figures on the structures that satisfy the per-pair minimum distances (a few very short
// pairs in the others put g(r)'s largest value in its first bins).
const bad = new Set(stats.violatingStructures);
const validRows = Array.from({ length: n }, (_, i) => i).filter((i) => !bad.has(i));
const valid = validRows.length > 0 ? evaluateEnsemble(pick(generated, validRows), reference, { pairCutoffs: { 'O-Si': 2.0 }, bootstrap: 20, seed: 1 }) : null;
// relaxed = 0: no relaxation (choosing between candidates on the structural figures alone).
const relaxed = relaxN > 0 ? evaluateEnsemble(gen, reference, { relax: true, referenceRelaxFrames: relaxN, bootstrap: 100, seed: 1, pairCutoffs: { 'O-Si': 2.0 } }) : null;
const four = (f: typeof report.generated): number => f.partialCoordination.find((c) => c.pair === 'Si-O')?.fractions['4']?.value ?? 0;
// Copy distance: the mean distance from each atom of a structure to the nearest atom of its species in a
// training frame (minimum image), at the closest of 5 frames per training glass; a generated structure
// that sits on a training glass scores about what MD frames of the training glasses score.
const trainingGlasses: string[] = training.grouping.trainGroups;
const trainRows: number[] = [];
for (let f = 50; f < md.nFrames; f += 100) if (trainingGlasses.includes(String(md.info[f].glass))) trainRows.push(f);
const metric = new PairMetric(md.cell, md.pbc);
const N = md.nAtoms;
const pair = new Float64Array(6 * N);
const copyDistance = (t: Trajectory, f: number, skip = -1): number => {
  pair.set(t.positions.subarray(f * 3 * N, (f + 1) * 3 * N), 0);
  let best = Infinity;
  for (const r of trainRows) {
    if (r === skip) continue;
    pair.set(md.positions.subarray(r * 3 * N, (r + 1) * 3 * N), 3 * N);
    let sum = 0;
    for (let i = 0; i < N; i++) {
      let d2 = Infinity;
      for (let j = 0; j < N; j++) if (md.species[j] === t.species[i]) d2 = Math.min(d2, metric.distance2(pair, i, N + j));
      sum += Math.sqrt(d2);
    }
    best = Math.min(best, sum / N);
  }
  return best;
};
const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const copyN = Math.min(n, 40);
const copy = {
  generated: meanOf(Array.from({ length: copyN }, (_, i) => copyDistance(generated, i))),
  structures: copyN,
  // MD frames of the training glasses, 40 frames (4 ps) before a compared frame
  mdTrainingGlasses: meanOf(trainRows.filter((_, k) => k % 2 === 0).map((r) => copyDistance(md, r - 40))),
  // MD frames of the glasses scored against
  mdReference: meanOf([0, 0.4, 0.8].map((x) => copyDistance(reference, Math.floor(x * reference.nFrames)))),
};
const mdRdf = report.floor;
const out = {
  model: modelDir,
  glasses: which,
  unseenGlasses: unseen,
  referenceFrames: reference.nFrames,
  generated: n,
  sampleSeconds,
  settings: stats.settings,
  replacementRate: stats.replacementRate,
  violatingStructures: stats.violatingStructures.length,
  compositionExact: exact,
  firstPeaks: Object.fromEntries(report.generated.partialRdf.map((p) => [p.pair, { generated: p.firstPeak, md: mdRdf.partialRdf.find((q) => q.pair === p.pair)?.firstPeak, errRdf: p.errPoster.value, errRdfFloor: mdRdf.partialRdf.find((q) => q.pair === p.pair)?.errPoster.value }])),
  // The figure repap train --monitor structure selects by: the sum of the partial Err_RDF.
  errRdfSum: report.generated.partialRdf.reduce((sum, p) => sum + p.errPoster.value, 0),
  siFourFoldByO: { generated: four(report.generated), md: four(report.floor) },
  siCoordinationByO: Object.fromEntries(['generated', 'floor'].map((k) => [k, (report as any)[k].partialCoordination.find((c: any) => c.pair === 'Si-O')])),
  angles: Object.fromEntries(report.generated.tripletAngles.filter((t) => t.triplet === 'O-Si-O' || t.triplet === 'Si-O-Si').map((t) => [t.triplet, { generated: t.meanAngle.value, md: report.floor.tripletAngles.find((q) => q.triplet === t.triplet)?.meanAngle.value }])),
  validOnly: valid && {
    structures: validRows.length,
    firstPeaks: Object.fromEntries(valid.generated.partialRdf.map((p) => [p.pair, p.firstPeak])),
    errRdf: Object.fromEntries(valid.generated.partialRdf.map((p) => [p.pair, p.errPoster.value])),
    siFourFoldByO: four(valid.generated),
    angles: Object.fromEntries(valid.generated.tripletAngles.filter((t) => t.triplet === 'O-Si-O' || t.triplet === 'Si-O-Si').map((t) => [t.triplet, t.meanAngle.value])),
  },
  copyDistance: copy,
  validAtTable: 1 - (report.generated.validity.belowPairTable?.value ?? NaN),
  validAtTableMd: 1 - (report.floor.validity.belowPairTable?.value ?? NaN),
  minDistances: report.settings.minDistances,
  energy: relaxed && {
    generatedBefore: relaxed.generated.energyBefore?.mean.value,
    generatedAfter: relaxed.generated.energyAfter?.mean,
    generatedAfterStd: relaxed.generated.energyAfter?.std.value,
    mdBefore: relaxed.floor.energyBefore?.mean.value,
    mdAfter: relaxed.floor.energyAfter?.mean,
    notConverged: relaxed.generated.notConverged?.value,
    rmsDisplacement: relaxed.generated.rmsDisplacement?.value,
    relaxedGenerated: gen.nFrames,
    relaxedReference: relaxed.settings.referenceRelaxed,
  },
};
console.log(JSON.stringify(out, null, 1));
model.dispose();
