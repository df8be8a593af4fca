/**
 * The trajectory type: a sequence of frames of one atomic system, stored as one
 * flat typed array so that hot loops read positions without allocation.
 *
 * Vocabulary follows ASE: `cell` rows are the lattice vectors a, b, c (Å),
 * `pbc` says which of them are periodic, `species` holds one chemical symbol
 * per atom, `info` one record of per-frame key=value data (energy, step, ...).
 *
 * @module
 */

/** A 3-vector. */
export type Vec3 = [number, number, number];

/**
 * A 3x3 cell: `cell[i]` is lattice vector i (a, b, c) in Å, as in ASE's
 * `atoms.cell` and extxyz's `Lattice="ax ay az bx by bz cx cy cz"`.
 */
export type Cell = [Vec3, Vec3, Vec3];

/** Periodic boundary flags along a, b, c. */
export type Pbc = [boolean, boolean, boolean];

/** Flat positions: `index = (frame * nAtoms + atom) * 3 + axis`, in Å. */
export type Positions = Float64Array | Float32Array;

/** A value of a per-frame key=value pair (extxyz comment line). */
export type InfoValue = number | string | boolean | number[] | boolean[] | string[];

/** Per-frame key=value data, for example `{ energy: -121.74, step: 10 }`. */
export type FrameInfo = Record<string, InfoValue>;

/**
 * An extra per-atom column besides species and positions (forces, charges,
 * tags...), stored frame-major: `data[(frame * nAtoms + atom) * nCols + col]`.
 * `type` is the extxyz column type: R real, I integer, L logical, S string.
 */
export interface AtomArray {
  /** extxyz column type. */
  readonly type: 'R' | 'I' | 'L' | 'S';
  /** Number of columns (3 for forces). */
  readonly nCols: number;
  /** Frame-major values. Logical columns are stored as 0/1. */
  readonly data: Float64Array | Int32Array | Uint8Array | string[];
}

/**
 * A trajectory of `nFrames` frames of the same `nAtoms` atoms.
 *
 * One cell holds for every frame (NVT/NVE trajectories); readers reject a
 * trajectory whose cell changes between frames with an error that says so.
 */
export interface Trajectory {
  /** Number of frames (at least 1). */
  readonly nFrames: number;
  /** Number of atoms in every frame (at least 1). */
  readonly nAtoms: number;
  /** Flat positions in Å, length `nFrames * nAtoms * 3`. */
  readonly positions: Positions;
  /** Lattice vectors as rows, or `null` for a non-periodic structure (a molecule). */
  readonly cell: Cell | null;
  /** Periodicity along a, b, c. All false when `cell` is null. */
  readonly pbc: Pbc;
  /** One chemical symbol per atom, the same in every frame. */
  readonly species: readonly string[];
  /** One record per frame (may be empty records). Length `nFrames`. */
  readonly info: readonly FrameInfo[];
  /** Extra per-atom columns by name (for example `forces`). */
  readonly arrays?: Readonly<Record<string, AtomArray>>;
}
