import { readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Trajectory, Cell } from '../../src/structure/trajectory.js';

export const DATA = resolve(__dirname, '../../../shared/data');
export const F32 = resolve(DATA, 'a-si-30-sw-300K.positions.f32');

/** The first `nFrames` frames of the 30-atom a-Si set, read straight from the float32 file and its JSON sidecar. */
export function loadASi30(nFrames: number): Trajectory {
  const meta = JSON.parse(readFileSync(resolve(DATA, 'a-si-30-sw-300K.json'), 'utf8'));
  const nAtoms: number = meta.nAtoms;
  const bytes = nFrames * nAtoms * 3 * 4;
  const buf = Buffer.alloc(bytes);
  const fd = openSync(F32, 'r');
  try {
    readSync(fd, buf, 0, bytes, 0);
  } finally {
    closeSync(fd);
  }
  const positions = new Float32Array(buf.buffer, buf.byteOffset, nFrames * nAtoms * 3).slice();
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
