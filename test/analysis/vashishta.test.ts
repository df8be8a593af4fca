/**
 * Vashishta SiO2 potential: energies and forces against LAMMPS `pair_style
 * vashishta` with SiO.1990.vashishta (fixture made by scripts/lammps-forces.py
 * vashishta from frames of ../shared/data/a-sio2-72-vashishta-300K-glasses and a
 * sheared cell), against central finite differences, and plugged into
 * relaxStructures against LAMMPS FIRE minima.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flatCell, parseVashishta, relaxStructures, SIO2_VASHISHTA_1990, vashishta } from '../../src/analysis';
import type { Cell, Pbc, Trajectory } from '../../src/structure/trajectory';

interface FixtureFrame { source: string; cell: number[]; species: string[]; positions: number[]; pbc: Pbc; energy: number; forces: number[]; minimizedEnergy?: number }
const fixture = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/lammps-vashishta-forces.json'), 'utf8')) as { frames: FixtureFrame[] };

function toTrajectory(frames: FixtureFrame[]): Trajectory {
  const c = frames[0].cell;
  const cell: Cell = [[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], c[8]]];
  return {
    nFrames: frames.length, nAtoms: frames[0].species.length, positions: Float64Array.from(frames.flatMap((f) => f.positions)),
    cell, pbc: [true, true, true], species: frames[0].species, info: frames.map(() => ({})),
  };
}

describe('vashishta', () => {
  const v = vashishta();

  it('knows Si and O, with the 10 Å two-body cutoff of SiO.1990.vashishta', () => {
    expect(v.name).toBe('vashishta (SiO.1990.vashishta)');
    expect(v.species).toEqual(['Si', 'O']);
    expect(v.cutoff).toBe(10);
    const { elements, entries } = parseVashishta(SIO2_VASHISHTA_1990);
    expect(elements).toEqual(['Si', 'O']);
    expect(entries).toHaveLength(8);
    expect(entries[3]).toMatchObject({ elements: ['Si', 'O', 'O'], H: 163.859, eta: 9, B: 5.0365, r0: 2.6, cosTheta: -0.333333333333 });
  });

  it('matches LAMMPS to 1e-6 eV/atom (energy) and 1e-6 eV/Å (forces): 4 glass frames and a sheared cell', () => {
    expect(fixture.frames).toHaveLength(5);
    for (const fr of fixture.frames) {
      const f = new Float64Array(fr.positions.length);
      const e = v.energyAndForces(fr.positions, fr.cell, fr.pbc, fr.species, f);
      expect(Math.abs(e - fr.energy) / fr.species.length, fr.source).toBeLessThan(1e-6);
      let err = 0;
      for (let k = 0; k < f.length; k++) err = Math.max(err, Math.abs(f[k] - fr.forces[k]));
      expect(err, fr.source).toBeLessThan(1e-6);
    }
  });

  it('agrees with central finite differences (sheared cell; a small cell where the 10 Å cutoff spans many images)', () => {
    const sheared = fixture.frames[4];
    // A 6-atom SiO2 fragment in a 4.6 Å triclinic cell: each pair has dozens of images within 10 Å.
    const small = {
      positions: [0.2, 0.3, 0.1, 1.75, 0.45, 0.2, -0.3, 1.6, 0.35, 2.6, 2.4, 2.5, 4.0, 2.65, 2.4, 2.3, 3.9, 2.9],
      cell: [4.6, 0, 0, 0.7, 4.5, 0, -0.5, 0.4, 4.8], species: ['Si', 'O', 'O', 'Si', 'O', 'O'],
    };
    for (const fr of [sheared, small]) {
      const pos = Float64Array.from(fr.positions);
      const f = new Float64Array(pos.length);
      v.energyAndForces(pos, fr.cell, [true, true, true], fr.species, f);
      const h = 1e-5;
      let err = 0, scale = 0;
      for (let k = 0; k < pos.length; k += fr === small ? 1 : 5) {
        const x = pos[k];
        pos[k] = x + h;
        const ep = v.energyAndForces(pos, fr.cell, [true, true, true], fr.species);
        pos[k] = x - h;
        const em = v.energyAndForces(pos, fr.cell, [true, true, true], fr.species);
        pos[k] = x;
        err = Math.max(err, Math.abs(-(ep - em) / (2 * h) - f[k]));
        scale = Math.max(scale, Math.abs(f[k]));
      }
      expect(scale).toBeGreaterThan(0.5);
      expect(err).toBeLessThan(1e-6 * Math.max(1, scale));
    }
  });

  it('plugs into relaxStructures: reaches the LAMMPS FIRE minima (fmax 1e-3) to 1 meV/atom', () => {
    const md = fixture.frames.filter((f) => f.minimizedEnergy !== undefined).slice(0, 2);
    const t = toTrajectory(md);
    const { trajectory, frames } = relaxStructures(t, { potential: v });
    md.forEach((fr, i) => {
      expect(frames.converged[i]).toBe(1);
      expect(Math.abs(frames.energyAfter[i] - fr.minimizedEnergy!) / t.nAtoms, fr.source).toBeLessThan(1e-3);
      expect(frames.energyBefore[i]).toBeCloseTo(fr.energy, 6);
    });
    // L-BFGS (rejecting uphill steps) reaches the same minima on this stiffer potential in fewer steps.
    const lb = relaxStructures(t, { potential: v, method: 'lbfgs' }).frames;
    md.forEach((fr, i) => {
      expect(lb.converged[i]).toBe(1);
      expect(Math.abs(lb.energyAfter[i] - fr.minimizedEnergy!) / t.nAtoms, fr.source).toBeLessThan(1e-3);
      expect(lb.steps[i]).toBeLessThan(frames.steps[i]);
    });
    // Forces at the end are below fmax.
    const end = new Float64Array(3 * t.nAtoms);
    v.energyAndForces(trajectory.positions.subarray(0, 3 * t.nAtoms), flatCell(trajectory.cell), trajectory.pbc, trajectory.species, end);
    for (let i = 0; i < t.nAtoms; i++) expect(Math.hypot(end[3 * i], end[3 * i + 1], end[3 * i + 2])).toBeLessThanOrEqual(1e-3);
  }, 60_000);

  it('errors name the element the file does not cover, the file, and malformed entries', () => {
    const fr = fixture.frames[0];
    const species = fr.species.slice();
    species[5] = 'Ge';
    expect(() => v.energyAndForces(fr.positions, fr.cell, fr.pbc, species)).toThrow(
      /atom 5 is 'Ge', which the potential 'vashishta \(SiO\.1990\.vashishta\)' does not know \(it covers Si, O\)/,
    );
    expect(() => relaxStructures({ ...toTrajectory([fr]), species }, { potential: v })).toThrow(/relaxStructures: atom 5 is 'Ge'.*vashishta \(SiO\.1990\.vashishta\)/);
    // A species array changed in place after a call gets new types (not the cached ones).
    const inPlace = fr.species.slice();
    const e0 = v.energyAndForces(fr.positions, fr.cell, fr.pbc, inPlace);
    const k = inPlace.indexOf('O');
    inPlace[k] = 'Si';
    const e1 = v.energyAndForces(fr.positions, fr.cell, fr.pbc, inPlace);
    expect(e1).not.toBeCloseTo(e0, 3);
    expect(e1).toBe(vashishta().energyAndForces(fr.positions, fr.cell, fr.pbc, inPlace.slice()));
    const siOnly = 'Si Si Si 0.82023 11 1.6 1.6 999 0.0 4.43\n  0.0 10.0 0.0 0.0 0.0 0.0 0.0\n';
    expect(() => parseVashishta(siOnly.replace('Si Si Si', 'Si Si si'), 'bad.vashishta')).toThrow(/bad\.vashishta, entry 1: 'si' is not an element symbol/);
    expect(() => parseVashishta(siOnly.replace('999', 'x'), 'bad.vashishta')).toThrow(/bad\.vashishta, entry 'Si Si Si': lambda1 = 'x' is not a number/);
    const si = vashishta(siOnly, 'Si-only.vashishta');
    expect(si.species).toEqual(['Si']);
    expect(() => si.energyAndForces(fr.positions, fr.cell, fr.pbc, fr.species)).toThrow(/atom \d+ is 'O', which the potential 'vashishta \(Si-only\.vashishta\)' does not know \(it covers Si\)/);
    const noSiOO = SIO2_VASHISHTA_1990.replace(/Si\s+O\s+O[^\n]*\n[^\n]*\n/, '');
    expect(() => vashishta(noSiOO, 'partial.vashishta')).toThrow(/partial\.vashishta has no entry 'Si O O'/);
    expect(() => parseVashishta('Si Si Si 1 2 3', 'short.vashishta')).toThrow(/short\.vashishta has 6 fields/);
  });
});
