/**
 * Structure metrics against the LAMMPS per-frame data (energy, minimum distance),
 * ASE's neighbour list (triclinic and skewed cells) and diamond silicon.
 */
import { describe, expect, it } from 'vitest';
import {
  bondAngleDistribution,
  coordinationHistogram,
  coordinationNumbers,
  minimumDistances,
  SILICON_SW,
  stillingerWeberEnergy,
} from '../../src/analysis';
import type { Cell, Pbc, Trajectory } from '../../src/structure/trajectory';
import { cartesianToFractional } from '../../src/structure/cell';
import { framesToCheck, loadExtxyzGz, loadFramesCsv } from './data';
import { sharedDataMissing } from '../support/shared-data';
import { ASE_NEIGHBORS, aseMissing, python, rng } from './python';

interface Peer { i: number[]; j: number[]; d: number[]; D: number[][] }

function trajectoryOf(positions: number[] | Float64Array, cell: Cell | null, pbc: Pbc = [true, true, true], nFrames = 1): Trajectory {
  const nAtoms = positions.length / 3 / nFrames;
  return {
    nFrames, nAtoms, positions: Float64Array.from(positions), cell, pbc,
    species: Array(nAtoms).fill('Si'), info: Array.from({ length: nFrames }, () => ({})),
  };
}

function randomFrames(cell: Cell, nAtoms: number, nFrames: number, seed: number): Float64Array {
  const rand = rng(seed);
  const out = new Float64Array(nAtoms * nFrames * 3);
  for (let k = 0; k < nAtoms * nFrames; k++) {
    const f = [rand() * 1.4 - 0.2, rand() * 1.4 - 0.2, rand() * 1.4 - 0.2];
    for (let a = 0; a < 3; a++) out[3 * k + a] = f[0] * cell[0][a] + f[1] * cell[1][a] + f[2] * cell[2][a];
  }
  return out;
}

function ase(t: Trajectory, cutoff: number): Peer[] {
  const frames: number[][] = [];
  for (let f = 0; f < t.nFrames; f++) frames.push(Array.from(t.positions.subarray(f * t.nAtoms * 3, (f + 1) * t.nAtoms * 3)));
  return python<Peer[]>(ASE_NEIGHBORS, { frames, species: t.species, cell: t.cell, pbc: t.pbc, cutoff });
}

// Diamond silicon, a0 = 5.431 Å: nearest neighbours at a0 sqrt(3)/4 = 2.3517 Å = 2^(1/6) sigma,
// the minimum of the SW pair term (-epsilon), tetrahedral angles: E = -2 epsilon = -4.3366 eV/atom.
const a0 = 5.431;
const conv: number[] = [];
for (const f of [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]) {
  for (const b of [[0, 0, 0], [0.25, 0.25, 0.25]]) conv.push((f[0] + b[0]) * a0, (f[1] + b[1]) * a0, (f[2] + b[2]) * a0);
}
const cube = trajectoryOf(conv, [[a0, 0, 0], [0, a0, 0], [0, 0, a0]]);
const prim = trajectoryOf([0.1, 0.2, 0.3, a0 / 4 + 0.1, a0 / 4 + 0.2, a0 / 4 + 0.3], [[0, a0 / 2, a0 / 2], [a0 / 2, 0, a0 / 2], [a0 / 2, a0 / 2, 0]]);
const skewed: Cell = [[4, 0, 0], [3.7, 1.5, 0], [3.5, 1.2, 1.3]];

describe('stillingerWeberEnergy', () => {
  it('matches the LAMMPS per-frame energies (pe_eV) to 1e-4 eV/atom: 30 and 216 atoms', () => {
    let checked = 0;
    for (const [name, want] of [['a-si-30-sw-300K', 300], ['a-si-216-sw-300K', 200], ['a-si-30-sw-600K-every10', 200]] as const) {
      const n = framesToCheck(name, want);
      if (n === 0) continue;
      checked++;
      const t = loadExtxyzGz(name, n);
      const csv = loadFramesCsv(name);
      const e = stillingerWeberEnergy(t);
      expect(e.length).toBe(n);
      let worst = 0;
      for (let f = 0; f < n; f++) worst = Math.max(worst, Math.abs(e[f] - csv.pe_eV[f]) / t.nAtoms);
      expect(worst).toBeLessThan(1e-4);
      // The frames differ by much more than the tolerance: the match is frame by frame.
      expect(Math.max(...csv.pe_eV.subarray(0, n)) - Math.min(...csv.pe_eV.subarray(0, n))).toBeGreaterThan(0.05);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('diamond: -2 epsilon = -4.3366 eV/atom in the cube, the triclinic primitive cell (all neighbours are images of one atom) and a frame subset', () => {
    const perAtom = (t: Trajectory) => stillingerWeberEnergy(t)[0] / t.nAtoms;
    expect(perAtom(cube)).toBeCloseTo(-2 * SILICON_SW.epsilon, 4);
    expect(perAtom(prim)).toBeCloseTo(perAtom(cube), 10);
  });

  it('is invariant under rotation of the whole system (triclinic code path)', () => {
    const t = loadExtxyzGz(framesToCheck('a-si-216-sw-300K', 2) === 2 ? 'a-si-216-sw-300K' : 'a-si-30-sw-300K', 2);
    const c = Math.cos(0.4), s = Math.sin(0.4);
    const rot = (v: ArrayLike<number>): [number, number, number] => [c * v[0] - s * v[1], s * v[0] + c * v[1], v[2]];
    const p = new Float64Array(t.positions.length);
    for (let k = 0; k < p.length; k += 3) p.set(rot(t.positions.subarray(k, k + 3)), k);
    const tr: Trajectory = { ...t, positions: p, cell: [rot(t.cell![0]), rot(t.cell![1]), rot(t.cell![2])] };
    const a = stillingerWeberEnergy(t), b = stillingerWeberEnergy(tr);
    expect(Math.abs(a[0] - b[0])).toBeLessThan(1e-9);
    expect(Math.abs(a[1] - b[1])).toBeLessThan(1e-9);
    expect(stillingerWeberEnergy(t, {}, { frames: [1] })[0]).toBe(a[1]);
  });

  it('rejects bad parameters and input', () => {
    expect(() => stillingerWeberEnergy(cube, { sigma: -1 })).toThrow(/params\.sigma = -1/);
    expect(() => stillingerWeberEnergy(cube, { lambda: NaN })).toThrow(/params\.lambda = NaN/);
    expect(() => stillingerWeberEnergy({ ...cube, nFrames: 0, positions: new Float64Array(0) })).toThrow(/stillingerWeberEnergy: the trajectory is empty/);
  });
});

describe('minimumDistances', () => {
  it('matches the min_dist_A column (minimum image) of the reference frames', () => {
    let checked = 0;
    for (const [name, want] of [['a-si-30-sw-300K', 2000], ['a-si-216-sw-300K', 200]] as const) {
      const n = framesToCheck(name, want);
      if (n === 0) continue;
      checked++;
      const t = loadExtxyzGz(name, n);
      const csv = loadFramesCsv(name);
      const d = minimumDistances(t);
      // The csv has 6 decimals and was computed from LAMMPS' full-precision positions (extxyz: 6 decimals).
      for (let f = 0; f < n; f++) expect(Math.abs(d[f] - csv.min_dist_A[f])).toBeLessThan(5e-6);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it.skipIf(aseMissing)('finds the true nearest image in a strongly skewed triclinic cell (peer: ASE, all images)', () => {
    const t = trajectoryOf(randomFrames(skewed, 2, 20, 3), skewed, [true, true, true], 20);
    const peer = ase(t, 6);
    const d = minimumDistances(t);
    peer.forEach((fr, f) => expect(d[f]).toBeCloseTo(Math.min(...fr.d), 12));
    // Rounding fractional differences alone (no neighbouring images) overestimates
    // the minimum in at least one of these frames: the case is not trivial.
    const frac = new Float64Array(t.positions.length);
    cartesianToFractional(skewed, t.positions, frac);
    let naiveWorse = 0;
    for (let f = 0; f < t.nFrames; f++) {
      let best = Infinity;
      for (let i = 0; i < t.nAtoms; i++) {
        for (let j = i + 1; j < t.nAtoms; j++) {
          const df = [0, 1, 2].map((a) => {
            const x = frac[(f * t.nAtoms + j) * 3 + a] - frac[(f * t.nAtoms + i) * 3 + a];
            return x - Math.round(x);
          });
          const v = [0, 1, 2].map((a) => df[0] * skewed[0][a] + df[1] * skewed[1][a] + df[2] * skewed[2][a]);
          best = Math.min(best, Math.hypot(v[0], v[1], v[2]));
        }
      }
      if (best > d[f] + 1e-9) naiveWorse++;
    }
    expect(naiveWorse).toBeGreaterThan(0);
  });

  it('counts an atom\'s own image and handles non-periodic structures', () => {
    expect(minimumDistances(trajectoryOf([0.3, 0.1, 0.2], [[2.5, 0, 0], [0, 3, 0], [0, 0, 4]]))[0]).toBeCloseTo(2.5, 14);
    expect(minimumDistances(trajectoryOf([0, 0, 0], null, [false, false, false]))[0]).toBe(Infinity);
    expect(minimumDistances(trajectoryOf([0, 0, 0, 3, 4, 12], null, [false, false, false]))[0]).toBe(13);
    // Periodic along x only: the far image along x is nearer than the direct separation.
    const slab = trajectoryOf([0.5, 0, 0, 9.5, 0.5, 0], [[10, 0, 0], [0, 10, 0], [0, 0, 10]], [true, false, false]);
    expect(minimumDistances(slab)[0]).toBeCloseTo(Math.hypot(1, 0.5), 14);
  });
});

describe('coordinationNumbers and bondAngleDistribution', () => {
  it('diamond: four neighbours at 2.6 Å and every angle in the 109.47° bin, for the cube and the primitive cell', () => {
    for (const t of [cube, prim]) {
      expect(Array.from(coordinationNumbers(t, 2.6))).toEqual(Array(t.nAtoms).fill(4));
      const bad = bondAngleDistribution(t, 2.6, 180);
      expect(bad.total).toBe(6 * t.nAtoms);
      expect(bad.counts[109]).toBe(6 * t.nAtoms);
      expect(bad.density[109]).toBeCloseTo(1, 12);
    }
    expect(Array.from(coordinationHistogram(coordinationNumbers(cube, 2.6)))).toEqual([0, 0, 0, 0, 1]);
  });

  it('match ASE neighbour lists for a skewed triclinic cell with a cutoff beyond the cell', () => {
    const t = trajectoryOf(randomFrames(skewed, 6, 3, 5), skewed, [true, true, true], 3);
    const cutoff = 3.2;
    const peer = ase(t, cutoff);
    const cn = coordinationNumbers(t, cutoff);
    const bad = bondAngleDistribution(t, cutoff, 36);
    const expectedAngles = new Float64Array(36);
    peer.forEach((fr, f) => {
      const count = new Array(t.nAtoms).fill(0);
      for (const i of fr.i) count[i]++;
      expect(Array.from(cn.subarray(f * t.nAtoms, (f + 1) * t.nAtoms))).toEqual(count);
      for (let a = 0; a < fr.i.length; a++) {
        for (let b = a + 1; b < fr.i.length; b++) {
          if (fr.i[a] !== fr.i[b]) continue;
          const u = fr.D[a], v = fr.D[b];
          const cos = (u[0] * v[0] + u[1] * v[1] + u[2] * v[2]) / (fr.d[a] * fr.d[b]);
          const deg = (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
          expectedAngles[Math.min(35, Math.floor(deg / 5))]++;
        }
      }
    });
    expect(Array.from(bad.counts)).toEqual(Array.from(expectedAngles));
    expect(bad.total).toBeGreaterThan(20);
  });

  it.skipIf(sharedDataMissing('a-si-30-sw-300K.extxyz.gz'))('reproduce the README coordination of the main set (cutoff 2.9 Å: 54 % four-fold, 45 % five-fold)', () => {
    const t = loadExtxyzGz('a-si-30-sw-300K', 4000);
    const h = coordinationHistogram(coordinationNumbers(t, 2.9, { frames: { step: 4 } }));
    expect(h[4]).toBeGreaterThan(0.5);
    expect(h[4]).toBeLessThan(0.58);
    expect(h[5]).toBeGreaterThan(0.41);
    expect(h[5]).toBeLessThan(0.49);
    expect(h[6]).toBeLessThan(0.02);
  });

  it('reject bad input', () => {
    expect(() => coordinationNumbers(cube, 0)).toThrow(/coordinationNumbers: cutoff = 0/);
    expect(() => bondAngleDistribution(cube, 2.6, 0)).toThrow(/bondAngleDistribution: nBins = 0/);
    expect(() => bondAngleDistribution(cube, NaN, 10)).toThrow(/cutoff = NaN/);
    expect(() => coordinationHistogram([])).toThrow(/empty/);
    expect(() => coordinationHistogram([1, 2.5])).toThrow(/coordination\[1\] = 2\.5/);
  });
});
