/**
 * Cell geometry: volume, inverse, fractional <-> Cartesian conversion.
 * Cells are row-vector lattices (`cell[i]` = lattice vector i), as in ASE:
 * `cartesian = fractional · cell`.
 *
 * @module
 */
import type { Cell } from './trajectory.js';

/** Volume of the cell in Å³ (the absolute value of the determinant). */
export function cellVolume(cell: Cell): number {
  const [a, b, c] = cell;
  const det =
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0]);
  return Math.abs(det);
}

/**
 * Inverse of the cell matrix, row-major flat (9 numbers), so that
 * `fractional = cartesian · inverse`. Throws for a singular (flat) cell.
 */
export function cellInverse(cell: Cell): Float64Array {
  const [a, b, c] = cell;
  const det =
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0]);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw new Error(`cell: the lattice vectors are linearly dependent (determinant ${det}); give three independent vectors in Å`);
  }
  const inv = new Float64Array(9);
  inv[0] = (b[1] * c[2] - b[2] * c[1]) / det;
  inv[1] = (a[2] * c[1] - a[1] * c[2]) / det;
  inv[2] = (a[1] * b[2] - a[2] * b[1]) / det;
  inv[3] = (b[2] * c[0] - b[0] * c[2]) / det;
  inv[4] = (a[0] * c[2] - a[2] * c[0]) / det;
  inv[5] = (a[2] * b[0] - a[0] * b[2]) / det;
  inv[6] = (b[0] * c[1] - b[1] * c[0]) / det;
  inv[7] = (a[1] * c[0] - a[0] * c[1]) / det;
  inv[8] = (a[0] * b[1] - a[1] * b[0]) / det;
  return inv;
}

/** True when the lattice vectors lie along x, y, z (off-diagonal entries below `tol`). */
export function isOrthorhombic(cell: Cell, tol = 1e-10): boolean {
  return (
    Math.abs(cell[0][1]) < tol && Math.abs(cell[0][2]) < tol &&
    Math.abs(cell[1][0]) < tol && Math.abs(cell[1][2]) < tol &&
    Math.abs(cell[2][0]) < tol && Math.abs(cell[2][1]) < tol
  );
}

/**
 * Converts flat xyz triples in place-compatible fashion: writes
 * `out[3i..3i+2] = frac[3i..3i+2] · cell`. `out` may be `frac`.
 */
export function fractionalToCartesian(cell: Cell, frac: ArrayLike<number>, out: Float64Array | Float32Array): void {
  const [a, b, c] = cell;
  for (let i = 0; i + 2 < frac.length; i += 3) {
    const u = frac[i], v = frac[i + 1], w = frac[i + 2];
    out[i] = u * a[0] + v * b[0] + w * c[0];
    out[i + 1] = u * a[1] + v * b[1] + w * c[1];
    out[i + 2] = u * a[2] + v * b[2] + w * c[2];
  }
}

/** Writes `out[3i..3i+2] = cart[3i..3i+2] · inverse(cell)`. `out` may be `cart`. */
export function cartesianToFractional(cell: Cell, cart: ArrayLike<number>, out: Float64Array | Float32Array): void {
  const m = cellInverse(cell);
  for (let i = 0; i + 2 < cart.length; i += 3) {
    const x = cart[i], y = cart[i + 1], z = cart[i + 2];
    out[i] = x * m[0] + y * m[3] + z * m[6];
    out[i + 1] = x * m[1] + y * m[4] + z * m[7];
    out[i + 2] = x * m[2] + y * m[5] + z * m[8];
  }
}
