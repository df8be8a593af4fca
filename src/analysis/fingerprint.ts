/**
 * Identity of (relaxed) structures: a fingerprint that does not change when the
 * atoms are renumbered, the structure is translated by any vector (periodic
 * wrapping included) or mapped by an isometry of the cell (its symmetry
 * operations, a mirror), and a tolerant comparison of two fingerprints.
 *
 * The fingerprint is, per unordered species pair, the sorted list of every
 * interatomic distance below a cutoff over all periodic images (an atom's own
 * images included). Distances are invariant under permutation, translation,
 * rotation and reflection, so two copies of one minimum always agree; two
 * different minima of a glass differ by far more than the tolerance (measured
 * in docs/guide.md, "Structure identity").
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { speciesPairChannels } from '../structure/pair-table.js';
import { imageGeometry } from './geometry.js';
import { NeighborList } from './neighbors.js';
import { checkFrameFinite, checkTrajectory, positiveNumber } from './validate.js';

const FN = 'structureFingerprint';

/** Default fingerprint cutoff in Å: the third neighbour shell of a-Si and of silica. */
export const DEFAULT_FINGERPRINT_CUTOFF = 6;

/**
 * Default tolerance of {@link sameStructure} in Å (largest difference between
 * matched sorted distances). Measured on 640 MD frames of the 64 a-Si glasses
 * minimised by LAMMPS to a largest force of 1e-3 eV/Å: frames that reached the
 * same energy (within 1e-6 eV/atom) agree to 0.018 Å (soft modes converge
 * loosely), frames in different minima differ by at least 0.062 Å, and the 59
 * distinct LAMMPS inherent structures by at least 0.088 Å (docs/guide.md).
 */
export const DEFAULT_SAME_STRUCTURE_TOLERANCE = 0.03;

/** Options of {@link structureFingerprint}. */
export interface FingerprintOptions {
  /** Largest distance in Å (default {@link DEFAULT_FINGERPRINT_CUTOFF}). */
  readonly cutoff?: number;
}

/** The sorted distances of one species pair. */
export interface FingerprintChannel {
  /** Species pair, alphabetical, for example `'O-Si'` or `'Si-Si'`. */
  readonly pair: string;
  /** Distances in Å below the cutoff, ascending (each unordered pair of images once). */
  readonly distances: Float64Array;
}

/** A structure fingerprint (see {@link structureFingerprint}). */
export interface StructureFingerprint {
  /** Atoms in the structure. */
  readonly nAtoms: number;
  /** Composition, `'O48 Si24'` style (species alphabetical). */
  readonly composition: string;
  /** Cell volume in Å³, or null without a cell. */
  readonly volume: number | null;
  /** Cutoff used, Å. */
  readonly cutoff: number;
  /** One channel per species pair present, alphabetical. */
  readonly channels: readonly FingerprintChannel[];
}

/** Options of {@link sameStructure} and {@link fingerprintDistance}. */
export interface SameStructureOptions {
  /** Largest allowed difference between matched distances, Å (default {@link DEFAULT_SAME_STRUCTURE_TOLERANCE}). */
  readonly tolerance?: number;
}

function composition(species: readonly string[]): string {
  const n = new Map<string, number>();
  for (const s of species) n.set(s, (n.get(s) ?? 0) + 1);
  return [...n.keys()].sort().map((s) => `${s}${n.get(s)}`).join(' ');
}

/**
 * A reusable fingerprinter for many frames of one trajectory (one neighbour
 * list, no allocation per pair). {@link structureFingerprint} is the one-frame form.
 */
export function fingerprinter(trajectory: Trajectory, options: FingerprintOptions = {}): (frame: number) => StructureFingerprint {
  checkTrajectory(FN, trajectory);
  const cutoff = positiveNumber(FN, 'options.cutoff', options.cutoff ?? DEFAULT_FINGERPRINT_CUTOFF, 'a finite distance > 0 in Å');
  const { nAtoms, positions, species } = trajectory;
  const geom = imageGeometry(FN, trajectory.cell, trajectory.pbc);
  const list = new NeighborList(geom, cutoff, nAtoms);
  const kinds = [...new Set(species)].sort();
  const kindOf = Int32Array.from(species, (s) => kinds.indexOf(s));
  const nk = kinds.length;
  const { pairs: pairNames, index: chanOf } = speciesPairChannels(kinds);
  const comp = composition(species);
  const volume = geom.cellVolume;
  return (frame: number): StructureFingerprint => {
    if (!Number.isInteger(frame) || frame < 0 || frame >= trajectory.nFrames) {
      throw new Error(`${FN}: frame = ${String(frame)}; expected an integer in [0, ${trajectory.nFrames - 1}]`);
    }
    checkFrameFinite(FN, positions, frame, nAtoms);
    list.build(positions, frame);
    const { start, index, dx, dy, dz, r } = list;
    const counts = new Int32Array(pairNames.length);
    const keep = (i: number, e: number): boolean => {
      const j = index[e];
      if (j !== i) return j > i;
      // An atom's own image: T and -T are both listed; keep one.
      return dx[e] > 0 || (dx[e] === 0 && (dy[e] > 0 || (dy[e] === 0 && dz[e] > 0)));
    };
    for (let i = 0; i < nAtoms; i++) {
      for (let e = start[i]; e < start[i + 1]; e++) if (keep(i, e)) counts[chanOf[kindOf[i] * nk + kindOf[index[e]]]]++;
    }
    const out = pairNames.map((_, c) => new Float64Array(counts[c]));
    counts.fill(0);
    for (let i = 0; i < nAtoms; i++) {
      for (let e = start[i]; e < start[i + 1]; e++) {
        if (!keep(i, e)) continue;
        if (r[e] === 0) {
          throw new Error(`${FN}: atoms ${i} and ${index[e]} of frame ${frame} coincide (distance 0); remove the duplicate atom`);
        }
        const c = chanOf[kindOf[i] * nk + kindOf[index[e]]];
        out[c][counts[c]++] = r[e];
      }
    }
    for (const d of out) d.sort();
    return { nAtoms, composition: comp, volume, cutoff, channels: pairNames.map((pair, c) => ({ pair, distances: out[c] })) };
  };
}

/**
 * The fingerprint of one frame: per species pair, every interatomic distance
 * below `cutoff` (all periodic images), sorted. Independent of atom order,
 * translation (wrapping included) and any rotation or reflection, so of the
 * cell's symmetry operations too; meant for relaxed structures, whose
 * distances are defined to far better than the tolerance of {@link sameStructure}.
 *
 * @param frame - frame index
 * @example
 * ```ts
 * const a = structureFingerprint(relaxed, 0);
 * const b = structureFingerprint(relaxed, 1);
 * sameStructure(a, b); // true when both relaxed into the same minimum
 * ```
 * @throws Error for an empty trajectory, a bad frame index, non-finite
 *   coordinates, coinciding atoms or a cutoff <= 0.
 */
export function structureFingerprint(trajectory: Trajectory, frame: number, options: FingerprintOptions = {}): StructureFingerprint {
  return fingerprinter(trajectory, options)(frame);
}

function checkFingerprint(fn: string, name: string, f: StructureFingerprint): void {
  if (f === null || typeof f !== 'object' || !Array.isArray(f.channels)) {
    throw new Error(`${fn}: ${name} is ${String(f)}; expected a structureFingerprint result`);
  }
}

/**
 * Largest difference (Å) between the matched sorted distances of two
 * fingerprints: 0 for copies of one structure, Infinity when they cannot be the
 * same (other atom count, composition or cell volume, or distances present in
 * one and absent in the other further than `tolerance` from the cutoff).
 * Distances within `tolerance` of the cutoff may appear in one list only.
 *
 * @throws Error when the two fingerprints were made with different cutoffs.
 */
export function fingerprintDistance(a: StructureFingerprint, b: StructureFingerprint, options: SameStructureOptions = {}): number {
  const fn = 'fingerprintDistance';
  checkFingerprint(fn, 'a', a);
  checkFingerprint(fn, 'b', b);
  const tol = positiveNumber(fn, 'options.tolerance', options.tolerance ?? DEFAULT_SAME_STRUCTURE_TOLERANCE, 'a distance > 0 in Å');
  if (a.cutoff !== b.cutoff) {
    throw new Error(`${fn}: a was made with cutoff ${a.cutoff} Å and b with ${b.cutoff} Å; fingerprint both with the same cutoff`);
  }
  if (a.nAtoms !== b.nAtoms || a.composition !== b.composition) return Infinity;
  if ((a.volume === null) !== (b.volume === null)) return Infinity;
  if (a.volume !== null && b.volume !== null && Math.abs(a.volume - b.volume) > 1e-6 * Math.max(a.volume, b.volume)) return Infinity;
  let worst = 0;
  const edge = a.cutoff - tol;
  for (let c = 0; c < a.channels.length; c++) {
    const x = a.channels[c].distances, y = b.channels[c].distances;
    const n = Math.min(x.length, y.length);
    for (let k = 0; k < n; k++) {
      const d = Math.abs(x[k] - y[k]);
      if (d > worst) worst = d;
    }
    // Unmatched distances must sit at the cutoff (a pair that crossed it).
    const longer = x.length > n ? x : y;
    for (let k = n; k < longer.length; k++) if (longer[k] < edge) return Infinity;
  }
  return worst;
}

/**
 * True when two fingerprints describe the same structure: same atom count,
 * composition and cell volume, and every matched distance within `tolerance`
 * (default {@link DEFAULT_SAME_STRUCTURE_TOLERANCE} Å).
 *
 * @example
 * ```ts
 * sameStructure(structureFingerprint(a, 0), structureFingerprint(b, 0), { tolerance: 0.01 });
 * ```
 */
export function sameStructure(a: StructureFingerprint, b: StructureFingerprint, options: SameStructureOptions = {}): boolean {
  const tol = options.tolerance ?? DEFAULT_SAME_STRUCTURE_TOLERANCE;
  return fingerprintDistance(a, b, options) <= tol;
}

/** Sum of the first `m` distances of each channel: copies differ by at most m * tol per channel. */
function sortKey(f: StructureFingerprint, m: readonly number[]): number {
  let s = 0;
  for (let c = 0; c < f.channels.length; c++) {
    const d = f.channels[c].distances;
    for (let k = 0; k < m[c]; k++) s += d[k];
  }
  return s;
}

/**
 * Groups fingerprints into distinct structures: `result[i]` is the index of the
 * first fingerprint of i's group (i itself for a new structure). Uses a sort
 * key to compare only candidates, so it scales as n log n for distinct sets.
 * Grouping is greedy (each fingerprint joins the first earlier representative
 * it matches).
 *
 * @example
 * ```ts
 * const rep = groupStructures(fps);
 * const unique = rep.filter((r, i) => r === i).length / rep.length;
 * ```
 */
export function groupStructures(fingerprints: readonly StructureFingerprint[], options: SameStructureOptions = {}): Int32Array {
  const n = fingerprints.length;
  const out = new Int32Array(n);
  if (n === 0) return out;
  const tol = options.tolerance ?? DEFAULT_SAME_STRUCTURE_TOLERANCE;
  fingerprints.forEach((f, i) => checkFingerprint('groupStructures', `fingerprints[${i}]`, f));
  const nc = Math.max(...fingerprints.map((f) => f.channels.length));
  const m: number[] = [];
  for (let c = 0; c < nc; c++) {
    let least = Infinity;
    for (const f of fingerprints) least = Math.min(least, f.channels[c]?.distances.length ?? 0);
    m.push(least);
  }
  const keys = fingerprints.map((f) => sortKey(f, m));
  const window = (m.reduce((s, x) => s + x, 0) + 1) * tol;
  // Representatives so far, ascending by key (parallel arrays).
  const repKey: number[] = [];
  const repIdx: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    let lo = 0, hi = repKey.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (repKey[mid] < k - window) lo = mid + 1;
      else hi = mid;
    }
    let best = -1;
    for (let t = lo; t < repKey.length && repKey[t] <= k + window; t++) {
      const j = repIdx[t];
      if ((best < 0 || j < best) && sameStructure(fingerprints[i], fingerprints[j], { tolerance: tol })) best = j;
    }
    if (best >= 0) {
      out[i] = best;
      continue;
    }
    out[i] = i;
    let at = lo;
    while (at < repKey.length && repKey[at] < k) at++;
    repKey.splice(at, 0, k);
    repIdx.splice(at, 0, i);
  }
  return out;
}
