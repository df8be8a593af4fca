/**
 * Measures backtracking on a shipped model against VALIDATION structures only:
 * for each setting (tries, backtracks, depth) it samples the same seeds and
 * reports the share of valid structures (no pair below the model's stored
 * minimum distance, or per-pair table; checked from the positions, not from
 * the sampler's bookkeeping), the replacement rate, backtracks and undone
 * atoms per structure, the sampling speed (structures per wall second and
 * per CPU second) and the structural figures against the reference (Err_RDF,
 * coordination, partial Err_RDF and Si-O coordination for several species),
 * so that the bias backtracking adds to the ensemble can be read off.
 * Maintainers' script (may read ../shared).
 *
 *   npx tsx scripts/evaluate-backtracking.ts assets/a-si-30-sw-300K-glasses/model \
 *     assets/a-si-30-sw-300K-glasses/validation.extxyz.gz --n 500 --settings 10:0:3,10:50:3,20:50:3
 *   npx tsx scripts/evaluate-backtracking.ts assets/a-sio2-72-vashishta-300K-glasses/model \
 *     ../shared/data/a-sio2-72-vashishta-300K-glasses.extxyz.gz --glass s001 --n 300
 *
 * A setting is `tries:maxBacktracks:depth`; the temperature and minimum distance are the model's stored ones.
 */
import { parseArgs } from 'node:util';
import { evaluateEnsemble, type EnsembleFigures } from '../src/analysis/index.js';
import { useBackend } from '../src/backend/index.js';
import { loadModel, loadTrajectory } from '../src/node/index.js';
import { ConditionalSampler } from '../src/sampling/index.js';
import type { Trajectory } from '../src/structure/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    n: { type: 'string', default: '300' },
    seed: { type: 'string', default: '101' },
    glass: { type: 'string' },
    every: { type: 'string', default: '5' },
    settings: { type: 'string', default: '10:0:3,10:20:3,10:100:3,20:100:3' },
    threads: { type: 'string', default: '1' },
  },
});
const [modelDir, referencePath] = positionals;
if (!modelDir || !referencePath) {
  console.error('usage: npx tsx scripts/evaluate-backtracking.ts <model folder> <reference.extxyz[.gz]> [--glass g] [--n N] [--settings tries:backtracks:depth,...]');
  process.exit(2);
}
await useBackend('wasm');
const all = await loadTrajectory(referencePath);
const pick = (t: Trajectory, rows: number[]): Trajectory => {
  const n3 = t.nAtoms * 3;
  const positions = new Float64Array(rows.length * n3);
  rows.forEach((f, i) => positions.set(t.positions.subarray(f * n3, (f + 1) * n3), i * n3));
  return { ...t, nFrames: rows.length, positions, info: rows.map((f) => t.info[f]!) };
};
const every = Number(values.every);
const rows: number[] = [];
for (let f = 0; f < all.nFrames; f++) {
  if (values.glass !== undefined && String(all.info[f]!.glass) !== values.glass) continue;
  rows.push(f);
}
const reference = pick(all, rows.filter((_, i) => i % every === 0));
const model = await loadModel(modelDir);
const stored = model.samplingDefaults;
const sampler = new ConditionalSampler(model, { threads: Number(values.threads) });
const n = Number(values.n);
const seed = Number(values.seed);
const minDistances = stored?.minDistances;
const several = new Set(reference.species).size > 1;
const options = {
  bootstrap: 50, seed: 1,
  ...(minDistances ? { minDistances } : {}),
  ...(several ? { pairCutoffs: { 'O-Si': 2.0 } } : {}),
};
const figures = (r: EnsembleFigures) => ({
  below2_0: r.validity.below2_0.value,
  belowPairTable: r.validity.belowPairTable?.value ?? null,
  errRdf: r.rdf.errPoster.value,
  errRdfCi: r.rdf.errPoster.ci,
  coordination: Object.fromEntries(Object.entries(r.coordination.fractions).map(([k, e]) => [k, e.value])),
  partialErrRdf: Object.fromEntries(r.partialRdf.map((p) => [p.pair, p.errPoster.value])),
  partialFirstPeak: Object.fromEntries(r.partialRdf.map((p) => [p.pair, p.firstPeak])),
  siFourFoldByO: r.partialCoordination.find((c) => c.pair === 'Si-O')?.fractions['4']?.value ?? null,
});
console.error(`reference: ${reference.nFrames} frames of ${referencePath}${values.glass ? ` (glass ${values.glass})` : ''}; stored sampling ${JSON.stringify(stored)}`);
const results: Record<string, unknown>[] = [];
let floor: unknown = null;
for (const spec of values.settings!.split(',')) {
  const [maxTries, maxBacktracks, backtrackDepth] = spec.split(':').map(Number);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { trajectory, stats } = await sampler.sample(n, { seed, maxTries, maxBacktracks, backtrackDepth, batchSize: Math.min(n, 256) });
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const rep = evaluateEnsemble(trajectory, reference, options);
  floor ??= figures(rep.floor);
  const g = figures(rep.generated);
  // the model's own valid structures (what conditioning on validity should give), when some are invalid
  const bad = new Set(stats.violatingStructures);
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !bad.has(i));
  const validOnly = bad.size > 0 && keep.length > 1 ? figures(evaluateEnsemble(pick(trajectory, keep), reference, options).generated) : null;
  const valid = 1 - (minDistances ? (g.belowPairTable as number) : (g.below2_0 as number));
  const row = {
    maxTries, maxBacktracks, backtrackDepth,
    valid, violatingBySampler: stats.violatingStructures.length / n,
    replacementRate: stats.replacementRate,
    backtracksPerStructure: stats.backtracks / n,
    undoneAtomsPerStructure: stats.undoneAtoms / n,
    redrawsPerStructure: stats.redraws / n,
    structuresPerSecond: n / wall,
    structuresPerCpuSecond: n / cpu,
    ...g,
    validOnly,
  };
  console.error(JSON.stringify(row));
  results.push(row);
}
console.log(JSON.stringify({ model: modelDir, reference: referencePath, glass: values.glass ?? null, referenceFrames: reference.nFrames, n, seed, stored, floor, results }, null, 1));
