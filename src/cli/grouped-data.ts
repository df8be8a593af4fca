/**
 * The multi-structure training data of `repap train`: several files (one
 * group each) or frames grouped by an info key (`--group-by glass`), split by
 * group, encoded with an ordering per group, per frame or about a pivot atom, optionally
 * augmented every epoch.
 *
 * @module
 */
import { basename } from 'node:path';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import {
  AxisProjectionEncoder,
  GroupedEncoding,
  concatTrajectories,
  groupFramesBy,
  type AugmentOptions,
  type EncoderConfig,
  type FrameGroups,
  type GroupOrdering,
} from '../encoding/index.js';
import { splitFrames, type EncodedDataset, type GroupSplit, type SplitSpec } from '../model/index.js';
import type { Trajectory } from '../structure/trajectory.js';
import { UsageError } from './args.js';

/** What `repap train` needs of grouped data. */
export interface GroupedTrainingData {
  /** All frames (the files one after another). */
  trajectory: Trajectory;
  /** The groups. */
  groups: FrameGroups;
  /** The split by group (the same `splitFrames` call that training makes). */
  split: GroupSplit;
  /** The fitted encoder (range, grid; its stored ordering is the rule on the training frames' means). */
  encoder: AxisProjectionEncoder;
  /** The dataset for `RePAPModel.train`. */
  data: EncodedDataset;
  /** A JSON summary for training.json. */
  record: Record<string, unknown>;
}

/** Options of {@link groupedTrainingData}. */
export interface GroupedTrainingOptions {
  /** Info key to group by, or undefined for one group per file. */
  groupBy?: string;
  /** Ordering per group, per frame, or about a pivot atom (centred, grown); see {@link GroupOrdering}. */
  ordering: GroupOrdering;
  /** Augmentation, or null. */
  augment: AugmentOptions | null;
  /** At most this many frames of each group (the first ones). */
  maxFramesPerGroup: number;
  /** The split spec (fractions or counts of groups). */
  split: SplitSpec;
  /** Seed of the split and of the augmentation. */
  seed: number;
  /** Encoder options (grid, sigma). */
  encoder: Partial<EncoderConfig>;
}

/** Parses `--augment none|translate|symmetry` (symmetry includes translations). */
export function parseAugment(value: string | undefined): AugmentOptions | null {
  if (value === undefined || value === 'none') return null;
  if (value === 'translate') return { translate: true, symmetry: false };
  if (value === 'symmetry') return { translate: true, symmetry: true };
  throw new UsageError(`repap train: --augment is '${value}'; expected none, translate (random periodic translations) or symmetry (translations + the 48 cubic operations)`);
}

/**
 * Builds the grouped training data from the trajectories read from `paths`.
 * Errors (a `UsageError` naming the input): files of different systems, a
 * group-by key missing on a frame, a single-frame group under per-group
 * ordering, augmentation on a non-periodic axis, too few groups for the split.
 */
export function groupedTrainingData(parts: readonly Trajectory[], paths: readonly string[], o: GroupedTrainingOptions): GroupedTrainingData {
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`repap train: ${(e as Error).message}`);
    }
  };
  const names = paths.map((p) => basename(p));
  let { trajectory, groups } = wrap(() => concatTrajectories(parts, names));
  if (o.groupBy !== undefined) groups = wrap(() => groupFramesBy(trajectory, o.groupBy!));
  if (Number.isFinite(o.maxFramesPerGroup)) {
    const seen = new Int32Array(groups.names.length);
    const keep: number[] = [];
    for (let f = 0; f < trajectory.nFrames; f++) {
      const g = groups.groupOf[f]!;
      if (seen[g]! < o.maxFramesPerGroup) {
        keep.push(f);
        seen[g]!++;
      }
    }
    const n3 = trajectory.nAtoms * 3;
    const positions = new Float64Array(keep.length * n3);
    keep.forEach((f, i) => positions.set(trajectory.positions.subarray(f * n3, (f + 1) * n3), i * n3));
    trajectory = { ...trajectory, nFrames: keep.length, positions, info: keep.map((f) => trajectory.info[f]!) };
    groups = { names: groups.names, groupOf: Int32Array.from(keep, (f) => groups.groupOf[f]!) };
  }
  const split = wrap(() => splitFrames(groups.groupOf, o.split, o.seed));
  const encoder = wrap(() => AxisProjectionEncoder.fit(trajectory, o.encoder, split.train));
  const grouped = wrap(() => new GroupedEncoding(encoder, trajectory, groups, { ordering: o.ordering, augment: o.augment }));
  const coords = grouped.encode();
  const data: EncodedDataset = {
    coords,
    cell: trajectory.cell,
    pbc: trajectory.pbc,
    groups: groups.groupOf,
    ordering: { ordering: o.ordering, rule: grouped.rule, groupBy: o.groupBy ?? null, augment: o.augment },
  };
  if (o.augment) {
    const T = encoder.sequenceLength;
    let buffer = new Float32Array(0);
    // Seeded from the epoch, so that a resumed run (--resume) augments its epoch as the interrupted one did.
    data.refresh = (rows: Int32Array, epoch: number): void => {
      const rng = xoroshiro128plus((o.seed ^ 0x5a0a7e) + epoch * 7919);
      if (buffer.length < rows.length * T) buffer = new Float32Array(rows.length * T);
      const fresh = grouped.encode(rows, rng, buffer);
      for (let i = 0; i < rows.length; i++) coords.set(fresh.subarray(i * T, (i + 1) * T), rows[i]! * T);
    };
  }
  const nameList = (ids: number[]): string[] => ids.map((g) => groups.names[g]!);
  const record = {
    files: names,
    groupBy: o.groupBy ?? 'file',
    ordering: o.ordering,
    augment: o.augment ?? 'none',
    maxFramesPerGroup: Number.isFinite(o.maxFramesPerGroup) ? o.maxFramesPerGroup : null,
    groups: groups.names.length,
    splitSpec: o.split,
    trainGroups: nameList(split.groups.train),
    validationGroups: nameList(split.groups.validation),
    testGroups: nameList(split.groups.test),
  };
  return { trajectory, groups, split, encoder, data, record };
}
