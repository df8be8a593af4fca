/**
 * Atom orderings for the token sequence: by the distance of each atom's mean
 * position from the origin (the paper) or from the nearest box corner (the
 * original code's periodic variant).
 *
 * The mean is taken over the frames as stored. The reference data stores
 * unwrapped positions (atoms move continuously), so the mean is the centre of
 * an atom's vibration. For WRAPPED input in which an atom crosses the periodic
 * boundary, the mean of its jumps between the two faces lies near the middle of
 * the box and the ordering may be misleading: unwrap first (or pass your own
 * permutation).
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import type { AxisRange, OrderingRule } from './config.js';

/**
 * Mean position of every atom over `frames` (default: all frames), as flat xyz
 * triples in Å (length `3 * nAtoms`, float64 sums). Throws for a non-finite
 * coordinate, naming the frame and atom.
 */
export function meanPositions(trajectory: Trajectory, frames?: ArrayLike<number>): Float64Array {
  const { nAtoms, nFrames, positions } = trajectory;
  const n3 = nAtoms * 3;
  const sums = new Float64Array(n3);
  const count = frames ? frames.length : nFrames;
  if (count === 0) throw new Error('meanPositions: no frames selected; select at least one frame');
  for (let i = 0; i < count; i++) {
    const f = frames ? frames[i] : i;
    if (!Number.isInteger(f) || f < 0 || f >= nFrames) {
      throw new Error(`meanPositions: frames[${i}] = ${f} is not a frame index in 0..${nFrames - 1}`);
    }
    const base = f * n3;
    for (let j = 0; j < n3; j++) {
      const v = positions[base + j];
      if (!Number.isFinite(v)) {
        throw new Error(
          `trajectory: frame ${f}, atom ${Math.floor(j / 3)}, axis ${'xyz'[j % 3]} is ${v}; positions must be finite numbers (Å)`,
        );
      }
      sums[j] += v;
    }
  }
  for (let j = 0; j < n3; j++) sums[j] /= count;
  return sums;
}

/**
 * Distance (Å) of every mean position (flat xyz triples) to the reference of
 * `rule`:
 *
 * - `'origin'`: the Cartesian origin (0, 0, 0).
 * - `'corner'`: the nearest of the 8 corners of the `range` box; on periodic
 *   axes the position is first wrapped into `[lo, hi)`, so this is the
 *   minimum-image distance to the lattice of corners.
 */
export function orderingDistances(
  means: Float64Array,
  rule: OrderingRule,
  range: AxisRange,
  periodic: readonly [boolean, boolean, boolean],
): Float64Array {
  const n = means.length / 3;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < 3; a++) {
      let x = means[3 * i + a];
      if (rule === 'corner') {
        const [lo, hi] = range[a];
        if (periodic[a]) {
          const p = hi - lo;
          x = lo + (x - lo) - p * Math.floor((x - lo) / p);
        }
        x = Math.min(Math.abs(x - lo), Math.abs(hi - x));
      }
      s += x * x;
    }
    dist[i] = Math.sqrt(s);
  }
  return dist;
}

/**
 * The permutation that sorts atoms by increasing `distances`, ties kept in the
 * original order: `result[k]` = original index of the atom at position k.
 */
export function stableArgsort(distances: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: distances.length }, (_, i) => i);
  idx.sort((a, b) => distances[a] - distances[b] || a - b);
  return Int32Array.from(idx);
}

/**
 * Orders atoms by `rule` from their mean positions (see {@link meanPositions}
 * and {@link orderingDistances}); returns the permutation. With `speciesRank`
 * (one integer per atom, for example its species' index in the sorted species
 * list), atoms are ordered by rank first and by the rule within a rank
 * (species-first ordering: the species sequence is fixed by the composition).
 */
export function atomOrdering(
  means: Float64Array,
  rule: OrderingRule,
  range: AxisRange,
  periodic: readonly [boolean, boolean, boolean],
  speciesRank?: ArrayLike<number>,
): Int32Array {
  const d = orderingDistances(means, rule, range, periodic);
  if (!speciesRank) return stableArgsort(d);
  if (speciesRank.length !== d.length) throw new Error(`atomOrdering: speciesRank has ${speciesRank.length} entries but there are ${d.length} atoms`);
  const idx = Array.from({ length: d.length }, (_, i) => i);
  idx.sort((a, b) => speciesRank[a]! - speciesRank[b]! || d[a]! - d[b]! || a - b);
  return Int32Array.from(idx);
}
