/**
 * Raw frames: positions as one little-endian float32 (or float64) array of
 * shape (frames, atoms, 3), C order, no header, plus a JSON sidecar that
 * holds the shape, cell, pbc and species — the layout of
 * `a-si-30-sw-300K.positions.f32` + `a-si-30-sw-300K.json`.
 *
 * @module
 */
import type { Cell, Pbc, Positions, Trajectory } from '../structure/trajectory.js';
import type { PositionsDtype } from '../structure/build.js';
import { toCell } from '../structure/build.js';
import { flatCellError, speciesError } from './scan.js';

/**
 * The sidecar fields {@link readRawFrames} uses. Other fields are ignored.
 * `species` is one symbol per atom or one symbol for all atoms.
 */
export interface RawFramesSidecar {
  /** `[nFrames, nAtoms, 3]`. */
  shape: [number, number, number] | number[];
  /** `'float32'` (default) or `'float64'`. */
  dtype?: string;
  /** `'little'` (default); `'big'` is rejected. */
  byteOrder?: string;
  /** Lattice vectors as rows (Å), or null for a molecule. */
  cell?: number[][] | null;
  /** Periodicity; default true along all three when a cell is given. */
  pbc?: boolean[] | boolean;
  /** Chemical symbols: one per atom, or one for all. */
  species: string | string[];
  /** Name of the positions file, used in messages. */
  positionsFile?: string;
}

/** Options of {@link readRawFrames}. */
export interface ReadRawFramesOptions {
  /** Name of the input used in error messages. Default: the sidecar's `positionsFile`, else `'raw frames'`. */
  source?: string;
  /**
   * Element type of the returned positions. Default: the file's own type, so
   * a float32 file is viewed without a copy when the buffer is aligned.
   */
  dtype?: PositionsDtype;
}

/**
 * Reads raw frames: `buffer` holds the positions (float32 or float64,
 * little-endian, C order `(frame * nAtoms + atom) * 3 + axis`, Å), `sidecar`
 * the JSON object (or its text) describing them. The frames get empty info
 * records.
 *
 * @throws Error when the sidecar lacks shape or species, the byte length does
 *   not match the shape, the byte order is big-endian, or a value is NaN/Inf.
 */
export function readRawFrames(
  buffer: ArrayBuffer | ArrayBufferView,
  sidecar: RawFramesSidecar | string,
  options: ReadRawFramesOptions = {},
): Trajectory {
  let meta: RawFramesSidecar;
  if (typeof sidecar === 'string') {
    try {
      meta = JSON.parse(sidecar) as RawFramesSidecar;
    } catch (e) {
      throw new Error(`${options.source ?? 'raw frames'}: the sidecar is not valid JSON (${(e as Error).message}); expected an object with shape, species and cell`);
    }
  } else meta = sidecar;
  const source = options.source ?? meta?.positionsFile ?? 'raw frames';
  if (meta == null || typeof meta !== 'object') throw new Error(`${source}: the sidecar must be a JSON object with shape, species and cell`);
  const shape = meta.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== 3 || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error(`${source}: sidecar shape is ${JSON.stringify(shape)}; expected [nFrames, nAtoms, 3] with positive integers`);
  }
  const [nFrames, nAtoms] = shape;
  const fileType = meta.dtype ?? 'float32';
  if (fileType !== 'float32' && fileType !== 'float64') {
    throw new Error(`${source}: sidecar dtype is ${JSON.stringify(fileType)}; expected "float32" or "float64"`);
  }
  if ((meta.byteOrder ?? 'little') !== 'little') {
    throw new Error(`${source}: sidecar byteOrder is ${JSON.stringify(meta.byteOrder)}; only little-endian files are supported (convert with numpy: a.astype('<f4'))`);
  }
  const bytesPer = fileType === 'float32' ? 4 : 8;
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  const n = nFrames * nAtoms * 3;
  if (bytes.byteLength !== n * bytesPer) {
    throw new Error(
      `${source}: holds ${bytes.byteLength} bytes but the sidecar shape [${shape.join(', ')}] of ${fileType} needs ${n * bytesPer}; the file is truncated or belongs to another sidecar`,
    );
  }
  let positions: Positions;
  const aligned = bytes.byteOffset % bytesPer === 0;
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  if (!little) throw new Error(`${source}: this platform is big-endian; raw little-endian frames cannot be viewed`);
  const raw: Positions = aligned
    ? fileType === 'float32'
      ? new Float32Array(bytes.buffer, bytes.byteOffset, n)
      : new Float64Array(bytes.buffer, bytes.byteOffset, n)
    : fileType === 'float32'
      ? new Float32Array(bytes.slice().buffer)
      : new Float64Array(bytes.slice().buffer);
  const want = options.dtype ?? fileType;
  if (want === fileType) positions = raw;
  else positions = want === 'float64' ? Float64Array.from(raw) : Float32Array.from(raw);
  for (let i = 0; i < n; i++) {
    const v = positions[i];
    if (v - v !== 0) {
      throw new Error(
        `${source}: value ${i} (frame ${Math.floor(i / (nAtoms * 3))}, atom ${Math.floor(i / 3) % nAtoms}, axis ${'xyz'[i % 3]}) is ${v}; expected a finite coordinate in Å`,
      );
    }
  }
  let species: string[];
  if (typeof meta.species === 'string') species = new Array<string>(nAtoms).fill(meta.species);
  else if (Array.isArray(meta.species) && meta.species.length === nAtoms) species = meta.species.slice();
  else {
    throw new Error(
      `${source}: sidecar species is ${JSON.stringify(meta.species)?.slice(0, 60)}; expected one chemical symbol for all atoms or an array of ${nAtoms}`,
    );
  }
  for (let a = 0; a < nAtoms; a++) {
    const bad = typeof species[a] === 'string' ? speciesError(`${source}: sidecar`, species[a], `species of atom ${a}`) : new Error(`${source}: sidecar species of atom ${a} is ${JSON.stringify(species[a])}; expected a chemical symbol such as Si`);
    if (bad) throw bad;
    if (typeof meta.species === 'string') break;
  }
  const cell: Cell | null = meta.cell == null ? null : toCell(meta.cell, `${source}: sidecar cell`);
  let pbc: Pbc;
  if (meta.pbc === undefined) pbc = cell ? [true, true, true] : [false, false, false];
  else if (typeof meta.pbc === 'boolean') pbc = [meta.pbc, meta.pbc, meta.pbc];
  else if (Array.isArray(meta.pbc) && meta.pbc.length === 3) pbc = [!!meta.pbc[0], !!meta.pbc[1], !!meta.pbc[2]];
  else throw new Error(`${source}: sidecar pbc is ${JSON.stringify(meta.pbc)}; expected three booleans`);
  if (cell) {
    const flat = flatCellError(`${source}: sidecar`, cell, pbc, 'the cell');
    if (flat) throw flat;
  }
  if (!cell && pbc.some(Boolean)) throw new Error(`${source}: sidecar pbc is periodic but it has no cell; add "cell": [[ax, ay, az], [bx, by, bz], [cx, cy, cz]]`);
  const info = Array.from({ length: nFrames }, () => ({}));
  return { nFrames, nAtoms, positions, cell, pbc, species, info };
}

/** Output of {@link writeRawFrames}. */
export interface RawFrames {
  /** The positions as little-endian bytes, C order `(frame * nAtoms + atom) * 3 + axis`. */
  bytes: Uint8Array;
  /** The JSON sidecar (shape, dtype, byte order, cell, pbc, species). */
  sidecar: RawFramesSidecar;
}

/**
 * Writes a trajectory as raw frames: returns the positions bytes
 * (little-endian, the trajectory's own element type unless `dtype` is given)
 * and a sidecar object that {@link readRawFrames} reads back.
 */
export function writeRawFrames(
  traj: Trajectory,
  options: { dtype?: PositionsDtype } = {},
): RawFrames {
  const dtype = options.dtype ?? (traj.positions instanceof Float32Array ? 'float32' : 'float64');
  const data = dtype === 'float32' ? Float32Array.from(traj.positions) : Float64Array.from(traj.positions);
  const sidecar: RawFramesSidecar = {
    shape: [traj.nFrames, traj.nAtoms, 3],
    dtype,
    byteOrder: 'little',
    cell: traj.cell ? traj.cell.map((r) => r.slice()) : null,
    pbc: traj.pbc.slice(),
    species: traj.species.slice(),
  };
  return { bytes: new Uint8Array(data.buffer), sidecar };
}
