import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Trajectory, Cell } from '../../src/structure/trajectory.js';

/**
 * Frames of the 30-atom a-Si MD shipped with the package (assets/a-si-30-sw-300K/reference.f32: 2,000 frames
 * of the 300 K run, float32, `(frame*nAtoms + atom)*3 + axis`, as in ../shared/data's positions.f32).
 */
export const F32 = resolve(__dirname, '../../assets/a-si-30-sw-300K/reference.f32');

/** The first `nFrames` frames of the 30-atom a-Si reference, read straight from the float32 file and its JSON. */
export function loadASi30(nFrames: number): Trajectory {
  const meta = JSON.parse(readFileSync(resolve(__dirname, '../../assets/a-si-30-sw-300K/reference.json'), 'utf8'));
  const nAtoms: number = meta.nAtoms;
  if (nFrames > meta.nFrames) throw new Error(`loadASi30: the reference has ${meta.nFrames} frames, not ${nFrames}`);
  const buf = readFileSync(F32).subarray(0, nFrames * nAtoms * 3 * 4);
  const positions = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return {
    nFrames,
    nAtoms,
    positions,
    cell: meta.cell as Cell,
    pbc: meta.pbc,
    species: Array.from({ length: nAtoms }, () => meta.species as string),
    info: Array.from({ length: nFrames }, () => ({})),
  };
}

/** A small trajectory from explicit positions. */
export function makeTrajectory(
  frames: number[][][],
  opts: { cell?: Cell | null; pbc?: [boolean, boolean, boolean]; species?: string[] } = {},
): Trajectory {
  const nFrames = frames.length;
  const nAtoms = frames[0].length;
  const positions = new Float64Array(frames.flat(2));
  const cell = opts.cell === undefined ? null : opts.cell;
  return {
    nFrames,
    nAtoms,
    positions,
    cell,
    pbc: opts.pbc ?? (cell ? [true, true, true] : [false, false, false]),
    species: opts.species ?? Array.from({ length: nAtoms }, () => 'Si'),
    info: Array.from({ length: nFrames }, () => ({})),
  };
}

/** A cubic cell of side L. */
export function cubic(L: number): Cell {
  return [[L, 0, 0], [0, L, 0], [0, 0, L]];
}
