/**
 * The interatomic-potential interface: energy and forces of one frame. Every
 * potential of the package (Stillinger-Weber silicon, Vashishta SiO2) and any
 * user-written one implements it; {@link relaxStructures} and the ensemble
 * evaluator only see this interface.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';

/**
 * An interatomic potential in metal units (eV, Å), as LAMMPS `pair_style`s are.
 *
 * `energyAndForces` evaluates one frame: `positions` holds 3N Cartesian
 * coordinates (x0 y0 z0 x1 ...), `cell` the 9 numbers of the three lattice
 * vectors as rows (a, b, c; ignored along non-periodic directions), `pbc` the
 * periodicity along a, b, c, `species` one chemical symbol per atom. It returns
 * the total potential energy in eV and, when `forces` (length 3N) is given,
 * writes the forces -dE/dx there in eV/Å (overwriting, not adding). Every
 * periodic image within `cutoff` counts.
 *
 * Implementations throw an Error that names the potential when a species is not
 * one of {@link Potential.species} and when two atoms (or an atom and its own
 * image) coincide.
 *
 * To add a potential, write an object with these four members (see
 * `docs/guide.md`, "Potentials and relaxation"); {@link stillingerWeber} is a
 * worked example.
 *
 * @example
 * ```ts
 * const sw = stillingerWeber();
 * const f = new Float64Array(3 * traj.nAtoms);
 * const e = sw.energyAndForces(traj.positions.subarray(0, 3 * traj.nAtoms), flatCell(traj.cell), traj.pbc, traj.species, f);
 * ```
 */
export interface Potential {
  /** A short identifier, for example `'stillinger-weber-si'`. */
  readonly name: string;
  /** The chemical symbols the potential knows, for example `['Si']`. */
  readonly species: readonly string[];
  /** Interaction cutoff in Å (the largest over all species pairs). */
  readonly cutoff: number;
  /**
   * Energy (eV) of one frame; when `forces` (length 3N) is given, writes -dE/dx there (eV/Å).
   *
   * @param positions - 3N Cartesian coordinates of one frame, Å
   * @param cell - 9 numbers, lattice vectors a, b, c as rows (Å)
   * @param pbc - periodicity along a, b, c
   * @param species - one chemical symbol per atom
   * @param forces - optional output, length 3N
   */
  energyAndForces(
    positions: ArrayLike<number>, cell: ArrayLike<number>, pbc: readonly [boolean, boolean, boolean],
    species: readonly string[], forces?: Float64Array,
  ): number;
}

/**
 * The cell of a trajectory as the 9 numbers {@link Potential.energyAndForces}
 * takes (rows a, b, c); the identity for `cell: null` (no periodic direction).
 */
export function flatCell(cell: Trajectory['cell']): Float64Array {
  const out = new Float64Array(9);
  if (cell === null) {
    out[0] = out[4] = out[8] = 1;
    return out;
  }
  for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) out[3 * i + k] = cell[i][k];
  return out;
}

/**
 * Checks that every species of a structure is known to a potential; throws an
 * Error naming the first unknown element, the potential and the elements it knows.
 * `where` names the caller (for example `'relaxStructures'`).
 */
export function checkPotentialSpecies(where: string, potential: Potential, species: readonly string[]): void {
  const known = new Set(potential.species);
  for (let i = 0; i < species.length; i++) {
    if (!known.has(species[i])) {
      throw new Error(
        `${where}: atom ${i} is '${species[i]}', which the potential '${potential.name}' does not know (it covers ${potential.species.join(', ')}); ` +
          `use a potential for ${species[i]} or give a structure of ${potential.species.join('/')} only`,
      );
    }
  }
}

/**
 * True when `a` holds the same symbols as the `last` species list a potential
 * checked (compared element by element, so that an array changed in place is
 * checked again). O(N), next to the O(N · neighbours) force loop.
 *
 * @internal
 */
export function sameSpecies(a: readonly string[], last: readonly string[] | null): boolean {
  if (last === null || a.length !== last.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== last[i]) return false;
  return true;
}

/**
 * Checks the arrays a potential is given for one frame of `n` atoms: `positions`
 * holds 3n finite numbers and `forces`, when given, has room for 3n. Throws an
 * Error that names the potential (`name`), the array and the fix.
 * Internal: shared by the potentials' `energyAndForces`.
 */
export function checkFrameArrays(name: string, positions: ArrayLike<number>, n: number, forces: Float64Array | undefined): void {
  if (positions.length !== 3 * n) throw new Error(`${name}: positions has ${positions.length} numbers; expected 3 per atom (${3 * n} for ${n} species)`);
  if (forces !== undefined && forces.length < 3 * n) throw new Error(`${name}: forces has length ${forces.length}; expected ${3 * n}`);
  for (let k = 0; k < 3 * n; k++) {
    const v = positions[k]!;
    if (v - v !== 0) throw new Error(`${name}: positions[${k}] (atom ${Math.floor(k / 3)}) is ${String(v)}; coordinates must be finite numbers in Å`);
  }
}
