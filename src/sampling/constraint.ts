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
import { resolvePairTable, speciesIndices, type PairDistanceTable, type ResolvedPairTable } from '../structure/pair-table.js';

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
 * amorphous Si (first RDF peak at 2.35 Å). With several species, give one
 * distance per species pair (`{ 'Si-O': 1.3, 'O-O': 2.1, 'Si-Si': 2.6 }`) and
 * the model's species: Si-O bonds (1.6 Å) are shorter than any O-O or Si-Si
 * distance, so a single number is either too strict or too loose.
 */
export class MinimumDistance implements Constraint {
  /** `'min-distance'`. */
  readonly name = 'min-distance';
  private readonly min2: number;
  private readonly table: ResolvedPairTable | null;
  private readonly table2: Float64Array | null;
  private lastSpecies: readonly string[] | null = null;
  private lastKinds: Int32Array | null = null;

  /**
   * @param minDistance Å, >= 0 (0 accepts everything), or a table of one distance per species pair.
   * @param species With a table: the species the model was trained on (every pair of them must be in the table).
   * @throws Error for a negative number, a table missing a pair or with a negative value, or a species not in `species` (each named).
   */
  constructor(readonly minDistance: number | PairDistanceTable, species?: readonly string[]) {
    if (typeof minDistance === 'number') {
      if (!(Number.isFinite(minDistance) && minDistance >= 0)) {
        throw new Error(`minDistance must be a finite number of Å >= 0 (got ${minDistance}); use 0 to switch the check off`);
      }
      this.min2 = minDistance * minDistance;
      this.table = null;
      this.table2 = null;
    } else {
      if (!species) throw new Error('minDistance: a table of distances per species pair needs the species of the model (new MinimumDistance(table, species))');
      this.table = resolvePairTable(minDistance, species, 'minDistance');
      this.table2 = this.table.values.map((d) => d * d);
      this.min2 = this.table2.reduce((a, b) => Math.max(a, b), 0);
    }
  }

  /** True when atom `atomIndex` is at least `minDistance` (for its species pair) from every earlier atom. */
  accept(positions: Float64Array, atomIndex: number, context: ConstraintContext): boolean {
    if (this.min2 === 0) return true;
    const t2 = this.table2;
    if (t2 === null) {
      for (let j = 0; j < atomIndex; j++) {
        if (context.metric.distance2(positions, atomIndex, j) < this.min2) return false;
      }
      return true;
    }
    if (context.species !== this.lastSpecies) {
      this.lastKinds = speciesIndices(this.table!, context.species);
      this.lastSpecies = context.species;
    }
    const kinds = this.lastKinds!;
    const n = this.table!.species.length;
    const row = kinds[atomIndex] * n;
    for (let j = 0; j < atomIndex; j++) {
      const m2 = t2[row + kinds[j]];
      if (m2 > 0 && context.metric.distance2(positions, atomIndex, j) < m2) return false;
    }
    return true;
  }
}
