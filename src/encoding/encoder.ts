/**
 * `AxisProjectionEncoder`: turns frames of a trajectory into RePAP token
 * sequences (one coordinate per token, on a 1-D grid per axis), network inputs
 * (sums of one-hots) and Gaussian targets, and decodes grid cells back to
 * coordinates. Pure typed arrays: no tfjs.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { isOrthorhombic } from '../structure/cell.js';
import type { TokenCodec } from './types.js';
import {
  type AxisRange,
  type EncoderConfig,
  type EncoderJSON,
  type OrderingRule,
  type ResolvedEncoderConfig,
  DEFAULT_ENCODER_CONFIG,
  checkConfigKeys,
  checkEnums,
  checkGridSize,
  checkPermutation,
  checkRange,
  checkSigma,
} from './config.js';
import { atomOrdering, meanPositions } from './ordering.js';
import { gaussianTargetInto } from './gaussian.js';

const AXES = 'xyz';

/**
 * Fraction of the range width by which a coordinate may lie outside a
 * non-periodic range and still be clamped into the first or last cell (covers
 * float32 rounding of values on the edge).
 */
const EDGE_TOLERANCE = 1e-6;

/** One batch of encoded sequences, as produced by {@link AxisProjectionEncoder.encodeBatch}. */
export interface EncodedBatch {
  /** `[B, T-1, inputSize]`: the network input at steps 0..T-2 (sums of one-hots). */
  inputs: Float32Array;
  /** `[B, T-1, gridSize]`: the target at step t is the Gaussian of token t+1. */
  targets: Float32Array;
  /** `[B, T]`: the grid cell of every token. */
  cells: Int32Array;
}

/** Reusable output buffers for {@link AxisProjectionEncoder.encodeBatch} (at least the batch's size; longer ones are used from the start). */
export interface EncodedBatchBuffers {
  /** At least `B * (T-1) * inputSize` entries. */
  inputs: Float32Array;
  /** At least `B * (T-1) * gridSize` entries. */
  targets: Float32Array;
  /** Optional, at least `B * T` entries; allocated when missing. */
  cells?: Int32Array;
}

/** One batch from {@link AxisProjectionEncoder.batches}; its arrays are overwritten by the next batch. */
export interface EncodedBatchWithRows extends EncodedBatch {
  /** The rows (sequence indices into `coords`) of this batch, in order. */
  rows: Int32Array;
}

interface EncoderState {
  config: ResolvedEncoderConfig;
  orderingRule: OrderingRule | 'user';
  nAtoms: number;
  species: string[];
  periodic: [boolean, boolean, boolean];
}

function sortedUnique(species: readonly string[]): string[] {
  return Array.from(new Set(species)).sort();
}

/** Each atom's species index in the sorted unique species (the species-first ordering key). */
export function speciesRanks(species: readonly string[]): Int32Array {
  const list = sortedUnique(species);
  return Int32Array.from(species, (s) => list.indexOf(s));
}

function checkTrajectory(trajectory: Trajectory, where: string): void {
  if (trajectory === null || typeof trajectory !== 'object') {
    throw new Error(`${where}: expected a Trajectory object, got ${String(trajectory)}`);
  }
  const { nAtoms, nFrames, positions, species } = trajectory;
  if (!Number.isInteger(nAtoms) || nAtoms < 1) {
    throw new Error(`${where}: trajectory.nAtoms must be an integer >= 1, got ${String(nAtoms)}`);
  }
  if (!Number.isInteger(nFrames) || nFrames < 1) {
    throw new Error(`${where}: trajectory.nFrames must be an integer >= 1, got ${String(nFrames)}`);
  }
  if (!positions || positions.length !== nFrames * nAtoms * 3) {
    throw new Error(
      `${where}: trajectory.positions has ${positions ? positions.length : 'no'} values but nFrames * nAtoms * 3 = ` +
        `${nFrames * nAtoms * 3}; positions must be flat [frame][atom][xyz]`,
    );
  }
  if (!Array.isArray(species) || species.length !== nAtoms || species.some((s) => typeof s !== 'string')) {
    throw new Error(`${where}: trajectory.species must hold ${nAtoms} chemical symbols (one per atom), got ${species ? species.length : 'none'}`);
  }
}

/**
 * The RePAP axis-projection encoding (see {@link EncoderConfig}).
 *
 * A structure of N atoms becomes T = 3N tokens: token t is coordinate `t % 3`
 * (x, y, z) of the atom at position `floor(t / 3)` of the stored ordering,
 * discretised on a grid of `gridSize` cells over the axis' range. The network
 * input at step t (t = 0..T-2) is the sum of one-hots
 *
 * `[cell of token t (gridSize)] ++ [step t (T-1) | axis t%3 (3) | nothing] ++ [species of atom floor(t/3) (nSpecies), if speciesEncoding]`
 *
 * (139 entries for 30 atoms and 50 cells, the paper) and the target is the
 * Gaussian of token t+1 over the grid.
 *
 * Create one with {@link AxisProjectionEncoder.fit} (ordering and range from a
 * trajectory) or {@link AxisProjectionEncoder.fromJSON}.
 *
 * @example
 * ```ts
 * const enc = AxisProjectionEncoder.fit(trajectory);          // 50 cells, 'origin' ordering, range from the cell
 * const coords = enc.orderedCoordinates(trajectory);           // [nFrames, 90] float32
 * for (const { inputs, targets } of enc.batches(coords, rows, 64)) { ... }
 * ```
 */
export class AxisProjectionEncoder implements TokenCodec {
  /** The resolved config: `range` filled in, `ordering` the permutation as numbers. Frozen. */
  readonly config: Readonly<ResolvedEncoderConfig>;
  /** How the ordering was obtained: a rule, or `'user'` for a given permutation. */
  readonly orderingRule: OrderingRule | 'user';
  /** Cells per axis. */
  readonly gridSize: number;
  /** Atoms per structure. */
  readonly nAtoms: number;
  /** Tokens per structure: `3 * nAtoms`. */
  readonly sequenceLength: number;
  /** Entries of the step one-hot block: `sequenceLength - 1`, 3 or 0 by `stepEncoding`. */
  readonly stepInputSize: number;
  /** Width of one network input vector: `gridSize + stepInputSize + (speciesEncoding ? nSpecies : 0)`. */
  readonly inputSize: number;
  /** Number of ones in every input vector (what {@link activeInputs} returns): 1 to 3. */
  readonly activeInputCount: number;
  /** Species of each atom in the original (trajectory) order. */
  readonly species: readonly string[];
  /** Species of the atom at each ordered position: `species[permutation[k]]`. */
  readonly orderedSpecies: readonly string[];
  /** `permutation[k]` is the original atom index at ordered position k. */
  readonly permutation: Int32Array;
  /** Sorted unique species; the species one-hot follows this order. */
  readonly speciesList: readonly string[];
  /** Which Cartesian axes wrap, with the range width as the period. */
  readonly periodic: readonly [boolean, boolean, boolean];

  private readonly lo = new Float64Array(3);
  private readonly hi = new Float64Array(3);
  private readonly width = new Float64Array(3);
  private readonly period = new Float64Array(3);
  private readonly centres: Float64Array[] = [];
  /** Species index (into speciesList) of the atom at each ordered position. */
  private readonly speciesIndex: Int32Array;
  private readonly scratch: Int32Array;

  private constructor(state: EncoderState) {
    const { config, nAtoms, species, periodic } = state;
    const range = config.range.map((r) => Object.freeze([r[0], r[1]])) as unknown as AxisRange;
    this.config = Object.freeze({ ...config, range: Object.freeze(range) as AxisRange, ordering: Object.freeze(config.ordering.slice()) as number[] });
    this.orderingRule = state.orderingRule;
    this.gridSize = config.gridSize;
    this.nAtoms = nAtoms;
    this.sequenceLength = 3 * nAtoms;
    this.species = Object.freeze(species.slice());
    this.permutation = Int32Array.from(config.ordering);
    this.orderedSpecies = Object.freeze(Array.from(this.permutation, (i) => species[i]));
    this.speciesList = Object.freeze(sortedUnique(species));
    this.periodic = Object.freeze([periodic[0], periodic[1], periodic[2]]) as readonly [boolean, boolean, boolean];
    this.stepInputSize =
      config.stepEncoding === 'index' ? this.sequenceLength - 1 : config.stepEncoding === 'axis' ? 3 : 0;
    this.inputSize = this.gridSize + this.stepInputSize + (config.speciesEncoding ? this.speciesList.length : 0);
    this.activeInputCount = 1 + (this.stepInputSize > 0 ? 1 : 0) + (config.speciesEncoding ? 1 : 0);
    this.speciesIndex = Int32Array.from(this.orderedSpecies, (s) => this.speciesList.indexOf(s));
    this.scratch = new Int32Array(3);
    const g = this.gridSize;
    for (let a = 0; a < 3; a++) {
      const [lo, hi] = range[a];
      this.lo[a] = lo;
      this.hi[a] = hi;
      this.width[a] = (hi - lo) / g;
      this.period[a] = periodic[a] ? hi - lo : 0;
      const c = new Float64Array(g);
      for (let k = 0; k < g; k++) c[k] = lo + (k + 0.5) * this.width[a];
      this.centres.push(c);
    }
  }

  /**
   * Builds an encoder for `trajectory`: resolves the range (from the cell, or
   * from the coordinates on non-periodic axes), the default sigma (one cell
   * width) and the atom ordering (from the mean positions over `frames`,
   * default all frames; pass the training frames to mirror the original code).
   *
   * Throws for impossible options (gridSize < 2 or not an integer, sigma <= 0,
   * a malformed range or permutation, unknown option names), for a triclinic
   * periodic cell without an explicit `range`, and for non-finite positions.
   */
  static fit(trajectory: Trajectory, config: Partial<EncoderConfig> = {}, frames?: ArrayLike<number>): AxisProjectionEncoder {
    const where = 'AxisProjectionEncoder.fit: config';
    checkTrajectory(trajectory, 'AxisProjectionEncoder.fit');
    if (config === null || typeof config !== 'object') {
      throw new Error(`${where} must be an object of encoder options, got ${String(config)}`);
    }
    checkConfigKeys(config, where);
    checkEnums(config, where);
    const gridSize = checkGridSize(config.gridSize ?? DEFAULT_ENCODER_CONFIG.gridSize, where);
    if (config.sigma !== undefined) checkSigma(config.sigma, where);

    const { cell, pbc, nAtoms } = trajectory;
    const orth = cell !== null && isOrthorhombic(cell);
    const anyPbc = cell !== null && pbc.some(Boolean);
    const periodic: [boolean, boolean, boolean] = [false, false, false];
    let range: AxisRange;
    if (config.range !== undefined && config.range !== null) {
      range = checkRange(config.range, where);
      for (let a = 0; a < 3; a++) {
        periodic[a] = cell !== null && orth && pbc[a];
        if (periodic[a]) {
          const L = cell![a][a];
          const w = range[a][1] - range[a][0];
          if (Math.abs(w - L) > 1e-6 * Math.abs(L)) {
            throw new Error(
              `${where}.range[${a}] = [${range[a][0]}, ${range[a][1]}] is ${w} Å wide but the periodic cell is ${L} Å along ${AXES[a]}; ` +
                `give a range as wide as the cell (for example [0, ${L}]) or set pbc false on that axis`,
            );
          }
        }
      }
    } else {
      if (anyPbc && !orth) {
        throw new Error(
          `${where}.range is null but the periodic cell is not orthorhombic; axis projections are Cartesian, so pass ` +
            '`range` explicitly ([[xlo, xhi], [ylo, yhi], [zlo, zhi]] in Å, covering every coordinate; triclinic axes are then not wrapped) ' +
            'or use an orthorhombic cell',
        );
      }
      const r: [number, number][] = [];
      let mins: Float64Array | null = null;
      let maxs: Float64Array | null = null;
      for (let a = 0; a < 3; a++) {
        if (cell !== null && pbc[a]) {
          const L = cell[a][a];
          if (!(L > 0) || !Number.isFinite(L)) {
            throw new Error(`AxisProjectionEncoder.fit: trajectory.cell[${a}][${a}] = ${L}; a periodic cell needs positive finite lengths (Å)`);
          }
          periodic[a] = true;
          r.push([0, L]);
        } else {
          if (!mins || !maxs) [mins, maxs] = coordinateBounds(trajectory, frames);
          let mn = mins[a];
          let mx = maxs[a];
          if (mx - mn < 1e-9) { mn -= 0.5; mx += 0.5; } // flat along this axis: a 1 Å wide range around it
          const w = (mx - mn) / (gridSize - 1); // half a cell of margin each side: extremes on the end cell centres
          r.push([mn - w / 2, mx + w / 2]);
        }
      }
      range = r as AxisRange;
    }
    const widths = range.map(([lo, hi]) => (hi - lo) / gridSize);
    const sigma = config.sigma ?? Math.max(...widths);

    let ordering: number[];
    let orderingRule: OrderingRule | 'user';
    const o = config.ordering ?? DEFAULT_ENCODER_CONFIG.ordering;
    if (typeof o === 'string') {
      orderingRule = o;
      const speciesFirst = config.speciesFirst ?? DEFAULT_ENCODER_CONFIG.speciesFirst;
      ordering = Array.from(atomOrdering(meanPositions(trajectory, frames), o, range, periodic, speciesFirst ? speciesRanks(trajectory.species) : undefined));
    } else {
      orderingRule = 'user';
      ordering = Array.from(checkPermutation(o, nAtoms, where));
    }
    return new AxisProjectionEncoder({
      config: {
        gridSize,
        sigma,
        normalization: config.normalization ?? DEFAULT_ENCODER_CONFIG.normalization,
        range,
        ordering,
        stepEncoding: config.stepEncoding ?? DEFAULT_ENCODER_CONFIG.stepEncoding,
        speciesEncoding: config.speciesEncoding ?? DEFAULT_ENCODER_CONFIG.speciesEncoding,
        speciesFirst: config.speciesFirst ?? DEFAULT_ENCODER_CONFIG.speciesFirst,
      },
      orderingRule,
      nAtoms,
      species: trajectory.species.slice(),
      periodic,
    });
  }

  /**
   * Rebuilds an encoder from {@link toJSON}'s output (for example after
   * `JSON.parse`). Validates every field; errors name the bad field and say
   * what is expected.
   */
  static fromJSON(json: EncoderJSON): AxisProjectionEncoder {
    const where = 'encoder JSON';
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new Error(`${where}: expected an object written by AxisProjectionEncoder.toJSON(), got ${json === null ? 'null' : typeof json}`);
    }
    const j = json as unknown as Record<string, unknown>;
    if (j.format !== 'repap-encoder') {
      throw new Error(`${where}.format must be 'repap-encoder', got ${JSON.stringify(j.format)}; this is not a repap encoder file`);
    }
    if (j.version !== 1) {
      throw new Error(`${where}.version ${JSON.stringify(j.version)} is not supported: this version of repap reads encoder version 1`);
    }
    const nAtoms = j.nAtoms;
    if (typeof nAtoms !== 'number' || !Number.isInteger(nAtoms) || nAtoms < 1) {
      throw new Error(`${where}.nAtoms must be an integer >= 1, got ${JSON.stringify(nAtoms)}`);
    }
    const species = j.species;
    if (!Array.isArray(species) || species.length !== nAtoms || species.some((s) => typeof s !== 'string')) {
      throw new Error(`${where}.species must be ${nAtoms} chemical symbols (one per atom, original order), got ${JSON.stringify(species)}`);
    }
    const expectedList = sortedUnique(species as string[]);
    if (j.speciesList !== undefined && JSON.stringify(j.speciesList) !== JSON.stringify(expectedList)) {
      throw new Error(`${where}.speciesList ${JSON.stringify(j.speciesList)} is not the sorted unique species ${JSON.stringify(expectedList)}`);
    }
    const periodic = j.periodic;
    if (!Array.isArray(periodic) || periodic.length !== 3 || periodic.some((p) => typeof p !== 'boolean')) {
      throw new Error(`${where}.periodic must be three booleans (x, y, z), got ${JSON.stringify(periodic)}`);
    }
    const c = j.config;
    if (c === null || typeof c !== 'object' || Array.isArray(c)) {
      throw new Error(`${where}.config must be an object of encoder options, got ${JSON.stringify(c)}`);
    }
    const cw = `${where}.config`;
    const cfg = c as Record<string, unknown>;
    checkConfigKeys(cfg, cw);
    for (const key of ['gridSize', 'sigma', 'normalization', 'range', 'ordering', 'stepEncoding', 'speciesEncoding']) {
      if (cfg[key] === undefined || cfg[key] === null) {
        throw new Error(`${cw}.${key} is missing; a saved encoder holds every option resolved (write it with toJSON())`);
      }
    }
    checkEnums(cfg as Partial<EncoderConfig>, cw);
    if (typeof cfg.ordering === 'string') {
      throw new Error(`${cw}.ordering must be the stored permutation (numbers), got ${JSON.stringify(cfg.ordering)}`);
    }
    const orderingRule = j.orderingRule;
    if (orderingRule !== undefined && !['origin', 'corner', 'user'].includes(orderingRule as string)) {
      throw new Error(`${where}.orderingRule must be 'origin', 'corner' or 'user', got ${JSON.stringify(orderingRule)}`);
    }
    return new AxisProjectionEncoder({
      config: {
        gridSize: checkGridSize(cfg.gridSize, cw),
        sigma: checkSigma(cfg.sigma, cw),
        normalization: cfg.normalization as 'peak' | 'sum',
        range: checkRange(cfg.range, cw),
        ordering: Array.from(checkPermutation(cfg.ordering, nAtoms, cw)),
        stepEncoding: cfg.stepEncoding as EncoderConfig['stepEncoding'],
        speciesEncoding: cfg.speciesEncoding as boolean,
        // absent in encoders saved before species-first ordering existed
        speciesFirst: (cfg.speciesFirst as boolean | undefined) ?? false,
      },
      orderingRule: (orderingRule as OrderingRule | 'user' | undefined) ?? 'user',
      nAtoms,
      species: species as string[],
      periodic: periodic as [boolean, boolean, boolean],
    });
  }

  /** The JSON form: resolved config, ordering, species and periodicity. `fromJSON(toJSON())` encodes identically. */
  toJSON(): EncoderJSON {
    const c = this.config;
    return {
      format: 'repap-encoder',
      version: 1,
      config: {
        gridSize: c.gridSize,
        sigma: c.sigma,
        normalization: c.normalization,
        range: c.range.map((r) => [r[0], r[1]]) as AxisRange,
        ordering: Array.from(c.ordering),
        stepEncoding: c.stepEncoding,
        speciesEncoding: c.speciesEncoding,
        speciesFirst: c.speciesFirst,
      },
      orderingRule: this.orderingRule,
      nAtoms: this.nAtoms,
      species: this.species.slice(),
      speciesList: this.speciesList.slice(),
      periodic: [this.periodic[0], this.periodic[1], this.periodic[2]],
    };
  }

  /** Width (Å) of one grid cell on `axis` (0, 1, 2). */
  cellWidth(axis: number): number {
    this.checkAxis(axis);
    return this.width[axis];
  }

  /** Centres (Å) of the grid cells on `axis`: `lo + (k + 0.5) * width` (a copy). */
  gridCentres(axis: number): Float64Array {
    this.checkAxis(axis);
    return this.centres[axis].slice();
  }

  /**
   * Grid cell of `value` (Å) on `axis`. Periodic axes wrap. On non-periodic
   * axes a value within 1e-6 of the range width outside `[lo, hi)` is clamped
   * into the end cell; farther out it throws.
   */
  cellOf(value: number, axis: number): number {
    const g = this.gridSize;
    const u = (value - this.lo[axis]) / this.width[axis];
    if (!Number.isFinite(u)) {
      if (axis !== 0 && axis !== 1 && axis !== 2) this.checkAxis(axis);
      throw new Error(`cellOf: value ${value} on axis ${AXES[axis]} is not a finite coordinate (Å)`);
    }
    let k = Math.floor(u);
    if (this.period[axis] > 0) {
      k %= g;
      if (k < 0) k += g;
      return k;
    }
    if (k < 0) {
      if (u >= -EDGE_TOLERANCE * g) return 0;
      throw this.outOfRange(value, axis, 'cellOf');
    }
    if (k >= g) {
      if (u <= g + EDGE_TOLERANCE * g) return g - 1;
      throw this.outOfRange(value, axis, 'cellOf');
    }
    return k;
  }

  /**
   * Coordinate (Å) of `cell` on `axis`: the cell centre plus `jitter` cell
   * widths, `jitter` in [-0.5, 0.5) (draw it uniformly for the original code's
   * noise). The result always lies in the cell: `cellOf(decode(c, a, j), a) === c`.
   */
  decode(cell: number, axis: number, jitter = 0): number {
    this.checkAxis(axis);
    const g = this.gridSize;
    if (!Number.isInteger(cell) || cell < 0 || cell >= g) {
      throw new Error(`decode: cell ${cell} is not a grid cell index in 0..${g - 1}`);
    }
    if (!(jitter >= -0.5 && jitter < 0.5)) {
      throw new Error(`decode: jitter ${jitter} must be in [-0.5, 0.5) cell widths`);
    }
    const lo = this.lo[axis];
    const w = this.width[axis];
    let x = lo + (cell + 0.5 + jitter) * w;
    // Rounding at the cell edges: nudge by ulps until the value falls in `cell`.
    const step = Math.max(Math.abs(x), w) * Number.EPSILON;
    for (let i = 0; i < 64; i++) {
      const k = Math.floor((x - lo) / w);
      if (k < cell) x += step;
      else if (k > cell || x >= this.hi[axis]) x -= step;
      else break;
    }
    return x;
  }

  /**
   * Writes the indices of the ones of the input vector at `step` (0..T-2) when
   * token `step` lies in `cell`, and returns how many (`activeInputCount`):
   * the cell, then the step (or axis) entry, then the species entry. The dense
   * input is zero except at these indices.
   */
  activeInputs(step: number, cell: number, out: Int32Array): number {
    const g = this.gridSize;
    if (!(step >= 0 && step < this.sequenceLength - 1) || !Number.isInteger(step)) {
      throw new Error(`activeInputs: step ${step} must be an integer in 0..${this.sequenceLength - 2}`);
    }
    if (!(cell >= 0 && cell < g) || !Number.isInteger(cell)) {
      throw new Error(`activeInputs: cell ${cell} must be an integer in 0..${g - 1}`);
    }
    if (out.length < this.activeInputCount) {
      throw new Error(`activeInputs: out has ${out.length} entries; it needs activeInputCount = ${this.activeInputCount}`);
    }
    let n = 0;
    out[n++] = cell;
    const se = this.config.stepEncoding;
    if (se === 'index') out[n++] = g + step;
    else if (se === 'axis') out[n++] = g + (step % 3);
    if (this.config.speciesEncoding) out[n++] = g + this.stepInputSize + this.speciesIndex[Math.floor(step / 3)];
    return n;
  }

  /**
   * The token sequences of the selected frames (default all): a `[nSel, T]`
   * row-major float32 array whose row i, entry t is coordinate `t % 3` of
   * atom `permutation[floor(t / 3)]` of frame `frames[i]`, wrapped into the
   * range on periodic axes.
   *
   * Throws when the atom count or the species differ from the encoder's, when
   * the periodic cell differs, for a non-finite coordinate, and for a
   * coordinate outside the range on a non-periodic axis (naming frame, atom
   * and axis).
   */
  orderedCoordinates(trajectory: Trajectory, frames?: ArrayLike<number>): Float32Array {
    const where = 'orderedCoordinates';
    checkTrajectory(trajectory, where);
    const n = this.nAtoms;
    if (trajectory.nAtoms !== n) {
      throw new Error(
        `${where}: the trajectory has ${trajectory.nAtoms} atoms but the encoder was fitted to ${n}; ` +
          `encode trajectories of the same system (or fit a new encoder)`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (trajectory.species[i] !== this.species[i]) {
        throw new Error(
          `${where}: atom ${i} is ${trajectory.species[i]} in the trajectory but ${this.species[i]} in the encoder; ` +
            `the atoms must have the same species in the same order`,
        );
      }
    }
    for (let a = 0; a < 3; a++) {
      if (!this.periodic[a]) continue;
      const cell = trajectory.cell;
      const L = this.period[a];
      if (cell === null || !trajectory.pbc[a] || !isOrthorhombic(cell) || Math.abs(cell[a][a] - L) > 1e-6 * L) {
        throw new Error(
          `${where}: the encoder wraps ${AXES[a]} with period ${L} Å, but the trajectory's cell/pbc along ${AXES[a]} ` +
            `is ${cell === null ? 'absent' : `[${cell[a].join(', ')}], pbc ${trajectory.pbc[a]}`}; encode trajectories with the same cell`,
        );
      }
    }
    const nFrames = trajectory.nFrames;
    const nSel = frames ? frames.length : nFrames;
    const T = this.sequenceLength;
    const out = new Float32Array(nSel * T);
    const pos = trajectory.positions;
    const perm = this.permutation;
    const lo = this.lo, hi = this.hi, period = this.period;
    for (let i = 0; i < nSel; i++) {
      const f = frames ? frames[i] : i;
      if (!Number.isInteger(f) || f < 0 || f >= nFrames) {
        throw new Error(`${where}: frames[${i}] = ${f} is not a frame index in 0..${nFrames - 1}`);
      }
      const base = f * n * 3;
      const row = i * T;
      for (let k = 0; k < n; k++) {
        const atom = perm[k];
        for (let a = 0; a < 3; a++) {
          let v = pos[base + atom * 3 + a];
          if (!Number.isFinite(v)) {
            throw new Error(`${where}: frame ${f}, atom ${atom}, axis ${AXES[a]} is ${v}; positions must be finite numbers (Å)`);
          }
          if (period[a] > 0) {
            const p = period[a];
            v = v - p * Math.floor((v - lo[a]) / p);
            let v32 = Math.fround(v);
            // float32 rounding can land on hi: store the equivalent lo (same periodic point) when it is exact.
            if (v32 >= hi[a] && Math.fround(lo[a]) === lo[a]) v32 = lo[a];
            out[row + 3 * k + a] = v32;
          } else {
            const tol = EDGE_TOLERANCE * (hi[a] - lo[a]);
            if (v < lo[a] - tol || v > hi[a] + tol) {
              throw new Error(
                `${where}: frame ${f}, atom ${atom}, axis ${AXES[a]} = ${v} Å lies outside the encoder's range ` +
                  `[${lo[a]}, ${hi[a]}) on this non-periodic axis; fit the encoder on data that covers it or pass a wider config.range`,
              );
            }
            out[row + 3 * k + a] = v;
          }
        }
      }
    }
    return out;
  }

  /**
   * The inverse of {@link orderedCoordinates}: turns token sequences (`[rows, T]`,
   * for example decoded samples) back into flat positions `[rows][atom][xyz]`
   * in the ORIGINAL atom order (atom `permutation[k]` gets the tokens of
   * ordered position k), ready for a Trajectory with `species`.
   */
  positionsFromTokens(coords: ArrayLike<number>): Float64Array {
    const T = this.sequenceLength;
    if (coords.length % T !== 0) {
      throw new Error(`positionsFromTokens: coords has ${coords.length} values, not a multiple of sequenceLength ${T}`);
    }
    const out = new Float64Array(coords.length);
    const perm = this.permutation;
    for (let r = 0; r < coords.length; r += T) {
      for (let k = 0; k < this.nAtoms; k++) {
        const dst = r + 3 * perm[k];
        out[dst] = coords[r + 3 * k];
        out[dst + 1] = coords[r + 3 * k + 1];
        out[dst + 2] = coords[r + 3 * k + 2];
      }
    }
    return out;
  }

  /** The grid cell of every entry of `coords` (`[rows, T]` from {@link orderedCoordinates}), same shape. */
  tokenCells(coords: Float32Array): Int32Array {
    const T = this.sequenceLength;
    if (coords.length % T !== 0) {
      throw new Error(`tokenCells: coords has ${coords.length} values, not a multiple of sequenceLength ${T}`);
    }
    const out = new Int32Array(coords.length);
    for (let i = 0; i < coords.length; i++) out[i] = this.cellOf(coords[i], i % 3);
    return out;
  }

  /**
   * Writes the `gridSize` target values of coordinate `value` (Å) on `axis`
   * into `out[offset ..]`: `exp(-d_k^2 / (2 sigma^2)) / C` with `d_k` the
   * (minimum-image, on periodic axes) distance from cell centre k.
   */
  targetInto(value: number, axis: number, out: Float32Array, offset: number): void {
    if (!Number.isFinite(value)) {
      throw new Error(`targetInto: value ${value} on axis ${AXES[axis]} is not a finite coordinate (Å)`);
    }
    this.checkAxis(axis);
    if (!(offset >= 0) || offset + this.gridSize > out.length) {
      throw new Error(`targetInto: out has ${out.length} values; offset ${offset} + gridSize ${this.gridSize} does not fit`);
    }
    gaussianTargetInto(this.centres[axis], value, this.config.sigma, this.period[axis], this.config.normalization, out, offset);
  }

  /**
   * Encodes the sequences `rows` of `coords` (`[rows, T]`): dense inputs
   * `[B, T-1, inputSize]`, targets `[B, T-1, gridSize]` (step t's target is
   * token t+1) and the cells `[B, T]`. With `out`, writes into its buffers (the
   * returned arrays are views of their first entries); otherwise allocates.
   */
  encodeBatch(coords: Float32Array, rows: ArrayLike<number>, out?: EncodedBatchBuffers): EncodedBatch {
    const T = this.sequenceLength;
    const S = T - 1;
    const I = this.inputSize;
    const G = this.gridSize;
    if (coords.length % T !== 0) {
      throw new Error(`encodeBatch: coords has ${coords.length} values, not a multiple of sequenceLength ${T}`);
    }
    const nRows = coords.length / T;
    const B = rows.length;
    for (let b = 0; b < B; b++) {
      const r = rows[b];
      if (!Number.isInteger(r) || r < 0 || r >= nRows) {
        throw new Error(`encodeBatch: rows[${b}] = ${r} is not a sequence index in 0..${nRows - 1}`);
      }
    }
    const take = <A extends Float32Array | Int32Array>(buf: A | undefined, len: number, name: string, make: (n: number) => A): A => {
      if (!buf) return make(len);
      if (buf.length < len) throw new Error(`encodeBatch: out.${name} has ${buf.length} values but ${B} sequences need ${len}`);
      return (buf.length === len ? buf : buf.subarray(0, len)) as A;
    };
    const inputs = take(out?.inputs, B * S * I, 'inputs', (n) => new Float32Array(n));
    const targets = take(out?.targets, B * S * G, 'targets', (n) => new Float32Array(n));
    const cells = take(out?.cells, B * T, 'cells', (n) => new Int32Array(n));
    inputs.fill(0);
    const idx = this.scratch;
    const centres = this.centres;
    const { sigma, normalization } = this.config;
    for (let b = 0; b < B; b++) {
      const base = rows[b] * T;
      const cb = b * T;
      for (let t = 0; t < T; t++) cells[cb + t] = this.cellOf(coords[base + t], t % 3);
      for (let t = 0; t < S; t++) {
        const n = this.activeInputs(t, cells[cb + t], idx);
        const off = (b * S + t) * I;
        for (let j = 0; j < n; j++) inputs[off + idx[j]] = 1;
        const axis = (t + 1) % 3;
        gaussianTargetInto(centres[axis], coords[base + t + 1], sigma, this.period[axis], normalization, targets, (b * S + t) * G);
      }
    }
    return { inputs, targets, cells };
  }

  /**
   * Yields `rows` in consecutive batches of `batchSize` (the last may be
   * shorter), encoded on the fly. The buffers are allocated once and REUSED:
   * each yielded batch is overwritten by the next, so copy (or upload to a
   * tensor) before advancing. Shuffle by passing `rows` in shuffled order.
   */
  *batches(coords: Float32Array, rows: ArrayLike<number>, batchSize: number): Generator<EncodedBatchWithRows> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`batches: batchSize must be an integer >= 1, got ${batchSize}`);
    }
    const order = Int32Array.from(rows as ArrayLike<number>);
    const cap = Math.min(batchSize, order.length);
    const S = this.sequenceLength - 1;
    const buffers: EncodedBatchBuffers = {
      inputs: new Float32Array(cap * S * this.inputSize),
      targets: new Float32Array(cap * S * this.gridSize),
      cells: new Int32Array(cap * this.sequenceLength),
    };
    for (let start = 0; start < order.length; start += batchSize) {
      const batchRows = order.subarray(start, Math.min(start + batchSize, order.length));
      const enc = this.encodeBatch(coords, batchRows, buffers);
      yield { ...enc, rows: batchRows };
    }
  }

  private checkAxis(axis: number): void {
    if (axis !== 0 && axis !== 1 && axis !== 2) {
      throw new Error(`axis ${axis} must be 0 (x), 1 (y) or 2 (z)`);
    }
  }

  private outOfRange(value: number, axis: number, where: string): Error {
    return new Error(
      `${where}: ${AXES[axis]} = ${value} Å lies outside the encoder's range [${this.lo[axis]}, ${this.hi[axis]}) ` +
        `on this non-periodic axis; fit the encoder on data that covers it or pass a wider config.range`,
    );
  }
}

/** Per-axis min and max of the coordinates over `frames` (default all); throws for non-finite values. */
function coordinateBounds(trajectory: Trajectory, frames?: ArrayLike<number>): [Float64Array, Float64Array] {
  const { nAtoms, nFrames, positions } = trajectory;
  const mins = new Float64Array([Infinity, Infinity, Infinity]);
  const maxs = new Float64Array([-Infinity, -Infinity, -Infinity]);
  const count = frames ? frames.length : nFrames;
  if (count === 0) throw new Error('AxisProjectionEncoder.fit: frames is empty; select at least one frame');
  for (let i = 0; i < count; i++) {
    const f = frames ? frames[i] : i;
    if (!Number.isInteger(f) || f < 0 || f >= nFrames) {
      throw new Error(`AxisProjectionEncoder.fit: frames[${i}] = ${f} is not a frame index in 0..${nFrames - 1}`);
    }
    for (let j = f * nAtoms * 3, e = j + nAtoms * 3; j < e; j++) {
      const v = positions[j];
      const a = j % 3;
      if (!Number.isFinite(v)) {
        throw new Error(
          `trajectory: frame ${f}, atom ${Math.floor(j / 3) - f * nAtoms}, axis ${AXES[a]} is ${v}; positions must be finite numbers (Å)`,
        );
      }
      if (v < mins[a]) mins[a] = v;
      if (v > maxs[a]) maxs[a] = v;
    }
  }
  return [mins, maxs];
}
