/**
 * Radial distribution function g(r) of a trajectory, averaged over frames.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { fractionalInto, imageGeometry, selfImageDistances, translationsWithin, zeroTranslation } from './geometry.js';
import {
  atomsOfSpecies,
  checkFrameFinite,
  checkTrajectory,
  positiveInteger,
  positiveNumber,
  selectFrames,
  type FrameSelection,
} from './validate.js';

/**
 * Normalisation convention of g(r). All three divide the pairs found in a
 * shell by the pairs an ideal gas of the same density would put there, with the
 * exact shell volume `V_k = 4/3 π ((k+1)³ - k³) dr³`; they differ in the
 * ideal-gas density.
 *
 * - `'lammps'` (default; LAMMPS `compute rdf`): `g_k = 2 n_k / (N (N-1) V_k / V)`,
 *   `n_k` unordered pairs in bin k, i.e. ideal-gas pair density `(N-1)/V`. For a
 *   partial `[a, b]`: `g_k = c_k / (N_a (N_b - δ_ab) V_k / V)` with `c_k` the
 *   ordered pairs (i of species a, j of species b), as LAMMPS does for type pairs.
 * - `'mdanalysis'` (`MDAnalysis.analysis.rdf.InterRDF(..., norm='rdf')`, with
 *   `exclusion_block=(1, 1)` when both groups are the same): the same formula as
 *   LAMMPS. MDAnalysis itself only counts minimum-image pairs (so it agrees only
 *   for rMax below half the box) and keeps positions as float32; repap counts all
 *   images in float64 whatever the convention.
 * - `'ase'` (`ase.geometry.analysis.Analysis.get_rdf`): `g_k = 2 n_k / (N² V_k / V)`,
 *   ideal-gas density `N/V`, so `g_ASE = g_LAMMPS (N-1)/N`. For a partial `[a, b]`
 *   repap uses `c_k / (N_a N_b V_k / V)`. (ASE's `Analysis.get_rdf(elements=...)`
 *   instead computes the total g of the selected atoms only.) ASE puts a distance
 *   lying exactly on a bin edge in the lower bin; repap, like LAMMPS and numpy,
 *   in the upper one: this matters only for distances equal to k·dr to the last bit.
 */
export type RdfNormalization = 'lammps' | 'ase' | 'mdanalysis';

/** Options of {@link radialDistribution}. */
export interface RdfOptions {
  /** Largest distance in Å (exclusive). May exceed half the cell, or the cell: every periodic image is counted. */
  readonly rMax: number;
  /** Number of bins of width `rMax / nBins` starting at 0. */
  readonly nBins: number;
  /** Frames to average over (indices or a slice; default all). */
  readonly frames?: FrameSelection;
  /**
   * Partial RDF of a species pair, for example `['Si', 'O']`: pairs with one atom
   * of each species (`g_ab`); `['Si', 'Si']` for Si-Si pairs only. Default: all atoms.
   */
  readonly species?: readonly [string, string];
  /** Normalisation convention (default `'lammps'`). */
  readonly normalization?: RdfNormalization;
  /**
   * Volume V in Å³ that sets the ideal-gas density. Default: the cell volume
   * |det(cell)| (also for a cell with some or no periodic directions, as ASE does).
   * Required for a non-periodic trajectory with `cell: null`, where no volume is
   * defined: give, for example, the volume of the box or droplet the atoms fill.
   */
  readonly volume?: number;
}

/** Result of {@link radialDistribution}. */
export interface RdfResult {
  /** Bin centres `(k + 1/2) dr` in Å. */
  readonly r: Float64Array;
  /** g(r) per bin, the arithmetic mean of the per-frame g over the selected frames. */
  readonly g: Float64Array;
  /** Bin edges `k dr`, length `nBins + 1`; bin k holds `edges[k] <= r < edges[k+1]`. */
  readonly edges: Float64Array;
  /**
   * Pairs per bin summed over the selected frames: unordered pairs for a total or
   * same-species RDF (each periodic image of a pair once; an atom and its own image
   * count as one pair per ±T), and a-b pairs for a partial of two species.
   */
  readonly counts: Float64Array;
  /** Number of frames averaged. */
  readonly nFrames: number;
  /** Bin width in Å. */
  readonly dr: number;
  /** `rMax` used. */
  readonly rMax: number;
  /** Convention used. */
  readonly normalization: RdfNormalization;
  /** Species pair of a partial RDF, or null for all atoms. */
  readonly species: readonly [string, string] | null;
  /** Volume in Å³ used for the ideal-gas density. */
  readonly volume: number;
}

const FN = 'radialDistribution';

/**
 * Limits of {@link radialDistribution}: inputs beyond them are rejected
 * before any work, with the limit in the message, instead of running for
 * hours or exhausting memory.
 */
export const RDF_LIMITS = Object.freeze({
  /** Most histogram bins (each costs about 40 bytes across the result arrays): 1,000,000, about 40 MB. */
  maxBins: 1_000_000,
  /**
   * Most periodic images of the cell searched per pair (the lattice
   * translations that can bring a pair within rMax): 1,000,000, reached near
   * rMax = 50 cell lengths.
   */
  maxImages: 1_000_000,
  /**
   * Most pair-image distance evaluations (frames x atom pairs x images, an
   * upper bound): 1e10, several minutes on one core.
   */
  maxWork: 1e10,
});

/** Throws when an RDF request would exceed {@link RDF_LIMITS}. */
function checkRdfBudget(
  geom: ReturnType<typeof imageGeometry>, rMax: number, nBins: number, nFrames: number, nA: number, nB: number, same: boolean,
): void {
  if (nBins > RDF_LIMITS.maxBins) {
    throw new Error(`${FN}: options.nBins = ${nBins} exceeds the limit of ${RDF_LIMITS.maxBins.toLocaleString('en-US')} bins (about 40 bytes each); use fewer bins`);
  }
  let images = 1;
  if (rMax > geom.minImageRadius) {
    for (let i = 0; i < 3; i++) if (geom.periodic[i]) images *= 2 * Math.ceil(rMax / geom.spacing[i] + 0.5) + 1;
  }
  if (images > RDF_LIMITS.maxImages) {
    const spacing = Math.min(...geom.spacing);
    throw new Error(
      `${FN}: options.rMax = ${rMax} Å is ${(rMax / spacing).toFixed(0)} times the cell's smallest plane spacing (${spacing.toPrecision(4)} Å) and needs about ${images.toExponential(1)} periodic images per pair, above the limit of ${RDF_LIMITS.maxImages.toLocaleString('en-US')}; use an rMax of a few cell lengths`,
    );
  }
  const pairs = same ? (nA * (nA + 1)) / 2 : nA * nB;
  const work = nFrames * pairs * images;
  if (work > RDF_LIMITS.maxWork) {
    throw new Error(
      `${FN}: ${nFrames} frames x ${pairs} atom pairs x ${images} periodic images = ${work.toExponential(1)} distance evaluations, above the limit of ${RDF_LIMITS.maxWork.toExponential(0)}; select fewer frames (options.frames, e.g. { step: 10 }) or a smaller rMax`,
    );
  }
}

/**
 * Radial distribution function g(r), averaged over frames.
 *
 * Counts every periodic image within `rMax` (which may exceed half the box, or
 * the box itself, as LAMMPS does with a long ghost cutoff), for orthorhombic and
 * triclinic cells, partially periodic and non-periodic structures. The default
 * normalisation reproduces LAMMPS `compute rdf` (see {@link RdfNormalization}).
 *
 * @example
 * ```ts
 * const { r, g } = radialDistribution(traj, { rMax: 8, nBins: 160 });
 * const siO = radialDistribution(traj, { rMax: 6, nBins: 120, species: ['Si', 'O'] });
 * ```
 * @throws Error for rMax <= 0 or not a number (a string `'4'` too), nBins < 1,
 *   a request beyond the limits (more than 1,000,000 bins, 1,000,000
 *   periodic images per pair or 1e10 distance evaluations; the message
 *   states the limit), an unknown species,
 *   an empty trajectory, non-finite coordinates, or a `cell: null` trajectory
 *   without `volume`.
 */
export function radialDistribution(trajectory: Trajectory, options: RdfOptions): RdfResult {
  checkTrajectory(FN, trajectory);
  if (options === null || typeof options !== 'object') throw new Error(`${FN}: options must be an object { rMax, nBins, ... }`);
  const rMax = positiveNumber(FN, 'options.rMax', options.rMax, 'a finite distance > 0 in Å');
  const nBins = positiveInteger(FN, 'options.nBins', options.nBins);
  const normalization = options.normalization ?? 'lammps';
  if (normalization !== 'lammps' && normalization !== 'ase' && normalization !== 'mdanalysis') {
    throw new Error(`${FN}: options.normalization = ${String(normalization)}; expected 'lammps', 'ase' or 'mdanalysis'`);
  }
  const { nAtoms, positions } = trajectory;
  const frames = selectFrames(FN, trajectory.nFrames, options.frames);
  const geom = imageGeometry(FN, trajectory.cell, trajectory.pbc);

  let volume: number;
  if (options.volume !== undefined) {
    volume = positiveNumber(FN, 'options.volume', options.volume, 'a finite volume > 0 in Å³');
  } else if (geom.cellVolume !== null) {
    volume = geom.cellVolume;
  } else {
    throw new Error(
      `${FN}: options.volume is required: the trajectory has no cell (cell: null) or a flat one, so the ideal-gas density N/V is undefined; pass the volume in Å³ that the atoms occupy`,
    );
  }

  // Atom groups.
  let groupA: Int32Array;
  let groupB: Int32Array;
  let same: boolean;
  let species: readonly [string, string] | null = null;
  if (options.species !== undefined) {
    const sp = options.species;
    if (!Array.isArray(sp) || sp.length !== 2) {
      throw new Error(`${FN}: options.species must be a pair of chemical symbols such as ['Si', 'O']`);
    }
    groupA = atomsOfSpecies(FN, 'options.species[0]', trajectory.species, sp[0]);
    groupB = atomsOfSpecies(FN, 'options.species[1]', trajectory.species, sp[1]);
    same = sp[0] === sp[1];
    species = [sp[0], sp[1]];
  } else {
    groupA = new Int32Array(nAtoms);
    for (let i = 0; i < nAtoms; i++) groupA[i] = i;
    groupB = groupA;
    same = true;
  }
  const nA = groupA.length;
  const nB = same ? nA : groupB.length;
  checkRdfBudget(geom, rMax, nBins, frames.length, nA, nB, same);

  const dr = rMax / nBins;
  const invDr = nBins / rMax;
  const r2 = rMax * rMax;
  // One spare bin catches r * invDr rounding up to nBins just below rMax; dropped at the end.
  const counts = new Float64Array(nBins + 1);

  // Scratch coordinates (Cartesian for orthorhombic cells, fractional otherwise), allocated once.
  const x1 = new Float64Array(nA), y1 = new Float64Array(nA), z1 = new Float64Array(nA);
  const x2 = same ? x1 : new Float64Array(nB), y2 = same ? y1 : new Float64Array(nB), z2 = same ? z1 : new Float64Array(nB);

  const [px, py, pz] = geom.periodic;
  const minImage = rMax <= geom.minImageRadius;
  if (geom.orthorhombic && px && py && pz) {
    const [Lx, Ly, Lz] = geom.lengths;
    const twoImages = rMax <= Math.min(Lx, Ly, Lz);
    // Larger systems: sort along the longest axis and visit only the pairs whose
    // separation along it is below rMax (two windows, one across the boundary).
    const axis = Lx >= Ly && Lx >= Lz ? 0 : Ly >= Lz ? 1 : 2;
    const sorted = same && minImage && nA >= 48 && 2 * rMax < 0.8 * geom.lengths[axis];
    const perm = sorted ? identity(nA) : new Int32Array(0);
    const sx = sorted ? new Float64Array(nA) : x1, sy = sorted ? new Float64Array(nA) : y1, sz = sorted ? new Float64Array(nA) : z1;
    const keys = axis === 0 ? x1 : axis === 1 ? y1 : z1;
    // Coordinates and periods in sorted-kernel order: the sort axis first.
    const [p, q, rr] = axis === 0 ? [x1, y1, z1] : axis === 1 ? [y1, z1, x1] : [z1, x1, y1];
    const [Lp, Lq, Lr] = axis === 0 ? [Lx, Ly, Lz] : axis === 1 ? [Ly, Lz, Lx] : [Lz, Lx, Ly];
    for (let f = 0; f < frames.length; f++) {
      const frame = frames[f];
      checkFrameFinite(FN, positions, frame, nAtoms);
      gatherWrapped(positions, frame * nAtoms * 3, groupA, Lx, Ly, Lz, x1, y1, z1);
      if (!same) gatherWrapped(positions, frame * nAtoms * 3, groupB, Lx, Ly, Lz, x2, y2, z2);
      if (sorted) {
        // Insertion sort from the previous frame's order: nearly sorted along an MD trajectory.
        insertionSort(perm, keys);
        for (let k = 0; k < nA; k++) {
          const a = perm[k];
          sx[k] = p[a];
          sy[k] = q[a];
          sz[k] = rr[a];
        }
        countOrthoMinImageSorted(sx, sy, sz, nA, Lp, Lq, Lr, rMax, r2, invDr, counts);
      } else if (minImage) {
        countOrthoMinImage(x1, y1, z1, nA, x2, y2, z2, nB, same, Lx, Ly, Lz, r2, invDr, counts);
      } else if (twoImages) {
        countOrthoTwoImages(x1, y1, z1, nA, x2, y2, z2, nB, same, Lx, Ly, Lz, r2, invDr, counts);
      } else {
        countOrthoAllImages(x1, y1, z1, nA, x2, y2, z2, nB, same, Lx, Ly, Lz, r2, invDr, counts);
      }
    }
  } else {
    const trans = minImage ? zeroTranslation() : translationsWithin(geom, rMax);
    for (let f = 0; f < frames.length; f++) {
      const frame = frames[f];
      checkFrameFinite(FN, positions, frame, nAtoms);
      fractionalInto(positions, frame * nAtoms * 3, groupA.length, groupA, geom.inverse, x1, y1, z1);
      if (!same) fractionalInto(positions, frame * nAtoms * 3, groupB.length, groupB, geom.inverse, x2, y2, z2);
      countGeneral(
        x1, y1, z1, nA, x2, y2, z2, nB, same, px ? 1 : 0, py ? 1 : 0, pz ? 1 : 0,
        geom.basis, trans.vectors, trans.norms, trans.count, rMax, r2, invDr, counts,
      );
    }
  }

  // An atom and its own periodic images (rMax beyond the shortest lattice vector):
  // the same for every frame, so added once. T and -T are one unordered pair.
  if (same) {
    const selfD = selfImageDistances(geom, rMax);
    for (let t = 0; t < selfD.length; t++) counts[(selfD[t] * invDr) | 0] += 0.5 * nA * frames.length;
  }

  return normalize(counts, {
    nBins, dr, rMax, volume, nA, nB, same, normalization, species, nFrames: frames.length,
  });
}

interface NormalizeArgs {
  nBins: number;
  dr: number;
  rMax: number;
  volume: number;
  nA: number;
  nB: number;
  same: boolean;
  normalization: RdfNormalization;
  species: readonly [string, string] | null;
  nFrames: number;
}

function normalize(rawCounts: Float64Array, a: NormalizeArgs): RdfResult {
  const { nBins, dr, volume, nA, nB, same, normalization, nFrames } = a;
  // Ordered pairs per unordered count, and the ideal-gas pair count N_a * N_b' per unit volume fraction.
  const orderedPerCount = same ? 2 : 1;
  const idealPairs = normalization === 'ase' ? nA * nB : nA * (nB - (same ? 1 : 0));
  const constant = (4 * Math.PI) / (3 * volume);
  const r = new Float64Array(nBins);
  const g = new Float64Array(nBins);
  const edges = new Float64Array(nBins + 1);
  const counts = rawCounts.slice(0, nBins);
  for (let k = 0; k <= nBins; k++) edges[k] = k * dr;
  for (let k = 0; k < nBins; k++) {
    const lo = k * dr, hi = (k + 1) * dr;
    r[k] = (k + 0.5) * dr;
    const vfrac = constant * (hi * hi * hi - lo * lo * lo);
    const denom = vfrac * idealPairs * nFrames;
    // As LAMMPS: g = 0 when no pair can exist (a single atom of the species).
    g[k] = denom > 0 ? (orderedPerCount * counts[k]) / denom : 0;
  }
  return { r, g, edges, counts, nFrames, dr, rMax: a.rMax, normalization, species: a.species, volume };
}

/**
 * Copies the group's coordinates into SoA scratch arrays, wrapped into [0, L],
 * so that a coordinate difference d satisfies |d| <= L and its minimum-image
 * separation min(|d|, L - |d|) equals h - |h - |d|| with h = L/2 (a branch-free
 * form that V8 compiles to far fewer instructions than Math.min).
 */
function gatherWrapped(
  pos: ArrayLike<number>, base: number, idx: Int32Array, Lx: number, Ly: number, Lz: number,
  x: Float64Array, y: Float64Array, z: Float64Array,
): void {
  // Multiplying by 1/L may leave a coordinate an ulp outside [0, L]; the
  // kernels' h - |h - |d|| then differs from the exact separation by an ulp.
  const ix = 1 / Lx, iy = 1 / Ly, iz = 1 / Lz;
  for (let i = 0; i < idx.length; i++) {
    const o = base + idx[i] * 3;
    const a = pos[o], b = pos[o + 1], c = pos[o + 2];
    x[i] = a - Lx * Math.floor(a * ix);
    y[i] = b - Ly * Math.floor(b * iy);
    z[i] = c - Lz * Math.floor(c * iz);
  }
}

/**
 * Periodic orthorhombic cell, rMax at most half the smallest length: only the
 * minimum image of a pair can be within rMax. Coordinates are wrapped, so the
 * minimum-image separation along an axis is min(|d|, L - |d|) = h - |h - |d||.
 */
function countOrthoMinImage(
  x1: Float64Array, y1: Float64Array, z1: Float64Array, n1: number,
  x2: Float64Array, y2: Float64Array, z2: Float64Array, n2: number, same: boolean,
  Lx: number, Ly: number, Lz: number, r2: number, invDr: number, counts: Float64Array,
): void {
  const hx = Lx / 2, hy = Ly / 2, hz = Lz / 2;
  for (let i = 0; i < n1; i++) {
    const xi = x1[i], yi = y1[i], zi = z1[i];
    for (let j = same ? i + 1 : 0; j < n2; j++) {
      const dx = hx - Math.abs(hx - Math.abs(x2[j] - xi));
      const dy = hy - Math.abs(hy - Math.abs(y2[j] - yi));
      const dz = hz - Math.abs(hz - Math.abs(z2[j] - zi));
      const s = dx * dx + dy * dy + dz * dz;
      if (s < r2) counts[(Math.sqrt(s) * invDr) | 0]++;
    }
  }
}

function identity(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** Sorts the permutation `perm` by `keys[perm[k]]` in place (stable, allocation-free). */
function insertionSort(perm: Int32Array, keys: Float64Array): void {
  for (let k = 1; k < perm.length; k++) {
    const a = perm[k];
    const key = keys[a];
    let m = k - 1;
    while (m >= 0 && keys[perm[m]] > key) {
      perm[m + 1] = perm[m];
      m--;
    }
    perm[m + 1] = a;
  }
}

/**
 * Minimum-image kernel on coordinates sorted along the first axis (period Lp,
 * rMax <= Lp/2): for atom i, partners j > i with xs[j] - xs[i] < rMax (direct)
 * and those with Lp - (xs[j] - xs[i]) < rMax (across the boundary). Both window
 * edges only move forward as i grows.
 */
function countOrthoMinImageSorted(
  xs: Float64Array, ys: Float64Array, zs: Float64Array, n: number,
  Lp: number, Ly: number, Lz: number, rMax: number, r2: number, invDr: number, counts: Float64Array,
): void {
  const hy = Ly / 2, hz = Lz / 2;
  let hi = 0;
  let lo2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = xs[i], yi = ys[i], zi = zs[i];
    if (hi < i + 1) hi = i + 1;
    while (hi < n && xs[hi] - xi < rMax) hi++;
    for (let j = i + 1; j < hi; j++) {
      const dx = xs[j] - xi;
      const dy = hy - Math.abs(hy - Math.abs(ys[j] - yi));
      const dz = hz - Math.abs(hz - Math.abs(zs[j] - zi));
      const s = dx * dx + dy * dy + dz * dz;
      if (s < r2) counts[(Math.sqrt(s) * invDr) | 0]++;
    }
    while (lo2 < n && Lp - (xs[lo2] - xi) >= rMax) lo2++;
    for (let j = lo2 > hi ? lo2 : hi; j < n; j++) {
      const dx = Lp - (xs[j] - xi);
      const dy = hy - Math.abs(hy - Math.abs(ys[j] - yi));
      const dz = hz - Math.abs(hz - Math.abs(zs[j] - zi));
      const s = dx * dx + dy * dy + dz * dz;
      if (s < r2) counts[(Math.sqrt(s) * invDr) | 0]++;
    }
  }
}

/**
 * Periodic orthorhombic cell, rMax at most the smallest length: along each axis
 * only the separations a = min(|d|, L-|d|) and b = L - a can be below rMax (the
 * next ones, L + a and 2L - a, are >= L). The eight combinations are visited in
 * an order where a failed test rules out every later one of its branch.
 */
function countOrthoTwoImages(
  x1: Float64Array, y1: Float64Array, z1: Float64Array, n1: number,
  x2: Float64Array, y2: Float64Array, z2: Float64Array, n2: number, same: boolean,
  Lx: number, Ly: number, Lz: number, r2: number, invDr: number, counts: Float64Array,
): void {
  const hx = Lx / 2, hy = Ly / 2, hz = Lz / 2;
  for (let i = 0; i < n1; i++) {
    const xi = x1[i], yi = y1[i], zi = z1[i];
    for (let j = same ? i + 1 : 0; j < n2; j++) {
      const ax = hx - Math.abs(hx - Math.abs(x2[j] - xi));
      const ay = hy - Math.abs(hy - Math.abs(y2[j] - yi));
      const az = hz - Math.abs(hz - Math.abs(z2[j] - zi));
      const bx = Lx - ax, by = Ly - ay, bz = Lz - az;
      const sx0 = ax * ax, sx1 = bx * bx, sy0 = ay * ay, sy1 = by * by, sz0 = az * az, sz1 = bz * bz;
      let s = sx0 + sy0;
      if (s + sz0 >= r2) continue;
      counts[(Math.sqrt(s + sz0) * invDr) | 0]++;
      if (s + sz1 < r2) counts[(Math.sqrt(s + sz1) * invDr) | 0]++;
      s = sx0 + sy1;
      if (s + sz0 < r2) {
        counts[(Math.sqrt(s + sz0) * invDr) | 0]++;
        if (s + sz1 < r2) counts[(Math.sqrt(s + sz1) * invDr) | 0]++;
      }
      s = sx1 + sy0;
      if (s + sz0 >= r2) continue;
      counts[(Math.sqrt(s + sz0) * invDr) | 0]++;
      if (s + sz1 < r2) counts[(Math.sqrt(s + sz1) * invDr) | 0]++;
      s = sx1 + sy1;
      if (s + sz0 < r2) {
        counts[(Math.sqrt(s + sz0) * invDr) | 0]++;
        if (s + sz1 < r2) counts[(Math.sqrt(s + sz1) * invDr) | 0]++;
      }
    }
  }
}

/**
 * Periodic orthorhombic cell, any rMax. Per axis, the image separations of a pair with
 * minimum-image separation a (0 <= a <= L/2) are, in increasing order,
 * a, L-a, L+a, 2L-a, 2L+a, ...; the three nested loops stop at the first one
 * whose partial squared sum reaches rMax².
 */
function countOrthoAllImages(
  x1: Float64Array, y1: Float64Array, z1: Float64Array, n1: number,
  x2: Float64Array, y2: Float64Array, z2: Float64Array, n2: number, same: boolean,
  px: number, py: number, pz: number, r2: number, invDr: number, counts: Float64Array,
): void {
  const hx = px / 2, hy = py / 2, hz = pz / 2;
  for (let i = 0; i < n1; i++) {
    const xi = x1[i], yi = y1[i], zi = z1[i];
    for (let j = same ? i + 1 : 0; j < n2; j++) {
      const ax = hx - Math.abs(hx - Math.abs(x2[j] - xi));
      const ay = hy - Math.abs(hy - Math.abs(y2[j] - yi));
      const az = hz - Math.abs(hz - Math.abs(z2[j] - zi));
      for (let mx = 0, cx = ax; ;) {
        const sx = cx * cx;
        if (sx >= r2) break;
        for (let my = 0, cy = ay; ;) {
          const sxy = sx + cy * cy;
          if (sxy >= r2) break;
          for (let mz = 0, cz = az; ;) {
            const s = sxy + cz * cz;
            if (s >= r2) break;
            counts[(Math.sqrt(s) * invDr) | 0]++;
            mz++;
            cz = mz & 1 ? ((mz + 1) >> 1) * pz - az : (mz >> 1) * pz + az;
          }
          my++;
          cy = my & 1 ? ((my + 1) >> 1) * py - ay : (my >> 1) * py + ay;
        }
        mx++;
        cx = mx & 1 ? ((mx + 1) >> 1) * px - ax : (mx >> 1) * px + ax;
      }
    }
  }
}

/**
 * Any cell, including partially periodic ones: fractional differences are reduced to [-1/2, 1/2] on periodic axes,
 * turned Cartesian, then shifted by each lattice translation (sorted by length)
 * until |T| >= rMax + |d|, beyond which no image can be within rMax.
 */
function countGeneral(
  u1: Float64Array, v1: Float64Array, w1: Float64Array, n1: number,
  u2: Float64Array, v2: Float64Array, w2: Float64Array, n2: number, same: boolean,
  pu: number, pv: number, pw: number, b: Float64Array,
  tvec: Float64Array, tnorm: Float64Array, tcount: number,
  rMax: number, r2: number, invDr: number, counts: Float64Array,
): void {
  const b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7], b8 = b[8];
  for (let i = 0; i < n1; i++) {
    const ui = u1[i], vi = v1[i], wi = w1[i];
    for (let j = same ? i + 1 : 0; j < n2; j++) {
      let du = u2[j] - ui;
      let dv = v2[j] - vi;
      let dw = w2[j] - wi;
      du -= pu * Math.round(du);
      dv -= pv * Math.round(dv);
      dw -= pw * Math.round(dw);
      const dx = du * b0 + dv * b3 + dw * b6;
      const dy = du * b1 + dv * b4 + dw * b7;
      const dz = du * b2 + dv * b5 + dw * b8;
      if (tcount === 1) {
        const s = dx * dx + dy * dy + dz * dz;
        if (s < r2) counts[(Math.sqrt(s) * invDr) | 0]++;
        continue;
      }
      const limit = rMax + Math.sqrt(dx * dx + dy * dy + dz * dz);
      for (let t = 0; t < tcount; t++) {
        if (tnorm[t] >= limit) break;
        const ex = dx + tvec[3 * t], ey = dy + tvec[3 * t + 1], ez = dz + tvec[3 * t + 2];
        const s = ex * ex + ey * ey + ez * ez;
        if (s < r2) counts[(Math.sqrt(s) * invDr) | 0]++;
      }
    }
  }
}

