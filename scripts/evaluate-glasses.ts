/**
 * Evaluates a multi-glass model on its VALIDATION glasses only (choices are
 * made there; the test glasses stay untouched): validation NLL, a temperature
 * scan (Err_RDF against the validation glasses, close pairs without
 * resampling, replacement rate with it), then at the chosen temperature the
 * full relax-and-score evaluation (`evaluateEnsemble`: validity, RDF,
 * energies before and after relaxation, novelty against the training glasses'
 * inherent structures, uniqueness), and the floor the training glasses reach
 * against the validation glasses. Maintainers' script (reads ../shared).
 *
 *   npx tsx scripts/evaluate-glasses.ts --run /tmp/glasses-run --n 200 --out /tmp/glasses-run/evaluation.json
 *
 * `--tries`, `--backtracks`, `--depth`: the resampling (default 10 tries, no backtracking). With
 * `--store`, the chosen temperature (with minimum distance 2 Å and the resampling)
 * is stored in the run's model folder as its sampling defaults.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateEnsemble, minimumDistances, radialDistribution, rdfError } from '../src/analysis/index.js';
import { useBackend } from '../src/backend/index.js';
import { loadModel, loadTrajectory, saveModel } from '../src/node/index.js';
import { ConditionalSampler } from '../src/sampling/index.js';
import { framesOfGlasses } from '../src/cli/glasses-demo.js';
import type { Trajectory } from '../src/structure/index.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data/a-si-30-sw-300K-glasses') },
    run: { type: 'string' },
    out: { type: 'string' },
    n: { type: 'string', default: '200' },
    temperatures: { type: 'string', default: '0.5,0.7,0.85,1,1.2' },
    temperature: { type: 'string' },
    seed: { type: 'string', default: '7' },
    bootstrap: { type: 'string', default: '100' },
    store: { type: 'boolean', default: false },
    relax: { type: 'boolean', default: true },
    // Resampling: tries per atom, and backtracking (undo `depth` atoms, at most `backtracks` times a structure).
    tries: { type: 'string', default: '10' },
    backtracks: { type: 'string', default: '0' },
    depth: { type: 'string', default: '3' },
  },
});
const resampling = { minDistance: 2.0, maxTries: Number(values.tries), maxBacktracks: Number(values.backtracks), backtrackDepth: Number(values.depth) };
if (!values.run) throw new Error('evaluate-glasses: --run <dir> (the --out of train-glasses.ts) is required');
await useBackend('wasm');
const run = JSON.parse(readFileSync(join(values.run, 'training.json'), 'utf8')) as {
  grouping: { trainGroups: string[]; validationGroups: string[] };
  curves: { epochs: { valNll?: unknown; sequences: number }[] };
};
const { trainGroups, validationGroups } = run.grouping;
const md = await loadTrajectory(`${values.data}.extxyz.gz`);
const inherent = await loadTrajectory(`${values.data}.inherent.extxyz.gz`);
const every = (t: Trajectory, k: number): Trajectory => {
  const keep = Array.from({ length: Math.ceil(t.nFrames / k) }, (_, i) => i * k);
  const n3 = t.nAtoms * 3;
  const positions = new Float64Array(keep.length * n3);
  keep.forEach((f, i) => positions.set(t.positions.subarray(f * n3, (f + 1) * n3), i * n3));
  return { ...t, nFrames: keep.length, positions, info: keep.map((f) => t.info[f]!) };
};
const validation = every(framesOfGlasses(md, validationGroups), 5); // 100 frames per glass
const trainingFrames = every(framesOfGlasses(md, trainGroups), 25); // 20 frames per glass
const trainingInherent = framesOfGlasses(inherent, trainGroups);
const validationInherent = framesOfGlasses(inherent, validationGroups);
const rdfOpts = { rMax: 8, nBins: 160 };
const gVal = radialDistribution(validation, rdfOpts);
const floorErr = rdfError(radialDistribution(trainingFrames, rdfOpts), gVal);
const perAtom = (t: Trajectory): number[] => t.info.map((i) => Number(i.energy) / t.nAtoms);
const stats = (v: number[]): { mean: number; std: number } => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean: m, std: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1)) };
};

const quartiles = (v: number[] | null): [number, number, number] | null => {
  if (!v || v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
  return [at(0.25), at(0.5), at(0.75)];
};

const model = await loadModel(join(values.run, 'model'));
const sampler = new ConditionalSampler(model, { threads: 2 });
const n = Number(values.n);
const seed = Number(values.seed);
const scan: Record<string, unknown>[] = [];
const temps = values.temperature ? [Number(values.temperature)] : values.temperatures!.split(',').map(Number);
for (const T of temps) {
  const raw = await sampler.sample(n, { seed, temperature: T, minDistance: 0, batchSize: Math.min(n, 500) });
  const res = await sampler.sample(n, { seed, temperature: T, ...resampling, batchSize: Math.min(n, 500) });
  const dRaw = minimumDistances(raw.trajectory);
  const dRes = minimumDistances(res.trajectory);
  const row = {
    temperature: T,
    errRdfValidation: rdfError(radialDistribution(res.trajectory, rdfOpts), gVal),
    errRdfValidationRaw: rdfError(radialDistribution(raw.trajectory, rdfOpts), gVal),
    closePairShareRaw: Array.from(dRaw).filter((d) => d < 2).length / n,
    closePairShare: Array.from(dRes).filter((d) => d < 2).length / n,
    replacementRate: res.stats.replacementRate,
    structuresPerSecond: n / res.stats.seconds,
  };
  console.error(JSON.stringify(row));
  scan.push(row);
}
// The temperature: lowest Err_RDF against the validation glasses among those with a replacement rate under 5 %.
const ok = scan.filter((r) => (r.replacementRate as number) < 0.05);
const chosen = (ok.length ? ok : scan).reduce((a, b) => ((a.errRdfValidation as number) <= (b.errRdfValidation as number) ? a : b));
const T = chosen.temperature as number;
console.error(`chosen temperature ${T}`);
let ensemble: unknown = null;
if (values.relax) {
  const gen = await sampler.sample(n, { seed: seed + 1, temperature: T, ...resampling, batchSize: Math.min(n, 500) });
  const t0 = Date.now();
  const rep = evaluateEnsemble(gen.trajectory, validation, {
    seed,
    bootstrap: Number(values.bootstrap),
    relax: true,
    referenceRelaxFrames: 120,
    training: trainingInherent,
  });
  const g = rep.generated;
  const f = rep.floor;
  const v = (e: { value: number } | null | undefined): number | null => (e ? e.value : null);
  ensemble = {
    seconds: (Date.now() - t0) / 1000,
    settings: rep.settings,
    generated: {
      below2_0: v(g.validity.below2_0), errRdf: v(g.rdf.errPoster), energyBeforeMean: v(g.energyBefore?.mean), energyAfterMean: v(g.energyAfter?.mean),
      energyAfterStd: v(g.energyAfter?.std), uniqueness: v(g.uniqueness), novelty: v(g.novelty), stable: v(g.stable), sun: v(g.sun),
      coordination: Object.fromEntries(Object.entries(g.coordination.fractions).map(([k, e]) => [k, e.value])),
      notConverged: v(g.notConverged), rmsDisplacement: v(g.rmsDisplacement),
      rmsDisplacementCi: g.rmsDisplacement?.ci ?? null,
      rmsDisplacementQuartiles: quartiles(rep.perStructure.rmsDisplacement),
    },
    // Calibration: generated structures' RMS displacement during relaxation over the MD frames' (1 when the model reproduces the MD's spread).
    rmsDisplacementRatio: g.rmsDisplacement && f.rmsDisplacement ? g.rmsDisplacement.value / f.rmsDisplacement.value : null,
    floor: {
      split: rep.floorSplit, errRdf: v(f.rdf.errPoster), energyAfterMean: v(f.energyAfter?.mean), energyAfterStd: v(f.energyAfter?.std),
      uniqueness: v(f.uniqueness), novelty: v(f.novelty), rmsDisplacement: v(f.rmsDisplacement),
      coordination: Object.fromEntries(Object.entries(f.coordination.fractions).map(([k, e]) => [k, e.value])),
    },
  };
  console.error(JSON.stringify(ensemble));
}
const result = {
  command: ['npx tsx scripts/evaluate-glasses.ts', ...process.argv.slice(2)].join(' '),
  run: resolve(values.run),
  validationGlasses: validationGroups,
  validationFrames: validation.nFrames,
  validationNll: run.curves.epochs.at(-1)?.valNll ?? null,
  sequencesTrained: run.curves.epochs.at(-1)?.sequences ?? null,
  floorErrRdfTrainingVsValidation: floorErr,
  validationInherentEnergy: stats(perAtom(validationInherent)),
  trainingInherentEnergy: stats(perAtom(trainingInherent)),
  scan,
  chosenTemperature: T,
  resampling,
  ensemble,
};
writeFileSync(values.out ?? join(values.run, 'evaluation.json'), JSON.stringify(result, null, 1) + '\n');
if (values.store) {
  model.samplingDefaults = {
    temperature: T,
    ...resampling,
    note: `temperature chosen by Err_RDF against the validation glasses (${validationGroups.join(', ')}) among temperatures with a replacement rate under 5 % (scripts/evaluate-glasses.ts); minimum distance 2 Å, ${resampling.maxTries} tries, at most ${resampling.maxBacktracks} backtracks of ${resampling.backtrackDepth} atoms`,
  };
  await saveModel(model, join(values.run, 'model'));
}
model.dispose();
