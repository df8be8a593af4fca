/**
 * The MD reference subset shipped in the package (`assets/a-si-30-sw-300K/
 * reference.f32` + `reference.json`): 2,000 frames of the 30-atom
 * Stillinger-Weber a-Si trajectory at 300 K that the embedded model never saw.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Trajectory } from '../structure/trajectory.js';
import { readRawFrames } from '../io/index.js';
import { assetPath } from './assets.js';

/** The embedded MD reference (2,000 test-split frames of the 300 K a-Si trajectory). */
export function loadEmbeddedReference(): Trajectory {
  const f32 = assetPath('reference.f32');
  return readRawFrames(readFileSync(f32), readFileSync(assetPath('reference.json'), 'utf8'), { source: f32 });
}

/** Frames `[start, stop)` of a trajectory as a new trajectory sharing no memory with the input. */
export function sliceFrames(traj: Trajectory, start: number, stop: number): Trajectory {
  const n = traj.nAtoms * 3;
  const positions = traj.positions.slice(start * n, stop * n);
  return { ...traj, nFrames: stop - start, positions, info: traj.info.slice(start, stop) };
}
