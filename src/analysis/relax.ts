/**
 * Fixed-cell energy minimisation of every frame of a trajectory (FIRE).
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import type { Potential } from './potential.js';

/** Options of {@link relaxStructures}. */
export interface RelaxOptions {
  /**
   * Convergence: stop a frame when the largest per-atom force norm is at most
   * `fmax` eV/Å (ASE's criterion; LAMMPS `minimize 0 fmax ...` with `min_modify
   * norm max`). Default 1e-3.
   */
  readonly fmax?: number;
  /** Most FIRE steps per frame (default 10,000); a frame that needs more is reported with `converged: false`. */
  readonly maxSteps?: number;
  /** The potential (default Stillinger-Weber silicon, {@link stillingerWeber}). */
  readonly potential?: Potential;
  /** Called after each frame with the frames done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops between frames with an AbortError-like Error naming the frames done. */
  readonly signal?: AbortSignal;
}

/** Per-frame outcome of {@link relaxStructures}, as flat arrays indexed by frame. */
export interface RelaxFrames {
  /** Energy of each frame before relaxation, eV. */
  readonly energyBefore: Float64Array;
  /** Energy after relaxation, eV. */
  readonly energyAfter: Float64Array;
  /** Force evaluations (FIRE steps) used. */
  readonly steps: Int32Array;
  /** 1 when the largest force fell to `fmax` within `maxSteps`, else 0. */
  readonly converged: Uint8Array;
  /** Largest per-atom force norm at the end, eV/Å. */
  readonly fmaxAfter: Float64Array;
  /** RMS displacement of the atoms from the start, minimum image, Å. */
  readonly rmsDisplacement: Float64Array;
}

/** Result of {@link relaxStructures}. */
export interface RelaxResult {
  /** The relaxed frames: same cell, pbc, species and info as the input, positions Float64Array. */
  readonly trajectory: Trajectory;
  /** Per-frame energies, steps and convergence. */
  readonly frames: RelaxFrames;
}
