/**
 * What a sampler needs from a trained model. `RePAPModel` implements it; a
 * sampler depends only on this interface, so users can plug in their own
 * trained networks.
 *
 * @module
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { Cell, Pbc } from '../structure/trajectory.js';
import type { TokenCodec } from '../encoding/types.js';
import type { RecurrentStackWeights } from './weights.js';
import type { SamplingDefaults } from './sampling-defaults.js';

/** A trained generative network together with its encoding. */
export interface GenerativeModelSource {
  /** The encoding: grid, ordering, input layout, decoding. */
  readonly codec: TokenCodec;
  /** Training cell (copied into generated trajectories), or null. */
  readonly cell: Cell | null;
  /** Training periodicity. */
  readonly pbc: Pbc;
  /** The first token's coordinate (Å) in every training frame: the empirical distribution x0 is drawn from. */
  readonly firstCoordinates: Float64Array;
  /**
   * Weights as plain typed arrays for the fast stepping path, or null when the
   * network is not an LSTM stack + read-out (for example a GRU or a user's own model).
   */
  stackWeights(): RecurrentStackWeights | null;
  /**
   * The network as a (non-stateful) tfjs-layers model mapping inputs
   * `[batch, steps, inputSize]` to outputs `[batch, steps, gridSize]`; the
   * generic path for any architecture.
   */
  readonly network: LayersModel;
  /**
   * Sampling defaults stored with the model (temperature, minimum distance,
   * tries), used by a sampler unless a call overrides them; null or absent
   * for none.
   */
  readonly samplingDefaults?: Readonly<SamplingDefaults> | null;
  /** True once the model's tensors were disposed; a sampler must refuse to run then. */
  readonly isDisposed: boolean;
}
