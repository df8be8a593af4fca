/**
 * The one minimum-image kernel (src/structure/images.ts) against brute force
 * over every lattice image that can matter, for skewed and unreduced cells,
 * tilted slabs and wires; and the layers that use it (the resampler's
 * PairMetric, minimumDistances, the neighbour list through coordinationNumbers)
 * against the same brute force.
 */
import { describe, expect, it } from 'vitest';
import { MinimumImage, type Cell, type Pbc, type Trajectory } from '../../src/structure/index.js';
import { reduceLattice } from '../../src/structure/images.js';
import { PairMetric } from '../../src/sampling/index.js';
import { coordinationNumbers, minimumDistances } from '../../src/analysis/index.js';
import { rng } from '../support/rng.js';


const det3 = (c: number[][]): number =>
  c[0][0] * (c[1][1] * c[2][2] - c[1][2] * c[2][1]) -
  c[0][1] * (c[1][0] * c[2][2] - c[1][2] * c[2][0]) +
  c[0][2] * (c[1][0] * c[2][1] - c[1][1] * c[2][0]);

const cross = (a: number[], b: number[]): number[] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const norm = (a: number[]): number => Math.hypot(a[0], a[1], a[2]);

/**
 * Bound on the image index along each periodic vector: the nearest image v = d + n·C
 * has |v| <= |d|, so |n·C| <= 2|d| and |n_i| <= 2|d| / (plane spacing i), the
 * spacing taken in the lattice of the periodic vectors only.
 */
function indexBounds(cell: Cell, pbc: Pbc, reach: number): number[] {
  const per = [0, 1, 2].filter((i) => pbc[i]);
  return [0, 1, 2].map((i) => {
    if (!pbc[i]) return 0;
    let spacing: number;
    if (per.length === 3) spacing = Math.abs(det3(cell)) / norm(cross(cell[(i + 1) % 3], cell[(i + 2) % 3]));
    else if (per.length === 2) {
      const j = per.find((k) => k !== i)!;
      spacing = norm(cross(cell[i], cell[j])) / norm(cell[j]);
    } else spacing = norm(cell[i]);
    return Math.ceil((2 * reach) / spacing) + 1;
  });
}

/** Brute force: the shortest |d + n·C| over every image index within the bounds. */
function bruteForce2(cell: Cell, pbc: Pbc, d: number[]): number {
  const [na, nb, nc] = indexBounds(cell, pbc, norm(d));
  let best = Infinity;
  for (let a = -na; a <= na; a++) {
    for (let b = -nb; b <= nb; b++) {
      for (let c = -nc; c <= nc; c++) {
        const x = d[0] + a * cell[0][0] + b * cell[1][0] + c * cell[2][0];
        const y = d[1] + a * cell[0][1] + b * cell[1][1] + c * cell[2][1];
        const z = d[2] + a * cell[0][2] + b * cell[1][2] + c * cell[2][2];
        const s = x * x + y * y + z * z;
        if (s < best) best = s;
      }
    }
  }
  return best;
}

/** A point inside the cell (random fractional coordinates), plus `spread` Å of noise off the periodic axes. */
function pointIn(cell: Cell, r: () => number): number[] {
  const f = [r(), r(), r()];
  return [0, 1, 2].map((k) => f[0] * cell[0][k] + f[1] * cell[1][k] + f[2] * cell[2][k]);
}

/** The old resampler metric: round in fractional coordinates, then search only the ±1 neighbours. */
function roundingPlusOne2(cell: Cell, pbc: Pbc, d: number[]): number {
  const det = det3(cell);
  const [a, b, c] = cell;
  const m = [
    (b[1] * c[2] - b[2] * c[1]) / det, (a[2] * c[1] - a[1] * c[2]) / det, (a[1] * b[2] - a[2] * b[1]) / det,
    (b[2] * c[0] - b[0] * c[2]) / det, (a[0] * c[2] - a[2] * c[0]) / det, (a[2] * b[0] - a[0] * b[2]) / det,
    (b[0] * c[1] - b[1] * c[0]) / det, (a[1] * c[0] - a[0] * c[1]) / det, (a[0] * b[1] - a[1] * b[0]) / det,
  ];
  const f = [0, 1, 2].map((k) => {
    const v = d[0] * m[k] + d[1] * m[3 + k] + d[2] * m[6 + k];
    return pbc[k] ? v - Math.round(v) : v;
  });
  let best = Infinity;
  for (let i = pbc[0] ? -1 : 0; i <= (pbc[0] ? 1 : 0); i++) {
    for (let j = pbc[1] ? -1 : 0; j <= (pbc[1] ? 1 : 0); j++) {
      for (let k = pbc[2] ? -1 : 0; k <= (pbc[2] ? 1 : 0); k++) {
        const u = [f[0] + i, f[1] + j, f[2] + k];
        const x = u[0] * a[0] + u[1] * b[0] + u[2] * c[0];
        const y = u[0] * a[1] + u[1] * b[1] + u[2] * c[1];
        const z = u[0] * a[2] + u[1] * b[2] + u[2] * c[2];
        best = Math.min(best, x * x + y * y + z * z);
      }
    }
  }
  return best;
}

/** Random unimodular integer matrix (det ±1): a product of elementary shears. */
function unimodular(r: () => number, steps: number): number[][] {
  const u = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  for (let s = 0; s < steps; s++) {
    const i = Math.floor(r() * 3);
    const j = (i + 1 + Math.floor(r() * 2)) % 3;
    const k = r() < 0.5 ? -1 : 1;
    for (let c = 0; c < 3; c++) u[i][c] += k * u[j][c];
  }
  return u;
}

function times(u: number[][], cell: number[][]): Cell {
  return [0, 1, 2].map((i) => [0, 1, 2].map((k) => u[i][0] * cell[0][k] + u[i][1] * cell[1][k] + u[i][2] * cell[2][k])) as Cell;
}

/** The cells of the test: the unreduced cell, a strongly tilted slab, random unreduced cells. */
function cases(): { name: string; cell: Cell; pbc: Pbc }[] {
  const r = rng(7);
  const out: { name: string; cell: Cell; pbc: Pbc }[] = [
    { name: 'unreduced [[5,0,0],[9.7,0.4,0],[0,0,5]]', cell: [[5, 0, 0], [9.7, 0.4, 0], [0, 0, 5]], pbc: [true, true, true] },
    { name: 'tilted slab (b tilted 97 Å over 3 Å), pbc xy', cell: [[10, 0, 0], [97, 3, 0], [0, 0, 20]], pbc: [true, true, false] },
    { name: 'tilted slab with a tilted c, pbc xy', cell: [[8, 0, 0], [-40, 5, 0], [3, 4, 15]], pbc: [true, true, false] },
    { name: 'wire along a skew vector, pbc x only', cell: [[6, 2, 1], [0, 9, 0], [0, 0, 9]], pbc: [true, false, false] },
    { name: 'slab periodic along a and c', cell: [[7, 0, 0], [0, 12, 0], [25, 1, 4]], pbc: [true, false, true] },
    { name: 'orthorhombic', cell: [[5, 0, 0], [0, 6, 0], [0, 0, 7]], pbc: [true, true, true] },
  ];
  for (let n = 0; n < 6; n++) {
    const base = [
      [4 + 3 * r(), r() - 0.5, r() - 0.5],
      [r() - 0.5, 4 + 3 * r(), r() - 0.5],
      [r() - 0.5, r() - 0.5, 4 + 3 * r()],
    ];
    const cell = times(unimodular(r, 6 + n), base);
    const pbc: Pbc = n % 3 === 2 ? [true, true, false] : [true, true, true];
    out.push({ name: `random unreduced cell ${n} (pbc ${pbc.map(Number).join('')})`, cell, pbc });
  }
  return out;
}

describe('MinimumImage', () => {
  for (const { name, cell, pbc } of cases()) {
    it(`nearest image equals brute force over all images: ${name}`, () => {
      const mi = new MinimumImage(cell, pbc);
      const r = rng(11);
      const out = new Float64Array(3);
      for (let k = 0; k < 60; k++) {
        const p = pointIn(cell, r), q = pointIn(cell, r);
        // off the periodic axes a little too (atoms outside the cell)
        const d = [q[0] - p[0] + 3 * (r() - 0.5), q[1] - p[1] + 3 * (r() - 0.5), q[2] - p[2] + 3 * (r() - 0.5)];
        const ref = bruteForce2(cell, pbc, d);
        expect(mi.distance2(d[0], d[1], d[2])).toBeCloseTo(ref, 9);
        // displacement(): the same length, and the vector is d plus a lattice translation along periodic axes only
        const s = mi.displacement(d[0], d[1], d[2], out);
        expect(s).toBeCloseTo(ref, 9);
        expect(out[0] ** 2 + out[1] ** 2 + out[2] ** 2).toBeCloseTo(ref, 9);
        const t = [out[0] - d[0], out[1] - d[1], out[2] - d[2]];
        const n = solve(cell, t);
        for (let a = 0; a < 3; a++) {
          expect(Math.abs(n[a] - Math.round(n[a])), `image index ${a} is an integer`).toBeLessThan(1e-6);
          if (!pbc[a]) expect(Math.abs(n[a]), `no translation along non-periodic axis ${a}`).toBeLessThan(1e-6);
        }
      }
    });
  }

  it('the brute force check can fail: rounding plus ±1 images is wrong for the unreduced cell and the tilted slab', () => {
    const [unreduced, slab] = cases();
    // measured: 383 of 500 pairs too long (by up to 0.43 Å) in the unreduced cell, 385 of 500 (up to 36 Å) in the slab
    for (const [{ cell, pbc }, minWrong, minWorst] of [[unreduced, 100, 0.1], [slab, 50, 10]] as const) {
      const r = rng(3);
      let wrong = 0;
      let worst = 0;
      for (let k = 0; k < 500; k++) {
        const p = pointIn(cell, r), q = pointIn(cell, r);
        const d = [q[0] - p[0], q[1] - p[1], q[2] - p[2]];
        const ref = Math.sqrt(bruteForce2(cell, pbc, d));
        const naive = Math.sqrt(roundingPlusOne2(cell, pbc, d));
        if (naive > ref + 1e-9) wrong++;
        worst = Math.max(worst, naive - ref);
        expect(Math.sqrt(new PairMetric(cell, pbc).distance2([...p, ...q], 0, 1))).toBeCloseTo(ref, 9);
      }
      expect(wrong).toBeGreaterThan(minWrong);
      expect(worst).toBeGreaterThan(minWorst);
    }
  });

  it('no periodicity (cell null or all pbc false) gives Euclidean distances', () => {
    const a = new MinimumImage(null, [true, true, true]);
    expect(a.periodic).toBe(false);
    expect(a.distance2(30, -40, 0)).toBe(2500);
    const b = new MinimumImage([[5, 0, 0], [9.7, 0.4, 0], [0, 0, 5]], [false, false, false]);
    expect(b.distance2(30, -40, 0)).toBeCloseTo(2500, 9);
  });

  it('reduces the unreduced cell to its short vectors and keeps the lattice', () => {
    const cell = [[5, 0, 0], [9.7, 0.4, 0], [0, 0, 5]] as [number, number, number][];
    const red = reduceLattice(cell.map((v) => [...v] as [number, number, number]));
    const lengths = red.map(norm).sort((x, y) => x - y);
    expect(lengths[0]).toBeCloseTo(0.5, 9); // 9.7,0.4 - 2*(5,0) = (-0.3, 0.4)
    // Same lattice: each reduced vector has integer coordinates in the old basis, and the volume is kept.
    for (const v of red) for (const n of solve(cell as Cell, v)) expect(Math.abs(n - Math.round(n))).toBeLessThan(1e-9);
    expect(Math.abs(det3(red))).toBeCloseTo(Math.abs(det3(cell)), 9);
  });

  it('rejects a zero periodic vector and dependent periodic vectors, naming the caller', () => {
    expect(() => new MinimumImage([[5, 0, 0], [0, 0, 0], [0, 0, 5]], [true, true, true])).toThrow(/MinimumImage: .*cell\[1\] is a zero vector/);
    expect(() => new PairMetric([[5, 0, 0], [10, 0, 0], [0, 0, 5]], [true, true, true])).toThrow(/PairMetric: .*linearly dependent/);
  });
});

/** Solves n · cell = t for n (row-vector lattice). */
function solve(cell: Cell, t: number[]): number[] {
  const det = det3(cell);
  const [a, b, c] = cell;
  return [0, 1, 2].map((i) => {
    const rows = [a, b, c].map((v) => [...v]);
    rows[i] = t;
    return det3(rows) / det;
  });
}

describe('layers that use the kernel, on skewed cells', () => {
  function trajectoryIn(cell: Cell, pbc: Pbc, nAtoms: number, nFrames: number, seed: number): Trajectory {
    const r = rng(seed);
    const positions = new Float64Array(nFrames * nAtoms * 3);
    for (let f = 0; f < nFrames; f++) for (let i = 0; i < nAtoms; i++) positions.set(pointIn(cell, r), (f * nAtoms + i) * 3);
    return {
      nFrames, nAtoms, positions, cell, pbc,
      species: new Array(nAtoms).fill('Si'),
      info: Array.from({ length: nFrames }, () => ({})),
    };
  }

  it('minimumDistances equals the brute-force minimum over pairs and own images', () => {
    for (const { cell, pbc } of cases().slice(0, 5)) {
      const t = trajectoryIn(cell, pbc, 6, 8, 5);
      const got = minimumDistances(t);
      for (let f = 0; f < t.nFrames; f++) {
        let best = Infinity;
        const x = (i: number) => Array.from(t.positions.subarray((f * 6 + i) * 3, (f * 6 + i) * 3 + 3));
        for (let i = 0; i < 6; i++) {
          for (let j = i + 1; j < 6; j++) {
            const d = [x(j)[0] - x(i)[0], x(j)[1] - x(i)[1], x(j)[2] - x(i)[2]];
            best = Math.min(best, bruteForce2(cell, pbc, d));
          }
        }
        // an atom's own image: the shortest non-zero periodic translation
        const [na, nb, nc] = indexBounds(cell, pbc, Math.max(...[0, 1, 2].filter((k) => pbc[k]).map((k) => norm(cell[k]))));
        for (let a = -na; a <= na; a++) for (let b = -nb; b <= nb; b++) for (let c = -nc; c <= nc; c++) {
          if (a === 0 && b === 0 && c === 0) continue;
          const v = [0, 1, 2].map((k) => a * cell[0][k] + b * cell[1][k] + c * cell[2][k]);
          best = Math.min(best, v[0] ** 2 + v[1] ** 2 + v[2] ** 2);
        }
        expect(got[f]).toBeCloseTo(Math.sqrt(best), 9);
      }
    }
  });

  it('the neighbour list (coordinationNumbers) counts every image within the cutoff, as brute force does', () => {
    const { cell, pbc } = cases()[1]; // tilted slab
    const cutoff = 6;
    const t = trajectoryIn(cell, pbc, 8, 3, 9);
    const got = coordinationNumbers(t, cutoff);
    const [na, nb, nc] = indexBounds(cell, pbc, 60);
    for (let f = 0; f < t.nFrames; f++) {
      for (let i = 0; i < 8; i++) {
        let count = 0;
        for (let j = 0; j < 8; j++) {
          const o = (f * 8 + j) * 3, p = (f * 8 + i) * 3;
          for (let a = -na; a <= na; a++) for (let b = -nb; b <= nb; b++) for (let c = -nc; c <= nc; c++) {
            if (i === j && a === 0 && b === 0 && c === 0) continue;
            const x = t.positions[o] - t.positions[p] + a * cell[0][0] + b * cell[1][0] + c * cell[2][0];
            const y = t.positions[o + 1] - t.positions[p + 1] + a * cell[0][1] + b * cell[1][1] + c * cell[2][1];
            const z = t.positions[o + 2] - t.positions[p + 2] + a * cell[0][2] + b * cell[1][2] + c * cell[2][2];
            if (x * x + y * y + z * z < cutoff * cutoff) count++;
          }
        }
        expect(got[f * 8 + i], `frame ${f} atom ${i}`).toBe(count);
      }
    }
  });
});
