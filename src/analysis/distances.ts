/**
 * Minimum interatomic distance per frame.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { MinimumImage, fractionalInto, translationsWithin } from '../structure/images.js';
import { speciesPairChannels } from '../structure/pair-table.js';
import { checkFrameFinite, checkTrajectory, selectFrames, type FrameSelection } from './validate.js';

const FN = 'minimumDistances';

/** Options of {@link minimumDistances}. */
export interface MinimumDistanceOptions {
  /** Frames to evaluate (indices or a slice; default all). */
  readonly frames?: FrameSelection;
}

/**
 * Shortest interatomic distance of each frame in Å, over all pairs and all
 * periodic images (the minimum image of {@link MinimumImage}, exact for any
 * cell shape). An atom's distance to its own periodic image (the shortest
 * lattice vector) counts as well, so a one-atom periodic cell gives its shortest
 * lattice vector. A non-periodic frame with a single atom gives Infinity.
 *
 * @example
 * ```ts
 * const dMin = minimumDistances(traj); // Float64Array, one value per frame
 * const overlaps = dMin.filter((d) => d < 2.0).length;
 * ```
 * @throws Error for an empty trajectory or non-finite coordinates.
 */
export function minimumDistances(trajectory: Trajectory, options: MinimumDistanceOptions = {}): Float64Array {
  checkTrajectory(FN, trajectory);
  const frames = selectFrames(FN, trajectory.nFrames, options.frames);
  const { nAtoms, positions } = trajectory;
  const mi = new MinimumImage(trajectory.cell, trajectory.pbc, FN);
  const geom = mi.geometry;
  // Shortest non-zero lattice vector (an atom's own image), searched generously.
  let selfMin = Infinity;
  if (mi.periodic) {
    const t = translationsWithin(geom, 2 * geom.halfDiameter);
    for (let k = 1; k < t.count; k++) selfMin = Math.min(selfMin, t.norms[k]);
  }
  const u = new Float64Array(nAtoms), v = new Float64Array(nAtoms), w = new Float64Array(nAtoms);
  const out = new Float64Array(frames.length);
  for (let f = 0; f < frames.length; f++) {
    const frame = frames[f];
    checkFrameFinite(FN, positions, frame, nAtoms);
    fractionalInto(positions, frame * nAtoms * 3, nAtoms, null, geom.inverse, u, v, w);
    let best2 = selfMin * selfMin;
    for (let i = 0; i < nAtoms; i++) {
      for (let j = i + 1; j < nAtoms; j++) {
        best2 = mi.reducedDistance2(u[j] - u[i], v[j] - v[i], w[j] - w[i], best2, null, 0);
      }
    }
    out[f] = Math.sqrt(best2);
  }
  return out;
}

/** Result of {@link pairMinimumDistances}. */
export interface PairMinimumDistances {
  /** The distinct species, in order of first appearance. */
  readonly species: readonly string[];
  /** The pairs, `'A-B'` with A before B in `species` (A-A, A-B, B-B for two species). */
  readonly pairs: readonly string[];
  /** `perFrame[f * pairs.length + p]`: shortest distance of pair `p` in frame `f` (Å; Infinity when the frame has no such pair). */
  readonly perFrame: Float64Array;
  /** Shortest distance of each pair over all frames, Å. */
  readonly smallest: Readonly<Record<string, number>>;
}

/**
 * Shortest interatomic distance per pair of species (Si-Si, Si-O, O-O) in
 * every frame and over all frames, minimum image when periodic: what the
 * per-pair minimum distances of the resampler are derived from (0.85 x the
 * smallest distance seen per pair in the training data) and what the
 * evaluator checks them with. An atom's distance to its own periodic image is
 * not counted (cells are far larger than bonds).
 *
 * @example
 * ```ts
 * const { smallest } = pairMinimumDistances(silica); // { 'Si-Si': 2.64, 'Si-O': 1.49, 'O-O': 2.33 }
 * ```
 * @throws Error for an empty trajectory or non-finite coordinates.
 */
export function pairMinimumDistances(trajectory: Trajectory, options: MinimumDistanceOptions = {}): PairMinimumDistances {
  const fn = 'pairMinimumDistances';
  checkTrajectory(fn, trajectory);
  const frames = selectFrames(fn, trajectory.nFrames, options.frames);
  const { nAtoms, positions } = trajectory;
  const species = [...new Set(trajectory.species)];
  const ns = species.length;
  const kind = new Int32Array(nAtoms);
  for (let i = 0; i < nAtoms; i++) kind[i] = species.indexOf(trajectory.species[i]);
  const { pairs, index: pairIndex } = speciesPairChannels(species);
  const np = pairs.length;
  const mi = new MinimumImage(trajectory.cell, trajectory.pbc, fn);
  const geom = mi.geometry;
  const u = new Float64Array(nAtoms), v = new Float64Array(nAtoms), w = new Float64Array(nAtoms);
  const perFrame = new Float64Array(frames.length * np).fill(Infinity);
  for (let f = 0; f < frames.length; f++) {
    const frame = frames[f];
    checkFrameFinite(fn, positions, frame, nAtoms);
    fractionalInto(positions, frame * nAtoms * 3, nAtoms, null, geom.inverse, u, v, w);
    const row = f * np;
    for (let i = 0; i < nAtoms; i++) {
      const ki = kind[i] * ns;
      for (let j = i + 1; j < nAtoms; j++) {
        const p = row + pairIndex[ki + kind[j]];
        const cap = perFrame[p];
        const d2 = mi.reducedDistance2(u[j] - u[i], v[j] - v[i], w[j] - w[i], cap * cap, null, 0);
        if (d2 < cap * cap) perFrame[p] = Math.sqrt(d2);
      }
    }
  }
  const smallest: Record<string, number> = {};
  for (let p = 0; p < np; p++) {
    let m = Infinity;
    for (let f = 0; f < frames.length; f++) m = Math.min(m, perFrame[f * np + p]);
    smallest[pairs[p]] = m;
  }
  return { species, pairs, perFrame, smallest };
}
