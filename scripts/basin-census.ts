/**
 * Basin census of the shipped multi-glass model: samples `--n` structures at the
 * model's stored sampling defaults (seeded), relaxes each with Stillinger-Weber
 * (FIRE to 1e-3 eV/Å, as `evaluateEnsemble` does), groups the relaxed structures
 * into distinct basins (`groupStructures`, 0.03 Å) and reports the number of
 * basins, the visit histogram (basins visited once, twice, ...), the share novel
 * against the TRAINING glasses' inherent structures and the share unique, and the
 * relaxed energies. With `--md`, the same census on the validation glasses' MD
 * frames (every `--md-every`-th frame of the shipped validation file, or of `--md-data`,
 * e.g. the full data set's 3,000 frames of those glasses, relaxed).
 * Uses the library's public API only; reads only the model's assets.
 *
 *   nice -n 5 npx tsx scripts/basin-census.ts --n 1000 --seed 11 --out /tmp/census.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConditionalSampler, fingerprintDistance, fingerprinter, groupStructures, relaxStructures, useBackend } from '../src/index.js';
import type { Trajectory } from '../src/index.js';
import { loadModel, loadTrajectory } from '../src/node/index.js';

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: resolve(import.meta.dirname, '../assets/a-si-30-sw-300K-glasses') },
    n: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '11' },
    md: { type: 'boolean', default: false },
    'md-every': { type: 'string', default: '1' },
    // Another file of MD frames with `glass` keys (e.g. the full data set); the validation glasses are taken from it.
    'md-data': { type: 'string' },
    out: { type: 'string' },
  },
});
const dir = values.assets!;
const glasses = JSON.parse(readFileSync(join(dir, 'glasses.json'), 'utf8')) as { train: string[]; validation: string[] };

/** The frames of `t` whose `glass` key is one of `names`. */
function framesOf(t: Trajectory, names: readonly string[], every = 1): Trajectory {
  const want = new Set(names);
  const keep = t.info.map((inf, f) => (want.has(String(inf.glass)) ? f : -1)).filter((f) => f >= 0).filter((_, i) => i % every === 0);
  const n3 = t.nAtoms * 3;
  const positions = new Float64Array(keep.length * n3);
  keep.forEach((f, i) => positions.set(t.positions.subarray(f * n3, (f + 1) * n3), i * n3));
  return { ...t, nFrames: keep.length, positions, info: keep.map((f) => t.info[f]!) };
}

const inherent = await loadTrajectory(join(dir, 'inherent.extxyz.gz'));
const training = framesOf(inherent, glasses.train);

/** Relaxes `t`, groups the relaxed structures, matches them against the training inherent structures. */
function census(t: Trajectory, label: string): Record<string, unknown> {
  const t0 = Date.now();
  let last = Date.now();
  const res = relaxStructures(t, {
    fmax: 1e-3,
    onProgress: (done) => {
      if (Date.now() - last > 30000) { last = Date.now(); console.error(`${label}: relaxed ${done}/${t.nFrames} (${((Date.now() - t0) / 1000).toFixed(0)} s)`); }
    },
  });
  const relaxSeconds = (Date.now() - t0) / 1000;
  const fp = fingerprinter(res.trajectory);
  const fps = Array.from({ length: t.nFrames }, (_, f) => fp(f));
  const group = groupStructures(fps);
  const visits = new Map<number, number>();
  group.forEach((g) => visits.set(g, (visits.get(g) ?? 0) + 1));
  const histogram: Record<string, number> = {};
  for (const c of visits.values()) histogram[c] = (histogram[c] ?? 0) + 1;
  const tfp = fingerprinter(training);
  const tfps = Array.from({ length: training.nFrames }, (_, f) => tfp(f));
  const all = groupStructures([...tfps, ...fps]);
  const nt = tfps.length;
  const known = fps.map((_, i) => all[nt + i]! < nt);
  const knownBasins = new Set(fps.map((_, i) => (known[i] ? all[nt + i]! : -1)).filter((g) => g >= 0));
  // Nearest fingerprint distance (Å) of each structure to another of the set and to a training inherent structure.
  const nearestOther = fps.map((a, i) => fps.reduce((m, b, j) => (j === i ? m : Math.min(m, fingerprintDistance(a, b))), Infinity));
  const nearestTraining = fps.map((a) => tfps.reduce((m, b) => Math.min(m, fingerprintDistance(a, b)), Infinity));
  const summary = (v: number[]): Record<string, number> => {
    const s = [...v].sort((a, b) => a - b);
    const at = (p: number): number => s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))]!;
    return { min: s[0]!, p05: at(0.05), median: at(0.5), max: s.at(-1)! };
  };
  // Per glass (MD frames): basins its frames visit and the share relaxing into the glass's own inherent structure.
  const perGlass: Record<string, { frames: number; basins: number; ownInherent: number }> = {};
  if (t.info.every((i) => i.glass !== undefined)) {
    const ifp = fingerprinter(inherent);
    const own = new Map(inherent.info.map((inf, f) => [String(inf.glass), ifp(f)]));
    const names = [...new Set(t.info.map((i) => String(i.glass)))];
    for (const g of names) {
      const idx = t.info.map((inf, f) => (String(inf.glass) === g ? f : -1)).filter((f) => f >= 0);
      const o = own.get(g)!;
      perGlass[g] = {
        frames: idx.length,
        basins: new Set(idx.map((f) => group[f]!)).size,
        ownInherent: idx.filter((f) => fingerprintDistance(fps[f]!, o) <= 0.03).length / idx.length,
      };
    }
  }
  const e = Array.from(res.frames.energyAfter, (x) => x / t.nAtoms);
  const sorted = [...e].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))]!;
  const mean = e.reduce((a, b) => a + b, 0) / e.length;
  const std = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, e.length - 1));
  const trainE = training.info.map((i) => Number(i.energy) / training.nAtoms);
  const out = {
    label,
    structures: t.nFrames,
    relaxSeconds,
    notConverged: res.frames.converged.reduce((a, c) => a + (1 - c), 0),
    rmsDisplacementMean: res.frames.rmsDisplacement.reduce((a, b) => a + b, 0) / t.nFrames,
    basins: visits.size,
    unique: visits.size / t.nFrames,
    visitHistogram: histogram,
    mostVisited: Math.max(...visits.values()),
    novel: known.filter((k) => !k).length / t.nFrames,
    inTrainingBasins: known.filter((k) => k).length,
    trainingBasinsVisited: knownBasins.size,
    nearestOtherDistance: summary(nearestOther),
    nearestTrainingDistance: summary(nearestTraining),
    perGlass,
    energyPerAtom: { mean, std, min: sorted[0], p05: q(0.05), p25: q(0.25), median: q(0.5), p75: q(0.75), p95: q(0.95), max: sorted.at(-1) },
    belowHighestTrainingGlass: e.filter((x) => x <= Math.max(...trainE)).length / t.nFrames,
    trainingGlassesEnergyPerAtom: { min: Math.min(...trainE), max: Math.max(...trainE) },
  };
  console.error(JSON.stringify(out));
  return out;
}

// The MD's own rates: distinct basins among the 64 quenches, and held-out quenches landing in a training glass's basin.
const ifpAll = fingerprinter(inherent);
const inherentFps = Array.from({ length: inherent.nFrames }, (_, f) => ifpAll(f));
const inherentGroups = groupStructures(inherentFps);
const trainSet = new Set(glasses.train);
const order = [...inherentFps.keys()].sort((a, b) => Number(!trainSet.has(String(inherent.info[a]!.glass))) - Number(!trainSet.has(String(inherent.info[b]!.glass))));
const grouped = groupStructures(order.map((f) => inherentFps[f]!));
const nTrain = order.filter((f) => trainSet.has(String(inherent.info[f]!.glass))).length;
const heldOut = order.slice(nTrain).map((f, k) => ({ glass: String(inherent.info[f]!.glass), inTrainingBasin: grouped[nTrain + k]! < nTrain }));
const results: Record<string, unknown> = {
  command: ['npx tsx scripts/basin-census.ts', ...process.argv.slice(2)].join(' '),
  trainingGlasses: glasses.train.length,
  trainingInherentStructures: training.nFrames,
  quenches: {
    glasses: inherent.nFrames,
    basins: inherentGroups.filter((g, i) => g === i).length,
    heldOutGlasses: heldOut.length,
    heldOutInTrainingBasins: heldOut.filter((h) => h.inTrainingBasin).map((h) => h.glass),
  },
};
console.error(JSON.stringify(results.quenches));
await useBackend('wasm');
const model = await loadModel(join(dir, 'model'));
const sampler = new ConditionalSampler(model, { threads: 1 });
const n = Number(values.n);
const t0 = Date.now();
const gen = await sampler.sample(n, { seed: Number(values.seed), batchSize: Math.min(n, 500) });
results.sampling = { seconds: (Date.now() - t0) / 1000, replacementRate: gen.stats.replacementRate, defaults: model.samplingDefaults ?? null, backtracksPerStructure: gen.stats.backtracks / n };
results.generated = census(gen.trajectory, `generated (seed ${values.seed})`);
if (values.md) {
  const val = await loadTrajectory(values['md-data'] ?? join(dir, 'validation.extxyz.gz'));
  results.md = census(framesOf(val, glasses.validation, Number(values['md-every'])), 'MD frames of the validation glasses');
}
const text = JSON.stringify(results, null, 1);
if (values.out) writeFileSync(values.out, text);
console.log(text);
