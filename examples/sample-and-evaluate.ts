/**
 * Sample structures from the model shipped in the package and compare them
 * with the held-out molecular-dynamics frames: g(r), Err_RDF, peaks, close
 * contacts, Stillinger-Weber energy.
 *
 *   npx tsx examples/sample-and-evaluate.ts [n=500] [outDir=repap-out/example]
 *
 * REPAP_MODEL=<folder> samples from another model trained on the same 30-atom a-Si system.
 *
 * (Build first with `npm run build`: the example imports the package by name.)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend } from 'repap/backend';
import { loadModel, saveTrajectory } from 'repap/node';
import { ConditionalSampler } from 'repap/sampling';
import { readRawFrames } from 'repap/io';
import { minimumDistances, radialDistribution, rdfError, rdfPeaks, stillingerWeberEnergy } from 'repap/analysis';
import { formatTable, lineChart } from 'repap/plot';

const n = Number(process.argv[2] ?? 500);
const outDir = process.argv[3] ?? 'repap-out/example';
const assets = fileURLToPath(new URL('../assets/a-si-30-sw-300K/', import.meta.url));

await useBackend('wasm');
const model = await loadModel(process.env.REPAP_MODEL ?? join(assets, 'model'));
const md = readRawFrames(readFileSync(join(assets, 'reference.f32')), readFileSync(join(assets, 'reference.json'), 'utf8'));

// Generate at the model's stored sampling defaults (temperature, minimum distance, tries; repap.json 'sampling'):
// an atom closer than the minimum distance to an earlier one is drawn again.
const sampler = new ConditionalSampler(model);
const { trajectory, stats } = await sampler.sample(n, { seed: 2020 });
const used = stats.settings;
console.log(`sampling at temperature ${used.temperature}, minimum distance ${used.minDistance} Å, at most ${used.maxTries} draws per atom (${used.fromModel.length ? `${used.fromModel.join(', ')} stored with the model` : 'defaults'})`);
console.log(`${n} structures in ${stats.seconds.toFixed(2)} s (${(n / stats.seconds).toFixed(0)}/s); ${(100 * stats.replacementRate).toFixed(2)} % of atoms redrawn`);

// Compare g(r) with MD: 160 bins of 0.05 Å up to 8 Å, every periodic image counted (LAMMPS convention).
const opts = { rMax: 8, nBins: 160 };
const gGen = radialDistribution(trajectory, opts);
const gMd = radialDistribution(md, opts);
const pGen = rdfPeaks(gGen.r, gGen.g);
const pMd = rdfPeaks(gMd.r, gMd.g);
const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
const ePerAtom = (t: typeof md): number => mean(stillingerWeberEnergy(t)) / t.nAtoms;
const closeShare = (t: typeof md): number => (100 * Array.from(minimumDistances(t)).filter((d) => d < 2).length) / t.nFrames;

console.log(
  formatTable(['', 'generated', 'MD'], [
    ['Err_RDF vs MD (poster, 1/k)', rdfError(gGen, gMd, { weighting: 'poster' }), 0],
    ['Err_RDF vs MD (mean)', rdfError(gGen, gMd, { weighting: 'mean' }), 0],
    ['1st peak r (Å)', pGen.positions[0], pMd.positions[0]],
    ['2nd peak r (Å)', pGen.positions[1], pMd.positions[1]],
    ['structures with a pair < 2 Å (%)', closeShare(trajectory), closeShare(md)],
    ['E_SW per atom (eV)', ePerAtom(trajectory), ePerAtom(md)],
  ]),
);

mkdirSync(outDir, { recursive: true });
await saveTrajectory(join(outDir, 'generated.extxyz'), trajectory);
writeFileSync(
  join(outDir, 'rdf.svg'),
  lineChart(
    [
      { label: 'generated', x: gGen.r, y: gGen.g },
      { label: 'MD', x: gMd.r, y: gMd.g, dash: '6 4' },
    ],
    { xLabel: 'r (Å)', yLabel: 'g(r)', referenceY: 1, xRange: [0, 8] },
  ),
);
console.log(`wrote ${join(outDir, 'generated.extxyz')} and rdf.svg`);
model.dispose();
