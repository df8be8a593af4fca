/**
 * Periodic-image geometry shared by the analysis functions (internal module).
 *
 * Distances are taken in a "working basis": the cell's periodic lattice vectors,
 * with every non-periodic vector replaced by a unit vector orthogonal to the
 * periodic ones (identity for `cell: null`). Fractional coordinates along the
 * periodic vectors then describe only the in-plane part of a displacement, so
 * that rounding them gives a proper reduction and the image bounds below hold.
 * Non-periodic directions are never translated.
 *
 * @internal
 * @module
 */
import type { Cell, Pbc } from '../structure/trajectory.js';
import { cellInverse, cellVolume as volumeOf } from '../structure/cell.js';

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
    if (per.length === 3) {
      for (let i = 0; i < 3; i++) rows[i] = [cell[i][0], cell[i][1], cell[i][2]];
    } else if (per.length === 2) {
      const [i, j] = per;
      const k = 3 - i - j;
      rows[i] = [cell[i][0], cell[i][1], cell[i][2]];
      rows[j] = [cell[j][0], cell[j][1], cell[j][2]];
      rows[k] = unit(cross(rows[i], rows[j]));
    } else if (per.length === 1) {
      const i = per[0];
      const a: [number, number, number] = [cell[i][0], cell[i][1], cell[i][2]];
      const ax = Math.abs(a[0]), ay = Math.abs(a[1]), az = Math.abs(a[2]);
      const e: [number, number, number] = ax <= ay && ax <= az ? [1, 0, 0] : ay <= az ? [0, 1, 0] : [0, 0, 1];
      const u = unit(cross(a, e));
      const w = unit(cross(a, u));
      rows[i] = a;
      rows[(i + 1) % 3] = u;
      rows[(i + 2) % 3] = w;
    }
    for (const i of per) {
      if (!(norm(cell[i]) > 0)) {
        throw new Error(`${fn}: trajectory.cell[${i}] is a zero vector but pbc[${i}] is true; a periodic direction needs a lattice vector`);
      }
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
