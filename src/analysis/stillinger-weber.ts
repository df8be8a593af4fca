/**
 * Stillinger-Weber potential energy (silicon), per frame.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { imageGeometry } from './geometry.js';
import { NeighborList } from './neighbors.js';
import { checkFrameFinite, checkTrajectory, selectFrames, type FrameSelection } from './validate.js';

const FN = 'stillingerWeberEnergy';

/**
 * Stillinger-Weber parameters in LAMMPS `pair_style sw` form (metal units: eV, Å):
 *
 * `E = Σ_{i<j} φ2(r_ij) + Σ_i Σ_{j<k} φ3(r_ij, r_ik, θ_jik)` with
 * `φ2 = A ε (B (σ/r)^p - (σ/r)^q) exp(σ / (r - aσ))` and
 * `φ3 = λ ε (cos θ - cos θ0)² exp(γσ / (r_ij - aσ)) exp(γσ / (r_ik - aσ))`, both zero beyond `aσ`.
 */
export interface StillingerWeberParams {
  /** ε, energy unit (eV). */
  readonly epsilon: number;
  /** σ, length unit (Å). */
  readonly sigma: number;
  /** a: cutoff in units of σ. */
  readonly a: number;
  /** λ: three-body strength. */
  readonly lambda: number;
  /** γ: three-body decay. */
  readonly gamma: number;
  /** cos θ0 (-1/3 for the tetrahedral angle). */
  readonly cosTheta0: number;
  /** A: two-body strength. */
  readonly A: number;
  /** B: two-body repulsion coefficient. */
  readonly B: number;
  /** p: repulsive exponent. */
  readonly p: number;
  /** q: attractive exponent. */
  readonly q: number;
}

/**
 * The silicon parameters of LAMMPS's `potentials/Si.sw` (Stillinger and Weber,
 * Phys. Rev. B 31, 5262 (1985)), with cos θ0 written as in that file.
 */
export const SILICON_SW: StillingerWeberParams = Object.freeze({
  epsilon: 2.1683,
  sigma: 2.0951,
  a: 1.8,
  lambda: 21.0,
  gamma: 1.2,
  cosTheta0: -0.333333333333,
  A: 7.049556277,
  B: 0.6022245584,
  p: 4.0,
  q: 0.0,
});

/** Options of {@link stillingerWeberEnergy}. */
export interface StillingerWeberOptions {
  /** Frames to evaluate (indices or a slice; default all). */
  readonly frames?: FrameSelection;
}

/**
 * Total Stillinger-Weber potential energy of each frame in eV, with every
 * periodic image within the cutoff aσ (3.77118 Å for silicon). One parameter
 * set applies to all atoms (a single-element potential; species are not read).
 * Reproduces LAMMPS `pair_style sw` with `Si.sw` (compare the `pe_eV` column of
 * the reference trajectories); divide by nAtoms for eV/atom.
 *
 * @param params - parameters to override (default {@link SILICON_SW})
 * @example
 * ```ts
 * const e = stillingerWeberEnergy(traj);          // eV per frame
 * const perAtom = Array.from(e, (v) => v / traj.nAtoms);
 * ```
 * @throws Error for a non-finite or non-positive parameter, an empty trajectory or non-finite coordinates.
 */
export function stillingerWeberEnergy(
  trajectory: Trajectory, params: Partial<StillingerWeberParams> = {}, options: StillingerWeberOptions = {},
): Float64Array {
  checkTrajectory(FN, trajectory);
  const P = { ...SILICON_SW, ...params };
  for (const key of Object.keys(SILICON_SW) as (keyof StillingerWeberParams)[]) {
    const v = P[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${FN}: params.${key} = ${String(v)}; expected a finite number`);
  }
  for (const key of ['epsilon', 'sigma', 'a'] as const) {
    if (!(P[key] > 0)) throw new Error(`${FN}: params.${key} = ${P[key]}; expected a number > 0`);
  }
  const frames = selectFrames(FN, trajectory.nFrames, options.frames);
  const { nAtoms, positions } = trajectory;
  const { epsilon, sigma, a, lambda, gamma, cosTheta0, A, B, p, q } = P;
  const rc = a * sigma;
  const geom = imageGeometry(FN, trajectory.cell, trajectory.pbc);
  const list = new NeighborList(geom, rc, nAtoms);
  const gs = gamma * sigma;
  const le = lambda * epsilon;
  const ae = A * epsilon;
  // Per-entry exp(γσ/(r - aσ)), reused by every triplet of the centre atom.
  let ex = new Float64Array(64);
  const out = new Float64Array(frames.length);
  for (let f = 0; f < frames.length; f++) {
    checkFrameFinite(FN, positions, frames[f], nAtoms);
    list.build(positions, frames[f]);
    const { start, dx, dy, dz, r } = list;
    const nEntries = start[nAtoms];
    if (ex.length < nEntries) ex = new Float64Array(Math.max(nEntries, 2 * ex.length));
    let e2 = 0;
    let e3 = 0;
    for (let e = 0; e < nEntries; e++) {
      const rr = r[e];
      ex[e] = Math.exp(gs / (rr - rc));
    }
    for (let i = 0; i < nAtoms; i++) {
      const s0 = start[i], s1 = start[i + 1];
      for (let e = s0; e < s1; e++) {
        const rr = r[e];
        // Each pair appears in both atoms' lists: half here.
        const sr = sigma / rr;
        e2 += 0.5 * ae * (B * Math.pow(sr, p) - Math.pow(sr, q)) * Math.exp(sigma / (rr - rc));
        for (let c = e + 1; c < s1; c++) {
          const cos = (dx[e] * dx[c] + dy[e] * dy[c] + dz[e] * dz[c]) / (rr * r[c]);
          const dc = cos - cosTheta0;
          e3 += le * dc * dc * ex[e] * ex[c];
        }
      }
    }
    out[f] = e2 + e3;
  }
  return out;
}
