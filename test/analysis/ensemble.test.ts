/**
 * evaluateEnsemble against independent references: LAMMPS minima (committed
 * fixture: which frames share a minimum, their energies), brute-force
 * statistics recomputed here, hand-built structures for the validity gates, and
 * the silica glasses' sidecar (per-species coordination counted by the data's authors).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { evaluateEnsemble, minimumDistances, stillingerWeberEnergy, type EnsembleReport } from '../../src/analysis';
import { readExtxyz } from '../../src/io';
import type { Trajectory } from '../../src/structure/trajectory';
import { sharedData, sharedDataMissing } from '../support/shared-data';

const minima = readExtxyz(readFileSync(resolve(__dirname, '../fixtures/a-si-30-minima.extxyz'), 'utf8'));

function pick(t: Trajectory, idx: number[]): Trajectory {
  const per = t.nAtoms * 3;
  const positions = new Float64Array(idx.length * per);
  idx.forEach((f, k) => positions.set(t.positions.subarray(f * per, (f + 1) * per), k * per));
  return { ...t, nFrames: idx.length, positions, info: idx.map((f) => t.info[f]) };
}

const relaxedIdx = minima.info.flatMap((i, k) => (i.source === 'lammps-minimize' ? [k] : []));
const inherentIdx = minima.info.flatMap((i, k) => (i.source === 'inherent' ? [k] : []));

/** Every number in the report is finite (no NaN report). */
function allFinite(x: unknown, path = 'report'): void {
  if (typeof x === 'number') expect(Number.isFinite(x), path).toBe(true);
  else if (Array.isArray(x)) x.forEach((v, i) => allFinite(v, `${path}[${i}]`));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) allFinite(v, `${path}.${k}`);
}

function ksBrute(a: number[], b: number[]): number {
  let d = 0;
  for (const x of [...a, ...b]) {
    const fa = a.filter((v) => v <= x).length / a.length, fb = b.filter((v) => v <= x).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

describe('evaluateEnsemble (committed LAMMPS minima)', () => {
  const generated = pick(minima, relaxedIdx); // 7 LAMMPS-minimised MD frames
  const training = pick(minima, inherentIdx); // 6 inherent structures
  let report: EnsembleReport;

  it('relaxes, and counts unique, novel and stable structures as the LAMMPS energies say', () => {
    report = evaluateEnsemble(generated, training, { relax: true, training, bootstrap: 50, seed: 3, referenceRelaxFrames: 6 });
    const g = report.generated;
    // Independent identity from the LAMMPS energies: g000 x3 (its inherent structure), g056 x2 (one minimum,
    // no training twin), g069 frame 100 (the inherent one) and frame 0 (another minimum): 4 distinct of 7,
    // novel = g056 x2 + g069 frame 0.
    expect(g.uniqueness!.value).toBeCloseTo(4 / 7, 12);
    expect(g.novelty!.value).toBeCloseTo(3 / 7, 12);
    const match = report.perStructure.trainingMatch!;
    relaxedIdx.forEach((f, k) => {
      const info = minima.info[f];
      const twin = inherentIdx.findIndex((t) => minima.info[t].glass === info.glass && Math.abs(Number(minima.info[t].energy) - Number(info.energy)) < 30e-6);
      expect(match[k], `${info.glass} frame ${info.frame}`).toBe(twin);
    });
    // Already minima: relaxation keeps the LAMMPS energies (1e-6 eV/atom) and moves atoms little.
    report.perStructure.energyAfter!.forEach((e, k) => expect(e).toBeCloseTo(Number(generated.info[k].energy) / 30, 5));
    expect(g.rmsDisplacement!.value).toBeLessThan(0.05);
    expect(g.notConverged!.value).toBe(0);
    // Stable: at most the highest relaxed-reference energy + 0.01 eV/atom (here every frame).
    const ref = stillingerWeberEnergy(training);
    expect(report.settings.stableThreshold!).toBeCloseTo(Math.max(...Array.from(ref, (e) => e / 30)) + 0.01, 5);
    expect(g.stable!.value).toBe(1);
    expect(g.sun!.value).toBeCloseTo(2 / 7, 12); // novel and first of its kind: g056 (once) and g069 frame 0
    allFinite(report);
  });

  it('energy figures equal a brute-force mean, std and Kolmogorov-Smirnov distance', () => {
    const eGen = Array.from(stillingerWeberEnergy(generated), (e) => e / 30);
    const eRef = Array.from(stillingerWeberEnergy(training), (e) => e / 30);
    const before = report.generated.energyBefore!;
    const mean = eGen.reduce((s, x) => s + x, 0) / eGen.length;
    expect(before.mean.value).toBeCloseTo(mean, 10);
    expect(before.std.value).toBeCloseTo(Math.sqrt(eGen.reduce((s, x) => s + (x - mean) ** 2, 0) / (eGen.length - 1)), 10);
    expect(before.ks.value).toBeCloseTo(ksBrute(eGen, eRef), 12);
    for (const e of [before.mean, before.std, before.ks]) {
      expect(e.ci[0]).toBeLessThanOrEqual(e.value);
      expect(e.ci[1]).toBeGreaterThanOrEqual(e.value);
    }
  });

  it('a set against itself scores zero; bootstrap intervals are seeded', () => {
    const a = evaluateEnsemble(training, training, { bootstrap: 40, seed: 9 });
    expect(a.generated.rdf.errPoster.value).toBe(0);
    expect(a.generated.rdf.euclidean.value).toBe(0);
    expect(a.generated.bondAngles.distance.value).toBe(0);
    expect(a.generated.coordination.distance.value).toBe(0);
    expect(a.generated.energyBefore!.ks.value).toBe(0);
    expect(a.generated.uniqueness).toBeNull(); // no relaxation
    const b = evaluateEnsemble(training, training, { bootstrap: 40, seed: 9 });
    expect(b.generated.rdf.errPoster.ci).toEqual(a.generated.rdf.errPoster.ci);
    const c = evaluateEnsemble(training, training, { bootstrap: 40, seed: 10 });
    expect(c.generated.rdf.errPoster.ci).not.toEqual(a.generated.rdf.errPoster.ci);
    expect(a.generated.rdf.errPoster.ci[1]).toBeGreaterThan(0);
  });

  it('validity: shares of structures with a pair below 1.5 and 2.0 Å', () => {
    // Three frames of g000: untouched, atom 1 moved to 1.8 Å of atom 0, and to 1.4 Å (a direction
    // where no third atom is closer, checked with minimumDistances).
    const t = pick(minima, [inherentIdx[0], inherentIdx[0], inherentIdx[0]]);
    const p = t.positions as Float64Array;
    const before = minimumDistances(t)[0];
    expect(before).toBeGreaterThan(2.0);
    for (const [frame, d] of [[1, 1.8], [2, 1.4]] as const) {
      const o = frame * 90;
      let placed = false;
      for (let a = 0; a < 64 && !placed; a++) {
        const th = Math.acos(1 - 2 * ((a * 0.618) % 1)), ph = a * 2.4;
        p[o + 3] = p[o] + d * Math.sin(th) * Math.cos(ph);
        p[o + 4] = p[o + 1] + d * Math.sin(th) * Math.sin(ph);
        p[o + 5] = p[o + 2] + d * Math.cos(th);
        placed = Math.abs(minimumDistances(t, { frames: [frame] })[0] - d) < 1e-9;
      }
      expect(placed).toBe(true);
    }
    const r = evaluateEnsemble(t, training, { bootstrap: 0 });
    expect(r.generated.validity.below1_5.value).toBeCloseTo(1 / 3, 12);
    expect(r.generated.validity.below2_0.value).toBeCloseTo(2 / 3, 12);
    expect(r.generated.validity.below2_0.ci).toEqual([2 / 3, 2 / 3]);
  });

  it('rejects bad input with errors that name it', () => {
    const empty = { ...training, nFrames: 0, positions: new Float64Array(0), info: [] };
    expect(() => evaluateEnsemble(empty, training)).toThrow(/generated is an empty ensemble/);
    expect(() => evaluateEnsemble(training, empty)).toThrow(/reference is an empty ensemble/);
    const fewer = { ...training, nAtoms: 29, positions: training.positions.slice(0, 6 * 87), species: training.species.slice(0, 29) };
    expect(() => evaluateEnsemble(fewer, training)).toThrow(/29 atoms but the reference has 30/);
    const other = { ...training, cell: [[9, 0, 0], [0, 9, 0], [0, 0, 9]] as Trajectory['cell'] };
    expect(() => evaluateEnsemble(other, training)).toThrow(/generated cell differs from the reference cell/);
    expect(() => evaluateEnsemble(training, pick(training, [0]))).toThrow(/reference has 1 frame/);
    const ge = { ...training, species: training.species.map(() => 'Ge') };
    expect(() => evaluateEnsemble(ge, ge, { relax: true })).toThrow(/needs a potential/);
    expect(() => evaluateEnsemble(training, training, { bootstrap: -1 })).toThrow(/options.bootstrap/);
  });
});

const silicaMissing = sharedDataMissing('a-sio2-72-vashishta-300K-glasses.extxyz.gz');

describe.skipIf(silicaMissing)('evaluateEnsemble per species (silica glasses, ../shared/data)', () => {
  it('partial RDFs, coordination of Si by O and O by Si, O-Si-O and Si-O-Si angles', () => {
    const side = JSON.parse(readFileSync(sharedData('a-sio2-72-vashishta-300K-glasses.json'), 'utf8')) as {
      glasses: { inherentEnergyPerAtom_eV: number; Si_coordination_by_O_2p0A_300K: { fractions: Record<string, number> }; O_coordination_by_Si_2p0A_300K: { fractions: Record<string, number> } }[];
    };
    const all = readExtxyz(gunzipSync(readFileSync(sharedData('a-sio2-72-vashishta-300K-glasses.extxyz.gz'))).toString('utf8'));
    const s000 = pick(all, Array.from({ length: 500 }, (_, k) => k));
    const s001 = pick(all, Array.from({ length: 100 }, (_, k) => 500 + 5 * k));
    const r = evaluateEnsemble(s000, s001, { bootstrap: 20, rMax: 5, nBins: 100, pairCutoffs: { 'O-Si': 2.0 } });
    const g = r.generated;
    // Coordination at 2.0 Å as the data's authors counted it for glass s000 (all 500 frames).
    const si = g.partialCoordination.find((c) => c.pair === 'Si-O')!;
    const o = g.partialCoordination.find((c) => c.pair === 'O-Si')!;
    for (const [k, v] of Object.entries(side.glasses[0].Si_coordination_by_O_2p0A_300K.fractions)) expect(si.fractions[k].value, `Si ${k}-fold`).toBeCloseTo(v, 9);
    for (const [k, v] of Object.entries(side.glasses[0].O_coordination_by_Si_2p0A_300K.fractions)) expect(o.fractions[k].value, `O ${k}-fold`).toBeCloseTo(v, 9);
    expect(si.cutoff).toBe(2.0);
    // First peaks of the partial g(r): Si-O 1.6, O-O 2.6, Si-Si 3.1 Å (one 0.05 Å bin).
    const peak = (pair: string) => g.partialRdf.find((p) => p.pair === pair)!.firstPeak!;
    expect(Math.abs(peak('O-Si') - 1.6)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(peak('O-O') - 2.6)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(peak('Si-Si') - 3.1)).toBeLessThanOrEqual(0.05);
    // Tetrahedra: O-Si-O near 109.5°, Si-O-Si bridges wide (about 140-150°).
    const angle = (t: string) => g.tripletAngles.find((x) => x.triplet === t)!.meanAngle.value;
    expect(Math.abs(angle('O-Si-O') - 109.5)).toBeLessThan(2);
    expect(angle('Si-O-Si')).toBeGreaterThan(130);
    expect(angle('Si-O-Si')).toBeLessThan(160);
    // Two glasses differ more than two halves of one glass.
    for (const p of g.partialRdf) expect(p.errPoster.value).toBeGreaterThan(r.floor.partialRdf.find((q) => q.pair === p.pair)!.errPoster.value);
    expect(r.curves.partial.map((p) => p.pair)).toEqual(['O-O', 'O-Si', 'Si-Si']);
    expect(r.settings.potential).toMatch(/vashishta/); // the default for Si + O
    allFinite(r);
    // Relaxed with Vashishta, frames of s000 reach the glass's LAMMPS inherent energy.
    const rel = evaluateEnsemble(pick(s000, [0, 250]), pick(s001, [0, 50, 99]), { relax: true, referenceRelaxFrames: 2, bootstrap: 10, rMax: 5, nBins: 100 });
    rel.perStructure.energyAfter!.forEach((e) => expect(Math.abs(e - side.glasses[0].inherentEnergyPerAtom_eV)).toBeLessThan(1e-5));
    expect(rel.floor.energyAfter).not.toBeNull(); // MD frames relaxed the same way
  });
});
