/**
 * Time-major batches for the fast LSTM path, built on the fly from the token
 * cells and coordinates of an encoded dataset (never the whole one-hot set).
 *
 * @module
 */
import type { AxisProjectionEncoder } from '../encoding/encoder.js';
import type { StackBatch } from './lstm-stack.js';

type Rng = { next(): number };

/** Builds {@link StackBatch}es for the sequences (rows) of an encoded dataset. */
export class TimeMajorBatcher {
  private readonly T: number;
  private readonly G: number;
  private readonly K: number;
  private readonly scratch: Int32Array;

  /**
   * @param encoder the encoding (input layout, targets)
   * @param coords `[nRows, T]` ordered coordinates (Å)
   * @param cells `[nRows, T]` their grid cells
   */
  constructor(
    private readonly encoder: AxisProjectionEncoder,
    private readonly coords: Float32Array,
    private readonly cells: Int32Array,
  ) {
    this.T = encoder.sequenceLength;
    this.G = encoder.gridSize;
    this.K = encoder.activeInputCount;
    this.scratch = new Int32Array(8);
  }

  /**
   * The batch of sequences `rows`: active input indices, targets (when
   * `withTargets`) and, for `dropout > 0` with an rng, one inverted-dropout
   * mask per boundary between recurrent layers (`nMasks` of `[S*B, units]`),
   * written into `dropout.into[m]` where that array has the mask's length (a
   * caller that copies the masks before the next build reuses its arrays: no
   * allocation of a few MB per batch), into fresh arrays otherwise.
   */
  build(
    rows: ArrayLike<number>,
    withTargets: boolean,
    dropout?: { rate: number; units: number; nMasks: number; rng: Rng; into?: readonly (Float32Array | null)[] },
  ): StackBatch {
    const { T, G, K, encoder, coords, cells } = this;
    const S = T - 1;
    const B = rows.length;
    const R = S * B;
    const active = new Int32Array(K * R);
    const targets = withTargets ? new Float32Array(R * G) : undefined;
    const idx = this.scratch;
    for (let b = 0; b < B; b++) {
      const base = rows[b]! * T;
      for (let t = 0; t < S; t++) {
        const r = t * B + b;
        const n = encoder.activeInputs(t, cells[base + t]!, idx);
        for (let k = 0; k < n; k++) active[k * R + r] = idx[k]!;
        if (targets) encoder.targetInto(coords[base + t + 1]!, (t + 1) % 3, targets, r * G);
      }
    }
    let dropoutMasks: Float32Array[] | undefined;
    if (dropout && dropout.rate > 0 && dropout.nMasks > 0) {
      dropoutMasks = [];
      const keep = 1 / (1 - dropout.rate);
      // Keep an element when a uniform 32-bit draw is >= rate * 2^32.
      const threshold = dropout.rate * 4294967296;
      for (let m = 0; m < dropout.nMasks; m++) {
        const reuse = dropout.into?.[m];
        const mask = reuse && reuse.length === R * dropout.units ? reuse : new Float32Array(R * dropout.units);
        for (let j = 0; j < mask.length; j++) mask[j] = dropout.rng.next() >>> 0 >= threshold ? keep : 0;
        dropoutMasks.push(mask);
      }
    }
    return { steps: S, batch: B, nActive: K, active, targets, dropoutMasks };
  }

  /** Active input indices `[K, S*B]` for explicit token cells `[B, n]` (no targets), n <= T - 1 steps. */
  static fromCells(encoder: AxisProjectionEncoder, cells: Int32Array, B: number, steps: number): StackBatch {
    const K = encoder.activeInputCount;
    const R = steps * B;
    const active = new Int32Array(K * R);
    const idx = new Int32Array(8);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < steps; t++) {
        const r = t * B + b;
        const n = encoder.activeInputs(t, cells[b * steps + t]!, idx);
        for (let k = 0; k < n; k++) active[k * R + r] = idx[k]!;
      }
    }
    return { steps, batch: B, nActive: K, active };
  }
}
