/**
 * ndarray views of a trajectory's positions, for interop with the scijs
 * ecosystem (ndarray-ops, ndarray-fft, ...). Views share memory with the
 * trajectory: writing through a view changes the trajectory.
 *
 * @module
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import type { Positions, Trajectory } from './trajectory.js';

/**
 * An ndarray view `frames x atoms x 3` of all positions (Å), sharing memory
 * with `traj.positions`: `view.get(frame, atom, axis)`.
 */
export function positionsView(traj: Trajectory): NdArray<Positions> {
  return ndarray(traj.positions, [traj.nFrames, traj.nAtoms, 3]);
}

/**
 * An ndarray view `atoms x 3` of one frame's positions (Å), sharing memory
 * with `traj.positions`. Negative `frame` counts from the end (-1 = last).
 *
 * @throws Error when `frame` is not an integer in `[-nFrames, nFrames)`.
 */
export function frameView(traj: Trajectory, frame: number): NdArray<Positions> {
  const f = frame < 0 ? traj.nFrames + frame : frame;
  if (!Number.isInteger(frame) || f < 0 || f >= traj.nFrames) {
    throw new Error(`frameView: frame is ${frame}; expected an integer in [${-traj.nFrames}, ${traj.nFrames}) for a trajectory of ${traj.nFrames} frames`);
  }
  const n = traj.nAtoms * 3;
  return ndarray(traj.positions.subarray(f * n, (f + 1) * n) as Positions, [traj.nAtoms, 3]);
}
