/**
 * Training on many structures: frames grouped by glass (an info key, or one
 * group per file), each group with its own atom ordering, and the token
 * sequences of all groups in one `[nFrames, T]` array. Optional augmentation
 * by random periodic translations and the 48 symmetry operations of a cubic
 * cell, with the ordering recomputed for every augmented frame.
 *
 * Pure typed arrays: no tfjs.
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import { isOrthorhombic } from '../structure/cell.js';
import type { OrderingRule } from './config.js';
import type { AxisProjectionEncoder } from './encoder.js';
import { atomOrdering } from './ordering.js';
import { speciesRanks } from './encoder.js';
import { MinimumImage } from '../structure/images.js';
import { canonicalPivot, grownOrdering, pivotDisplacements, shellOrdering } from './pivot.js';

const AXES = 'xyz';

/** Which frames belong together: `groupOf[frame]` indexes `names`. */
export interface FrameGroups {
  /** Group names (for example glass ids `g000`, or file names), in order of first appearance. */
  names: string[];
  /** Group index of every frame (length nFrames). */
  groupOf: Int32Array;
}

/**
 * Where each sequence's atom ordering comes from:
 *
 * - `'group'`: the ordering rule (the paper's) applied to the mean positions of
 *   the group's frames, one ordering per group (per glass). Needs >= 2 frames
 *   per group.
 * - `'frame'`: the rule applied to each frame's own (wrapped) positions, a
 *   canonical order of every structure.
 * - `'centred'`: translation invariant. A pivot atom is moved (periodically,
 *   with the whole frame) to the grid cell at the centre of the cell, and the
 *   atoms are ordered by their minimum-image distance from it: the pivot, its
 *   bonded neighbours, the next shell. The pivot is canonical (the atom with
 *   the most compact environment, see `canonicalPivot`); under augmentation
 *   it is a random atom of every frame and epoch instead (the translation
 *   augmentation of this ordering), with the cubic operations applied about it.
 * - `'grown'`: as `'centred'`, but the order is a breadth-first growth from the
 *   pivot: each next atom is the unplaced atom nearest to any placed one.
 *
 * `'centred'` and `'grown'` need a periodic cell on every axis.
 */
export type GroupOrdering = 'group' | 'frame' | 'centred' | 'grown';

/** The values of {@link GroupOrdering}. */
export const GROUP_ORDERINGS: readonly GroupOrdering[] = Object.freeze(['group', 'frame', 'centred', 'grown'] as const);

/** Optional augmentation of the training frames; see {@link GroupedEncoding.encode}. */
export interface AugmentOptions {
  /**
   * Random periodic translation of the whole structure (uniform over the cell).
   * Under the `'centred'` and `'grown'` orderings, which remove translations,
   * this is a random pivot atom instead.
   */
  translate: boolean;
  /** One of the 48 symmetry operations of a cubic cell (axis permutations and sign flips), uniformly. Needs a cubic cell. */
  symmetry: boolean;
}

/** Options of {@link GroupedEncoding}. */
export interface GroupedEncodingOptions {
  /** Ordering per group (default) or per frame. */
  ordering?: GroupOrdering;
  /** The distance rule; default the encoder's rule (`'origin'` when the encoder holds a user permutation). */
  rule?: OrderingRule;
  /** Augmentation, applied by {@link GroupedEncoding.encode} when it is given a random source; default none. */
  augment?: AugmentOptions | null;
}

/**
 * Groups the frames of `trajectory` by the info key `key` (for example
 * `'glass'` for `glass=g012`). Throws, naming the first frame, when a frame
 * lacks the key, and for a value that is not a string or number.
 */
export function groupFramesBy(trajectory: Trajectory, key: string): FrameGroups {
  if (typeof key !== 'string' || key.length === 0) throw new Error(`groupFramesBy: key must be a non-empty info key (for example 'glass'), got ${JSON.stringify(key)}`);
  const names: string[] = [];
  const index = new Map<string, number>();
  const groupOf = new Int32Array(trajectory.nFrames);
  for (let f = 0; f < trajectory.nFrames; f++) {
    const v = trajectory.info[f]?.[key];
    if (v === undefined) {
      const missing = trajectory.info.reduce((n, info) => n + (info?.[key] === undefined ? 1 : 0), 0);
      throw new Error(
        `group by '${key}': frame ${f} has no '${key}' in its info (comment line)` +
          `${missing > 1 ? `, nor do ${missing - 1} other frames` : ''}; every frame needs ${key}=<group>, or train without grouping by '${key}'`,
      );
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      throw new Error(`group by '${key}': frame ${f} has ${key}=${JSON.stringify(v)}; a group must be a string or a number`);
    }
    const name = String(v);
    let g = index.get(name);
    if (g === undefined) {
      g = names.length;
      names.push(name);
      index.set(name, g);
    }
    groupOf[f] = g;
  }
  return { names, groupOf };
}

/**
 * One trajectory made of several (for example one file per glass): the frames
 * of `parts` in order, and one group per part named `names[i]` (unless the
 * caller groups by an info key afterwards). Info records are kept.
 *
 * Throws, naming the part, when the parts differ in atom count, species (or
 * their order), cell or periodicity.
 */
export function concatTrajectories(
  parts: readonly Trajectory[],
  names: readonly string[],
): {
  /** The frames of every part, in order. */
  trajectory: Trajectory;
  /** One group per part, named by `names`. */
  groups: FrameGroups;
} {
  if (parts.length === 0) throw new Error('concatTrajectories: no trajectories given; pass at least one');
  if (names.length !== parts.length) throw new Error(`concatTrajectories: ${parts.length} trajectories but ${names.length} names`);
  const first = parts[0]!;
  let nFrames = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const what = `${names[i]} (${i === 0 ? 'the first' : `part ${i + 1}`})`;
    if (p.nAtoms !== first.nAtoms) {
      throw new Error(`${what} has ${p.nAtoms} atoms but ${names[0]} has ${first.nAtoms}; all groups must be structures of the same system (same atoms)`);
    }
    for (let a = 0; a < first.nAtoms; a++) {
      if (p.species[a] !== first.species[a]) {
        const sameSet = [...p.species].sort().join() === [...first.species].sort().join();
        throw new Error(
          `${what}: atom ${a} is ${p.species[a]} but ${first.species[a]} in ${names[0]}; ` +
            (sameSet
              ? 'the frames list the species in a different order: write every file with the atoms in the same species order'
              : 'the groups have different species (compositions); train one model per composition'),
        );
      }
    }
    if (!sameCell(p, first)) {
      throw new Error(
        `${what} has cell ${JSON.stringify(p.cell)} pbc ${JSON.stringify(p.pbc)} but ${names[0]} has ${JSON.stringify(first.cell)} pbc ` +
          `${JSON.stringify(first.pbc)}; all groups must share one cell (the encoder's grid spans it)`,
      );
    }
    nFrames += p.nFrames;
  }
  const n3 = first.nAtoms * 3;
  const positions = new Float64Array(nFrames * n3);
  const info: Trajectory['info'][number][] = [];
  const groupOf = new Int32Array(nFrames);
  let f0 = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    positions.set(p.positions.subarray(0, p.nFrames * n3), f0 * n3);
    for (let f = 0; f < p.nFrames; f++) {
      info.push(p.info[f] ?? {});
      groupOf[f0 + f] = i;
    }
    f0 += p.nFrames;
  }
  const trajectory: Trajectory = { nFrames, nAtoms: first.nAtoms, positions, cell: first.cell, pbc: first.pbc, species: first.species, info };
  return { trajectory, groups: { names: names.slice(), groupOf } };
}

function sameCell(a: Trajectory, b: Trajectory): boolean {
  if (a.pbc.some((p, i) => p !== b.pbc[i])) return false;
  if (a.cell === null || b.cell === null) return a.cell === b.cell;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const x = a.cell[i][j], y = b.cell[i][j];
      if (Math.abs(x - y) > 1e-6 * Math.max(1, Math.abs(y))) return false;
    }
  }
  return true;
}

/**
 * The 48 symmetry operations of a cube (the point group O_h) as signed axis
 * permutations: operation `op` maps `(x, y, z)` to
 * `(s0 * v[p0], s1 * v[p1], s2 * v[p2])`. Index 0 is the identity.
 */
export function cubicOperation(op: number): {
  /** `[p0, p1, p2]`: the input axis each output axis takes. */
  perm: [number, number, number];
  /** `[s0, s1, s2]`: the sign (1 or -1) of each output axis. */
  sign: [number, number, number];
} {
  if (!Number.isInteger(op) || op < 0 || op >= 48) throw new Error(`cubicOperation: op ${op} must be an integer in 0..47`);
  const perms: [number, number, number][] = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  const p = perms[Math.floor(op / 8)]!;
  const s = op % 8;
  return { perm: [p[0], p[1], p[2]], sign: [s & 1 ? -1 : 1, s & 2 ? -1 : 1, s & 4 ? -1 : 1] };
}

/** A source of uniform 32-bit integers (the package's seeded generators). */
export interface UintSource {
  /** The next uniform 32-bit draw (any sign; used with `>>> 0`). */
  next(): number;
}

function uniform01(rng: UintSource): number {
  return (rng.next() >>> 0) / 4294967296;
}

/**
 * The token sequences of a multi-structure training set: every frame encoded
 * with the ordering of its group (or its own), optionally augmented.
 *
 * @example
 * ```ts
 * const groups = groupFramesBy(traj, 'glass');
 * const enc = AxisProjectionEncoder.fit(traj, { gridSize: 100 });
 * const grouped = new GroupedEncoding(enc, traj, groups, { ordering: 'group' });
 * const coords = grouped.encode();                  // [nFrames, 90]
 * ```
 */
export class GroupedEncoding {
  /** The groups (frames of each glass). */
  readonly groups: FrameGroups;
  /** Ordering per group or per frame. */
  readonly ordering: GroupOrdering;
  /** The distance rule. */
  readonly rule: OrderingRule;
  /** The augmentation used when {@link encode} gets a random source, or null. */
  readonly augment: AugmentOptions | null;
  /** Frames of each group. */
  readonly framesOf: Int32Array[];
  private readonly means: Float64Array[];
  private readonly perms: Int32Array[];
  private readonly lo = new Float64Array(3);
  private readonly period = new Float64Array(3);
  /** Centred orderings: the minimum-image kernel, the centre (Å) the pivot is moved to, scratch. */
  private readonly mi: MinimumImage | null = null;
  private readonly centre = new Float64Array(3);
  private readonly disp: Float64Array;
  private readonly pivotScratch = new Float64Array(4);
  private readonly permScratch: Int32Array;
  /** Species ranks for species-first ordering (the encoder's `speciesFirst`), else undefined. */
  private readonly ranks: Int32Array | undefined;

  /**
   * Validates the data and computes the per-group orderings. Throws when the
   * trajectory does not fit the encoder (atoms, species, cell), for a group
   * with a single frame under per-group ordering (naming it), when a group's
   * ordered species differ from the encoder's (several species need an
   * ordering that fixes the species sequence), and for augmentation on a
   * non-periodic axis or symmetry operations on a non-cubic cell.
   */
  constructor(
    /** The encoder the frames are encoded with (atoms, species, cell and grid). */
    readonly encoder: AxisProjectionEncoder,
    /** The frames of every group. */
    readonly trajectory: Trajectory,
    groups: FrameGroups,
    options: GroupedEncodingOptions = {},
  ) {
    const where = 'GroupedEncoding';
    const n = encoder.nAtoms;
    if (trajectory.nAtoms !== n) {
      throw new Error(`${where}: the trajectory has ${trajectory.nAtoms} atoms but the encoder was fitted to ${n}; encode frames of the same system`);
    }
    for (let i = 0; i < n; i++) {
      if (trajectory.species[i] !== encoder.species[i]) {
        throw new Error(`${where}: atom ${i} is ${trajectory.species[i]} in the trajectory but ${encoder.species[i]} in the encoder; the atoms must have the same species in the same order`);
      }
    }
    if (!groups || !(groups.groupOf instanceof Int32Array) || groups.groupOf.length !== trajectory.nFrames) {
      throw new Error(`${where}: groups.groupOf must be an Int32Array with one group index per frame (${trajectory.nFrames})`);
    }
    const ordering = options.ordering ?? 'group';
    if (!GROUP_ORDERINGS.includes(ordering)) {
      throw new Error(
        `${where}: ordering must be 'group' (per glass), 'frame' (per frame), 'centred' (shells about a pivot atom) or 'grown' ` +
          `(growth from a pivot atom), got ${JSON.stringify(ordering)}`,
      );
    }
    const rule = options.rule ?? (encoder.orderingRule === 'user' ? 'origin' : encoder.orderingRule);
    if (rule !== 'origin' && rule !== 'corner') throw new Error(`${where}: rule must be 'origin' or 'corner', got ${JSON.stringify(rule)}`);
    this.groups = { names: groups.names.slice(), groupOf: groups.groupOf };
    this.ranks = encoder.config.speciesFirst ? speciesRanks(trajectory.species) : undefined;
    this.ordering = ordering;
    this.rule = rule;
    const range = encoder.config.range;
    for (let a = 0; a < 3; a++) {
      this.lo[a] = range[a][0];
      this.period[a] = encoder.periodic[a] ? range[a][1] - range[a][0] : 0;
      if (encoder.periodic[a]) {
        const cell = trajectory.cell;
        const L = this.period[a];
        if (cell === null || !trajectory.pbc[a] || !isOrthorhombic(cell) || Math.abs(cell[a][a] - L) > 1e-6 * L) {
          throw new Error(`${where}: the encoder wraps ${AXES[a]} with period ${L} Å but the trajectory's cell along ${AXES[a]} differs; encode frames with the same cell`);
        }
      }
    }
    const aug = options.augment ?? null;
    if (aug) {
      if (!aug.translate && !aug.symmetry) throw new Error(`${where}: augment asks for nothing; set translate and/or symmetry true, or pass null`);
      for (let a = 0; a < 3; a++) {
        if (!encoder.periodic[a]) {
          throw new Error(
            `${where}: augmentation needs periodic axes, but ${AXES[a]} is not periodic (pbc false or no cell); ` +
              'augment only fully periodic structures, or train without augmentation',
          );
        }
      }
      if (aug.symmetry) {
        const p = this.period;
        if (Math.abs(p[0] - p[1]) > 1e-6 * p[0] || Math.abs(p[0] - p[2]) > 1e-6 * p[0]) {
          throw new Error(
            `${where}: augment.symmetry uses the 48 operations of a cubic cell, but the cell is ${p[0]} x ${p[1]} x ${p[2]} Å; ` +
              'use translations only (symmetry false) for a non-cubic cell',
          );
        }
      }
    }
    this.augment = aug ? { translate: !!aug.translate, symmetry: !!aug.symmetry } : null;
    this.disp = new Float64Array(3 * n);
    this.permScratch = new Int32Array(n);
    if (ordering === 'centred' || ordering === 'grown') {
      for (let a = 0; a < 3; a++) {
        if (!encoder.periodic[a]) {
          throw new Error(
            `${where}: ordering '${ordering}' moves a pivot atom to the centre of a periodic cell, but ${AXES[a]} is not periodic ` +
              `(pbc false or no cell); use ordering 'frame' or 'group' for structures that are not periodic on every axis`,
          );
        }
        // the centre of the grid cell at the middle of the range, so the pivot's cell is certain
        const w = this.period[a]! / encoder.gridSize;
        this.centre[a] = this.lo[a]! + (Math.floor(encoder.gridSize / 2) + 0.5) * w;
      }
      this.mi = new MinimumImage(trajectory.cell, trajectory.pbc, where);
    }
    const nGroups = groups.names.length;
    const lists: number[][] = Array.from({ length: nGroups }, () => []);
    for (let f = 0; f < trajectory.nFrames; f++) {
      const g = groups.groupOf[f]!;
      if (!Number.isInteger(g) || g < 0 || g >= nGroups) throw new Error(`${where}: groups.groupOf[${f}] = ${g} is not a group index in 0..${nGroups - 1}`);
      lists[g]!.push(f);
    }
    this.framesOf = lists.map((l) => Int32Array.from(l));
    this.means = [];
    this.perms = [];
    if (ordering === 'group') {
      for (let g = 0; g < nGroups; g++) {
        const frames = this.framesOf[g]!;
        if (frames.length < 2) {
          throw new Error(
            `${where}: group '${groups.names[g]}' has ${frames.length} frame${frames.length === 1 ? '' : 's'}, but ordering per group ` +
              'needs the mean positions of several frames; give that group more frames, drop it, or use ordering per frame',
          );
        }
        const mean = this.meanOf(frames);
        this.means.push(mean);
        const perm = atomOrdering(mean, rule, range, encoder.periodic, this.ranks);
        this.checkSpecies(perm, `group '${groups.names[g]}'`);
        this.perms.push(perm);
      }
    }
  }

  /** Number of groups. */
  get nGroups(): number {
    return this.groups.names.length;
  }

  /** The atom ordering of group `g` (per-group ordering only): `result[k]` = atom at position k. */
  groupPermutation(g: number): Int32Array {
    if (this.ordering !== 'group') throw new Error("groupPermutation: the ordering is per frame; there is no ordering per group");
    const p = this.perms[g];
    if (!p) throw new Error(`groupPermutation: group ${g} is not in 0..${this.nGroups - 1}`);
    return p.slice();
  }

  /**
   * The token sequences `[frames.length, T]` (default every frame, in order):
   * row i holds frame `frames[i]` in its group's (or its own) ordering,
   * wrapped into the range on periodic axes. With `rng` and augmentation,
   * each frame first gets a random cubic operation and/or translation, and
   * the ordering is recomputed for the transformed frame (per-group ordering:
   * from the group's mean positions transformed the same way and wrapped).
   * Writes into `out` (at least `frames.length * T` values) when given.
   */
  encode(frames?: ArrayLike<number>, rng?: UintSource, out?: Float32Array): Float32Array {
    const n = this.encoder.nAtoms;
    const T = 3 * n;
    const nSel = frames ? frames.length : this.trajectory.nFrames;
    const dst = out ?? new Float32Array(nSel * T);
    if (dst.length < nSel * T) throw new Error(`GroupedEncoding.encode: out has ${dst.length} values; ${nSel} frames need ${nSel * T}`);
    const pos = this.trajectory.positions;
    const frame = new Float64Array(T);
    const mean = new Float64Array(T);
    const range = this.encoder.config.range;
    const augment = rng ? this.augment : null;
    for (let i = 0; i < nSel; i++) {
      const f = frames ? frames[i]! : i;
      if (!Number.isInteger(f) || f < 0 || f >= this.trajectory.nFrames) {
        throw new Error(`GroupedEncoding.encode: frames[${i}] = ${f} is not a frame index in 0..${this.trajectory.nFrames - 1}`);
      }
      const base = f * T;
      for (let j = 0; j < T; j++) {
        const v = pos[base + j]!;
        if (!Number.isFinite(v)) throw new Error(`trajectory: frame ${f}, atom ${Math.floor(j / 3)}, axis ${AXES[j % 3]} is ${v}; positions must be finite numbers (Å)`);
        frame[j] = v;
      }
      const g = this.groups.groupOf[f]!;
      let perm: Int32Array;
      if (this.mi) {
        perm = this.centredPermutation(frame, augment, rng);
        this.checkSpecies(perm, `frame ${f}${augment ? ' (augmented)' : ''}`);
      } else if (augment) {
        const op = augment.symmetry ? Math.min(47, Math.floor(uniform01(rng!) * 48)) : 0;
        const shift = [0, 0, 0];
        if (augment.translate) for (let a = 0; a < 3; a++) shift[a] = uniform01(rng!) * this.period[a];
        this.transform(frame, op, shift);
        if (this.ordering === 'group') {
          mean.set(this.means[g]!);
          this.transform(mean, op, shift);
          this.wrap(mean);
          perm = atomOrdering(mean, this.rule, range, this.encoder.periodic, this.ranks);
        } else {
          this.wrap(frame);
          perm = atomOrdering(frame, this.rule, range, this.encoder.periodic, this.ranks);
        }
        this.checkSpecies(perm, `frame ${f} (augmented)`);
      } else if (this.ordering === 'group') {
        perm = this.perms[g]!;
      } else {
        this.wrap(frame);
        perm = atomOrdering(frame, this.rule, range, this.encoder.periodic, this.ranks);
        this.checkSpecies(perm, `frame ${f}`);
      }
      this.writeRow(frame, perm, dst, i * T);
    }
    return dst;
  }

  /**
   * Centred orderings: picks the pivot (random under augmentation, else
   * canonical), replaces `frame` by the pivot's minimum-image displacements
   * (with a random cubic operation under symmetry augmentation) plus the
   * centre, and returns the order.
   */
  private centredPermutation(frame: Float64Array, augment: AugmentOptions | null, rng: UintSource | undefined): Int32Array {
    const mi = this.mi!;
    const n = this.encoder.nAtoms;
    const ranks = this.ranks;
    let pivot: number;
    if (augment && augment.translate) {
      // a random atom of the first species in the order (every atom for one species)
      let minRank = 0;
      let count = n;
      if (ranks) {
        minRank = Infinity;
        for (let i = 0; i < n; i++) minRank = Math.min(minRank, ranks[i]!);
        count = 0;
        for (let i = 0; i < n; i++) if (ranks[i] === minRank) count++;
      }
      let pick = Math.min(count - 1, Math.floor(uniform01(rng!) * count));
      pivot = -1;
      for (let i = 0; i < n && pivot < 0; i++) {
        if (ranks && ranks[i] !== minRank) continue;
        if (pick-- === 0) pivot = i;
      }
    } else {
      pivot = canonicalPivot(frame, mi, ranks, 4, this.pivotScratch);
    }
    const disp = pivotDisplacements(frame, pivot, mi, this.disp);
    if (augment && augment.symmetry) {
      const { perm, sign } = cubicOperation(Math.min(47, Math.floor(uniform01(rng!) * 48)));
      for (let j = 0; j < disp.length; j += 3) {
        const u0 = disp[j]!, u1 = disp[j + 1]!, u2 = disp[j + 2]!;
        for (let a = 0; a < 3; a++) disp[j + a] = sign[a]! * (perm[a] === 0 ? u0 : perm[a] === 1 ? u1 : u2);
      }
    }
    const order = this.ordering === 'grown' ? grownOrdering(disp, pivot, mi, ranks, this.permScratch) : shellOrdering(disp, ranks, this.permScratch);
    for (let j = 0; j < disp.length; j++) frame[j] = this.centre[j % 3]! + disp[j]!;
    return order;
  }

  /** Applies cubic operation `op` (about the range origin) and then `shift` (Å) to flat xyz triples, in place. */
  private transform(xyz: Float64Array, op: number, shift: number[]): void {
    const { perm, sign } = cubicOperation(op);
    const lo = this.lo;
    for (let j = 0; j < xyz.length; j += 3) {
      const u0 = xyz[j]! - lo[0], u1 = xyz[j + 1]! - lo[1], u2 = xyz[j + 2]! - lo[2];
      const u = [u0, u1, u2];
      for (let a = 0; a < 3; a++) xyz[j + a] = lo[a] + sign[a]! * u[perm[a]!]! + shift[a]!;
    }
  }

  /** Wraps flat xyz triples into the range on periodic axes, in place. */
  private wrap(xyz: Float64Array): void {
    for (let j = 0; j < xyz.length; j++) {
      const a = j % 3;
      const p = this.period[a]!;
      if (p > 0) xyz[j] = xyz[j]! - p * Math.floor((xyz[j]! - this.lo[a]!) / p);
    }
  }

  private writeRow(frame: Float64Array, perm: Int32Array, out: Float32Array, offset: number): void {
    const range = this.encoder.config.range;
    for (let k = 0; k < perm.length; k++) {
      const atom = perm[k]!;
      for (let a = 0; a < 3; a++) {
        let v = frame[3 * atom + a]!;
        const p = this.period[a]!;
        const lo = range[a][0], hi = range[a][1];
        if (p > 0) {
          v = v - p * Math.floor((v - lo) / p);
          let v32 = Math.fround(v);
          if (v32 >= hi && Math.fround(lo) === lo) v32 = lo;
          out[offset + 3 * k + a] = v32;
        } else {
          const tol = 1e-6 * (hi - lo);
          if (v < lo - tol || v > hi + tol) {
            throw new Error(`GroupedEncoding: atom ${atom}, axis ${AXES[a]} = ${v} Å lies outside the encoder's range [${lo}, ${hi}) on this non-periodic axis; fit the encoder on data that covers it`);
          }
          out[offset + 3 * k + a] = v;
        }
      }
    }
  }

  private meanOf(frames: Int32Array): Float64Array {
    const T = this.encoder.nAtoms * 3;
    const pos = this.trajectory.positions;
    const sums = new Float64Array(T);
    for (let i = 0; i < frames.length; i++) {
      const base = frames[i]! * T;
      for (let j = 0; j < T; j++) {
        const v = pos[base + j]!;
        if (!Number.isFinite(v)) throw new Error(`trajectory: frame ${frames[i]}, atom ${Math.floor(j / 3)}, axis ${AXES[j % 3]} is ${v}; positions must be finite numbers (Å)`);
        sums[j] += v;
      }
    }
    for (let j = 0; j < T; j++) sums[j] /= frames.length;
    return sums;
  }

  private checkSpecies(perm: Int32Array, what: string): void {
    const ordered = this.encoder.orderedSpecies;
    const species = this.trajectory.species;
    for (let k = 0; k < perm.length; k++) {
      if (species[perm[k]!] !== ordered[k]) {
        throw new Error(
          `GroupedEncoding: ${what} orders a ${species[perm[k]!]} atom at position ${k} where the encoder has ${ordered[k]}; ` +
            'with several species every structure must give the same species sequence: use an encoder with species-first ordering',
        );
      }
    }
  }
}

/**
 * How a model's training sequences were ordered, stored with the model
 * (`repap.json` field `ordering`) so that frames it scores later are put in the
 * order it learned. Absent (null) for a model trained on a plain trajectory:
 * the encoder's own fixed ordering.
 */
export interface TrainedOrdering {
  /** The grouped ordering ({@link GroupOrdering}). */
  ordering: GroupOrdering;
  /** The distance rule. */
  rule: OrderingRule;
  /** The info key the frames were grouped by (`'glass'`), or null for one group per file. */
  groupBy: string | null;
  /** The augmentation of the training frames, or null (a record: scoring never augments). */
  augment: AugmentOptions | null;
}

/**
 * Validates a {@link TrainedOrdering} (a hand-edited `repap.json`); errors
 * name `where`, the field and the values allowed. Returns a clean copy.
 */
export function checkTrainedOrdering(value: unknown, where: string): TrainedOrdering {
  const v = value as Partial<TrainedOrdering> | null;
  if (v === null || typeof v !== 'object') throw new Error(`${where}: field 'ordering' must be an object { ordering, rule, groupBy, augment }`);
  if (!GROUP_ORDERINGS.includes(v.ordering as GroupOrdering)) {
    throw new Error(`${where}: ordering.ordering is ${JSON.stringify(v.ordering)}; expected one of ${GROUP_ORDERINGS.map((o) => `'${o}'`).join(', ')}`);
  }
  if (v.rule !== 'origin' && v.rule !== 'corner') throw new Error(`${where}: ordering.rule is ${JSON.stringify(v.rule)}; expected 'origin' or 'corner'`);
  if (v.groupBy !== null && (typeof v.groupBy !== 'string' || v.groupBy.length === 0)) {
    throw new Error(`${where}: ordering.groupBy is ${JSON.stringify(v.groupBy)}; expected an info key (for example 'glass') or null`);
  }
  const a = v.augment;
  if (a !== null && (typeof a !== 'object' || typeof a?.translate !== 'boolean' || typeof a?.symmetry !== 'boolean')) {
    throw new Error(`${where}: ordering.augment is ${JSON.stringify(a)}; expected null or { translate: boolean, symmetry: boolean }`);
  }
  return { ordering: v.ordering as GroupOrdering, rule: v.rule, groupBy: v.groupBy, augment: a ? { translate: a.translate, symmetry: a.symmetry } : null };
}

/**
 * The token sequences `[nFrames, T]` of `trajectory` in the order a model
 * trained with `trained` learned: the validation frames' encoding of training
 * (the grouped ordering without augmentation). Per-group ordering groups the
 * frames by `trained.groupBy` when the frames carry that key, else treats them
 * all as one group (one file, one structure).
 */
export function encodeAsTrained(encoder: AxisProjectionEncoder, trajectory: Trajectory, trained: TrainedOrdering): Float32Array {
  const n = trajectory.nFrames;
  let groups: FrameGroups = { names: ['all'], groupOf: new Int32Array(n) };
  if (trained.ordering === 'group' && trained.groupBy !== null && trajectory.info.some((info) => info?.[trained.groupBy!] !== undefined)) {
    groups = groupFramesBy(trajectory, trained.groupBy);
  }
  return new GroupedEncoding(encoder, trajectory, groups, { ordering: trained.ordering, rule: trained.rule }).encode();
}
