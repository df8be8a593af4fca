/**
 * Pluggable acceptance rules for generated atoms. After the third coordinate
 * (z) of an atom is drawn, `ConditionalSampler` asks every constraint whether
 * the atom may stay; if one refuses, the sampler rewinds the atom's three steps
 * (restoring the LSTM state from before its x) and draws it again, up to
 * `maxTries` times.
 *
 * @module
 */
import type { Cell, Pbc } from '../structure/trajectory.js';
import { cellInverse, isOrthorhombic } from '../structure/cell.js';

/**
 * Distances between atoms of one structure under the training cell's boundary
 * conditions: the minimum image along periodic lattice vectors (triclinic
 * cells included), plain Euclidean distances otherwise.
 */
export class PairMetric {
  private readonly cell: Float64Array | null;
  private readonly inverse: Float64Array | null;
  private readonly pbc: readonly [boolean, boolean, boolean];
  private readonly orthoLengths: Float64Array | null;
  private readonly frac = new Float64Array(3);

  /** `cell` null means no periodicity at all (a molecule). */
  constructor(cell: Cell | null, pbc: Pbc) {
    const periodic = cell !== null && (pbc[0] || pbc[1] || pbc[2]);
    this.pbc = [pbc[0], pbc[1], pbc[2]];
    if (!periodic || cell === null) {
      this.cell = null;
      this.inverse = null;
      this.orthoLengths = null;
      return;
    }
    this.cell = Float64Array.from([...cell[0], ...cell[1], ...cell[2]]);
    this.inverse = cellInverse(cell);
    this.orthoLengths = isOrthorhombic(cell) ? Float64Array.from([cell[0][0], cell[1][1], cell[2][2]]) : null;
  }

  /** Squared distance (Å²) between atoms `i` and `j` of the flat xyz array `positions`. */
  distance2(positions: ArrayLike<number>, i: number, j: number): number {
    let dx = positions[3 * i] - positions[3 * j];
    let dy = positions[3 * i + 1] - positions[3 * j + 1];
    let dz = positions[3 * i + 2] - positions[3 * j + 2];
    if (this.cell === null) return dx * dx + dy * dy + dz * dz;
    const p = this.pbc;
    const L = this.orthoLengths;
    if (L !== null) {
      if (p[0]) dx -= L[0] * Math.round(dx / L[0]);
      if (p[1]) dy -= L[1] * Math.round(dy / L[1]);
      if (p[2]) dz -= L[2] * Math.round(dz / L[2]);
      return dx * dx + dy * dy + dz * dz;
    }
    // triclinic: reduce in fractional coordinates, then search the neighbouring
    // images (rounding alone is not the minimum image in a skewed cell)
    const m = this.inverse!;
    const c = this.cell;
    const f = this.frac;
    for (let a = 0; a < 3; a++) {
      const v = dx * m[a] + dy * m[3 + a] + dz * m[6 + a];
      f[a] = p[a] ? v - Math.round(v) : v;
    }
    let best = Infinity;
    const r0 = p[0] ? 1 : 0, r1 = p[1] ? 1 : 0, r2 = p[2] ? 1 : 0;
    for (let a = -r0; a <= r0; a++) {
      for (let b = -r1; b <= r1; b++) {
        for (let e = -r2; e <= r2; e++) {
          const u = f[0] + a, v = f[1] + b, w = f[2] + e;
          const x = u * c[0] + v * c[3] + w * c[6];
          const y = u * c[1] + v * c[4] + w * c[7];
          const z = u * c[2] + v * c[5] + w * c[8];
          const d2 = x * x + y * y + z * z;
          if (d2 < best) best = d2;
        }
      }
    }
    return best;
  }
}

/** What a constraint may read besides the positions. */
export interface ConstraintContext {
  /** Distances under the training cell's boundary conditions. */
  readonly metric: PairMetric;
  /** Species of every atom, in the encoder's order (the order of `positions`). */
  readonly species: readonly string[];
  /** Atoms per structure. */
  readonly nAtoms: number;
  /** Index of the structure in the run (0-based). */
  readonly structure: number;
}

/**
 * A rule an atom must satisfy to be kept.
 *
 * `accept(positions, atomIndex, context)` is called after atom `atomIndex`
 * (position in the encoder's order) received its three coordinates.
 * `positions` is the structure's flat xyz array in Å, in the encoder's order;
 * only atoms `0 .. atomIndex` are placed (later entries are stale). Return
 * false to have the atom resampled. Prefix atoms are never tested (they are
 * fixed), but later atoms are tested against them. Must be deterministic (no
 * randomness) and must not keep or modify `positions`.
 */
export interface Constraint {
  /** Short name, for statistics and error messages. */
  readonly name: string;
  /** True when atom `atomIndex` may stay where it is. */
  accept(positions: Float64Array, atomIndex: number, context: ConstraintContext): boolean;
}

/**
 * No pair closer than `minDistance` Å (minimum image when periodic): the
 * paper's proposed fix for atoms generated on top of each other. 2.0 Å suits
 * amorphous Si (first RDF peak at 2.35 Å).
 */
export class MinimumDistance implements Constraint {
  /** `'min-distance'`. */
  readonly name = 'min-distance';
  private readonly min2: number;

  /** @param minDistance Å, >= 0 (0 accepts everything). */
  constructor(readonly minDistance: number) {
    if (!(Number.isFinite(minDistance) && minDistance >= 0)) {
      throw new Error(`minDistance must be a finite number of Å >= 0 (got ${minDistance}); use 0 to switch the check off`);
    }
    this.min2 = minDistance * minDistance;
  }

  /** True when atom `atomIndex` is at least `minDistance` from every earlier atom. */
  accept(positions: Float64Array, atomIndex: number, context: ConstraintContext): boolean {
    if (this.min2 === 0) return true;
    for (let j = 0; j < atomIndex; j++) {
      if (context.metric.distance2(positions, atomIndex, j) < this.min2) return false;
    }
    return true;
  }
}
