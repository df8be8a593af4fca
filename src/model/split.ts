/**
 * The in-order train / validation / test split of the frames.
 *
 * @module
 */
import type { SplitCounts, SplitSpec } from './train-options.js';

/** The default split: fractions 0.8 / 0.1 / 0.1 (the original code's 40k / 5k / 5k of 50k frames). */
export const DEFAULT_SPLIT: Readonly<SplitSpec> = Object.freeze({ train: 0.8, validation: 0.1, test: 0.1 });

/** The frames of each part of a split (indices into the data), and their counts. */
export interface FrameSplit {
  /** Training frames. */
  train: Int32Array;
  /** Validation frames. */
  validation: Int32Array;
  /** Test frames. */
  test: Int32Array;
  /** Frames in each part. */
  counts: SplitCounts;
}

/**
 * Splits `nFrames` frames in order: the first part trains, the next
 * validates, the next is held out for testing (frames beyond the three parts
 * are unused). `spec` gives each part as a fraction (all < 1) or a count
 * (integers); errors name the part and the fix. (For a split by glass, see
 * `splitFrames`.)
 *
 * ```ts
 * splitFramesInOrder(100, { train: 0.8, validation: 0.1, test: 0.1 }).counts; // { train: 80, validation: 10, test: 10 }
 * ```
 */
export function splitFramesInOrder(nFrames: number, spec: SplitSpec = DEFAULT_SPLIT): FrameSplit {
  if (!Number.isInteger(nFrames) || nFrames < 1) throw new Error(`splitFramesInOrder: nFrames = ${String(nFrames)}: expected an integer >= 1`);
  if (spec === null || typeof spec !== 'object') throw new Error('splitFramesInOrder: split must be { train, validation, test }');
  const counts = splitCounts(nFrames, spec);
  const range = (start: number, n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => start + i);
  return {
    train: range(0, counts.train),
    validation: range(counts.train, counts.validation),
    test: range(counts.train + counts.validation, counts.test),
    counts,
  };
}

/** Frame counts of each part of `split` for `n` frames; throws for an impossible split. */
export function splitCounts(n: number, split: SplitSpec): SplitCounts {
  const parts = ['train', 'validation', 'test'] as const;
  for (const p of parts) {
    const v = split[p];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`train: split.${p} = ${String(v)}: expected a fraction in [0, 1) or a frame count >= 0`);
    }
  }
  const fractions = parts.every((p) => split[p] < 1);
  let counts: { train: number; validation: number; test: number };
  if (fractions) {
    const sum = split.train + split.validation + split.test;
    if (sum > 1 + 1e-9) throw new Error(`train: split fractions add up to ${sum}; they must not exceed 1`);
    counts = {
      train: Math.floor(split.train * n),
      validation: Math.floor(split.validation * n),
      test: Math.floor(split.test * n),
    };
    if (split.train > 0 && counts.train < 1) {
      throw new Error(`train: ${n} frames are too few for split.train = ${split.train} (0 training frames); give more frames or a count`);
    }
    if (split.validation > 0 && counts.validation < 1) {
      throw new Error(`train: ${n} frames are too few for split.validation = ${split.validation} (0 validation frames); give more frames or set it to 0`);
    }
  } else {
    for (const p of parts) {
      if (!Number.isInteger(split[p])) {
        throw new Error(`train: split.${p} = ${split[p]}: counts must be integers (or give all parts as fractions < 1)`);
      }
    }
    counts = { train: split.train, validation: split.validation, test: split.test };
    const need = counts.train + counts.validation + counts.test;
    if (need > n) {
      throw new Error(
        `train: the split needs ${need} frames (${counts.train} train + ${counts.validation} validation + ${counts.test} test) but the data has ${n}`,
      );
    }
  }
  if (counts.train < 1) throw new Error(`train: the split leaves no training frames (split.train = ${split.train})`);
  return counts;
}
