/**
 * What a sampler needs from an axis-projection encoding. `AxisProjectionEncoder`
 * implements it; a sampler depends only on this interface.
 *
 * Token t (0-based, t < 3 * nAtoms) is coordinate `t % 3` (x, y, z) of the atom
 * at position `floor(t / 3)` of the encoder's ordering. The network input at
 * step t (t < sequenceLength - 1) encodes token t and predicts token t + 1.
 *
 * @module
 */

/** The read-only view of an encoder that generation needs. */
export interface TokenCodec {
  /** Cells per axis (50 in the paper). */
  readonly gridSize: number;
  /** Atoms per structure (30 in the paper). */
  readonly nAtoms: number;
  /** Tokens per structure: `3 * nAtoms`. */
  readonly sequenceLength: number;
  /** Width of one network input vector (139 in the paper). */
  readonly inputSize: number;
  /** Species of the atom at each ordered position (length nAtoms). */
  readonly orderedSpecies: readonly string[];
  /** The ordering: `permutation[k]` is the original atom index placed at ordered position k. */
  readonly permutation: Int32Array;
  /**
   * Writes the indices of the non-zero (one) entries of the input vector at
   * `step` when token `step` lies in `cell`, and returns how many it wrote.
   * The input is a sum of one-hots, so the first layer's input projection is
   * the sum of these kernel rows (a row gather, no matmul).
   */
  activeInputs(step: number, cell: number, out: Int32Array): number;
  /** Grid cell of coordinate `value` (Å) on `axis` (0, 1, 2); wraps periodic axes. Throws outside a non-periodic range. */
  cellOf(value: number, axis: number): number;
  /** Coordinate (Å) of `cell` on `axis`: the cell centre, plus `jitter` in [-0.5, 0.5) cell widths. */
  decode(cell: number, axis: number, jitter?: number): number;
}
