/**
 * Minimum interatomic distance per frame.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { fractionalInto, imageGeometry, translationsWithin } from './geometry.js';
import { checkFrameFinite, checkTrajectory, selectFrames, type FrameSelection } from './validate.js';

const FN = 'minimumDistances';

/** Options of {@link minimumDistances}. */
export interface MinimumDistanceOptions {
  /** Frames to evaluate (indices or a slice; default all). */
  readonly frames?: FrameSelection;
}

/**
 * Shortest interatomic distance of each frame in Å, over all pairs and all
 * periodic images (the minimum image; for triclinic cells the neighbouring
 * images of the rounded one are checked too, so the result is exact for any
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
  const geom = imageGeometry(FN, trajectory.cell, trajectory.pbc);
  const periodicAny = geom.periodic.some((p) => p);
  // The nearest image v of a reduced displacement d has |v_par| <= |d_par| <= halfDiameter.
  const trans = translationsWithin(geom, geom.halfDiameter);
  // Shortest non-zero lattice vector (own image), searched generously.
  let selfMin = Infinity;
  if (periodicAny) {
    const t = translationsWithin(geom, 2 * geom.halfDiameter);
    for (let k = 1; k < t.count; k++) selfMin = Math.min(selfMin, t.norms[k]);
  }
  const u = new Float64Array(nAtoms), v = new Float64Array(nAtoms), w = new Float64Array(nAtoms);
  const m = geom.inverse, b = geom.basis;
  const pu = geom.periodic[0] ? 1 : 0, pv = geom.periodic[1] ? 1 : 0, pw = geom.periodic[2] ? 1 : 0;
  const single = geom.orthorhombic || !periodicAny;
  const out = new Float64Array(frames.length);
  for (let f = 0; f < frames.length; f++) {
    const frame = frames[f];
    checkFrameFinite(FN, positions, frame, nAtoms);
    const base = frame * nAtoms * 3;
    fractionalInto(positions, base, nAtoms, null, m, u, v, w);
    let best2 = selfMin * selfMin;
    for (let i = 0; i < nAtoms; i++) {
      for (let j = i + 1; j < nAtoms; j++) {
        let du = u[j] - u[i], dv = v[j] - v[i], dw = w[j] - w[i];
        du -= pu * Math.round(du);
        dv -= pv * Math.round(dv);
        dw -= pw * Math.round(dw);
        const dx = du * b[0] + dv * b[3] + dw * b[6];
        const dy = du * b[1] + dv * b[4] + dw * b[7];
        const dz = du * b[2] + dv * b[5] + dw * b[8];
        const s0 = dx * dx + dy * dy + dz * dz;
        if (s0 < best2) best2 = s0;
        if (single) continue; // orthorhombic: the rounded image is the nearest
        // |d + T| >= |T| - |d|: translations at or beyond |d| + best cannot win.
        const limit = Math.sqrt(s0) + Math.sqrt(best2);
        for (let t = 1; t < trans.count; t++) {
          if (trans.norms[t] >= limit) break;
          const ex = dx + trans.vectors[3 * t], ey = dy + trans.vectors[3 * t + 1], ez = dz + trans.vectors[3 * t + 2];
          const s = ex * ex + ey * ey + ez * ez;
          if (s < best2) best2 = s;
        }
      }
    }
    out[f] = Math.sqrt(best2);
  }
  return out;
}
