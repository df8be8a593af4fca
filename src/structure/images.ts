/**
 * Periodic images: the one minimum-image and image-search kernel of the package.
 * Every layer measures distances under periodic boundary conditions through this
 * module: {@link MinimumImage} for the nearest image of a displacement (the
 * resampler, minimum distances, displacements of relaxed atoms), and the image
 * geometry with its sorted lattice translations for neighbour lists and the RDF.
 *
 * Distances are taken in a "working basis": the cell's periodic lattice vectors,
 * reduced (Lagrange-Gauss / Minkowski style: each vector shortened by integer
 * multiples of the others until none gets shorter, so the basis spans the same
 * lattice with nearly orthogonal vectors), with every non-periodic vector replaced
 * by a unit vector orthogonal to the periodic ones (identity for `cell: null`).
 * Fractional coordinates along the periodic vectors then describe only the
 * in-plane part of a displacement, so that rounding them gives a proper
 * reduction and the image bounds below hold for any cell, however skewed.
 * Non-periodic directions are never translated.
 *
 * @module
 */
import type { Cell, Pbc } from './trajectory.js';
import { cellInverse, cellVolume as volumeOf } from './cell.js';

/** The image geometry of one trajectory (its cell is the same for every frame). */
export interface ImageGeometry {
  /** Working basis, row-major (row i = vector i). */
  readonly basis: Float64Array;
  /** Inverse of the working basis, row-major: fractional = cartesian · inverse. */
  readonly inverse: Float64Array;
  /** Periodicity flags (false everywhere for `cell: null`). */
  readonly periodic: readonly [boolean, boolean, boolean];
  /** True when the working basis is diagonal (fast per-axis paths apply). */
  readonly orthorhombic: boolean;
  /** Diagonal lengths |basis[i][i]| when orthorhombic (1 for non-periodic axes). */
  readonly lengths: readonly [number, number, number];
  /** Distance between lattice planes along each periodic axis (Infinity for non-periodic). */
  readonly spacing: readonly [number, number, number];
  /**
   * Largest radius r for which only the rounded (nearest fractional) image of a
   * pair can lie within r: half the smallest plane spacing. Infinity without pbc.
   */
  readonly minImageRadius: number;
  /** Largest |f · basis| over fractional f in [-1/2, 1/2] on periodic axes (0 without pbc). */
  readonly halfDiameter: number;
  /** |det(cell)| in Å³, or null when there is no cell or it is flat. */
  readonly cellVolume: number | null;
}

function cross(a: ArrayLike<number>, b: ArrayLike<number>): [number, number, number] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function norm(a: ArrayLike<number>): number {
  return Math.hypot(a[0], a[1], a[2]);
}

function unit(a: [number, number, number]): [number, number, number] {
  const n = norm(a);
  return [a[0] / n, a[1] / n, a[2] / n];
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/**
 * Reduces a lattice basis (1 to 3 vectors) in place and returns it: each vector
 * is shortened by integer multiples of the others (and, for three vectors, by
 * the sums and differences of the other two) until none gets shorter. Every
 * step adds an integer multiple of one basis vector to another, so the result
 * spans the same lattice. Linearly dependent vectors are returned unchanged
 * (the caller reports them). The reduction only makes image searches short;
 * their results do not depend on it.
 */
export function reduceLattice(v: [number, number, number][]): [number, number, number][] {
  const n = v.length;
  if (n < 2) return v;
  const sizes = v.map(norm);
  const volume = n === 2 ? norm(cross(v[0], v[1])) : Math.abs(volumeOf(v as Cell));
  if (!(volume > 1e-9 * sizes.reduce((a, b) => a * b, 1))) return v;
  const shorter = (c: [number, number, number], k: number): boolean => {
    if (dot(c, c) < dot(v[k], v[k]) * (1 - 1e-12)) {
      v[k] = c;
      return true;
    }
    return false;
  };
  for (let iter = 0; iter < 10_000; iter++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        const k = Math.round(dot(v[i], v[j]) / dot(v[i], v[i]));
        if (k !== 0 && shorter([v[j][0] - k * v[i][0], v[j][1] - k * v[i][1], v[j][2] - k * v[i][2]], j)) changed = true;
      }
    }
    if (n === 3) {
      for (let k = 0; k < 3; k++) {
        const a = v[(k + 1) % 3], b = v[(k + 2) % 3];
        for (let sa = -1; sa <= 1; sa += 2) {
          for (let sb = -1; sb <= 1; sb += 2) {
            const c = v[k];
            if (shorter([c[0] + sa * a[0] + sb * b[0], c[1] + sa * a[1] + sb * b[1], c[2] + sa * a[2] + sb * b[2]], k)) changed = true;
          }
        }
      }
    }
    if (!changed) break;
  }
  return v;
}

/**
 * Builds the image geometry of a cell. `fn` names the calling function in
 * error messages.
 */
export function imageGeometry(fn: string, cell: Cell | null, pbc: Pbc): ImageGeometry {
  const periodic: [boolean, boolean, boolean] = cell === null ? [false, false, false] : [!!pbc[0], !!pbc[1], !!pbc[2]];
  let cellVolume: number | null = null;
  const rows: [number, number, number][] = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  if (cell !== null) {
    for (let i = 0; i < 3; i++) {
      for (let k = 0; k < 3; k++) {
        const v = cell[i]?.[k];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new Error(`${fn}: trajectory.cell[${i}][${k}] is ${String(v)}; expected a finite number (3x3 cell in Å, rows = lattice vectors)`);
        }
      }
    }
    const v = volumeOf(cell);
    const scale = Math.max(norm(cell[0]), norm(cell[1]), norm(cell[2]));
    cellVolume = v > 1e-12 * scale * scale * scale && v > 0 ? v : null;
    const per = [0, 1, 2].filter((i) => periodic[i]);
    for (const i of per) {
      if (!(norm(cell[i]) > 0)) {
        throw new Error(`${fn}: trajectory.cell[${i}] is a zero vector but pbc[${i}] is true; a periodic direction needs a lattice vector`);
      }
    }
    // The same lattice, spanned by short, nearly orthogonal vectors.
    const lattice = reduceLattice(per.map((i): [number, number, number] => [cell[i][0], cell[i][1], cell[i][2]]));
    if (per.length === 3) {
      for (let i = 0; i < 3; i++) rows[i] = lattice[i];
    } else if (per.length === 2) {
      const [i, j] = per;
      const k = 3 - i - j;
      rows[i] = lattice[0];
      rows[j] = lattice[1];
      rows[k] = unit(cross(rows[i], rows[j]));
    } else if (per.length === 1) {
      const i = per[0];
      const a = lattice[0];
      const ax = Math.abs(a[0]), ay = Math.abs(a[1]), az = Math.abs(a[2]);
      const e: [number, number, number] = ax <= ay && ax <= az ? [1, 0, 0] : ay <= az ? [0, 1, 0] : [0, 0, 1];
      const u = unit(cross(a, e));
      const w = unit(cross(a, u));
      rows[i] = a;
      rows[(i + 1) % 3] = u;
      rows[(i + 2) % 3] = w;
    }
  }
  const basis = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) basis[i * 3 + k] = rows[i][k];
  const det = volumeOf(rows as Cell);
  const bscale = Math.max(norm(rows[0]), norm(rows[1]), norm(rows[2]));
  if (!(Math.abs(det) > 1e-12 * bscale * bscale * bscale)) {
    throw new Error(`${fn}: the periodic lattice vectors of trajectory.cell are linearly dependent (|determinant| ${det}); give independent vectors`);
  }
  const inverse = cellInverse(rows as Cell);
  let off = 0;
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) if (i !== k) off = Math.max(off, Math.abs(basis[i * 3 + k]));
  const orthorhombic = off <= 1e-12 * bscale;
  const lengths: [number, number, number] = [1, 1, 1];
  if (orthorhombic) for (let i = 0; i < 3; i++) if (periodic[i]) lengths[i] = Math.abs(basis[i * 4]);
  const spacing: [number, number, number] = [Infinity, Infinity, Infinity];
  for (let i = 0; i < 3; i++) {
    if (!periodic[i]) continue;
    // Plane spacing = 1 / |reciprocal vector i| = 1 / |column i of the inverse|.
    spacing[i] = 1 / Math.hypot(inverse[i], inverse[3 + i], inverse[6 + i]);
  }
  const minImageRadius = Math.min(spacing[0], spacing[1], spacing[2]) / 2;
  let halfDiameter = 0;
  for (let sa = -1; sa <= 1; sa += 2) {
    for (let sb = -1; sb <= 1; sb += 2) {
      for (let sc = -1; sc <= 1; sc += 2) {
        const s = [periodic[0] ? sa / 2 : 0, periodic[1] ? sb / 2 : 0, periodic[2] ? sc / 2 : 0];
        const x = s[0] * basis[0] + s[1] * basis[3] + s[2] * basis[6];
        const y = s[0] * basis[1] + s[1] * basis[4] + s[2] * basis[7];
        const z = s[0] * basis[2] + s[1] * basis[5] + s[2] * basis[8];
        halfDiameter = Math.max(halfDiameter, Math.hypot(x, y, z));
      }
    }
  }
  return { basis, inverse, periodic, orthorhombic, lengths, spacing, minImageRadius, halfDiameter, cellVolume };
}

/** Lattice translations sorted by length; the zero translation comes first. */
export interface Translations {
  /** xyz triples, length 3 * count. */
  readonly vectors: Float64Array;
  /** |T| of each translation, ascending. */
  readonly norms: Float64Array;
  /** Number of translations. */
  readonly count: number;
}

/**
 * Every lattice translation (periodic axes only) that can bring a displacement
 * whose periodic fractional components lie in [-1/2, 1/2] to a length below
 * `reach`: |n_i| <= reach / spacing_i + 1/2, and |T| < reach + halfDiameter.
 */
export function translationsWithin(geom: ImageGeometry, reach: number): Translations {
  const nMax = [0, 0, 0];
  for (let i = 0; i < 3; i++) if (geom.periodic[i]) nMax[i] = Math.ceil(reach / geom.spacing[i] + 0.5);
  const limit = reach + geom.halfDiameter;
  const b = geom.basis;
  const list: { v: [number, number, number]; n: number }[] = [];
  for (let i = -nMax[0]; i <= nMax[0]; i++) {
    for (let j = -nMax[1]; j <= nMax[1]; j++) {
      for (let k = -nMax[2]; k <= nMax[2]; k++) {
        const x = i * b[0] + j * b[3] + k * b[6];
        const y = i * b[1] + j * b[4] + k * b[7];
        const z = i * b[2] + j * b[5] + k * b[8];
        const n = Math.hypot(x, y, z);
        if (n < limit || (i === 0 && j === 0 && k === 0)) list.push({ v: [x, y, z], n: i === 0 && j === 0 && k === 0 ? 0 : n });
      }
    }
  }
  list.sort((p, q) => p.n - q.n);
  const vectors = new Float64Array(list.length * 3);
  const norms = new Float64Array(list.length);
  list.forEach((t, idx) => {
    vectors.set(t.v, idx * 3);
    norms[idx] = t.n;
  });
  return { vectors, norms, count: list.length };
}

/** Only the zero translation (minimum-image case). */
export function zeroTranslation(): Translations {
  return { vectors: new Float64Array(3), norms: new Float64Array(1), count: 1 };
}

/**
 * Lengths of the non-zero lattice translations shorter than `reach` (both T and
 * -T): the distances from an atom to its own periodic images.
 */
export function selfImageDistances(geom: ImageGeometry, reach: number): Float64Array {
  if (!geom.periodic.some((p) => p)) return new Float64Array(0);
  const t = translationsWithin(geom, reach);
  const out: number[] = [];
  for (let i = 1; i < t.count; i++) if (t.norms[i] < reach) out.push(t.norms[i]);
  return Float64Array.from(out);
}

/**
 * Fractional coordinates of one frame's atoms, as three flat arrays:
 * `(u, v, w)[i] = position of atom (idx ? idx[i] : i) · inverse`, reading
 * `pos` from `base` (frame offset). Allocates nothing.
 */
export function fractionalInto(
  pos: ArrayLike<number>, base: number, count: number, idx: Int32Array | null, m: Float64Array,
  u: Float64Array, v: Float64Array, w: Float64Array,
): void {
  for (let i = 0; i < count; i++) {
    const o = base + (idx ? idx[i] : i) * 3;
    const x = pos[o], y = pos[o + 1], z = pos[o + 2];
    u[i] = x * m[0] + y * m[3] + z * m[6];
    v[i] = x * m[1] + y * m[4] + z * m[7];
    w[i] = x * m[2] + y * m[5] + z * m[8];
  }
}

/**
 * The minimum-image convention for one cell: the shortest periodic image of a
 * displacement, exact for any cell shape (skewed, unreduced, tilted slabs), with
 * periodicity only along the lattice vectors whose `pbc` flag is true.
 *
 * The cell is reduced once (same lattice, short nearly orthogonal vectors);
 * each displacement is then rounded in fractional coordinates and compared with
 * the few lattice translations that can still bring it closer, nearest first,
 * stopping as soon as none can. No allocation per call.
 *
 * @example
 * ```ts
 * const mi = new MinimumImage(traj.cell, traj.pbc);
 * const d2 = mi.pairDistance2(traj.positions, 0, 1); // Å², nearest image
 * const v = new Float64Array(3);
 * mi.displacement(x1 - x0, y1 - y0, z1 - z0, v); // v: shortest image of the displacement
 * ```
 */
export class MinimumImage {
  /**
   * The reduced working basis and its image bounds.
   * @internal
   */
  readonly geometry: ImageGeometry;
  private readonly trans: Translations;
  private readonly pu: number;
  private readonly pv: number;
  private readonly pw: number;
  private readonly single: boolean;
  private readonly basis: Float64Array;
  private readonly vectors: Float64Array;
  private readonly norms: Float64Array;
  private readonly count: number;

  /**
   * @param cell - Lattice vectors as rows (Å), or null for no cell (no periodicity).
   * @param pbc - Periodicity along each lattice vector.
   * @param caller - Name used in error messages (the public function that builds it).
   * @throws Error for a non-finite cell, a zero periodic vector or linearly dependent periodic vectors.
   */
  constructor(cell: Cell | null, pbc: Pbc, caller = 'MinimumImage') {
    const geom = imageGeometry(caller, cell, pbc);
    this.geometry = geom;
    this.pu = geom.periodic[0] ? 1 : 0;
    this.pv = geom.periodic[1] ? 1 : 0;
    this.pw = geom.periodic[2] ? 1 : 0;
    // A diagonal working basis (or no periodicity): the rounded image is the nearest.
    this.single = geom.orthorhombic || this.pu + this.pv + this.pw === 0;
    // The nearest image v of a rounded displacement d has |v_par| <= |d_par| <= halfDiameter.
    this.trans = this.single ? zeroTranslation() : translationsWithin(geom, geom.halfDiameter);
    this.basis = geom.basis;
    this.vectors = this.trans.vectors;
    this.norms = this.trans.norms;
    this.count = this.trans.count;
  }

  /** True when at least one direction is periodic. */
  get periodic(): boolean {
    return this.pu + this.pv + this.pw > 0;
  }

  /** Squared length (Å²) of the shortest periodic image of the displacement (dx, dy, dz). */
  distance2(dx: number, dy: number, dz: number): number {
    const m = this.geometry.inverse;
    return this.reducedDistance2(
      dx * m[0] + dy * m[3] + dz * m[6],
      dx * m[1] + dy * m[4] + dz * m[7],
      dx * m[2] + dy * m[5] + dz * m[8],
      Infinity,
      null,
      0,
    );
  }

  /** Squared distance (Å²) between atoms `i` and `j` of the flat xyz array `positions`, nearest image. */
  pairDistance2(positions: ArrayLike<number>, i: number, j: number): number {
    return this.distance2(
      positions[3 * j] - positions[3 * i],
      positions[3 * j + 1] - positions[3 * i + 1],
      positions[3 * j + 2] - positions[3 * i + 2],
    );
  }

  /**
   * Writes the shortest periodic image of the displacement (dx, dy, dz) into
   * `out[offset .. offset + 2]` and returns its squared length (Å²).
   */
  displacement(dx: number, dy: number, dz: number, out: Float64Array | Float32Array | number[], offset = 0): number {
    const m = this.geometry.inverse;
    return this.reducedDistance2(
      dx * m[0] + dy * m[3] + dz * m[6],
      dx * m[1] + dy * m[4] + dz * m[7],
      dx * m[2] + dy * m[5] + dz * m[8],
      Infinity,
      out,
      offset,
    );
  }

  /**
   * The kernel, for hot loops that convert each atom to fractional coordinates
   * once (`fractionalInto` with `geometry.inverse`): (du, dv, dw) is a
   * displacement in those coordinates. Returns min(squared nearest-image
   * length, cap2); a finite `cap2` (the best distance so far) lets the image
   * search stop early. Writes the image into `out` when given (use cap2 =
   * Infinity then).
   * @internal
   */
  reducedDistance2(
    du: number, dv: number, dw: number, cap2: number, out: Float64Array | Float32Array | number[] | null, offset: number,
  ): number {
    du -= this.pu * Math.round(du);
    dv -= this.pv * Math.round(dv);
    dw -= this.pw * Math.round(dw);
    const b = this.basis;
    const dx = du * b[0] + dv * b[3] + dw * b[6];
    const dy = du * b[1] + dv * b[4] + dw * b[7];
    const dz = du * b[2] + dv * b[5] + dw * b[8];
    const s0 = dx * dx + dy * dy + dz * dz;
    if (this.single) {
      if (out !== null) {
        out[offset] = dx;
        out[offset + 1] = dy;
        out[offset + 2] = dz;
      }
      return s0 < cap2 ? s0 : cap2;
    }
    return this.search(dx, dy, dz, s0, cap2, out, offset);
  }

  /** The image search of {@link reducedDistance2} for a non-diagonal working basis. */
  private search(
    dx: number, dy: number, dz: number, s0: number, cap2: number, out: Float64Array | Float32Array | number[] | null, offset: number,
  ): number {
    let best2 = s0 < cap2 ? s0 : cap2;
    let bestT = 0;
    const vectors = this.vectors, norms = this.norms, count = this.count;
    const d = Math.sqrt(s0);
    // |d + T| >= |T| - |d|: translations at or beyond |d| + best cannot win.
    let limit = d + Math.sqrt(best2);
    for (let t = 1; t < count; t++) {
      if (norms[t] >= limit) break;
      const ex = dx + vectors[3 * t], ey = dy + vectors[3 * t + 1], ez = dz + vectors[3 * t + 2];
      const s = ex * ex + ey * ey + ez * ez;
      if (s < best2) {
        best2 = s;
        bestT = t;
        limit = d + Math.sqrt(s);
      }
    }
    if (out !== null) {
      out[offset] = dx + vectors[3 * bestT];
      out[offset + 1] = dy + vectors[3 * bestT + 1];
      out[offset + 2] = dz + vectors[3 * bestT + 2];
    }
    return best2;
  }
}
