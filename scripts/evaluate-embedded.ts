/**
 * Chooses the sampling temperature of the embedded model on VALIDATION frames and
 * measures generalisation. Maintainers' script: it reads the MD data from
 * `../shared/data` beside the repository (or `--data DIR`); the package never does.
 *
 *   npx tsx scripts/evaluate-embedded.ts
 *
 * 1. For each temperature, samples `--n` structures (seeded, minimum-distance
 *    resampling at 2 Å) and scores Err_RDF (poster weighting, rMax 8 Å, 160 bins)
 *    against frames 32,000-35,999 of the 300 K trajectory: the validation part,
 *    neither trained on nor the demo's reference (36,000-39,999). The best one is
 *    written to `assets/a-si-30-sw-300K/sampling.json`, which `repap demo` reads.
 * 2. Generalisation: the model's loss on 300 K test frames and on the 600 K
 *    trajectory of the same glass; Err_RDF of the generated ensemble against both.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConditionalSampler, radialDistribution, rdfError, readRawFrames, rdfPeaks, useBackend } from '../src/index.js';
import type { Trajectory } from '../src/index.js';
import { loadModel, loadTrajectory } from '../src/node/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data') },
    model: { type: 'string', default: resolve(import.meta.dirname, '../assets/a-si-30-sw-300K/model') },
    out: { type: 'string', default: resolve(import.meta.dirname, '../assets/a-si-30-sw-300K/sampling.json') },
    n: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '7' },
    temperatures: { type: 'string', default: '0.15,0.2,0.25,0.3,0.35,0.4,0.5,0.7,1' },
  },
});

await useBackend('wasm');
const model = await loadModel(values.model!);
const sidecar = JSON.parse(readFileSync(`${values.data}/a-si-30-sw-300K.json`, 'utf8'));
const md = readRawFrames(readFileSync(`${values.data}/a-si-30-sw-300K.positions.f32`), sidecar);
const range = (a: number, b: number, step = 1) => Array.from({ length: Math.ceil((b - a) / step) }, (_, i) => a + i * step);
const opts = { rMax: 8, nBins: 160 };
const validation = radialDistribution(md, { ...opts, frames: range(32000, 36000, 2) });
const test = radialDistribution(md, { ...opts, frames: range(36000, 40000, 2) });
const hot: Trajectory = await loadTrajectory(`${values.data}/a-si-30-sw-600K-every10.extxyz.gz`);
const hotRdf = radialDistribution(hot, opts);

const sampler = new ConditionalSampler(model);
const n = Number(values.n);
const seed = Number(values.seed);
// RMS distance (minimum image) of every atom from its mean MD position: about 0.134 Å for
// the MD itself (thermal vibration). Much less means the ensemble has collapsed onto
// the mean structure; much more, that it is too broad.
const L = md.cell![0][0];
const meanPos = new Float64Array(md.nAtoms * 3);
const testFrames = range(36000, 40000, 2);
for (const f of testFrames) for (let k = 0; k < md.nAtoms * 3; k++) meanPos[k] += md.positions[f * md.nAtoms * 3 + k] / testFrames.length;
function rmsFromMean(t: Trajectory, frames: number[]): number {
  let s2 = 0;
  for (const f of frames) {
    for (let k = 0; k < t.nAtoms * 3; k++) {
      let d = t.positions[f * t.nAtoms * 3 + k] - meanPos[k];
      d -= L * Math.round(d / L);
      s2 += d * d;
    }
  }
  return Math.sqrt((3 * s2) / (frames.length * t.nAtoms * 3));
}
const rmsMd = rmsFromMean(md, testFrames);
console.log(`MD test frames: RMS distance from the mean positions ${rmsMd.toFixed(4)} Å`);
const scan: { temperature: number; errValidation: number; replacementRate: number; violating: number; rmsFromMean: number; seconds: number }[] = [];
for (const temperature of values.temperatures!.split(',').map(Number)) {
  const t0 = performance.now();
  const { trajectory, stats } = await sampler.sample(n, { seed, temperature, minDistance: 2, batchSize: 125 });
  const g = radialDistribution(trajectory, opts);
  const row = {
    temperature,
    errValidation: rdfError(g, validation),
    replacementRate: stats.replacementRate,
    violating: stats.violatingStructures.length,
    rmsFromMean: rmsFromMean(trajectory, range(0, trajectory.nFrames)),
    seconds: (performance.now() - t0) / 1000,
  };
  scan.push(row);
  console.log(JSON.stringify(row));
}
// The lowest Err_RDF among temperatures that keep at least 3/4 of the MD's spread about
// the mean positions: a colder ensemble can score a lower Err_RDF by collapsing onto the
// mean structure, which is not what a sampler is for.
const diverse = scan.filter((row) => row.rmsFromMean >= 0.75 * rmsMd);
const best = (diverse.length > 0 ? diverse : scan).reduce((a, b) => (b.errValidation < a.errValidation ? b : a));

// Generalisation at the chosen temperature (a different seed than the scan).
const { trajectory } = await sampler.sample(n, { seed: seed + 1, temperature: best.temperature, minDistance: 2, batchSize: 125 });
const gen = radialDistribution(trajectory, opts);
const lossTest300 = await model.evaluate(
  { coords: model.codec.orderedCoordinates(md, range(36000, 40000, 4)) },
);
const lossHot600 = await model.evaluate({ coords: model.codec.orderedCoordinates(hot, range(0, hot.nFrames, 2)) });
const peaks = (g: { r: Float64Array; g: Float64Array }) => {
  const p = rdfPeaks(g.r, g.g, { count: 2 });
  return { positions: Array.from(p.positions), heights: Array.from(p.heights) };
};
const report = {
  about:
    'Sampling temperature of the embedded model, chosen by Err_RDF (poster weighting, rMax 8 Å, 160 bins) against ' +
    'validation frames 32,000-35,999 of the 300 K trajectory, among temperatures whose ensemble keeps at least 3/4 of ' +
    "the MD's RMS spread about the mean atom positions (rmsFromMean); made by scripts/evaluate-embedded.ts.",
  temperature: best.temperature,
  minDistance: 2,
  n,
  seed,
  scan,
  rmsFromMeanMd: rmsMd,
  generalisation: {
    loss: { test300K: lossTest300, md600K: lossHot600 },
    errRdf: {
      generatedVsTest300K: rdfError(gen, test),
      generatedVs600K: rdfError(gen, hotRdf),
      md300KTestVs600K: rdfError(test, hotRdf),
    },
    peaks: { generated: peaks(gen), test300K: peaks(test), md600K: peaks(hotRdf) },
  },
};
writeFileSync(values.out!, JSON.stringify(report, null, 1) + '\n');
console.log(JSON.stringify(report.generalisation, null, 1));
console.log(`chosen temperature ${best.temperature} (validation Err_RDF ${best.errValidation.toFixed(4)}); written ${values.out}`);
model.dispose();
