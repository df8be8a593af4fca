/**
 * Stillinger-Weber potential (silicon): energy and analytic forces, per frame,
 * with every periodic image and triclinic cells. One kernel serves
 * {@link stillingerWeberEnergy}, {@link stillingerWeberForces} and the
 * {@link Potential} that {@link stillingerWeber} returns.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { NeighborCache, forcesFromEntryGradients, type NeighborList } from './neighbors.js';
import { checkFrameArrays, checkPotentialSpecies, sameSpecies, type Potential } from './potential.js';
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

/** Energy and forces of one frame ({@link stillingerWeberForces}). */
export interface EnergyAndForces {
  /** Potential energy of the frame, eV. */
  readonly energy: number;
  /** Forces -dE/dx, eV/Å, flat x y z per atom (length 3N). */
  readonly forces: Float64Array;
}

/** Merges and checks parameters; throws naming `fn` and the parameter. */
function resolveParams(fn: string, params: Partial<StillingerWeberParams>): StillingerWeberParams {
  if (params === null || typeof params !== 'object') throw new Error(`${fn}: params is ${String(params)}; expected an object of Stillinger-Weber parameters (or nothing for silicon)`);
  const P = { ...SILICON_SW, ...params };
  for (const key of Object.keys(SILICON_SW) as (keyof StillingerWeberParams)[]) {
    const v = P[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${fn}: params.${key} = ${String(v)}; expected a finite number`);
  }
  for (const key of ['epsilon', 'sigma', 'a'] as const) {
    if (!(P[key] > 0)) throw new Error(`${fn}: params.${key} = ${P[key]}; expected a number > 0`);
  }
  return P;
}

/** Two atoms closer than this (Å) are reported as overlapping. */
const OVERLAP = 1e-8;

/**
 * The Stillinger-Weber kernel: a neighbour list for one cell (rebuilt when the
 * cell, pbc or atom count changes) and per-entry scratch arrays that grow only
 * when a frame has more neighbours than any before. No allocation per frame,
 * pair or triplet.
 *
 * @internal
 */
export class StillingerWeberKernel {
  private list: NeighborList | null = null;
  private readonly cache: NeighborCache;
  private ex = new Float64Array(64);
  private dex = new Float64Array(64);
  private nx = new Float64Array(64);
  private ny = new Float64Array(64);
  private nz = new Float64Array(64);
  private ir = new Float64Array(64);
  private gx = new Float64Array(64);
  private gy = new Float64Array(64);
  private gz = new Float64Array(64);
  private readonly rc: number;

  constructor(readonly params: StillingerWeberParams, private readonly name: string) {
    this.rc = params.a * params.sigma;
    this.cache = new NeighborCache(this.rc);
  }

  /** Interaction cutoff aσ, Å. */
  get cutoff(): number {
    return this.rc;
  }

  /** Makes the neighbour list for this cell (9 numbers, rows, or null), pbc and atom count. */
  prepare(fn: string, cell: ArrayLike<number> | null, pbc: readonly [boolean, boolean, boolean], nAtoms: number): void {
    this.list = this.cache.prepare(fn, cell, pbc, nAtoms);
  }

  /**
   * Energy (eV) of frame `frame` of `positions` (after {@link prepare}); writes
   * forces (eV/Å) into `forces` when given. Throws for overlapping atoms.
   */
  evaluate(positions: ArrayLike<number>, frame: number, nAtoms: number, forces: Float64Array | null): number {
    const list = this.list!;
    list.build(positions, frame);
    const { start, index, dx, dy, dz, r } = list;
    const nEntries = start[nAtoms];
    if (this.ex.length < nEntries) this.grow(nEntries);
    const { ex, dex, nx, ny, nz, ir, gx, gy, gz, rc } = this;
    const { epsilon, sigma, lambda, gamma, cosTheta0, A, B, p, q } = this.params;
    const gs = gamma * sigma;
    const le = lambda * epsilon;
    const ae = A * epsilon;
    const pInt = Number.isInteger(p) && p >= 0 && p <= 16, qInt = Number.isInteger(q) && q >= 0 && q <= 16;
    const F = forces;
    // Per entry: unit vector, 1/r, ex = exp(γσ/(r - aσ)) and dex = d ex / dr, reused by every triplet of the centre atom.
    for (let e = 0; e < nEntries; e++) {
      const rr = r[e];
      if (!(rr > OVERLAP)) {
        let i = 0;
        while (start[i + 1] <= e) i++;
        throw new Error(`${this.name}: atoms ${i} and ${index[e]} overlap (distance ${rr} Å); remove one of them or move it apart`);
      }
      const inv = 1 / rr;
      ir[e] = inv;
      nx[e] = dx[e] * inv;
      ny[e] = dy[e] * inv;
      nz[e] = dz[e] * inv;
      const t = 1 / (rr - rc);
      const v = Math.exp(gs * t);
      ex[e] = v;
      dex[e] = -gs * t * t * v;
    }
    let e2 = 0;
    let e3 = 0;
    for (let i = 0; i < nAtoms; i++) {
      const s0 = start[i], s1 = start[i + 1];
      for (let e = s0; e < s1; e++) {
        const j = index[e];
        // ∂E/∂d_e, d_e = x_j(image) - x_i, accumulated over every term that involves entry e.
        let ge = 0;
        let gex = 0, gey = 0, gez = 0;
        // Two-body: once per pair (the entry with j > i), half per entry for an atom and its own image.
        if (j >= i) {
          const rr = r[e];
          const w2 = j === i ? 0.5 : 1;
          const sr = sigma / rr;
          const srp = pInt ? ipow(sr, p) : Math.pow(sr, p);
          const srq = qInt ? ipow(sr, q) : Math.pow(sr, q);
          const t = 1 / (rr - rc);
          const g = Math.exp(sigma * t);
          const w = B * srp - srq;
          e2 += w2 * ae * w * g;
          // d/dr [w g] = g (dw/dr - w σ t²), dw/dr = (-p B srp + q srq) / r.
          if (F) ge = w2 * ae * g * ((-p * B * srp + q * srq) / rr - w * sigma * t * t);
        }
        const nex = nx[e], ney = ny[e], nez = nz[e];
        if (F) {
          gex = ge * nex;
          gey = ge * ney;
          gez = ge * nez;
        }
        // Three-body: triplets j-i-k with both entries within the cutoff.
        const exe = ex[e], dexe = dex[e], ire = ir[e];
        for (let c = e + 1; c < s1; c++) {
          const ncx = nx[c], ncy = ny[c], ncz = nz[c];
          const cos = nex * ncx + ney * ncy + nez * ncz;
          const dc = cos - cosTheta0;
          const exc = ex[c];
          const h = le * exe * exc;
          const hd = h * dc;
          e3 += hd * dc;
          if (F) {
            // ∂E/∂d_e = (2 h dc / r_e) (n_c - cos n_e) + λε dc² ex_c (d ex_e/dr) n_e, and e <-> c.
            const ldd = le * dc * dc;
            const ta = 2 * hd * ire;
            const tb = ldd * exc * dexe - ta * cos;
            const tc = 2 * hd * ir[c];
            const td = ldd * exe * dex[c] - tc * cos;
            gex += ta * ncx + tb * nex;
            gey += ta * ncy + tb * ney;
            gez += ta * ncz + tb * nez;
            gx[c] += tc * nex + td * ncx;
            gy[c] += tc * ney + td * ncy;
            gz[c] += tc * nez + td * ncz;
          }
        }
        if (F) {
          gx[e] += gex;
          gy[e] += gey;
          gz[e] += gez;
        }
      }
    }
    // F_i += ∂E/∂d_e, F_j -= ∂E/∂d_e for every entry; the per-entry sums are reset for the next frame.
    if (F) forcesFromEntryGradients(nAtoms, start, index, gx, gy, gz, F, true);
    return e2 + e3;
  }

  private grow(n: number): void {
    const cap = Math.max(n, 2 * this.ex.length);
    this.ex = new Float64Array(cap);
    this.dex = new Float64Array(cap);
    this.nx = new Float64Array(cap);
    this.ny = new Float64Array(cap);
    this.nz = new Float64Array(cap);
    this.ir = new Float64Array(cap);
    this.gx = new Float64Array(cap);
    this.gy = new Float64Array(cap);
    this.gz = new Float64Array(cap);
  }
}

/** x^n for a small non-negative integer n (Math.pow is slower in hot loops). */
function ipow(x: number, n: number): number {
  let y = 1;
  for (let k = 0; k < n; k++) y *= x;
  return y;
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
 * @throws Error for a non-finite or non-positive parameter, an empty trajectory, non-finite coordinates or overlapping atoms.
 */
export function stillingerWeberEnergy(
  trajectory: Trajectory, params: Partial<StillingerWeberParams> = {}, options: StillingerWeberOptions = {},
): Float64Array {
  checkTrajectory(FN, trajectory);
  const kernel = new StillingerWeberKernel(resolveParams(FN, params), FN);
  const frames = selectFrames(FN, trajectory.nFrames, options.frames);
  const { nAtoms, positions } = trajectory;
  kernel.prepare(FN, trajectory.cell === null ? null : trajectory.cell.flat(), trajectory.pbc, nAtoms);
  const out = new Float64Array(frames.length);
  for (let f = 0; f < frames.length; f++) {
    checkFrameFinite(FN, positions, frames[f], nAtoms);
    try {
      out[f] = kernel.evaluate(positions, frames[f], nAtoms, null);
    } catch (err) {
      throw new Error(`${FN}: frame ${frames[f]}: ${(err as Error).message.replace(`${FN}: `, '')}`);
    }
  }
  return out;
}

/**
 * Stillinger-Weber energy (eV) and analytic forces (eV/Å, flat `Float64Array`
 * of 3N) of one frame, with every periodic image and triclinic cells. Matches
 * LAMMPS `pair_style sw` with `Si.sw` to 1e-6 eV/Å (tested).
 *
 * @param frame - frame index (negative counts from the end)
 * @param params - parameters to override (default {@link SILICON_SW})
 * @example
 * ```ts
 * const { energy, forces } = stillingerWeberForces(traj, 0);
 * const fx0 = forces[0];  // x force on atom 0
 * ```
 * @throws Error for a bad frame index, non-finite coordinates or overlapping atoms (naming the frame and the atom pair).
 */
export function stillingerWeberForces(trajectory: Trajectory, frame: number, params: Partial<StillingerWeberParams> = {}): EnergyAndForces {
  const fn = 'stillingerWeberForces';
  checkTrajectory(fn, trajectory);
  const f = selectFrames(fn, trajectory.nFrames, [frame])[0];
  const kernel = new StillingerWeberKernel(resolveParams(fn, params), fn);
  const { nAtoms, positions } = trajectory;
  kernel.prepare(fn, trajectory.cell === null ? null : trajectory.cell.flat(), trajectory.pbc, nAtoms);
  checkFrameFinite(fn, positions, f, nAtoms);
  const forces = new Float64Array(3 * nAtoms);
  let energy: number;
  try {
    energy = kernel.evaluate(positions, f, nAtoms, forces);
  } catch (err) {
    throw new Error(`${fn}: frame ${f}: ${(err as Error).message.replace(`${fn}: `, '')}`);
  }
  return { energy, forces };
}

/**
 * Reads the parameters of one element from a LAMMPS `pair_style sw` file
 * (`potentials/Si.sw` format: `#` comments, then entries of three element names
 * and 11 numbers ε σ a λ γ cosθ0 A B p q tol, possibly spread over lines). Only
 * single-element entries (`X X X`) are supported.
 *
 * @param text - the file's contents
 * @param element - the element to read (default 'Si')
 * @param source - a name for the file in error messages
 * @throws Error naming the source when the element has no entry or an entry is malformed.
 */
export function parseStillingerWeber(text: string, element = 'Si', source = 'the .sw file'): StillingerWeberParams {
  const fn = 'parseStillingerWeber';
  const words = text.split('\n').map((l) => l.replace(/#.*/, '')).join(' ').split(/\s+/).filter((w) => w.length > 0);
  if (words.length % 14 !== 0) {
    throw new Error(`${fn}: ${source} has ${words.length} fields outside comments; expected entries of 14 (3 elements and 11 numbers)`);
  }
  const seen: string[] = [];
  for (let k = 0; k < words.length; k += 14) {
    const el = words.slice(k, k + 3);
    seen.push(el.join(' '));
    if (el[0] !== element || el[1] !== element || el[2] !== element) continue;
    const v = words.slice(k + 3, k + 13).map(Number);
    const bad = v.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${fn}: ${source}, entry '${el.join(' ')}': field ${bad + 4} '${words[k + 3 + bad]}' is not a number`);
    const [epsilon, sigma, a, lambda, gamma, cosTheta0, A, B, p, q] = v;
    return resolveParams(fn, { epsilon, sigma, a, lambda, gamma, cosTheta0, A, B, p, q });
  }
  throw new Error(`${fn}: ${source} has no entry '${element} ${element} ${element}' (its entries: ${seen.join('; ') || 'none'}); give a file with ${element} parameters`);
}

/**
 * A Stillinger-Weber {@link Potential} for one element (default silicon with the
 * LAMMPS `Si.sw` parameters). Pass a parameter object, or the text of a LAMMPS
 * `.sw` file (read with {@link parseStillingerWeber}).
 *
 * @param params - parameters to override, or a LAMMPS `.sw` file's text
 * @param element - the element the parameters describe (default 'Si')
 * @example
 * ```ts
 * const sw = stillingerWeber();
 * const { trajectory, frames } = relaxStructures(generated, { potential: sw });
 * ```
 */
export function stillingerWeber(params: Partial<StillingerWeberParams> | string = {}, element = 'Si'): Potential {
  const fn = 'stillingerWeber';
  const P = typeof params === 'string' ? parseStillingerWeber(params, element) : resolveParams(fn, params);
  const name = element === 'Si' ? 'stillinger-weber-si' : `stillinger-weber-${element.toLowerCase()}`;
  const kernel = new StillingerWeberKernel(P, name);
  const species = Object.freeze([element]);
  let checked: readonly string[] | null = null;
  return {
    name,
    species,
    cutoff: kernel.cutoff,
    energyAndForces(positions, cell, pbc, atoms, forces) {
      const n = atoms.length;
      if (!sameSpecies(atoms, checked)) {
        checkPotentialSpecies(name, this, atoms);
        checked = atoms.slice();
      }
      checkFrameArrays(name, positions, n, forces);
      kernel.prepare(name, cell, pbc, n);
      return kernel.evaluate(positions, 0, n, forces ?? null);
    },
  };
}
