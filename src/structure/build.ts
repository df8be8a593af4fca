/**
 * Building and checking trajectories: constructors from plain nested arrays
 * (what JSON, a chart library or a quick script holds) and the validation
 * every reader runs before it returns.
 *
 * @module
 */
import type { AtomArray, Cell, FrameInfo, Pbc, Positions, Trajectory, Vec3 } from './trajectory.js';

/** Element type of the flat positions array. */
export type PositionsDtype = 'float64' | 'float32';

/** Input of {@link trajectoryFromArrays}: plain arrays, as JSON or a script would hold them. */
export interface TrajectoryArrays {
  /**
   * Positions in Å: `frames x atoms x 3` (`number[][][]`), a single frame
   * `atoms x 3` (`number[][]`), or an already flat frame-major array of length
   * `nFrames * nAtoms * 3` (then `nAtoms` comes from `species`).
   */
  positions: number[][][] | number[][] | ArrayLike<number>;
  /**
   * Lattice vectors as rows (3x3, Å), or 9 numbers row-major
   * (`[ax, ay, az, bx, ...]`, the order of extxyz's `Lattice="..."`), or
   * `null`/absent for a non-periodic structure.
   */
  cell?: number[][] | ArrayLike<number> | null;
  /** Periodicity along a, b, c; one boolean for all three. Default: true when `cell` is given, else false. */
  pbc?: boolean | [boolean, boolean, boolean];
  /** One chemical symbol per atom, or one symbol for every atom (`'Si'`). */
  species: readonly string[] | string;
  /** Per-frame key=value data: one record per frame, or one record for a single frame. Default: empty records. */
  info?: readonly FrameInfo[] | FrameInfo;
  /** Extra per-atom columns, as in {@link Trajectory.arrays}. */
  arrays?: Record<string, AtomArray>;
  /** Element type of the flat positions. Default `'float64'`. */
  dtype?: PositionsDtype;
}

function isArrayLikeNumber(v: unknown): boolean {
  return typeof v === 'number';
}

function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v;
}

/**
 * Turns a cell given as 3x3 rows or 9 numbers into a {@link Cell}, checking
 * that every entry is finite. `name` prefixes error messages.
 */
export function toCell(cell: number[][] | ArrayLike<number>, name = 'cell'): Cell {
  let flat: number[];
  if (Array.isArray(cell) && cell.length === 3 && Array.isArray(cell[0])) {
    const rows = cell as number[][];
    flat = [];
    for (let i = 0; i < 3; i++) {
      if (!Array.isArray(rows[i]) || rows[i].length !== 3) {
        throw new Error(`${name}: row ${i} is ${describeValue(rows[i])}; expected 3 numbers per lattice vector (a 3x3 array of rows, in Å)`);
      }
      flat.push(rows[i][0], rows[i][1], rows[i][2]);
    }
  } else {
    const arr = cell as ArrayLike<number>;
    if (arr == null || typeof arr.length !== 'number' || arr.length !== 9) {
      throw new Error(`${name}: got ${describeValue(cell)}; expected a 3x3 array of lattice vectors (rows, Å) or 9 numbers row-major`);
    }
    flat = Array.from(arr);
  }
  for (let i = 0; i < 9; i++) {
    if (typeof flat[i] !== 'number' || !Number.isFinite(flat[i])) {
      throw new Error(`${name}: entry [${Math.floor(i / 3)}][${i % 3}] is ${describeValue(flat[i])}; expected a finite number in Å`);
    }
  }
  return [
    [flat[0], flat[1], flat[2]] as Vec3,
    [flat[3], flat[4], flat[5]] as Vec3,
    [flat[6], flat[7], flat[8]] as Vec3,
  ];
}

/**
 * Builds a {@link Trajectory} from plain nested arrays, validating it:
 * every coordinate finite, every frame with the same number of atoms, one
 * species per atom, one info record per frame.
 *
 * ```ts
 * const traj = trajectoryFromArrays({
 *   positions: [[[0, 0, 0], [1.36, 1.36, 1.36]]],   // 1 frame, 2 atoms
 *   cell: [[5.43, 0, 0], [0, 5.43, 0], [0, 0, 5.43]],
 *   species: 'Si',
 * });
 * ```
 *
 * @throws Error naming the offending frame/atom and what is expected.
 */
export function trajectoryFromArrays(input: TrajectoryArrays): Trajectory {
  if (input == null || typeof input !== 'object') {
    throw new Error('trajectoryFromArrays: expected an object { positions, species, cell?, pbc?, info? }');
  }
  const dtype = input.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new Error(`trajectoryFromArrays: dtype is ${String(dtype)}; expected 'float64' or 'float32'`);
  }
  const { positions: pos } = input;
  if (pos == null || typeof (pos as ArrayLike<unknown>).length !== 'number') {
    throw new Error('trajectoryFromArrays: positions is missing; expected frames x atoms x 3 nested arrays (Å)');
  }
  let nFrames: number;
  let nAtoms: number;
  let positions: Positions;
  const speciesIn = input.species;
  const nested = Array.isArray(pos) && pos.length > 0 && Array.isArray(pos[0]);
  if (nested) {
    const frames: number[][][] = Array.isArray((pos as unknown[][])[0][0]) ? (pos as number[][][]) : [pos as number[][]];
    nFrames = frames.length;
    nAtoms = frames[0].length;
    positions = dtype === 'float32' ? new Float32Array(nFrames * nAtoms * 3) : new Float64Array(nFrames * nAtoms * 3);
    let k = 0;
    for (let f = 0; f < nFrames; f++) {
      const frame = frames[f];
      if (!Array.isArray(frame) || frame.length !== nAtoms) {
        throw new Error(
          `trajectoryFromArrays: positions[${f}] has ${Array.isArray(frame) ? frame.length : 'no'} atoms but frame 0 has ${nAtoms}; every frame needs the same atoms`,
        );
      }
      for (let a = 0; a < nAtoms; a++) {
        const p = frame[a];
        if (!Array.isArray(p) || p.length !== 3) {
          throw new Error(
            `trajectoryFromArrays: positions[${f}][${a}] is ${describeValue(p)}; expected [x, y, z] in Å`,
          );
        }
        for (let d = 0; d < 3; d++) {
          const v = p[d];
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            throw new Error(
              `trajectoryFromArrays: positions[${f}][${a}][${d}] is ${describeValue(v)}; expected a finite number (Å)`,
            );
          }
          positions[k++] = v;
        }
      }
    }
  } else {
    const flat = pos as ArrayLike<number>;
    if (flat.length > 0 && !isArrayLikeNumber(flat[0])) {
      throw new Error(`trajectoryFromArrays: positions[0] is ${describeValue(flat[0])}; expected numbers or [x, y, z] arrays`);
    }
    nAtoms = typeof speciesIn === 'string' ? -1 : speciesIn?.length ?? -1;
    if (nAtoms <= 0) {
      throw new Error('trajectoryFromArrays: flat positions need species as an array (one symbol per atom) to know the number of atoms');
    }
    if (flat.length % (nAtoms * 3) !== 0) {
      throw new Error(
        `trajectoryFromArrays: flat positions have length ${flat.length}, not a multiple of nAtoms * 3 = ${nAtoms * 3} (species has ${nAtoms} symbols)`,
      );
    }
    nFrames = flat.length / (nAtoms * 3);
    positions = dtype === 'float32' ? Float32Array.from(flat) : Float64Array.from(flat);
  }
  if (nFrames < 1 || nAtoms < 1) {
    throw new Error(`trajectoryFromArrays: positions hold ${nFrames} frames of ${nAtoms} atoms; expected at least one frame with at least one atom`);
  }
  let species: string[];
  if (typeof speciesIn === 'string') {
    species = new Array<string>(nAtoms).fill(speciesIn);
  } else if (Array.isArray(speciesIn)) {
    if (speciesIn.length !== nAtoms) {
      throw new Error(
        `trajectoryFromArrays: species has ${speciesIn.length} symbols but each frame has ${nAtoms} atoms; give one symbol per atom (or one string for all)`,
      );
    }
    species = speciesIn.slice();
  } else {
    throw new Error('trajectoryFromArrays: species is missing; give one chemical symbol per atom, or one string such as "Si" for all');
  }
  const cell = input.cell == null ? null : toCell(input.cell, 'trajectoryFromArrays: cell');
  let pbc: Pbc;
  if (input.pbc === undefined) pbc = cell ? [true, true, true] : [false, false, false];
  else if (typeof input.pbc === 'boolean') pbc = [input.pbc, input.pbc, input.pbc];
  else pbc = [!!input.pbc[0], !!input.pbc[1], !!input.pbc[2]];
  let info: FrameInfo[];
  if (input.info === undefined) info = Array.from({ length: nFrames }, () => ({}));
  else if (Array.isArray(input.info)) info = input.info.slice();
  else info = [input.info as FrameInfo];
  const traj: Trajectory = {
    nFrames,
    nAtoms,
    positions,
    cell,
    pbc,
    species,
    info,
    ...(input.arrays ? { arrays: input.arrays } : {}),
  };
  validateTrajectory(traj, 'trajectoryFromArrays');
  return traj;
}

/**
 * Checks that a {@link Trajectory} is consistent: positive counts, positions
 * of length `nFrames * nAtoms * 3` and all finite, one species per atom, one
 * info record per frame, a finite cell (or null), pbc only along cell vectors,
 * extra arrays of the right length. Returns the trajectory unchanged.
 *
 * @param name names the input in error messages (a file name or parameter).
 * @throws Error naming `name`, the frame and atom, and what is expected.
 */
export function validateTrajectory(traj: Trajectory, name = 'trajectory'): Trajectory {
  if (traj == null || typeof traj !== 'object') throw new Error(`${name}: expected a Trajectory object`);
  const { nFrames, nAtoms, positions } = traj;
  if (!Number.isInteger(nFrames) || nFrames < 1) throw new Error(`${name}: nFrames is ${nFrames}; expected an integer >= 1`);
  if (!Number.isInteger(nAtoms) || nAtoms < 1) throw new Error(`${name}: nAtoms is ${nAtoms}; expected an integer >= 1`);
  if (!(positions instanceof Float64Array || positions instanceof Float32Array)) {
    throw new Error(`${name}: positions must be a Float64Array or Float32Array (flat, frame-major x y z)`);
  }
  if (positions.length !== nFrames * nAtoms * 3) {
    throw new Error(`${name}: positions has length ${positions.length}; expected nFrames * nAtoms * 3 = ${nFrames * nAtoms * 3}`);
  }
  for (let i = 0; i < positions.length; i++) {
    const v = positions[i];
    if (v - v !== 0) {
      const f = Math.floor(i / (nAtoms * 3));
      const a = Math.floor(i / 3) % nAtoms;
      throw new Error(`${name}: frame ${f}, atom ${a}, axis ${'xyz'[i % 3]} is ${v}; expected a finite coordinate (Å)`);
    }
  }
  if (!Array.isArray(traj.species) || traj.species.length !== nAtoms) {
    throw new Error(`${name}: species has ${traj.species?.length ?? 'no'} entries; expected one chemical symbol per atom (${nAtoms})`);
  }
  for (let a = 0; a < nAtoms; a++) {
    if (typeof traj.species[a] !== 'string' || traj.species[a].length === 0) {
      throw new Error(`${name}: species[${a}] is ${describeValue(traj.species[a])}; expected a chemical symbol such as "Si"`);
    }
  }
  if (!Array.isArray(traj.info) || traj.info.length !== nFrames) {
    throw new Error(`${name}: info has ${traj.info?.length ?? 'no'} records; expected one per frame (${nFrames})`);
  }
  if (traj.cell !== null) toCell(traj.cell, `${name}: cell`);
  if (!Array.isArray(traj.pbc) || traj.pbc.length !== 3) throw new Error(`${name}: pbc must be three booleans (along a, b, c)`);
  if (traj.cell === null && traj.pbc.some(Boolean)) {
    throw new Error(`${name}: pbc is [${traj.pbc.join(', ')}] but cell is null; a periodic direction needs a cell`);
  }
  if (traj.arrays) {
    for (const [key, arr] of Object.entries(traj.arrays)) {
      if (!Number.isInteger(arr.nCols) || arr.nCols < 1) throw new Error(`${name}: arrays.${key}.nCols is ${arr.nCols}; expected an integer >= 1`);
      const want = nFrames * nAtoms * arr.nCols;
      if (arr.data.length !== want) {
        throw new Error(`${name}: arrays.${key} has ${arr.data.length} values; expected nFrames * nAtoms * nCols = ${want}`);
      }
    }
  }
  return traj;
}
