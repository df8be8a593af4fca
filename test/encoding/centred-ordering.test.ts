/**
 * The translation-invariant orderings of `GroupedEncoding` ('centred': shells
 * about a pivot atom moved to the centre of the cell; 'grown': breadth-first
 * growth from it), checked against brute-force periodic-image searches written
 * here (27 images, independent of the package's minimum-image kernel): the
 * order does not change when the frame is translated or its atoms are listed
 * in another order; the canonical pivot is the most compact atom; augmentation
 * (random pivot, cubic operation about it) keeps every pair distance; decoding
 * the tokens gives the structure back up to a translation.
 */
import { describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { AxisProjectionEncoder, GroupedEncoding, type FrameGroups } from '../../src/encoding/index.js';
import type { Cell, Trajectory } from '../../src/structure/trajectory.js';
import { rng as mulberry32 } from '../support/rng.js';

const L = 7.5;
const N = 14;
const G = 60;
const CELL: Cell = [[L, 0, 0], [0, L, 0], [0, 0, L]];

/** Brute-force periodic distance: the shortest of the 27 images. */
function dist(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  let best = Infinity;
  for (let sx = -1; sx <= 1; sx++) {
    for (let sy = -1; sy <= 1; sy++) {
      for (let sz = -1; sz <= 1; sz++) {
        const dx = (((b[3 * j]! - a[3 * i]!) % L) + L) % L + sx * L;
        const dy = (((b[3 * j + 1]! - a[3 * i + 1]!) % L) + L) % L + sy * L;
        const dz = (((b[3 * j + 2]! - a[3 * i + 2]!) % L) + L) % L + sz * L;
        best = Math.min(best, Math.hypot(dx, dy, dz));
      }
    }
  }
  return best;
}

/** Random structures: atoms at least 1.2 Å apart (rejection), `nFrames` of them. */
function structures(nFrames: number, seed: number, species?: string[]): Trajectory {
  const rand = mulberry32(seed);
  const pos = new Float64Array(nFrames * N * 3);
  for (let f = 0; f < nFrames; f++) {
    const o = f * N * 3;
    for (let i = 0; i < N; i++) {
      for (;;) {
        for (let a = 0; a < 3; a++) pos[o + 3 * i + a] = rand() * L;
        let ok = true;
        for (let j = 0; j < i && ok; j++) if (dist(pos.subarray(o), i, pos.subarray(o), j) < 1.2) ok = false;
        if (ok) break;
      }
    }
  }
  return {
    nFrames,
    nAtoms: N,
    positions: pos,
    cell: CELL,
    pbc: [true, true, true],
    species: species ?? Array.from({ length: N }, () => 'Si'),
    info: Array.from({ length: nFrames }, () => ({})),
  };
}

const oneGroup = (t: Trajectory): FrameGroups => ({ names: ['all'], groupOf: new Int32Array(t.nFrames) });

/** Frame `f` of `t` as flat xyz. */
const frameOf = (t: Trajectory, f: number): Float64Array => Float64Array.from(t.positions.subarray(f * N * 3, (f + 1) * N * 3));

/** Sorted pair distances of flat xyz. */
function pairDistances(xyz: ArrayLike<number>): number[] {
  const d: number[] = [];
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) d.push(dist(xyz, i, xyz, j));
  return d.sort((a, b) => a - b);
}

/** The atom whose 4 nearest neighbours are closest in sum (brute force). */
function compactAtom(xyz: ArrayLike<number>): number {
  let best = -1, bestScore = Infinity;
  for (let i = 0; i < N; i++) {
    const d: number[] = [];
    for (let j = 0; j < N; j++) if (j !== i) d.push(dist(xyz, i, xyz, j));
    d.sort((a, b) => a - b);
    const s = d[0]! + d[1]! + d[2]! + d[3]!;
    if (s < bestScore) [best, bestScore] = [i, s];
  }
  return best;
}

/** Which atom of `xyz` sits at `row`'s ordered position `k` (brute force, by position up to the translation of row 0). */
function matchAtoms(row: ArrayLike<number>, xyz: ArrayLike<number>, pivot: number, tol: number): number[] | null {
  const shift = [0, 1, 2].map((a) => row[a]! - xyz[3 * pivot + a]!);
  const moved = Float64Array.from(xyz, (v, j) => v + shift[j % 3]!);
  const used = new Set<number>();
  const out: number[] = [];
  for (let k = 0; k < N; k++) {
    let hit = -1;
    for (let i = 0; i < N && hit < 0; i++) if (!used.has(i) && dist(row, k, moved, i) < tol) hit = i;
    if (hit < 0) return null;
    used.add(hit);
    out.push(hit);
  }
  return out;
}

describe.each(['centred', 'grown'] as const)("ordering '%s'", (ordering) => {
  const t = structures(6, 11);
  const enc = AxisProjectionEncoder.fit(t, { gridSize: G });
  const T = enc.sequenceLength;
  const w = L / G;
  const grouped = new GroupedEncoding(enc, t, oneGroup(t), { ordering });
  const coords = grouped.encode();

  it('puts the canonical pivot (the most compact atom) first, in the grid cell at the centre of the cell', () => {
    const cells = enc.tokenCells(coords);
    for (let f = 0; f < t.nFrames; f++) {
      for (let a = 0; a < 3; a++) {
        expect(cells[f * T + a]).toBe(G / 2);
        expect(coords[f * T + a]).toBeCloseTo((G / 2 + 0.5) * w, 5);
      }
      const order = matchAtoms(coords.subarray(f * T, (f + 1) * T), frameOf(t, f), compactAtom(frameOf(t, f)), 1e-4);
      expect(order).not.toBeNull();
      expect(order![0]).toBe(compactAtom(frameOf(t, f)));
    }
  });

  it(ordering === 'centred' ? 'orders the atoms by minimum-image distance from the pivot' : 'adds each time the unplaced atom nearest to the placed ones', () => {
    for (let f = 0; f < t.nFrames; f++) {
      const row = coords.subarray(f * T, (f + 1) * T);
      if (ordering === 'centred') {
        for (let k = 1; k < N; k++) expect(dist(row, k, row, 0)).toBeGreaterThanOrEqual(dist(row, k - 1, row, 0) - 1e-5);
      } else {
        // Prim's property: atom k is at least as near to atoms 0..k-1 as any later atom
        const toPlaced = (i: number, k: number): number => Math.min(...Array.from({ length: k }, (_, j) => dist(row, i, row, j)));
        for (let k = 1; k < N; k++) {
          for (let i = k + 1; i < N; i++) expect(toPlaced(k, k)).toBeLessThanOrEqual(toPlaced(i, k) + 1e-5);
        }
      }
    }
  });

  it('does not change when the frame is translated (periodically) or its atoms are listed in another order', () => {
    const rand = mulberry32(5);
    const moved = new Float64Array(t.positions.length);
    for (let f = 0; f < t.nFrames; f++) {
      const perm = Array.from({ length: N }, (_, i) => i).sort(() => rand() - 0.5);
      const shift = [rand() * 3 * L - L, rand() * 3 * L - L, rand() * 3 * L - L];
      for (let i = 0; i < N; i++) {
        for (let a = 0; a < 3; a++) moved[f * N * 3 + 3 * i + a] = t.positions[f * N * 3 + 3 * perm[i]! + a]! + shift[a]!;
      }
    }
    const t2: Trajectory = { ...t, positions: moved };
    const again = new GroupedEncoding(enc, t2, oneGroup(t2), { ordering }).encode();
    for (let j = 0; j < coords.length; j++) expect(again[j]).toBeCloseTo(coords[j]!, 4);
    // the permutation really moved atoms, and the translation really moved them (else the test shows nothing)
    expect(Array.from(moved.subarray(0, 3))).not.toEqual(Array.from(t.positions.subarray(0, 3)));
  });

  it('round trip: the decoded grid cells are the structure, up to a translation, within half a cell per axis', () => {
    const cells = enc.tokenCells(coords);
    const decoded = Float64Array.from(cells, (c, j) => enc.decode(c, j % 3));
    for (let f = 0; f < t.nFrames; f++) {
      const xyz = frameOf(t, f);
      const pivot = compactAtom(xyz);
      const row = decoded.subarray(f * T, (f + 1) * T);
      // the pivot sits on its cell centre, so every other atom is off by at most half a cell width per axis
      const order = matchAtoms(row, xyz, pivot, (Math.sqrt(3) / 2) * w + 1e-5);
      expect(order).not.toBeNull();
      expect(new Set(order).size).toBe(N);
    }
  });

  it('augmentation: a random pivot and cubic operation per frame, seeded, every pair distance kept', () => {
    const aug = new GroupedEncoding(enc, t, oneGroup(t), { ordering, augment: { translate: true, symmetry: true } });
    const a = aug.encode(undefined, xoroshiro128plus(3));
    const b = aug.encode(undefined, xoroshiro128plus(3));
    expect(Array.from(a)).toEqual(Array.from(b));
    const pivots = new Set<number>();
    const many = aug.encode(new Int32Array(12), xoroshiro128plus(100)); // frame 0, twelve times
    for (let s = 0; s < 12; s++) {
      const c = many.subarray(s * T, (s + 1) * T);
      expect(pairDistances(c).map((d) => d.toFixed(4))).toEqual(pairDistances(frameOf(t, 0)).map((d) => d.toFixed(4)));
      expect(Array.from(c.subarray(0, 3)).map((v) => v.toFixed(5))).toEqual(Array.from(coords.subarray(0, 3)).map((v) => v.toFixed(5)));
      // which atom is the pivot: the one whose distances to the others match atom 0's in the row
      const d0 = Array.from({ length: N - 1 }, (_, k) => dist(c, 0, c, k + 1)).sort((x, y) => x - y);
      const xyz = frameOf(t, 0);
      for (let i = 0; i < N; i++) {
        const di = Array.from({ length: N }, (_, j) => dist(xyz, i, xyz, j)).filter((_, j) => j !== i).sort((x, y) => x - y);
        if (di.every((v, k) => Math.abs(v - d0[k]!) < 1e-4)) pivots.add(i);
      }
    }
    expect(pivots.size).toBeGreaterThan(3);
    // translations only (no cubic operation): still a random pivot
    const tr = new GroupedEncoding(enc, t, oneGroup(t), { ordering, augment: { translate: true, symmetry: false } });
    expect(Array.from(tr.encode(undefined, xoroshiro128plus(1)))).not.toEqual(Array.from(coords));
    // without a random source: the canonical encoding
    expect(Array.from(aug.encode())).toEqual(Array.from(coords));
  });

  it('with species first: the pivot is of the first species and every frame has the same species sequence', () => {
    const species = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 'Si' : 'O'));
    const two = structures(4, 12, species);
    const e2 = AxisProjectionEncoder.fit(two, { gridSize: G, speciesFirst: true });
    const g2 = new GroupedEncoding(e2, two, oneGroup(two), { ordering, augment: { translate: true, symmetry: true } });
    expect(() => g2.encode()).not.toThrow();
    expect(() => g2.encode(undefined, xoroshiro128plus(2))).not.toThrow();
    const c = g2.encode();
    expect(e2.orderedSpecies[0]).toBe('O');
    for (let f = 0; f < two.nFrames; f++) for (let a = 0; a < 3; a++) expect(e2.cellOf(c[f * 3 * N + a]!, a)).toBe(G / 2);
  });
});

describe('centred orderings: errors', () => {
  it('names a non-periodic axis and an unknown ordering', () => {
    const t = structures(2, 3);
    const slab: Trajectory = { ...t, pbc: [true, true, false] };
    const eSlab = AxisProjectionEncoder.fit(slab, { gridSize: G });
    expect(() => new GroupedEncoding(eSlab, slab, oneGroup(slab), { ordering: 'centred' })).toThrow(/ordering 'centred'.*z is not periodic.*use ordering 'frame' or 'group'/);
    expect(() => new GroupedEncoding(eSlab, slab, oneGroup(slab), { ordering: 'grown' })).toThrow(/ordering 'grown'.*z is not periodic/);
    const enc = AxisProjectionEncoder.fit(t, { gridSize: G });
    expect(() => new GroupedEncoding(enc, t, oneGroup(t), { ordering: 'center' as 'centred' })).toThrow(/ordering must be 'group'.*'frame'.*'centred'.*'grown'.*got "center"/);
  });
});
