/**
 * Input checks shared by the analysis functions (internal module). Every error
 * names the function, the parameter and what is expected.
 *
 * @internal
 * @module
 */
import type { Positions, Trajectory } from '../structure/trajectory.js';

/**
 * A Python-like slice of frame indices: `start` (default 0), `stop` (default
 * nFrames, exclusive), `step` (default 1). Negative `start`/`stop` count from
 * the end, as in `ase.io.read(..., index='-100:')`.
 */
export interface FrameSlice {
  /** First frame (negative counts from the end). */
  readonly start?: number;
  /** One past the last frame (negative counts from the end). */
  readonly stop?: number;
  /** Stride (a positive integer). */
  readonly step?: number;
}

/** Frame selection: explicit indices (negative count from the end) or a slice. */
export type FrameSelection = ArrayLike<number> | FrameSlice;

/** Checks the shape of a trajectory; throws an Error naming `fn` otherwise. */
export function checkTrajectory(fn: string, t: Trajectory): void {
  if (t === null || typeof t !== 'object') throw new Error(`${fn}: trajectory is ${String(t)}; expected a Trajectory object`);
  const { nFrames, nAtoms, positions, species } = t;
  if (!Number.isInteger(nFrames) || nFrames < 1) {
    throw new Error(`${fn}: the trajectory is empty (trajectory.nFrames = ${String(nFrames)}); give at least one frame`);
  }
  if (!Number.isInteger(nAtoms) || nAtoms < 1) {
    throw new Error(`${fn}: the trajectory has no atoms (trajectory.nAtoms = ${String(nAtoms)}); give at least one atom`);
  }
  if (!(positions instanceof Float64Array || positions instanceof Float32Array)) {
    throw new Error(`${fn}: trajectory.positions must be a Float64Array or Float32Array (flat, frame-major x y z)`);
  }
  if (positions.length !== nFrames * nAtoms * 3) {
    throw new Error(
      `${fn}: trajectory.positions has ${positions.length} numbers; expected nFrames * nAtoms * 3 = ${nFrames} * ${nAtoms} * 3 = ${nFrames * nAtoms * 3}`,
    );
  }
  if (!species || species.length !== nAtoms) {
    throw new Error(`${fn}: trajectory.species has ${species?.length} entries; expected one per atom (${nAtoms})`);
  }
  if (t.cell !== null && (!Array.isArray(t.cell) || t.cell.length !== 3)) {
    throw new Error(`${fn}: trajectory.cell must be a 3x3 array of lattice vectors (rows) or null`);
  }
  if (!Array.isArray(t.pbc) || t.pbc.length !== 3) {
    throw new Error(`${fn}: trajectory.pbc must be three booleans (periodicity along a, b, c)`);
  }
}

/** Resolves a frame selection to frame indices; throws naming `fn` and `frames`. */
export function selectFrames(fn: string, nFrames: number, frames: FrameSelection | undefined): Int32Array {
  if (frames === undefined || frames === null) {
    const all = new Int32Array(nFrames);
    for (let i = 0; i < nFrames; i++) all[i] = i;
    return all;
  }
  if (typeof frames !== 'object') {
    throw new Error(`${fn}: options.frames is ${String(frames)}; expected an array of frame indices or a slice { start, stop, step }`);
  }
  if (typeof (frames as ArrayLike<number>).length === 'number') {
    const list = frames as ArrayLike<number>;
    if (list.length === 0) throw new Error(`${fn}: options.frames is empty; select at least one frame`);
    const out = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const f = list[i];
      if (!Number.isInteger(f) || f < -nFrames || f >= nFrames) {
        throw new Error(`${fn}: options.frames[${i}] = ${String(f)} is not a frame index; expected an integer in [${-nFrames}, ${nFrames - 1}]`);
      }
      out[i] = f < 0 ? f + nFrames : f;
    }
    return out;
  }
  const { start = 0, stop = nFrames, step = 1 } = frames as FrameSlice;
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (!Number.isInteger(v)) throw new Error(`${fn}: options.frames.${name} = ${String(v)}; expected an integer`);
  }
  if (step < 1) throw new Error(`${fn}: options.frames.step = ${step}; expected a positive integer`);
  const clamp = (v: number) => Math.min(nFrames, Math.max(0, v < 0 ? v + nFrames : v));
  const s = clamp(start), e = clamp(stop);
  const out: number[] = [];
  for (let f = s; f < e; f += step) out.push(f);
  if (out.length === 0) {
    throw new Error(`${fn}: options.frames = { start: ${start}, stop: ${stop}, step: ${step} } selects no frame of ${nFrames}; select at least one frame`);
  }
  return Int32Array.from(out);
}

/** Atom indices of the atoms whose species is `symbol`; throws naming `param` when there are none. */
export function atomsOfSpecies(fn: string, param: string, species: readonly string[], symbol: unknown): Int32Array {
  if (typeof symbol !== 'string') throw new Error(`${fn}: ${param} is ${String(symbol)}; expected a chemical symbol such as 'Si'`);
  const out: number[] = [];
  for (let i = 0; i < species.length; i++) if (species[i] === symbol) out.push(i);
  if (out.length === 0) {
    const present = [...new Set(species)].join(', ');
    throw new Error(`${fn}: ${param} = '${symbol}' does not occur in the trajectory; its species are: ${present}`);
  }
  return Int32Array.from(out);
}

/**
 * Throws when a coordinate of the frame is NaN or infinite. Cheap next to any
 * pair loop (O(nAtoms)).
 */
export function checkFrameFinite(fn: string, positions: Positions, frame: number, nAtoms: number): void {
  const base = frame * nAtoms * 3;
  for (let k = 0; k < nAtoms * 3; k++) {
    const v = positions[base + k];
    if (v - v !== 0) {
      throw new Error(
        `${fn}: trajectory.positions has ${String(v)} at frame ${frame}, atom ${Math.floor(k / 3)}, axis ${'xyz'[k % 3]}; coordinates must be finite numbers in Å`,
      );
    }
  }
}

/** A value as an error message shows it: strings quoted and marked, so `'4'` is not mistaken for 4. */
export function describeInput(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 30 ? v.slice(0, 30) + '...' : v}' (a string; pass a number)`;
  if (typeof v === 'bigint') return `${v}n (a bigint; pass a number)`;
  return String(v);
}

/** Throws unless `v` is a finite number > 0 (a numeric string such as `'4'` is rejected: the typed API takes numbers). */
export function positiveNumber(fn: string, name: string, v: unknown, what = 'a finite number > 0'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new Error(`${fn}: ${name} = ${describeInput(v)}; expected ${what}`);
  return v;
}

/** Throws unless `v` is an integer >= 1. */
export function positiveInteger(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${fn}: ${name} = ${describeInput(v)}; expected an integer >= 1`);
  return v;
}
