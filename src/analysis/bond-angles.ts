/**
 * Bond-angle distribution: angles j-i-k between pairs of neighbours of each atom.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { imageGeometry } from './geometry.js';
import { NeighborList } from './neighbors.js';
import { checkFrameFinite, checkTrajectory, positiveInteger, positiveNumber, selectFrames, type FrameSelection } from './validate.js';

const FN = 'bondAngleDistribution';

/** Options of {@link bondAngleDistribution}. */
export interface BondAngleOptions {
  /** Frames to evaluate (indices or a slice; default all). */
  readonly frames?: FrameSelection;
}

/** Result of {@link bondAngleDistribution}. */
export interface BondAngleDistribution {
  /** Bin centres in degrees. */
  readonly theta: Float64Array;
  /** Bin edges in degrees, 0 to 180, length nBins + 1. */
  readonly edges: Float64Array;
  /** Angles per bin summed over frames (each unordered neighbour pair of each centre atom once). */
  readonly counts: Float64Array;
  /** Probability density per degree: counts / (total * bin width); integrates to 1 (all zeros without angles). */
  readonly density: Float64Array;
  /** Total number of angles counted. */
  readonly total: number;
  /** Number of frames evaluated. */
  readonly nFrames: number;
}

/**
 * Distribution of bond angles θ_jik (at atom i, between neighbours j and k within
 * `cutoff`, all periodic images), in degrees on [0, 180] with `nBins` equal bins.
 *
 * @param cutoff - neighbour distance in Å
 * @param nBins - number of angle bins between 0° and 180°
 * @example
 * ```ts
 * const bad = bondAngleDistribution(traj, 2.9, 90); // 2° bins; a-Si peaks near 109°
 * ```
 * @throws Error for cutoff <= 0, nBins < 1, an empty trajectory or non-finite coordinates.
 */
export function bondAngleDistribution(
  trajectory: Trajectory, cutoff: number, nBins: number, options: BondAngleOptions = {},
): BondAngleDistribution {
  checkTrajectory(FN, trajectory);
  positiveNumber(FN, 'cutoff', cutoff, 'a finite distance > 0 in Å');
  positiveInteger(FN, 'nBins', nBins);
  const frames = selectFrames(FN, trajectory.nFrames, options.frames);
  const { nAtoms, positions } = trajectory;
  const geom = imageGeometry(FN, trajectory.cell, trajectory.pbc);
  const list = new NeighborList(geom, cutoff, nAtoms);
  const counts = new Float64Array(nBins + 1);
  const perDegree = nBins / 180;
  const toDeg = 180 / Math.PI;
  let total = 0;
  for (let f = 0; f < frames.length; f++) {
    checkFrameFinite(FN, positions, frames[f], nAtoms);
    list.build(positions, frames[f]);
    const { start, dx, dy, dz, r } = list;
    for (let i = 0; i < nAtoms; i++) {
      for (let a = start[i]; a < start[i + 1]; a++) {
        for (let c = a + 1; c < start[i + 1]; c++) {
          let cos = (dx[a] * dx[c] + dy[a] * dy[c] + dz[a] * dz[c]) / (r[a] * r[c]);
          cos = cos > 1 ? 1 : cos < -1 ? -1 : cos;
          counts[(Math.acos(cos) * toDeg * perDegree) | 0]++;
          total++;
        }
      }
    }
  }
  // θ = 180° exactly belongs to the last bin.
  counts[nBins - 1] += counts[nBins];
  const width = 180 / nBins;
  const theta = new Float64Array(nBins), edges = new Float64Array(nBins + 1), density = new Float64Array(nBins);
  for (let k = 0; k <= nBins; k++) edges[k] = k * width;
  for (let k = 0; k < nBins; k++) {
    theta[k] = (k + 0.5) * width;
    density[k] = total > 0 ? counts[k] / (total * width) : 0;
  }
  return { theta, edges, counts: counts.slice(0, nBins), density, total, nFrames: frames.length };
}
