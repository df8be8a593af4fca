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
import { MinimumImage } from '../structure/images.js';

/**
 * Distances between atoms of one structure under the training cell's boundary
 * conditions: the minimum image along periodic lattice vectors (any cell shape,
 * through the structure layer's {@link MinimumImage}), plain Euclidean distances
 * otherwise.
 */
export class PairMetric {
  private readonly image: MinimumImage;

  /** `cell` null means no periodicity at all (a molecule). */
  constructor(cell: Cell | null, pbc: Pbc) {
    this.image = new MinimumImage(cell, pbc, 'PairMetric');
  }

  /** Squared distance (Å²) between atoms `i` and `j` of the flat xyz array `positions`. */
  distance2(positions: ArrayLike<number>, i: number, j: number): number {
    return this.image.pairDistance2(positions, i, j);
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
