/**
 * Configuration of the axis-projection encoding: the options, their defaults,
 * the serialised form, and their validation.
 *
 * @module
 */

/**
 * How atoms are ordered in the token sequence.
 *
 * - `'origin'` (the paper): by the distance of each atom's mean position over
 *   the fitted frames from the Cartesian origin (0, 0, 0), nearest first.
 * - `'corner'` (the original code's "periodic sorting"): by the distance of
 *   each atom's mean position, wrapped into the range on periodic axes, to the
 *   nearest of the 8 corners of the coordinate range box, nearest first.
 *
 * Ties keep the original atom order (a stable sort). The mean is well defined
 * for unwrapped positions (as in the reference data). For wrapped input in
 * which an atom crosses a periodic boundary, its mean falls between the two
 * faces and the ordering may be misleading: unwrap first or pass a permutation.
 */
export type OrderingRule = 'origin' | 'corner';

/**
 * Extra one-hot block in the network input after the cell one-hot:
 * `'index'` = one-hot of the step index (sequenceLength - 1 = 89 entries for
 * 30 atoms, the paper), `'axis'` = one-hot of the axis of the step's token
 * (3 entries), `'none'` = nothing (the original code's "vanilla" variant).
 */
export type StepEncoding = 'index' | 'axis' | 'none';

/** Per-axis coordinate range `[lo, hi)` in Å, for x, y, z. */
export type AxisRange = [[number, number], [number, number], [number, number]];

/**
 * Options of {@link AxisProjectionEncoder}. Every field has a default; pass a
 * partial object to `AxisProjectionEncoder.fit`.
 */
export interface EncoderConfig {
  /** Grid cells per axis, an integer >= 2. Default 50 (the paper). */
  gridSize: number;
  /**
   * Standard deviation (Å) of the target Gaussian
   * `exp(-(grid_k - r)^2 / (2 sigma^2))`, > 0.
   *
   * - The poster writes `exp(-(grid_k - r)^2 / (2 sigma))`, so its sigma is a
   *   variance.
   * - The original code used `2 sigma^2` with sigma = 0.2 Å, which was exactly
   *   one grid cell of its 0.2 Å grid (a 10 Å box, 50 cells), unnormalised
   *   (peak 1).
   * - Default here: one grid cell width, as in the original code (the widest
   *   axis' cell width when the axes differ). For the 30-atom a-Si set
   *   (L = 8.4366 Å, 50 cells) that is 0.1687 Å.
   */
  sigma: number;
  /**
   * Normalisation C of the target.
   *
   * - `'peak'` (default, the original code, whose normalisation step was
   *   commented out): C = 1, so the Gaussian is 1 at the exact coordinate;
   *   the largest value over the grid cells is therefore <= 1 (equal to 1 only
   *   when the coordinate sits on a cell centre).
   * - `'sum'`: C = the sum over the grid cells, so each target sums to 1 (a
   *   probability vector).
   */
  normalization: 'peak' | 'sum';
  /**
   * Per-axis `[lo, hi)` in Å, or `null` (default) to take it from the
   * trajectory: `[0, L)` on the periodic axes of an orthorhombic cell, and
   * `[min - w/2, max + w/2)` over the fitted frames on non-periodic axes, with
   * w the resulting grid cell width (so the extreme coordinates sit on the
   * first and last cell centres). A periodic axis' range must be as wide as
   * the cell. A triclinic periodic cell needs an explicit range (axis
   * projections are Cartesian) and is then encoded without wrapping.
   */
  range: AxisRange | null;
  /**
   * An {@link OrderingRule} (default `'origin'`) or a permutation of
   * `0..nAtoms-1`: `ordering[k]` is the original atom index placed at ordered
   * position k. After `fit`, the resolved config holds the permutation.
   */
  ordering: OrderingRule | readonly number[];
  /** Extra input one-hot; see {@link StepEncoding}. Default `'index'`. */
  stepEncoding: StepEncoding;
  /**
   * Append a one-hot of the species of the step's atom (over `speciesList`,
   * the sorted unique symbols) to the input. Default `false`.
   */
  speciesEncoding: boolean;
  /**
   * Species first: order the atoms by species (in `speciesList` order, the
   * sorted unique symbols), then by the ordering rule within each species, so
   * that the species sequence is fixed by the composition (every structure of
   * the same composition has the same species at each position: what training
   * on many structures of several species needs). Default `false`. Ignored
   * for a user permutation.
   */
  speciesFirst: boolean;
}

/** An {@link EncoderConfig} with everything filled in, as an encoder holds it after `fit`. */
export interface ResolvedEncoderConfig extends EncoderConfig {
  /** The per-axis range actually used. */
  range: AxisRange;
  /** The permutation actually used: `ordering[k]` = original atom index at ordered position k. */
  ordering: number[];
}

/** The JSON form of an encoder (`AxisProjectionEncoder.toJSON`). */
export interface EncoderJSON {
  /** Always `'repap-encoder'`. */
  format: 'repap-encoder';
  /** Format version, 1. */
  version: 1;
  /** The resolved config: `range` filled in, `ordering` the permutation. */
  config: ResolvedEncoderConfig;
  /** How the ordering was obtained (informative; not needed to decode). */
  orderingRule?: OrderingRule | 'user';
  /** Atoms per structure. */
  nAtoms: number;
  /** Species of each atom in the ORIGINAL (trajectory) order. */
  species: string[];
  /** Sorted unique species; the species one-hot follows this order. */
  speciesList: string[];
  /** Which Cartesian axes wrap (periodic with the range width as period). */
  periodic: [boolean, boolean, boolean];
}

/** Defaults of every option except `sigma`, whose default depends on the grid (one cell width). */
export const DEFAULT_ENCODER_CONFIG: Readonly<Omit<EncoderConfig, 'sigma'>> = Object.freeze({
  gridSize: 50,
  normalization: 'peak' as const,
  range: null,
  ordering: 'origin' as const,
  stepEncoding: 'index' as const,
  speciesEncoding: false,
  speciesFirst: false,
});

const CONFIG_KEYS = ['gridSize', 'sigma', 'normalization', 'range', 'ordering', 'stepEncoding', 'speciesEncoding', 'speciesFirst'];

/** Throws unless `gridSize` is an integer >= 2. `where` names the input in the message. */
export function checkGridSize(gridSize: unknown, where: string): number {
  if (typeof gridSize !== 'number' || !Number.isInteger(gridSize) || gridSize < 2) {
    throw new Error(`${where}.gridSize must be an integer >= 2 (cells per axis; the paper uses 50), got ${String(gridSize)}`);
  }
  return gridSize;
}

/** Throws unless `sigma` is a finite number > 0. */
export function checkSigma(sigma: unknown, where: string): number {
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma <= 0) {
    throw new Error(
      `${where}.sigma must be a finite number > 0 (Å, the standard deviation of the target Gaussian; ` +
        `default one grid cell width), got ${String(sigma)}`,
    );
  }
  return sigma;
}

/** Throws unless `range` is three finite `[lo, hi]` pairs with lo < hi; returns a copy. */
export function checkRange(range: unknown, where: string): AxisRange {
  if (!Array.isArray(range) || range.length !== 3) {
    throw new Error(`${where}.range must be [[xlo, xhi], [ylo, yhi], [zlo, zhi]] in Å (or null for the cell), got ${JSON.stringify(range)}`);
  }
  const out: [number, number][] = [];
  for (let a = 0; a < 3; a++) {
    const r = range[a];
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'number' || typeof r[1] !== 'number' ||
        !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[0] < r[1])) {
      throw new Error(`${where}.range[${a}] must be [lo, hi] with finite numbers lo < hi (Å), got ${JSON.stringify(r)}`);
    }
    out.push([r[0], r[1]]);
  }
  return out as AxisRange;
}

/** Validates a user permutation of `0..n-1` and returns it as an Int32Array. */
export function checkPermutation(ordering: unknown, n: number, where: string): Int32Array {
  if (!Array.isArray(ordering) && !ArrayBuffer.isView(ordering)) {
    throw new Error(`${where}.ordering must be 'origin', 'corner' or a permutation of 0..${n - 1}, got ${JSON.stringify(ordering)}`);
  }
  const arr = ordering as ArrayLike<unknown>;
  if (arr.length !== n) {
    throw new Error(`${where}.ordering has ${arr.length} entries but there are ${n} atoms; give a permutation of 0..${n - 1}`);
  }
  const perm = new Int32Array(n);
  const seen = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const v = arr[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= n) {
      throw new Error(`${where}.ordering[${k}] = ${String(v)} is not an atom index in 0..${n - 1}; give a permutation of 0..${n - 1}`);
    }
    if (seen[v]) {
      throw new Error(`${where}.ordering[${k}] = ${v} appears twice; give a permutation of 0..${n - 1} (each atom once)`);
    }
    seen[v] = 1;
    perm[k] = v;
  }
  return perm;
}

/** Throws for option names that {@link EncoderConfig} does not have (typos). */
export function checkConfigKeys(config: object, where: string): void {
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key)) {
      throw new Error(`${where}.${key} is not an encoder option; the options are ${CONFIG_KEYS.join(', ')}`);
    }
  }
}

/** Throws unless the enumerated options hold one of their values. */
export function checkEnums(config: Partial<EncoderConfig>, where: string): void {
  if (config.normalization !== undefined && config.normalization !== 'peak' && config.normalization !== 'sum') {
    throw new Error(`${where}.normalization must be 'peak' or 'sum', got ${JSON.stringify(config.normalization)}`);
  }
  if (config.stepEncoding !== undefined && !['index', 'axis', 'none'].includes(config.stepEncoding as string)) {
    throw new Error(`${where}.stepEncoding must be 'index', 'axis' or 'none', got ${JSON.stringify(config.stepEncoding)}`);
  }
  if (config.speciesEncoding !== undefined && typeof config.speciesEncoding !== 'boolean') {
    throw new Error(`${where}.speciesEncoding must be true or false, got ${JSON.stringify(config.speciesEncoding)}`);
  }
  if (config.speciesFirst !== undefined && typeof config.speciesFirst !== 'boolean') {
    throw new Error(`${where}.speciesFirst must be true or false, got ${JSON.stringify(config.speciesFirst)}`);
  }
  const o = config.ordering;
  if (typeof o === 'string' && o !== 'origin' && o !== 'corner') {
    throw new Error(`${where}.ordering must be 'origin', 'corner' or a permutation of the atom indices, got ${JSON.stringify(o)}`);
  }
}
