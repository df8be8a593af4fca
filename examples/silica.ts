/**
 * Amorphous silica (Si + O) from training to partial RDFs and relaxation:
 * train on several glasses (grouped by the `glass` info key, atoms ordered
 * species first), store per-pair minimum distances with the model, generate,
 * and evaluate against a glass the model never saw.
 *
 *   npx tsx examples/silica.ts [glasses.extxyz.gz] [outDir=repap-out/silica]
 *
 * Without an argument it uses the 9 frames (3 glasses) of
 * test/fixtures/a-sio2-72-glasses-small.extxyz.gz: a seconds-long run that shows
 * the steps, not a useful model. For the real thing give the full set
 * (a-sio2-72-vashishta-300K-glasses.extxyz.gz, see docs/data.md) and raise the
 * environment variables: REPAP_UNITS (16), REPAP_EPOCHS (1), REPAP_GRID (50),
 * REPAP_SAMPLES (4), REPAP_BATCHES (all batches per epoch).
 *
 * (Build first with `npm run build`: the example imports the package by name.)
 */
import { useBackend } from 'repap/backend';
import { loadTrajectory, saveModel, saveTrajectory } from 'repap/node';
import { AxisProjectionEncoder, GroupedEncoding, groupFramesBy } from 'repap/encoding';
import { RePAPModel, splitFrames } from 'repap/model';
import { ConditionalSampler } from 'repap/sampling';
import { evaluateEnsemble, pairMinimumDistances } from 'repap/analysis';
import type { Trajectory } from 'repap/structure';

const [path = 'test/fixtures/a-sio2-72-glasses-small.extxyz.gz', outDir = 'repap-out/silica'] = process.argv.slice(2);
const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const pick = (t: Trajectory, rows: ArrayLike<number>): Trajectory => {
  const n3 = t.nAtoms * 3;
  const positions = new Float64Array(rows.length * n3);
  for (let i = 0; i < rows.length; i++) positions.set(t.positions.subarray(rows[i] * n3, (rows[i] + 1) * n3), i * n3);
  return { ...t, nFrames: rows.length, positions, info: Array.from(rows, (f) => t.info[f]) };
};

await useBackend('wasm');
const md = await loadTrajectory(path);
const composition = [...new Set(md.species)].map((s) => `${s}${md.species.filter((x) => x === s).length}`).join(' ');
console.log(`${md.nFrames} frames of ${md.nAtoms} atoms (${composition}) from ${path}`);

// 1. Glasses: whole glasses go to training or validation (the validation glass is never trained on).
const groups = groupFramesBy(md, 'glass');
const nGroups = groups.names.length;
const spec = { train: nGroups - 1, validation: 1, test: 0 };
const split = splitFrames(groups.groupOf, spec, 1);
console.log(`glasses: ${split.groups.train.map((g) => groups.names[g]).join(', ')} for training, ${split.groups.validation.map((g) => groups.names[g]).join(', ')} for validation`);

// 2. Encoding: species first (all Si, then all O), the distance rule within each species, per glass.
const encoder = AxisProjectionEncoder.fit(md, { gridSize: env('REPAP_GRID', 50), speciesFirst: true }, split.train);
const coords = new GroupedEncoding(encoder, md, groups, { ordering: 'group' }).encode();

// 3. A small network trained as a likelihood (softmax over the grid cells).
const model = RePAPModel.create(encoder, { units: env('REPAP_UNITS', 16), layers: 1, loss: 'softmax-crossentropy', seed: 1 });
const batches = process.env.REPAP_BATCHES ? { maxBatchesPerEpoch: Number(process.env.REPAP_BATCHES) } : {};
const history = await model.train(
  { coords, cell: md.cell, pbc: md.pbc, groups: groups.groupOf },
  { epochs: env('REPAP_EPOCHS', 1), batchSize: 4, seed: 1, split: spec, maxTime: 600, ...batches },
);
const last = history.epochs[history.epochs.length - 1];
console.log(`trained ${history.epochs.length} epoch(s): loss ${last?.loss.toFixed(4)}, validation ${last?.valLoss?.toFixed(4) ?? '-'}`);

// 4. Per-pair minimum distances: 0.85 x the smallest distance seen per pair in the training glasses
//    (repap train stores the same for models of several species), kept with the model.
const smallest = pairMinimumDistances(md, { frames: split.train }).smallest;
const minDistances = Object.fromEntries(Object.entries(smallest).map(([pair, d]) => [pair, Math.round(0.85 * d * 1000) / 1000]));
model.samplingDefaults = { temperature: 1, minDistance: Math.min(...Object.values(minDistances)), minDistances, maxTries: 10 };
console.log(`smallest distance per pair in training: ${Object.entries(smallest).map(([p, d]) => `${p} ${d.toFixed(3)}`).join(', ')} Å`);
console.log(`stored minimum distances: ${Object.entries(minDistances).map(([p, d]) => `${p} ${d}`).join(', ')} Å`);
await saveModel(model, `${outDir}/model`);

// 5. Generate: the sampler uses the stored per-pair table.
const n = env('REPAP_SAMPLES', 4);
const { trajectory: generated, stats } = await new ConditionalSampler(model).sample(n, { seed: 7 });
await saveTrajectory(`${outDir}/generated.extxyz`, generated);
const exact = generated.species.every((s, i) => s === md.species[i]);
console.log(`${n} structures, composition ${exact ? 'exact' : 'WRONG'} (species of every atom as in the MD); ${(100 * stats.replacementRate).toFixed(1)} % of atoms redrawn, ${stats.violatingStructures.length} still below the table`);

// 6. Evaluate against the validation glass: partial RDFs, coordination of Si by O, O-Si-O and Si-O-Si
//    angles, validity at the per-pair distances, Vashishta energies before and after relaxation.
const reference = pick(md, split.validation);
const report = evaluateEnsemble(generated, reference, {
  minDistances,
  pairCutoffs: { 'O-Si': 2.0 },
  relax: { maxSteps: 300 },
  referenceRelaxFrames: Math.min(reference.nFrames, 3),
  bootstrap: 20,
});
const g = report.generated, f = report.floor;
const fmt = (x: number | null | undefined, d = 3): string => (x === null || x === undefined ? '-' : x.toFixed(d));
for (const p of g.partialRdf) {
  const m = f.partialRdf.find((q) => q.pair === p.pair);
  console.log(`partial g(r) ${p.pair}: Err_RDF ${fmt(p.errPoster.value)}, first peak ${fmt(p.firstPeak)} Å (MD ${fmt(m?.firstPeak)} Å)`);
}
const siO = g.partialCoordination.find((c) => c.pair === 'Si-O');
const siOmd = f.partialCoordination.find((c) => c.pair === 'Si-O');
console.log(`Si four-fold by O (${siO?.cutoff} Å): ${fmt(siO?.fractions['4']?.value ?? 0)} (MD ${fmt(siOmd?.fractions['4']?.value ?? 0)})`);
for (const t of g.tripletAngles.filter((t) => t.triplet === 'O-Si-O' || t.triplet === 'Si-O-Si')) {
  const m = f.tripletAngles.find((q) => q.triplet === t.triplet);
  console.log(`${t.triplet} mean angle ${fmt(t.meanAngle.value, 1)}° (MD ${fmt(m?.meanAngle.value, 1)}°)`);
}
console.log(`valid at the per-pair distances: ${fmt(1 - (g.validity.belowPairTable?.value ?? 0))}`);
console.log(`Vashishta energy: ${fmt(g.energyBefore?.mean.value)} eV/atom as generated, ${fmt(g.energyAfter?.mean.value)} after relaxation (MD frames relaxed: ${fmt(f.energyAfter?.mean.value)})`);
model.dispose();
