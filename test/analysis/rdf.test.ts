/**
 * radialDistribution beyond the reference files: every periodic image against
 * ASE's neighbour list (triclinic, rMax beyond the cell, mixed pbc, partials,
 * no cell), the normalisation formulas, invariances, frame selection, bad input.
 */
import { describe, expect, it } from 'vitest';
import { radialDistribution } from '../../src/analysis';
import type { Cell, Pbc, Trajectory } from '../../src/structure/trajectory';
import { ASE_NEIGHBORS, aseMissing, python, rng } from './python';

interface Peer { i: number[]; j: number[]; d: number[] }

function randomTrajectory(cell: Cell | null, pbc: Pbc, species: string[], nFrames: number, seed: number, box = 6): Trajectory {
  const rand = rng(seed);
  const n = species.length;
  const positions = new Float64Array(nFrames * n * 3);
  for (let k = 0; k < nFrames * n; k++) {
    // Fractional in [-0.3, 1.3): unwrapped coordinates outside the cell too.
    const f = [rand() * 1.6 - 0.3, rand() * 1.6 - 0.3, rand() * 1.6 - 0.3];
    for (let a = 0; a < 3; a++) {
      positions[3 * k + a] = cell === null ? f[a] * box : f[0] * cell[0][a] + f[1] * cell[1][a] + f[2] * cell[2][a];
    }
  }
  return { nFrames, nAtoms: n, positions, cell, pbc, species, info: Array.from({ length: nFrames }, () => ({})) };
}

/** Histogram of ASE's ordered neighbour pairs (i of species a, j of species b). */
function asePairs(t: Trajectory, rMax: number): Peer[] {
  const frames: number[][] = [];
  for (let f = 0; f < t.nFrames; f++) frames.push(Array.from(t.positions.subarray(f * t.nAtoms * 3, (f + 1) * t.nAtoms * 3)));
  return python<Peer[]>(ASE_NEIGHBORS, {
    frames, species: t.species, cell: t.cell ?? [[0, 0, 0], [0, 0, 0], [0, 0, 0]], pbc: t.pbc, cutoff: rMax,
  });
}

function peerCounts(t: Trajectory, peer: Peer[], rMax: number, nBins: number, pair?: [string, string]): Float64Array {
  const counts = new Float64Array(nBins);
  const same = !pair || pair[0] === pair[1];
  for (const fr of peer) {
    for (let p = 0; p < fr.d.length; p++) {
      if (pair && !(t.species[fr.i[p]] === pair[0] && t.species[fr.j[p]] === pair[1])) continue;
      const k = Math.floor(fr.d[p] / (rMax / nBins));
      if (k < nBins) counts[k] += same ? 0.5 : 1; // unordered pairs for a same-species RDF
    }
  }
  return counts;
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  expect(m).toBeLessThanOrEqual(tol);
}

const triclinic: Cell = [[5.0, 0, 0], [1.7, 4.6, 0], [-1.1, 0.9, 4.4]];
const mixed = ['Si', 'O', 'Si', 'Si', 'O', 'Si', 'O'];

describe.skipIf(aseMissing)('radialDistribution counts every periodic image (peer: ASE neighbor_list)', () => {
  const cases: { name: string; t: Trajectory; rMax: number; nBins: number; volume?: number }[] = [
    { name: 'triclinic, rMax twice the cell', t: randomTrajectory(triclinic, [true, true, true], mixed, 3, 1), rMax: 9.5, nBins: 95 },
    { name: 'triclinic, rMax below half the plane spacing', t: randomTrajectory(triclinic, [true, true, true], mixed, 3, 2), rMax: 2.1, nBins: 21 },
    { name: 'triclinic, periodic along a and c only', t: randomTrajectory(triclinic, [true, false, true], mixed, 3, 3), rMax: 7, nBins: 70 },
    { name: 'triclinic, periodic along b only', t: randomTrajectory(triclinic, [false, true, false], mixed, 2, 4), rMax: 8, nBins: 40 },
    { name: 'orthorhombic, rMax < L/2', t: randomTrajectory([[6, 0, 0], [0, 7, 0], [0, 0, 8]], [true, true, true], mixed, 3, 5), rMax: 2.9, nBins: 29 },
    {
      name: 'orthorhombic, 60 atoms, rMax < 0.4 L (sorted-window path)',
      t: randomTrajectory([[10, 0, 0], [0, 11, 0], [0, 0, 12]], [true, true, true], Array.from({ length: 60 }, (_, i) => (i % 3 ? 'Si' : 'O')), 2, 13),
      rMax: 4.3, nBins: 43,
    },
    { name: 'orthorhombic, L/2 < rMax <= L', t: randomTrajectory([[6, 0, 0], [0, 7, 0], [0, 0, 8]], [true, true, true], mixed, 3, 6), rMax: 5.5, nBins: 55 },
    { name: 'orthorhombic, rMax > 2L', t: randomTrajectory([[4, 0, 0], [0, 5, 0], [0, 0, 6]], [true, true, true], mixed, 2, 7), rMax: 13, nBins: 65 },
    { name: 'orthorhombic slab (pbc T T F)', t: randomTrajectory([[4, 0, 0], [0, 5, 0], [0, 0, 6]], [true, true, false], mixed, 2, 8), rMax: 9, nBins: 45 },
    { name: 'no cell (molecule)', t: randomTrajectory(null, [false, false, false], mixed, 3, 9), rMax: 6, nBins: 30, volume: 216 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const total = radialDistribution(c.t, { rMax: c.rMax, nBins: c.nBins, volume: c.volume });
      const peer = asePairs(c.t, c.rMax);
      const expected = peerCounts(c.t, peer, c.rMax, c.nBins);
      expect(expected.reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
      expectClose(total.counts, expected, 1e-9);
      for (const pair of [['Si', 'O'], ['O', 'O']] as [string, string][]) {
        const partial = radialDistribution(c.t, { rMax: c.rMax, nBins: c.nBins, species: pair, volume: c.volume });
        expectClose(partial.counts, peerCounts(c.t, peer, c.rMax, c.nBins, pair), 1e-9);
      }
    });
  }
});

describe('radialDistribution normalisation', () => {
  const t = randomTrajectory(triclinic, [true, true, true], mixed, 4, 11);
  const V = 5.0 * 4.6 * 4.4; // determinant of the lower-triangular cell
  const opts = { rMax: 7, nBins: 35 };
  const shell = (k: number, dr: number) => (4 / 3) * Math.PI * (((k + 1) * dr) ** 3 - (k * dr) ** 3);

  it('lammps: g_k = 2 n_k / (N (N-1) V_k / V) per frame; ase = lammps (N-1)/N; mdanalysis = lammps', () => {
    const l = radialDistribution(t, opts);
    const a = radialDistribution(t, { ...opts, normalization: 'ase' });
    const m = radialDistribution(t, { ...opts, normalization: 'mdanalysis' });
    const N = t.nAtoms;
    expect(l.volume).toBeCloseTo(V, 10);
    for (let k = 0; k < opts.nBins; k++) {
      const expected = (2 * l.counts[k]) / ((N * (N - 1) * shell(k, l.dr)) / V) / t.nFrames;
      expect(l.g[k]).toBeCloseTo(expected, 12);
      expect(a.g[k]).toBeCloseTo((l.g[k] * (N - 1)) / N, 12);
      expect(m.g[k]).toBe(l.g[k]);
    }
  });

  it('partials: N(N-1) g = sum over species pairs of N_a (N_b - δ_ab) g_ab', () => {
    const nSi = mixed.filter((s) => s === 'Si').length, nO = mixed.length - nSi, N = mixed.length;
    const tot = radialDistribution(t, opts).g;
    const ss = radialDistribution(t, { ...opts, species: ['Si', 'Si'] }).g;
    const oo = radialDistribution(t, { ...opts, species: ['O', 'O'] }).g;
    const so = radialDistribution(t, { ...opts, species: ['Si', 'O'] }).g;
    const os = radialDistribution(t, { ...opts, species: ['O', 'Si'] }).g;
    for (let k = 0; k < opts.nBins; k++) {
      expect(so[k]).toBeCloseTo(os[k], 12);
      const sum = nSi * (nSi - 1) * ss[k] + nO * (nO - 1) * oo[k] + 2 * nSi * nO * so[k];
      expect(N * (N - 1) * tot[k]).toBeCloseTo(sum, 9);
    }
  });

  it('a single-species partial equals the total RDF', () => {
    const si = randomTrajectory([[6, 0, 0], [0, 6, 0], [0, 0, 6]], [true, true, true], Array(8).fill('Si'), 2, 12);
    expect(radialDistribution(si, { rMax: 5, nBins: 50, species: ['Si', 'Si'] }).g).toEqual(radialDistribution(si, { rMax: 5, nBins: 50 }).g);
  });

  it('two atoms without a cell: one pair in one bin, scaled by the given volume', () => {
    const t2: Trajectory = {
      nFrames: 1, nAtoms: 2, positions: Float64Array.from([0, 0, 0, 1.0, 2.0, 2.0]), cell: null,
      pbc: [false, false, false], species: ['Si', 'Si'], info: [{}],
    };
    const res = radialDistribution(t2, { rMax: 4, nBins: 8, volume: 100 });
    expect(Array.from(res.counts)).toEqual([0, 0, 0, 0, 0, 0, 1, 0]); // r = 3 -> bin [3, 3.5)
    expect(res.g[6]).toBeCloseTo(2 / ((2 * 1 * shell(6, 0.5)) / 100), 12);
    expect(res.r[6]).toBe(3.25);
    expect(res.edges[8]).toBe(4);
  });
});

describe('radialDistribution invariances', () => {
  it('rotating an orthorhombic system (general triclinic path) changes nothing', () => {
    const cell: Cell = [[5, 0, 0], [0, 6, 0], [0, 0, 7]];
    const t = randomTrajectory(cell, [true, true, true], Array(9).fill('Si'), 3, 21);
    const c = Math.cos(0.7), s = Math.sin(0.7), c2 = Math.cos(0.3), s2 = Math.sin(0.3);
    // R = Rz(0.7) Rx(0.3), applied to row vectors: v' = v R^T
    const R = [[c, -s * c2, s * s2], [s, c * c2, -c * s2], [0, s2, c2]];
    const rot = (v: number[]): [number, number, number] => [0, 1, 2].map((i) => R[i][0] * v[0] + R[i][1] * v[1] + R[i][2] * v[2]) as [number, number, number];
    const positions = new Float64Array(t.positions.length);
    for (let k = 0; k < t.positions.length; k += 3) positions.set(rot([t.positions[k], t.positions[k + 1], t.positions[k + 2]]), k);
    const tr: Trajectory = { ...t, positions, cell: [rot(cell[0]), rot(cell[1]), rot(cell[2])] };
    for (const rMax of [2.4, 4.5, 6.5, 15]) {
      const a = radialDistribution(t, { rMax, nBins: 30 });
      const b = radialDistribution(tr, { rMax, nBins: 30 });
      expectClose(b.counts, a.counts, 0);
      expectClose(b.g, a.g, 1e-9);
    }
  });

  it('diamond silicon: the 2-atom triclinic primitive cell, the 8-atom cube and a 2x2x2 supercell agree (ASE convention)', () => {
    const a0 = 5.431;
    const basis = [[0, 0, 0], [0.25, 0.25, 0.25]];
    const fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]];
    const conv: number[] = [];
    for (const f of fcc) for (const b of basis) conv.push((f[0] + b[0]) * a0, (f[1] + b[1]) * a0, (f[2] + b[2]) * a0);
    const make = (positions: number[], cell: Cell): Trajectory => ({
      nFrames: 1, nAtoms: positions.length / 3, positions: Float64Array.from(positions), cell, pbc: [true, true, true],
      species: Array(positions.length / 3).fill('Si'), info: [{}],
    });
    const cube = make(conv, [[a0, 0, 0], [0, a0, 0], [0, 0, a0]]);
    const prim = make([0, 0, 0, a0 / 4, a0 / 4, a0 / 4], [[0, a0 / 2, a0 / 2], [a0 / 2, 0, a0 / 2], [a0 / 2, a0 / 2, 0]]);
    const sup: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) {
      for (let p = 0; p < conv.length; p += 3) sup.push(conv[p] + i * a0, conv[p + 1] + j * a0, conv[p + 2] + k * a0);
    }
    const big = make(sup, [[2 * a0, 0, 0], [0, 2 * a0, 0], [0, 0, 2 * a0]]);
    // Bins chosen so that no shell distance (a0 sqrt(3)/4 sqrt(m)) sits on an edge.
    const opts = { rMax: 9.03, nBins: 43, normalization: 'ase' as const };
    const gc = radialDistribution(cube, opts), gp = radialDistribution(prim, opts), gb = radialDistribution(big, opts);
    expectClose(gp.g, gc.g, 1e-9);
    expectClose(gb.g, gc.g, 1e-9);
    // First shell: 4 neighbours at a0 sqrt(3)/4 = 2.3517 Å, per atom -> 2 unordered pairs per atom.
    const k1 = Math.floor(((a0 * Math.sqrt(3)) / 4) / gc.dr);
    expect(gp.counts[k1]).toBe(4);
    expect(gc.counts[k1]).toBe(16);
    let below = 0;
    for (let k = 0; k < k1; k++) below += gc.counts[k];
    expect(below).toBe(0);
  });
});

describe('radialDistribution frame selection', () => {
  const t = randomTrajectory([[6, 0, 0], [0, 6, 0], [0, 0, 6]], [true, true, true], Array(6).fill('Si'), 10, 31);
  const sub = (frames: number[]): Trajectory => {
    const n = t.nAtoms * 3;
    const positions = new Float64Array(frames.length * n);
    frames.forEach((f, i) => positions.set(t.positions.subarray(f * n, (f + 1) * n), i * n));
    return { ...t, nFrames: frames.length, positions, info: frames.map(() => ({})) };
  };
  const opts = { rMax: 5, nBins: 25 };

  it('indices, negative indices and slices select the same frames as a sub-trajectory', () => {
    const ref = radialDistribution(sub([1, 4, 9]), opts);
    expect(radialDistribution(t, { ...opts, frames: [1, 4, -1] }).g).toEqual(ref.g);
    expect(radialDistribution(t, { ...opts, frames: { start: 2, stop: 8, step: 3 } }).g).toEqual(radialDistribution(sub([2, 5]), opts).g);
    expect(radialDistribution(t, { ...opts, frames: { start: -3 } }).nFrames).toBe(3);
  });

  it('the average over frames is the mean of per-frame g', () => {
    const all = radialDistribution(t, opts);
    const mean = new Float64Array(opts.nBins);
    for (let f = 0; f < t.nFrames; f++) {
      const g = radialDistribution(t, { ...opts, frames: [f] }).g;
      for (let k = 0; k < opts.nBins; k++) mean[k] += g[k] / t.nFrames;
    }
    expectClose(all.g, mean, 1e-12);
  });
});

describe('radialDistribution rejects bad input with the parameter named', () => {
  const t = randomTrajectory([[6, 0, 0], [0, 6, 0], [0, 0, 6]], [true, true, true], ['Si', 'Si', 'O'], 2, 41);
  const cases: [string, () => unknown, RegExp][] = [
    ['rMax = 0', () => radialDistribution(t, { rMax: 0, nBins: 10 }), /options\.rMax = 0.*> 0/],
    ['rMax < 0', () => radialDistribution(t, { rMax: -1, nBins: 10 }), /options\.rMax = -1/],
    ['rMax NaN', () => radialDistribution(t, { rMax: NaN, nBins: 10 }), /options\.rMax = NaN/],
    ['nBins = 0', () => radialDistribution(t, { rMax: 4, nBins: 0 }), /options\.nBins = 0.*integer >= 1/],
    ['nBins fractional', () => radialDistribution(t, { rMax: 4, nBins: 2.5 }), /options\.nBins = 2\.5/],
    ['unknown species', () => radialDistribution(t, { rMax: 4, nBins: 10, species: ['Si', 'C'] }), /options\.species\[1\] = 'C'.*species are: Si, O/],
    ['species not a pair', () => radialDistribution(t, { rMax: 4, nBins: 10, species: ['Si'] as unknown as [string, string] }), /options\.species/],
    ['normalization', () => radialDistribution(t, { rMax: 4, nBins: 10, normalization: 'gromacs' as 'ase' }), /options\.normalization = gromacs/],
    ['empty trajectory', () => radialDistribution({ ...t, nFrames: 0, positions: new Float64Array(0), info: [] }, { rMax: 4, nBins: 10 }), /empty.*nFrames = 0/],
    ['positions length', () => radialDistribution({ ...t, positions: new Float64Array(5) }, { rMax: 4, nBins: 10 }), /positions has 5 numbers; expected/],
    ['NaN coordinate', () => {
      const p = Float64Array.from(t.positions);
      p[3 * 3 + 1] = NaN;
      return radialDistribution({ ...t, positions: p }, { rMax: 4, nBins: 10 });
    }, /NaN at frame 1, atom 0, axis y/],
    ['no cell, no volume', () => radialDistribution({ ...t, cell: null, pbc: [false, false, false] }, { rMax: 4, nBins: 10 }), /options\.volume is required/],
    ['volume <= 0', () => radialDistribution(t, { rMax: 4, nBins: 10, volume: 0 }), /options\.volume = 0/],
    ['frame out of range', () => radialDistribution(t, { rMax: 4, nBins: 10, frames: [2] }), /options\.frames\[0\] = 2.*\[-2, 1\]/],
    ['empty frame slice', () => radialDistribution(t, { rMax: 4, nBins: 10, frames: { start: 5 } }), /selects no frame/],
    ['flat cell', () => radialDistribution({ ...t, cell: [[1, 0, 0], [2, 0, 0], [0, 0, 1]] }, { rMax: 4, nBins: 10 }), /linearly dependent/],
  ];
  for (const [name, fn, msg] of cases) {
    it(name, () => {
      expect(fn).toThrow(msg);
      expect(fn).toThrow(/^radialDistribution: /);
    });
  }
});
