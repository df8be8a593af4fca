/**
 * Minimum interatomic distance per frame.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { MinimumImage, fractionalInto, translationsWithin } from '../structure/images.js';
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
