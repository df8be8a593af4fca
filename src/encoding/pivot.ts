/**
 * Translation-invariant atom orderings about a pivot atom (the ASE / OVITO
 * habit of looking at a structure from one of its atoms): the displacement of
 * every atom from the pivot under the minimum-image convention, a canonical
 * pivot, and two orders of the atoms:
 *
 * - shells: by increasing distance from the pivot (the pivot first, then its
 *   bonded neighbours, then the next shell);
 * - growth: breadth-first growth from the pivot, each next atom the unplaced
 *   atom nearest to any placed one.
 *
 * Both depend only on the pair distances, so they do not change when the
 * structure is translated or its atoms are listed in another order. Distances
 * come from the one minimum-image kernel of the package ({@link MinimumImage}).
 *
 * Flat typed arrays; nothing is allocated per atom or pair.
 *
 * @module
 */
import type { MinimumImage } from '../structure/images.js';

/**
 * Writes into `out` the minimum-image displacement (Å) from atom `pivot` to
 * every atom of the flat xyz triples `xyz` (the pivot's own is 0, 0, 0).
 * `out` must hold `xyz.length` values; returns it.
 */
export function pivotDisplacements(xyz: ArrayLike<number>, pivot: number, mi: MinimumImage, out: Float64Array): Float64Array {
  const n = xyz.length / 3;
  if (!Number.isInteger(pivot) || pivot < 0 || pivot >= n) throw new Error(`pivotDisplacements: pivot ${pivot} is not an atom index in 0..${n - 1}`);
  if (out.length < xyz.length) throw new Error(`pivotDisplacements: out has ${out.length} values; ${n} atoms need ${xyz.length}`);
  const px = xyz[3 * pivot]!, py = xyz[3 * pivot + 1]!, pz = xyz[3 * pivot + 2]!;
  for (let i = 0; i < n; i++) {
    if (i === pivot) {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = 0;
      continue;
    }
    mi.displacement(xyz[3 * i]! - px, xyz[3 * i + 1]! - py, xyz[3 * i + 2]! - pz, out, 3 * i);
  }
  return out;
}

/**
 * The canonical pivot of a structure: among the candidate atoms (those whose
 * `ranks` entry is the smallest rank, or every atom without `ranks`), the one
 * with the smallest sum of minimum-image distances to its `k` nearest
 * neighbours (default 4, the bonds of a tetrahedral network; fewer when the
 * structure has fewer atoms): the atom in the most compact environment. It
 * depends only on the pair distances (translation and permutation invariant
 * up to exact ties, which go to the lower index). `scratch` (at least
 * `k` values) avoids an allocation.
 */
export function canonicalPivot(
  xyz: ArrayLike<number>,
  mi: MinimumImage,
  ranks?: ArrayLike<number>,
  k = 4,
  scratch?: Float64Array,
): number {
  const n = xyz.length / 3;
  if (n < 1) throw new Error('canonicalPivot: no atoms');
  const kk = Math.max(0, Math.min(k, n - 1));
  const best = scratch && scratch.length >= kk ? scratch : new Float64Array(kk);
  let minRank = Infinity;
  if (ranks) for (let i = 0; i < n; i++) minRank = Math.min(minRank, ranks[i]!);
  let pivot = -1;
  let pivotScore = Infinity;
  for (let i = 0; i < n; i++) {
    if (ranks && ranks[i] !== minRank) continue;
    best.fill(Infinity, 0, kk);
    const xi = xyz[3 * i]!, yi = xyz[3 * i + 1]!, zi = xyz[3 * i + 2]!;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = Math.sqrt(mi.distance2(xyz[3 * j]! - xi, xyz[3 * j + 1]! - yi, xyz[3 * j + 2]! - zi));
      // insertion into the kk smallest, kept sorted
      if (kk > 0 && d < best[kk - 1]!) {
        let m = kk - 1;
        while (m > 0 && best[m - 1]! > d) {
          best[m] = best[m - 1]!;
          m--;
        }
        best[m] = d;
      }
    }
    let score = 0;
    for (let m = 0; m < kk; m++) score += best[m]!;
    if (score < pivotScore) {
      pivotScore = score;
      pivot = i;
    }
  }
  return pivot;
}

/**
 * Shell ordering: atoms by increasing length of their displacement from the
 * pivot (`disp`, from {@link pivotDisplacements}), so the pivot comes first;
 * with `ranks`, by rank first (species-first ordering). Ties keep the atom
 * order. Writes the permutation into `out` (`out[k]` = atom at position k).
 */
export function shellOrdering(disp: Float64Array, ranks?: ArrayLike<number>, out?: Int32Array): Int32Array {
  const n = disp.length / 3;
  const perm = out ?? new Int32Array(n);
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    key[i] = disp[3 * i]! * disp[3 * i]! + disp[3 * i + 1]! * disp[3 * i + 1]! + disp[3 * i + 2]! * disp[3 * i + 2]!;
    perm[i] = i;
  }
  // insertion sort: n is a few dozen atoms, and it is stable
  for (let a = 1; a < n; a++) {
    const v = perm[a]!;
    let b = a;
    while (b > 0 && before(v, perm[b - 1]!, key, ranks)) {
      perm[b] = perm[b - 1]!;
      b--;
    }
    perm[b] = v;
  }
  return perm;
}

function before(i: number, j: number, key: Float64Array, ranks?: ArrayLike<number>): boolean {
  if (ranks && ranks[i] !== ranks[j]) return ranks[i]! < ranks[j]!;
  return key[i]! < key[j]! || (key[i] === key[j] && i < j);
}

/**
 * Growth ordering: atom `pivot` first (`disp` holds the displacements from it,
 * from {@link pivotDisplacements}), then repeatedly the unplaced atom
 * nearest (minimum image) to any placed atom, a breadth-first growth of the
 * structure from the pivot (Prim's order of its minimum spanning tree). With
 * `ranks`, the atoms of the lowest rank are grown first, then the next rank,
 * each from everything placed so far (the pivot must have the lowest rank).
 * Ties go to the lower index.
 */
export function grownOrdering(disp: Float64Array, pivot: number, mi: MinimumImage, ranks?: ArrayLike<number>, out?: Int32Array): Int32Array {
  const n = disp.length / 3;
  if (!Number.isInteger(pivot) || pivot < 0 || pivot >= n) throw new Error(`grownOrdering: pivot ${pivot} is not an atom index in 0..${n - 1}`);
  const perm = out ?? new Int32Array(n);
  const near = new Float64Array(n).fill(Infinity);
  const placed = new Uint8Array(n);
  let last = pivot;
  placed[pivot] = 1;
  perm[0] = pivot;
  for (let k = 1; k < n; k++) {
    const lx = disp[3 * last]!, ly = disp[3 * last + 1]!, lz = disp[3 * last + 2]!;
    let minRank = Infinity;
    for (let i = 0; i < n; i++) {
      if (placed[i]) continue;
      const d2 = mi.distance2(disp[3 * i]! - lx, disp[3 * i + 1]! - ly, disp[3 * i + 2]! - lz);
      if (d2 < near[i]!) near[i] = d2;
      if (ranks && ranks[i]! < minRank) minRank = ranks[i]!;
    }
    let next = -1;
    for (let i = 0; i < n; i++) {
      if (placed[i] || (ranks && ranks[i] !== minRank)) continue;
      if (next < 0 || near[i]! < near[next]!) next = i;
    }
    placed[next] = 1;
    perm[k] = next;
    last = next;
  }
  return perm;
}
