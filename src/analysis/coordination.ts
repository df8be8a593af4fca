/**
 * Coordination numbers: neighbours within a cutoff, per atom and frame.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { imageGeometry } from './geometry.js';
import { NeighborList } from './neighbors.js';
import { checkFrameFinite, checkTrajectory, positiveNumber, selectFrames, type FrameSelection } from './validate.js';

const FN = 'coordinationNumbers';

/** Options of {@link coordinationNumbers}. */
export interface CoordinationOptions {
  /** Frames to evaluate (indices or a slice; default all). */
  readonly frames?: FrameSelection;
}

/**
 * Number of neighbours of every atom within `cutoff` (distance < cutoff, all
 * periodic images, an atom's own images included), frame-major: entry
 * `f * nAtoms + i` is atom i in the f-th selected frame.
 *
 * @param cutoff - neighbour distance in Å (2.9 Å is a usual choice for a-Si:
 *   the minimum after the first g(r) peak)
 * @example
 * ```ts
 * const cn = coordinationNumbers(traj, 2.9);
 * const fractions = coordinationHistogram(cn); // fractions[4] = share of four-fold atoms
 * ```
 * @throws Error for cutoff <= 0, an empty trajectory or non-finite coordinates.
 */
export function coordinationNumbers(trajectory: Trajectory, cutoff: number, options: CoordinationOptions = {}): Int32Array {
  checkTrajectory(FN, trajectory);
  positiveNumber(FN, 'cutoff', cutoff, 'a finite distance > 0 in Å');
  const frames = selectFrames(FN, trajectory.nFrames, options.frames);
  const { nAtoms, positions } = trajectory;
  const geom = imageGeometry(FN, trajectory.cell, trajectory.pbc);
  const list = new NeighborList(geom, cutoff, nAtoms);
  const out = new Int32Array(frames.length * nAtoms);
  for (let f = 0; f < frames.length; f++) {
    checkFrameFinite(FN, positions, frames[f], nAtoms);
    list.build(positions, frames[f]);
    for (let i = 0; i < nAtoms; i++) out[f * nAtoms + i] = list.start[i + 1] - list.start[i];
  }
  return out;
}

/**
 * Fraction of entries with each coordination number: `fractions[c]` is the share
 * of atoms (over all atoms and frames given) with exactly c neighbours; length
 * max + 1. The fractions sum to 1.
 *
 * @throws Error for an empty input or a value that is not a non-negative integer.
 */
export function coordinationHistogram(coordination: ArrayLike<number>): Float64Array {
  if (coordination.length === 0) throw new Error('coordinationHistogram: coordination is empty; pass the output of coordinationNumbers');
  let max = 0;
  for (let k = 0; k < coordination.length; k++) {
    const c = coordination[k];
    if (!Number.isInteger(c) || c < 0) {
      throw new Error(`coordinationHistogram: coordination[${k}] = ${String(c)}; expected non-negative integers`);
    }
    if (c > max) max = c;
  }
  const out = new Float64Array(max + 1);
  for (let k = 0; k < coordination.length; k++) out[coordination[k]]++;
  for (let c = 0; c <= max; c++) out[c] /= coordination.length;
  return out;
}
