/**
 * Stillinger-Weber forces: against LAMMPS `pair_style sw` (fixture made by
 * scripts/lammps-forces.py from frames of ../shared/data and two triclinic
 * cells) and against central finite differences of the energy.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  flatCell,
  parseStillingerWeber,
  SILICON_SW,
  stillingerWeber,
  stillingerWeberEnergy,
  stillingerWeberForces,
} from '../../src/analysis';
import type { Potential } from '../../src/analysis';
import type { Cell, Pbc, Trajectory } from '../../src/structure/trajectory';

interface FixtureFrame { source: string; cell: number[]; species: string[]; positions: number[]; pbc: Pbc; energy: number; forces: number[] }
const fixture = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/lammps-sw-forces.json'), 'utf8')) as { frames: FixtureFrame[] };

function toTrajectory(fr: { cell: number[] | null; species: string[]; positions: number[] | Float64Array; pbc: Pbc }): Trajectory {
  const c = fr.cell;
  const cell: Cell | null = c === null ? null : [[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], c[8]]];
  return { nFrames: 1, nAtoms: fr.species.length, positions: Float64Array.from(fr.positions), cell, pbc: fr.pbc, species: fr.species, info: [{}] };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Max |analytic - central difference| over all coordinates, and the largest force. */
function finiteDifference(potential: Potential, t: Trajectory, h = 1e-5): { err: number; scale: number } {
  const pos = Float64Array.from(t.positions);
  const cell = flatCell(t.cell);
  const f = new Float64Array(pos.length);
  potential.energyAndForces(pos, cell, t.pbc, t.species, f);
  let err = 0, scale = 0;
  for (let k = 0; k < pos.length; k++) {
    const x = pos[k];
    pos[k] = x + h;
    const ep = potential.energyAndForces(pos, cell, t.pbc, t.species);
    pos[k] = x - h;
    const em = potential.energyAndForces(pos, cell, t.pbc, t.species);
    pos[k] = x;
    err = Math.max(err, Math.abs(-(ep - em) / (2 * h) - f[k]));
    scale = Math.max(scale, Math.abs(f[k]));
  }
  return { err, scale };
}

/** Random atoms in a cell, no pair closer than dMin (minimum image, checked by brute force over images). */
function randomStructure(cell: Cell, n: number, seed: number, dMin = 1.9): Float64Array {
  const rand = rng(seed);
  const pos = new Float64Array(3 * n);
  let placed = 0;
  while (placed < n) {
    const u = rand(), v = rand(), w = rand();
    const x = [0, 1, 2].map((k) => u * cell[0][k] + v * cell[1][k] + w * cell[2][k]);
    let ok = true;
    for (let j = 0; j < placed && ok; j++) {
      for (let a = -1; a <= 1 && ok; a++) for (let b = -1; b <= 1 && ok; b++) for (let c = -1; c <= 1 && ok; c++) {
        const d = [0, 1, 2].map((k) => x[k] - pos[3 * j + k] + a * cell[0][k] + b * cell[1][k] + c * cell[2][k]);
        if (Math.hypot(d[0], d[1], d[2]) < dMin) ok = false;
      }
    }
    if (ok) pos.set(x, 3 * placed++);
  }
  return pos;
}

describe('stillingerWeberForces', () => {
  it('matches LAMMPS forces to 1e-6 eV/Å and energies to 1e-6 eV/atom (MD frames, glasses, 216 atoms, triclinic cells)', () => {
    expect(fixture.frames.length).toBe(9);
    for (const fr of fixture.frames) {
      const t = toTrajectory(fr);
      const { energy, forces } = stillingerWeberForces(t, 0);
      expect(Math.abs(energy - fr.energy) / t.nAtoms, fr.source).toBeLessThan(1e-6);
      let err = 0;
      for (let k = 0; k < forces.length; k++) err = Math.max(err, Math.abs(forces[k] - fr.forces[k]));
      expect(err, fr.source).toBeLessThan(1e-6);
      // The energy-only path shares the kernel.
      expect(stillingerWeberEnergy(t)[0]).toBeCloseTo(energy, 9);
    }
  });

  it('the Potential gives the same energy and forces as stillingerWeberForces', () => {
    const sw = stillingerWeber();
    expect(sw.name).toBe('stillinger-weber-si');
    expect(sw.species).toEqual(['Si']);
    expect(sw.cutoff).toBeCloseTo(SILICON_SW.a * SILICON_SW.sigma, 12);
    for (const fr of fixture.frames.slice(6)) {
      const f = new Float64Array(fr.positions.length).fill(99);
      const e = sw.energyAndForces(fr.positions, fr.cell, fr.pbc, fr.species, f);
      const ref = stillingerWeberForces(toTrajectory(fr), 0);
      expect(e).toBe(ref.energy);
      expect(Array.from(f)).toEqual(Array.from(ref.forces));
    }
  });

  it('agrees with central finite differences: triclinic, a cell smaller than the cutoff, mixed pbc and a cluster', () => {
    const sw = stillingerWeber();
    const cases: [Cell | null, Pbc, number][] = [
      [[[8.4, 0, 0], [1.6, 8.1, 0], [-1.2, 0.9, 7.9]], [true, true, true], 30],
      // plane spacings below 2 x cutoff: each atom sees several images of itself and of others
      [[[4.2, 0, 0], [1.9, 3.8, 0], [-1.1, 1.3, 4.0]], [true, true, true], 4],
      [[[7, 0, 0], [0.5, 7, 0], [0, 0, 7]], [true, false, true], 16],
      [null, [false, false, false], 10],
    ];
    cases.forEach(([cell, pbc, n], i) => {
      const box: Cell = cell ?? [[7, 0, 0], [0, 7, 0], [0, 0, 7]];
      const t = toTrajectory({ cell: cell ? box.flat() : null, pbc, species: Array(n).fill('Si'), positions: randomStructure(box, n, 11 + i) });
      const { err, scale } = finiteDifference(sw, t);
      expect(scale, `case ${i}`).toBeGreaterThan(0.1);
      expect(err, `case ${i}`).toBeLessThan(1e-6 * Math.max(1, scale));
    });
  });

  it('sums to zero force and is invariant to a rigid translation (periodic)', () => {
    const fr = fixture.frames[7];
    const t = toTrajectory(fr);
    const a = stillingerWeberForces(t, 0);
    const sum = [0, 0, 0];
    for (let i = 0; i < t.nAtoms; i++) for (let k = 0; k < 3; k++) sum[k] += a.forces[3 * i + k];
    for (const s of sum) expect(Math.abs(s)).toBeLessThan(1e-10);
    const shifted = toTrajectory({ ...fr, positions: fr.positions.map((x, k) => x + [3.1, -7.2, 11.5][k % 3]) });
    const b = stillingerWeberForces(shifted, 0);
    expect(b.energy).toBeCloseTo(a.energy, 9);
    for (let k = 0; k < a.forces.length; k++) expect(b.forces[k]).toBeCloseTo(a.forces[k], 8);
  });

  it('reads LAMMPS .sw files: the silicon entry gives SILICON_SW', () => {
    const text = `# Stillinger-Weber parameters for various elements and mixtures
# epsilon sigma a lambda gamma costheta0 A B p q tol
Si Si Si 2.1683  2.0951  1.80  21.0  1.20  -0.333333333333
         7.049556277  0.6022245584  4.0  0.0 0.0
`;
    expect(parseStillingerWeber(text)).toEqual({ ...SILICON_SW });
    const e = stillingerWeber(text).energyAndForces(fixture.frames[0].positions, fixture.frames[0].cell, [true, true, true], fixture.frames[0].species);
    expect(e).toBeCloseTo(fixture.frames[0].energy, 6);
    expect(() => parseStillingerWeber(text, 'Ge', 'Si.sw')).toThrow(/Si\.sw has no entry 'Ge Ge Ge' \(its entries: Si Si Si\)/);
    expect(() => parseStillingerWeber('Si Si Si 1 2 3', 'Si', 'bad.sw')).toThrow(/bad\.sw has 6 fields/);
  });

  it('errors name the element, the potential, the frame and the atom pair', () => {
    const fr = fixture.frames[0];
    const sw = stillingerWeber();
    const species = fr.species.slice();
    species[3] = 'O';
    expect(() => sw.energyAndForces(fr.positions, fr.cell, fr.pbc, species)).toThrow(
      /atom 3 is 'O', which the potential 'stillinger-weber-si' does not know \(it covers Si\)/,
    );
    // A species array changed in place after a call is checked again.
    const inPlace = fr.species.slice();
    sw.energyAndForces(fr.positions, fr.cell, fr.pbc, inPlace);
    inPlace[4] = 'C';
    expect(() => sw.energyAndForces(fr.positions, fr.cell, fr.pbc, inPlace)).toThrow(/atom 4 is 'C', which the potential 'stillinger-weber-si'/);
    const pos = fr.positions.slice();
    pos.splice(3 * 7, 3, pos[3 * 2], pos[3 * 2 + 1], pos[3 * 2 + 2]);
    const t = toTrajectory({ ...fr, positions: [...fr.positions, ...pos] });
    const two: Trajectory = { ...t, nFrames: 2, positions: Float64Array.from([...fr.positions, ...pos]), info: [{}, {}] };
    expect(() => stillingerWeberForces(two, 1)).toThrow(/stillingerWeberForces: frame 1: .*atoms 2 and 7 overlap \(distance 0 Å\)/);
    expect(() => stillingerWeberEnergy(two)).toThrow(/stillingerWeberEnergy: frame 1: .*atoms 2 and 7 overlap/);
    expect(() => stillingerWeberForces(two, 2)).toThrow(/stillingerWeberForces: options\.frames\[0\] = 2 is not a frame index/);
    const nan = fr.positions.slice();
    nan[5] = NaN;
    expect(() => sw.energyAndForces(nan, fr.cell, fr.pbc, fr.species)).toThrow(/positions\[5\] \(atom 1\) is NaN/);
  });
});
