/**
 * Train / validation / test split by group (glass): every frame of a group
 * lands in the same part, so validation and test glasses are never trained on.
 *
 * @module
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** How many groups go to each part: fractions of the groups (all < 1) or group counts (integers). */
export interface GroupSplitSpec {
  /** Training groups. */
  train: number;
  /** Validation groups; 0 for none. */
  validation: number;
  /** Held-out test groups; 0 for none. */
  test: number;
}

/** A split by group: the frame indices (rows) and the group indices of each part. */
export interface GroupSplit {
  /** Rows (frames) of the training groups, in frame order. */
  train: Int32Array;
  /** Rows of the validation groups, in frame order. */
  validation: Int32Array;
  /** Rows of the test groups, in frame order. */
  test: Int32Array;
  /** The group indices of each part, sorted. */
  groups: {
    /** Indices of the training groups. */
    train: number[];
    /** Indices of the validation groups. */
    validation: number[];
    /** Indices of the test groups. */
    test: number[];
  };
}

/**
 * Splits frames by group: the groups are shuffled with `seed` and dealt into
 * test, validation and train parts by `spec` (fractions of the groups, each
 * part with a positive fraction getting at least one group, or counts of
 * groups); every frame goes where its group went. `groupOf[frame]` is the
 * frame's group index (0-based; see `groupFramesBy`).
 *
 * Throws when there are too few groups for the spec, naming the numbers.
 */
export function splitFrames(groupOf: ArrayLike<number>, spec: GroupSplitSpec, seed = 0): GroupSplit {
  let nGroups = 0;
  for (let f = 0; f < groupOf.length; f++) {
    const g = groupOf[f]!;
    if (!Number.isInteger(g) || g < 0) throw new Error(`splitFrames: groupOf[${f}] = ${g} is not a group index (an integer >= 0)`);
    if (g + 1 > nGroups) nGroups = g + 1;
  }
  const present = new Uint8Array(nGroups);
  for (let f = 0; f < groupOf.length; f++) present[groupOf[f]!] = 1;
  const ids: number[] = [];
  for (let g = 0; g < nGroups; g++) if (present[g]) ids.push(g);
  const n = ids.length;
  if (n === 0) throw new Error('splitFrames: no frames; give at least one group of frames');
  for (const p of ['train', 'validation', 'test'] as const) {
    const v = spec[p];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`splitFrames: split.${p} = ${String(v)}: expected a fraction in [0, 1) or a group count >= 0`);
  }
  if (!Number.isInteger(seed)) throw new Error(`splitFrames: seed = ${String(seed)}: expected an integer`);
  const fractions = spec.train < 1 && spec.validation < 1 && spec.test < 1;
  let nVal: number, nTest: number, nTrain: number;
  if (fractions) {
    const sum = spec.train + spec.validation + spec.test;
    if (sum > 1 + 1e-9) throw new Error(`splitFrames: split fractions add up to ${sum}; they must not exceed 1`);
    const atLeastOne = (x: number): number => (x > 0 ? Math.max(1, Math.round(x * n)) : 0);
    nVal = atLeastOne(spec.validation);
    nTest = atLeastOne(spec.test);
    nTrain = Math.abs(sum - 1) < 1e-9 ? n - nVal - nTest : Math.min(n - nVal - nTest, Math.max(1, Math.floor(spec.train * n)));
  } else {
    for (const p of ['train', 'validation', 'test'] as const) {
      if (!Number.isInteger(spec[p])) throw new Error(`splitFrames: split.${p} = ${spec[p]}: group counts must be integers (or give all parts as fractions < 1)`);
    }
    nVal = spec.validation;
    nTest = spec.test;
    nTrain = spec.train;
  }
  if (nTrain < 1 || nTrain + nVal + nTest > n) {
    throw new Error(
      `splitFrames: ${n} group${n === 1 ? '' : 's'} cannot give ${Math.max(nTrain, 1)} training + ${nVal} validation + ${nTest} test groups; ` +
        'give more groups (glasses) or fewer validation/test groups',
    );
  }
  const rng = xoroshiro128plus(seed);
  const order = ids.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  const testG = order.slice(0, nTest).sort((a, b) => a - b);
  const valG = order.slice(nTest, nTest + nVal).sort((a, b) => a - b);
  const trainG = order.slice(nTest + nVal, nTest + nVal + nTrain).sort((a, b) => a - b);
  const part = new Int8Array(nGroups).fill(-1);
  for (const g of trainG) part[g] = 0;
  for (const g of valG) part[g] = 1;
  for (const g of testG) part[g] = 2;
  const rows: number[][] = [[], [], []];
  for (let f = 0; f < groupOf.length; f++) {
    const p = part[groupOf[f]!]!;
    if (p >= 0) rows[p]!.push(f);
  }
  return {
    train: Int32Array.from(rows[0]!),
    validation: Int32Array.from(rows[1]!),
    test: Int32Array.from(rows[2]!),
    groups: { train: trainG, validation: valG, test: testG },
  };
}
