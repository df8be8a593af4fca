/**
 * Fixed-cell energy minimisation of every frame of a trajectory (FIRE or L-BFGS).
 *
 * @module
 */
import type { FrameInfo, Trajectory } from '../structure/trajectory.js';
import { MinimumImage } from '../structure/images.js';
import { checkPotentialSpecies, flatCell, type Potential } from './potential.js';
import { stillingerWeber } from './stillinger-weber.js';
import { checkFrameFinite, checkTrajectory, positiveInteger, positiveNumber } from './validate.js';

const FN = 'relaxStructures';

/**
 * FIRE parameters (Bitzek, Koskinen, Gähler, Moseler, Gumbsch, PRL 97, 170201
 * (2006)), in units where every atom has mass 1: a step moves an atom by
 * `dt * v` Å and adds `dt * F` to its velocity. The names follow ASE's `FIRE`.
 */
export interface FireParams {
  /** Initial time step (default 0.1, ASE's). */
  readonly dt: number;
  /** Largest time step (default 1.0). */
  readonly dtMax: number;
  /** Largest displacement of any atom in one step, Å (default 0.2, ASE's `maxstep`). */
  readonly maxMove: number;
  /** Steps with P = F·v > 0 before dt may grow (default 5). */
  readonly nMin: number;
  /** dt growth factor (default 1.1). */
  readonly fInc: number;
  /** dt shrink factor when P <= 0 (default 0.5). */
  readonly fDec: number;
  /** Initial mixing α (default 0.1). */
  readonly aStart: number;
  /** α decay factor (default 0.99). */
  readonly fA: number;
}

/** The FIRE parameters {@link relaxStructures} uses unless told otherwise (see `docs/guide.md`). */
export const FIRE_DEFAULTS: FireParams = Object.freeze({
  dt: 0.1,
  dtMax: 1.0,
  maxMove: 0.2,
  nMin: 5,
  fInc: 1.1,
  fDec: 0.5,
  aStart: 0.1,
  fA: 0.99,
});

/** Options of {@link relaxStructures}. */
export interface RelaxOptions {
  /**
   * Convergence: stop a frame when the largest per-atom force norm is at most
   * `fmax` eV/Å (ASE's criterion; LAMMPS `minimize 0 fmax ...` with `min_modify
   * norm max`). Default 1e-3.
   */
  readonly fmax?: number;
  /** Most steps (FIRE or L-BFGS) per frame (default 10,000); a frame that needs more is reported with `converged: 0`. */
  readonly maxSteps?: number;
  /** The potential (default Stillinger-Weber silicon, {@link stillingerWeber}). */
  readonly potential?: Potential;
  /** Called after each frame with the frames done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops between frames with an Error naming the frames done. */
  readonly signal?: AbortSignal;
  /** FIRE parameters to override (default {@link FIRE_DEFAULTS}). */
  readonly fire?: Partial<FireParams>;
  /**
   * The minimiser: `'fire'` (default; LAMMPS's and ASE's FIRE) or `'lbfgs'`
   * (limited-memory BFGS as ASE's `LBFGS`, about 3x fewer force evaluations on
   * a-Si glasses, same minima; see `docs/guide.md`).
   */
  readonly method?: 'fire' | 'lbfgs';
  /** L-BFGS parameters to override (default {@link LBFGS_DEFAULTS}). */
  readonly lbfgs?: Partial<LbfgsParams>;
}

/**
 * L-BFGS parameters (Nocedal's two-loop recursion, as ASE's `LBFGS`, without a
 * line search): each step is `-H F` with the inverse Hessian built from the
 * last `memory` steps on top of `1/alpha`, scaled down so that no atom moves
 * more than `maxMove` Å. A step that raises the energy is taken back, the
 * memory dropped and `alpha` doubled (the next step is a shorter `F/alpha`),
 * so the energy never rises and a stiff potential (Vashishta SiO2) needs no
 * other `alpha` than a soft one.
 */
export interface LbfgsParams {
  /** Steps remembered (default 10). */
  readonly memory: number;
  /** Initial Hessian guess, eV/Å² (default 20; ASE's is 70). */
  readonly alpha: number;
  /** Largest displacement of any atom in one step, Å (default 0.2). */
  readonly maxMove: number;
}

/** The L-BFGS parameters chosen on validation frames of the a-Si glasses (`docs/guide.md`). */
export const LBFGS_DEFAULTS: LbfgsParams = Object.freeze({ memory: 10, alpha: 20, maxMove: 0.2 });

/** Per-frame outcome of {@link relaxStructures}, as flat arrays indexed by frame. */
export interface RelaxFrames {
  /** Energy of each frame before relaxation, eV. */
  readonly energyBefore: Float64Array;
  /** Energy after relaxation, eV. */
  readonly energyAfter: Float64Array;
  /** Minimiser steps taken (force evaluations minus one). */
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
  /**
   * The relaxed frames: same cell, pbc and species as the input, positions as a
   * Float64Array, `info` copied with `energy` set to the relaxed energy (eV);
   * per-atom `arrays` (forces of the input) are not carried over.
   */
  readonly trajectory: Trajectory;
  /** Per-frame energies, steps and convergence. */
  readonly frames: RelaxFrames;
}

/** Scratch of one frame's minimisation (allocated once per call). */
interface FireWork {
  readonly x: Float64Array;
  readonly v: Float64Array;
  readonly f: Float64Array;
}

/** Largest per-atom force norm. */
function maxForce(f: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const s = f[3 * i] * f[3 * i] + f[3 * i + 1] * f[3 * i + 1] + f[3 * i + 2] * f[3 * i + 2];
    if (s > m) m = s;
  }
  return Math.sqrt(m);
}

/**
 * FIRE on one frame in place (`w.x` holds the start and receives the end).
 * Returns the steps taken; writes the final energy, the final largest force and the first energy to `out`.
 */
function fire(
  potential: Potential, cell: Float64Array, pbc: readonly [boolean, boolean, boolean], species: readonly string[],
  w: FireWork, fmax: number, maxSteps: number, P: FireParams, out: Float64Array,
): number {
  const n = species.length;
  const { x, v, f } = w;
  const m3 = 3 * n;
  v.fill(0);
  let energy = potential.energyAndForces(x, cell, pbc, species, f);
  out[2] = energy;
  let fm = maxForce(f, n);
  let dt = P.dt;
  let a = P.aStart;
  let nPos = 0;
  let step = 0;
  const maxMove2 = P.maxMove * P.maxMove;
  while (fm > fmax && step < maxSteps) {
    // Bitzek et al.: P = F·v decides between mixing (downhill) and a stop.
    let pw = 0, vv = 0, ff = 0;
    for (let k = 0; k < m3; k++) {
      pw += f[k] * v[k];
      vv += v[k] * v[k];
      ff += f[k] * f[k];
    }
    if (pw > 0) {
      const mix = ff > 0 ? (a * Math.sqrt(vv)) / Math.sqrt(ff) : 0;
      for (let k = 0; k < m3; k++) v[k] = (1 - a) * v[k] + mix * f[k];
      if (nPos > P.nMin) {
        dt = Math.min(dt * P.fInc, P.dtMax);
        a *= P.fA;
      }
      nPos++;
    } else {
      v.fill(0);
      a = P.aStart;
      dt *= P.fDec;
      nPos = 0;
    }
    // Euler step with the velocity updated first (as ASE), each atom's move capped.
    let big = 0;
    for (let k = 0; k < m3; k++) v[k] += dt * f[k];
    for (let i = 0; i < n; i++) {
      const dx = dt * v[3 * i], dy = dt * v[3 * i + 1], dz = dt * v[3 * i + 2];
      const s = dx * dx + dy * dy + dz * dz;
      if (s > big) big = s;
    }
    const scale = big > maxMove2 ? (P.maxMove / Math.sqrt(big)) * dt : dt;
    for (let k = 0; k < m3; k++) x[k] += scale * v[k];
    energy = potential.energyAndForces(x, cell, pbc, species, f);
    if (!Number.isFinite(energy)) break;
    fm = maxForce(f, n);
    step++;
  }
  out[0] = energy;
  out[1] = fm;
  return step;
}

/** Scratch of one frame's L-BFGS (allocated once per call). */
interface LbfgsWork {
  readonly s: Float64Array;
  readonly y: Float64Array;
  readonly rho: Float64Array;
  readonly a: Float64Array;
  readonly q: Float64Array;
  readonly x0: Float64Array;
  readonly f0: Float64Array;
}

/** L-BFGS on one frame in place (`w.x`); returns the steps, writes the final energy, largest force and first energy to `out`. */
function lbfgs(
  potential: Potential, cell: Float64Array, pbc: readonly [boolean, boolean, boolean], species: readonly string[],
  w: FireWork, L: LbfgsWork, fmax: number, maxSteps: number, P: LbfgsParams, out: Float64Array,
): number {
  const n = species.length;
  const m3 = 3 * n;
  const { x, f } = w;
  const { s, y, rho, a, q, x0, f0 } = L;
  const M = P.memory;
  let energy = potential.energyAndForces(x, cell, pbc, species, f);
  out[2] = energy;
  let fm = maxForce(f, n);
  let stored = 0; // pairs in memory
  let head = 0; // next slot of the ring
  let step = 0;
  const maxMove2 = P.maxMove * P.maxMove;
  let skipPair = true;
  let alpha = P.alpha;
  while (fm > fmax && step < maxSteps) {
    if (!skipPair) {
      // New pair: s = x - x0, y = -(f - f0) (gradient difference).
      const o = head * m3;
      let sy = 0;
      for (let k = 0; k < m3; k++) {
        const sk = x[k] - x0[k], yk = f0[k] - f[k];
        s[o + k] = sk;
        y[o + k] = yk;
        sy += sk * yk;
      }
      if (sy > 1e-12) {
        rho[head] = 1 / sy;
        head = (head + 1) % M;
        if (stored < M) stored++;
      }
    }
    skipPair = false;
    // Two-loop recursion: q = H (-F).
    for (let k = 0; k < m3; k++) q[k] = -f[k];
    for (let t = 0; t < stored; t++) {
      const slot = (head - 1 - t + 2 * M) % M, o = slot * m3;
      let d = 0;
      for (let k = 0; k < m3; k++) d += s[o + k] * q[k];
      const ai = rho[slot] * d;
      a[slot] = ai;
      for (let k = 0; k < m3; k++) q[k] -= ai * y[o + k];
    }
    for (let k = 0; k < m3; k++) q[k] /= alpha;
    for (let t = stored - 1; t >= 0; t--) {
      const slot = (head - 1 - t + 2 * M) % M, o = slot * m3;
      let d = 0;
      for (let k = 0; k < m3; k++) d += y[o + k] * q[k];
      const c = a[slot] - rho[slot] * d;
      for (let k = 0; k < m3; k++) q[k] += c * s[o + k];
    }
    // Step -q, scaled so that no atom moves more than maxMove.
    let big = 0;
    for (let i = 0; i < n; i++) {
      const d2 = q[3 * i] * q[3 * i] + q[3 * i + 1] * q[3 * i + 1] + q[3 * i + 2] * q[3 * i + 2];
      if (d2 > big) big = d2;
    }
    const scale = big > maxMove2 ? P.maxMove / Math.sqrt(big) : 1;
    x0.set(x);
    f0.set(f);
    for (let k = 0; k < m3; k++) x[k] -= scale * q[k];
    const previous = energy;
    energy = potential.energyAndForces(x, cell, pbc, species, f);
    step++;
    if (!Number.isFinite(energy)) break;
    fm = maxForce(f, n);
    if (energy > previous + 1e-12 * Math.abs(previous)) {
      // Uphill: reject the step, forget the curvature pairs and take a twice shorter F/alpha step next.
      x.set(x0);
      f.set(f0);
      energy = previous;
      fm = maxForce(f, n);
      alpha *= 2;
      stored = 0;
      head = 0;
      skipPair = true;
    }
  }
  out[0] = energy;
  out[1] = fm;
  return step;
}

/**
 * Energy minimisation of every frame at a fixed cell with FIRE (Bitzek et al.
 * 2006; parameters {@link FIRE_DEFAULTS}, as ASE's `FIRE` but with the step
 * capped per atom), until the largest per-atom force is at most `fmax` eV/Å
 * (ASE's criterion; LAMMPS `min_style fire`, `minimize 0 fmax ...`), or with
 * L-BFGS (`method: 'lbfgs'`, {@link LBFGS_DEFAULTS}; about a third of the
 * force evaluations, the same minima). Synchronous; memory is the output plus
 * one frame's work.
 *
 * A frame that does not reach `fmax` within `maxSteps` is reported with
 * `converged[f] = 0`, never thrown. The RMS displacement is taken between the
 * start and the end positions with the minimum image along periodic axes.
 *
 * @example
 * ```ts
 * const { trajectory, frames } = relaxStructures(generated, { fmax: 1e-3 });
 * const perAtom = Array.from(frames.energyAfter, (e) => e / trajectory.nAtoms);
 * ```
 * @throws Error for an empty trajectory, bad options, a species the potential
 *   does not know, non-finite coordinates or overlapping atoms (naming the frame and the pair),
 *   and when `signal` aborts (naming the frames done).
 */
export function relaxStructures(trajectory: Trajectory, options: RelaxOptions = {}): RelaxResult {
  checkTrajectory(FN, trajectory);
  if (options === null || typeof options !== 'object') throw new Error(`${FN}: options is ${String(options)}; expected an object such as { fmax: 1e-3 }`);
  const fmax = options.fmax === undefined ? 1e-3 : positiveNumber(FN, 'options.fmax', options.fmax, 'a force in eV/Å > 0 (default 1e-3)');
  const maxSteps = options.maxSteps === undefined ? 10000 : positiveInteger(FN, 'options.maxSteps', options.maxSteps);
  const potential = options.potential ?? stillingerWeber();
  if (potential === null || typeof potential !== 'object' || typeof potential.energyAndForces !== 'function') {
    throw new Error(`${FN}: options.potential is not a Potential (an object with name, species, cutoff and energyAndForces); use stillingerWeber() or vashishta()`);
  }
  const P: FireParams = { ...FIRE_DEFAULTS, ...(options.fire ?? {}) };
  for (const key of Object.keys(FIRE_DEFAULTS) as (keyof FireParams)[]) {
    positiveNumber(FN, `options.fire.${key}`, P[key]);
  }
  const method = options.method ?? 'fire';
  if (method !== 'fire' && method !== 'lbfgs') throw new Error(`${FN}: options.method = ${String(method)}; expected 'fire' or 'lbfgs'`);
  const LP: LbfgsParams = { ...LBFGS_DEFAULTS, ...(options.lbfgs ?? {}) };
  positiveInteger(FN, 'options.lbfgs.memory', LP.memory);
  positiveNumber(FN, 'options.lbfgs.alpha', LP.alpha);
  positiveNumber(FN, 'options.lbfgs.maxMove', LP.maxMove);
  const { nFrames, nAtoms, positions, species, pbc } = trajectory;
  checkPotentialSpecies(FN, potential, species);
  const cell = flatCell(trajectory.cell);
  // Displacements of the relaxed atoms: nearest image, exact for any cell shape.
  const image = new MinimumImage(trajectory.cell, pbc, FN);
  const out = new Float64Array(nFrames * nAtoms * 3);
  const energyBefore = new Float64Array(nFrames);
  const energyAfter = new Float64Array(nFrames);
  const steps = new Int32Array(nFrames);
  const converged = new Uint8Array(nFrames);
  const fmaxAfter = new Float64Array(nFrames);
  const rmsDisplacement = new Float64Array(nFrames);
  const w: FireWork = { x: new Float64Array(3 * nAtoms), v: new Float64Array(3 * nAtoms), f: new Float64Array(3 * nAtoms) };
  const res = new Float64Array(3);
  const m3 = 3 * nAtoms;
  const L: LbfgsWork | null = method === 'lbfgs'
    ? {
      s: new Float64Array(LP.memory * m3), y: new Float64Array(LP.memory * m3), rho: new Float64Array(LP.memory), a: new Float64Array(LP.memory),
      q: new Float64Array(m3), x0: new Float64Array(m3), f0: new Float64Array(m3),
    }
    : null;
  const pbcT: readonly [boolean, boolean, boolean] = [!!pbc[0], !!pbc[1], !!pbc[2]];
  for (let fr = 0; fr < nFrames; fr++) {
    if (options.signal?.aborted) {
      throw new Error(`${FN}: aborted after ${fr} of ${nFrames} frames (options.signal)`);
    }
    checkFrameFinite(FN, positions, fr, nAtoms);
    const base = fr * nAtoms * 3;
    for (let k = 0; k < 3 * nAtoms; k++) w.x[k] = positions[base + k];
    try {
      steps[fr] = L === null ? fire(potential, cell, pbcT, species, w, fmax, maxSteps, P, res) : lbfgs(potential, cell, pbcT, species, w, L, fmax, maxSteps, LP, res);
    } catch (err) {
      const msg = (err as Error).message;
      throw new Error(`${FN}: frame ${fr}: ${msg}`);
    }
    energyBefore[fr] = res[2];
    energyAfter[fr] = res[0];
    fmaxAfter[fr] = res[1];
    converged[fr] = res[1] <= fmax && Number.isFinite(res[0]) ? 1 : 0;
    let s2 = 0;
    for (let i = 0; i < nAtoms; i++) {
      const o = base + 3 * i;
      const x = w.x[3 * i] - positions[o], y = w.x[3 * i + 1] - positions[o + 1], z = w.x[3 * i + 2] - positions[o + 2];
      s2 += image.distance2(x, y, z);
    }
    rmsDisplacement[fr] = Math.sqrt(s2 / nAtoms);
    out.set(w.x, base);
    options.onProgress?.(fr + 1, nFrames);
  }
  const info: FrameInfo[] = trajectory.info.map((rec, fr) => ({ ...rec, energy: energyAfter[fr] }));
  return {
    trajectory: { nFrames, nAtoms, positions: out, cell: trajectory.cell, pbc: trajectory.pbc, species: trajectory.species, info },
    frames: { energyBefore, energyAfter, steps, converged, fmaxAfter, rmsDisplacement },
  };
}
