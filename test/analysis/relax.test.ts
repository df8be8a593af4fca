/**
 * relaxStructures: FIRE minimisation against LAMMPS (`min_style fire`, same
 * fmax) on MD frames of the 64 a-Si glasses, against the glasses' inherent
 * structures, against diamond silicon, and with a user-written potential.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relaxStructures, SILICON_SW, stillingerWeberForces } from '../../src/analysis';
import type { Potential } from '../../src/analysis';
import type { Cell, Trajectory } from '../../src/structure/trajectory';
import { sharedData, sharedDataMissing } from '../support/shared-data';
import { loadExtxyzGz } from './data';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// Diamond silicon, 8-atom cubic cell: the SW minimum, -2 ε per atom.
const a0 = 5.431;
const lattice: number[] = [];
for (const f of [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]) {
  for (const b of [[0, 0, 0], [0.25, 0.25, 0.25]]) lattice.push((f[0] + b[0]) * a0, (f[1] + b[1]) * a0, (f[2] + b[2]) * a0);
}
const cubic: Cell = [[a0, 0, 0], [0, a0, 0], [0, 0, a0]];

function diamond(nFrames: number, amplitude: number, seed: number): Trajectory {
  const rand = rng(seed);
  const positions = new Float64Array(nFrames * 24);
  for (let f = 0; f < nFrames; f++) for (let k = 0; k < 24; k++) positions[f * 24 + k] = lattice[k] + amplitude * (2 * rand() - 1);
  return { nFrames, nAtoms: 8, positions, cell: cubic, pbc: [true, true, true], species: Array(8).fill('Si'), info: Array.from({ length: nFrames }, (_, f) => ({ frame: f, energy: 0 })) };
}

const glasses = 'a-si-30-sw-300K-glasses.extxyz.gz';

describe('relaxStructures', () => {
  it.skipIf(sharedDataMissing(glasses))(
    'reaches the LAMMPS FIRE minimum of MD frames of the 64 glasses (2 frames each) to 1 meV/atom, and their inherent energy as often as LAMMPS',
    () => {
      const fx = JSON.parse(readFileSync(resolve(__dirname, '../fixtures/lammps-sw-glass-minima.json'), 'utf8')) as { frames: number[]; energy: number[] };
      const meta = JSON.parse(readFileSync(sharedData('a-si-30-sw-300K-glasses.json'), 'utf8')) as { glasses: { inherentEnergyPerAtom_eV: number }[] };
      const all = loadExtxyzGz('a-si-30-sw-300K-glasses');
      const n = all.nAtoms;
      const pos = new Float64Array(fx.frames.length * n * 3);
      fx.frames.forEach((f, i) => pos.set(all.positions.subarray(f * n * 3, (f + 1) * n * 3), i * n * 3));
      const sample: Trajectory = { ...all, nFrames: fx.frames.length, positions: pos, info: fx.frames.map(() => ({})) };
      const { frames } = relaxStructures(sample);
      let matchLammps = 0, oursInherent = 0, lammpsInherent = 0;
      fx.frames.forEach((f, i) => {
        const ref = meta.glasses[Math.floor(f / 500)].inherentEnergyPerAtom_eV;
        const e = frames.energyAfter[i] / n;
        if (Math.abs(e - fx.energy[i] / n) <= 1e-3) matchLammps++;
        if (Math.abs(e - ref) <= 1e-3) oursInherent++;
        if (Math.abs(fx.energy[i] / n - ref) <= 1e-3) lammpsInherent++;
        expect(frames.converged[i]).toBe(1);
        expect(frames.fmaxAfter[i]).toBeLessThanOrEqual(1e-3);
        expect(frames.energyAfter[i]).toBeLessThan(frames.energyBefore[i]);
        expect(frames.rmsDisplacement[i]).toBeGreaterThan(0.03);
        expect(frames.rmsDisplacement[i]).toBeLessThan(0.5);
      });
      expect(matchLammps / fx.frames.length).toBeGreaterThanOrEqual(0.99);
      // L-BFGS lands in the same minima in about a third of the steps.
      const lb = relaxStructures(sample, { method: 'lbfgs' }).frames;
      let lbSame = 0, lbSteps = 0, fireSteps = 0;
      fx.frames.forEach((_, i) => {
        expect(lb.converged[i]).toBe(1);
        if (Math.abs(lb.energyAfter[i] - fx.energy[i]) / n <= 1e-3) lbSame++;
        lbSteps += lb.steps[i];
        fireSteps += frames.steps[i];
      });
      expect(lbSame / fx.frames.length).toBeGreaterThanOrEqual(0.99);
      expect(lbSteps).toBeLessThan(0.5 * fireSteps);
      // MD at 300 K hops between nearly degenerate minima after the inherent structure was taken:
      // LAMMPS itself reaches it for 89 % of these frames (docs/guide.md); repap does for the same frames.
      expect(oursInherent).toBe(lammpsInherent);
      expect(oursInherent / fx.frames.length).toBeGreaterThanOrEqual(0.85);
    },
    60_000,
  );

  it('relaxes perturbed diamond to -2ε per atom; RMS displacement is the perturbation about its mean (minimum image)', () => {
    const t = diamond(3, 0.15, 5);
    // Move one atom of frame 2 across the periodic boundary: its displacement is still the small one.
    t.positions[2 * 24 + 0] += a0;
    const { trajectory, frames } = relaxStructures(t, { fmax: 1e-5 });
    for (let f = 0; f < 3; f++) {
      expect(frames.converged[f]).toBe(1);
      expect(frames.energyAfter[f] / 8).toBeCloseTo(-2 * SILICON_SW.epsilon, 8);
      expect(trajectory.info[f].energy).toBe(frames.energyAfter[f]);
      expect(trajectory.info[f].frame).toBe(f);
      // Forces sum to zero, so FIRE (equal masses) keeps the centre: the relaxed crystal is the lattice shifted by the mean offset.
      const d = new Float64Array(24);
      const mean = [0, 0, 0];
      for (let k = 0; k < 24; k++) {
        let x = t.positions[f * 24 + k] - lattice[k];
        x -= a0 * Math.round(x / a0);
        d[k] = x;
        mean[k % 3] += x / 8;
      }
      let s2 = 0;
      for (let k = 0; k < 24; k++) s2 += (d[k] - mean[k % 3]) ** 2;
      expect(frames.rmsDisplacement[f]).toBeCloseTo(Math.sqrt(s2 / 8), 4);
      const { forces } = stillingerWeberForces(trajectory, f);
      for (const v of forces) expect(Math.abs(v)).toBeLessThan(1e-5);
    }
    expect(trajectory.cell).toBe(t.cell);
    expect(trajectory.species).toBe(t.species);
  });

  it('L-BFGS relaxes perturbed diamond to -2ε per atom and a harmonic well exactly', () => {
    const t = diamond(2, 0.15, 8);
    const { frames } = relaxStructures(t, { method: 'lbfgs', fmax: 1e-5 });
    for (let f = 0; f < 2; f++) {
      expect(frames.converged[f]).toBe(1);
      expect(frames.energyAfter[f] / 8).toBeCloseTo(-2 * SILICON_SW.epsilon, 8);
    }
    const lb = relaxStructures(t, { method: 'lbfgs', maxSteps: 2 }).frames;
    expect(Array.from(lb.converged)).toEqual([0, 0]);
    expect(Array.from(lb.steps)).toEqual([2, 2]);
    expect(() => relaxStructures(t, { method: 'bfgs' as 'lbfgs' })).toThrow(/options\.method = bfgs; expected 'fire' or 'lbfgs'/);
    expect(() => relaxStructures(t, { method: 'lbfgs', lbfgs: { memory: 0 } })).toThrow(/options\.lbfgs\.memory = 0; expected an integer >= 1/);
  });

  it('reports a frame that does not converge in maxSteps (never throws), and calls onProgress per frame', () => {
    const t = diamond(2, 0.2, 9);
    const calls: [number, number][] = [];
    const { frames } = relaxStructures(t, { maxSteps: 3, onProgress: (d, n) => calls.push([d, n]) });
    expect(Array.from(frames.converged)).toEqual([0, 0]);
    expect(Array.from(frames.steps)).toEqual([3, 3]);
    for (let f = 0; f < 2; f++) expect(frames.fmaxAfter[f]).toBeGreaterThan(1e-3);
    expect(calls).toEqual([[1, 2], [2, 2]]);
  });

  it('takes any Potential: a user-written harmonic potential on argon relaxes to its springs’ anchors', () => {
    const anchors = Float64Array.from([1, 1, 1, 3, 2, 1, 2, 4, 3]);
    const k = 2.5;
    const springs: Potential = {
      name: 'springs', species: ['Ar'], cutoff: 0,
      energyAndForces(positions, _cell, _pbc, _species, forces) {
        let e = 0;
        for (let i = 0; i < positions.length; i++) {
          const d = positions[i] - anchors[i];
          e += 0.5 * k * d * d;
          if (forces) forces[i] = -k * d;
        }
        return e;
      },
    };
    const t: Trajectory = { nFrames: 1, nAtoms: 3, positions: Float64Array.from([1.3, 0.8, 1.1, 2.7, 2.2, 1.4, 2.1, 3.6, 3.2]), cell: null, pbc: [false, false, false], species: ['Ar', 'Ar', 'Ar'], info: [{}] };
    const { trajectory, frames } = relaxStructures(t, { potential: springs, fmax: 1e-8 });
    expect(frames.energyAfter[0]).toBeLessThan(1e-15);
    for (let i = 0; i < 9; i++) expect(trajectory.positions[i]).toBeCloseTo(anchors[i], 8);
    // A quadratic with Hessian 2.5: L-BFGS (alpha 2.5) takes the exact Newton step.
    const exact = relaxStructures(t, { potential: springs, fmax: 1e-8, method: 'lbfgs', lbfgs: { alpha: k, maxMove: 10 } });
    expect(exact.frames.steps[0]).toBe(1);
    for (let i = 0; i < 9; i++) expect(exact.trajectory.positions[i]).toBeCloseTo(anchors[i], 12);
    let s2 = 0;
    for (let i = 0; i < 9; i++) s2 += (t.positions[i] - anchors[i]) ** 2;
    expect(frames.rmsDisplacement[0]).toBeCloseTo(Math.sqrt(s2 / 3), 8);
  });

  it('errors name the input and the fix', () => {
    const t = diamond(2, 0.1, 3);
    expect(() => relaxStructures({ ...t, species: ['Si', 'Si', 'Ge', 'Si', 'Si', 'Si', 'Si', 'Si'] })).toThrow(
      /relaxStructures: atom 2 is 'Ge', which the potential 'stillinger-weber-si' does not know \(it covers Si\)/,
    );
    const overlap = Float64Array.from(t.positions);
    overlap.copyWithin(24 + 15, 24 + 3, 24 + 6); // frame 1: atom 5 on top of atom 1
    expect(() => relaxStructures({ ...t, positions: overlap })).toThrow(/relaxStructures: frame 1: .*atoms 1 and 5 overlap \(distance 0 Å\)/);
    expect(() => relaxStructures(t, { fmax: 0 })).toThrow(/options\.fmax = 0; expected a force in eV\/Å > 0/);
    expect(() => relaxStructures(t, { maxSteps: 1.5 })).toThrow(/options\.maxSteps = 1\.5; expected an integer >= 1/);
    expect(() => relaxStructures({ ...t, nFrames: 0, positions: new Float64Array(0), info: [] })).toThrow(/relaxStructures: the trajectory is empty/);
    const controller = new AbortController();
    expect(() => relaxStructures(t, { signal: controller.signal, onProgress: () => controller.abort() })).toThrow(/aborted after 1 of 2 frames/);
  });
});
