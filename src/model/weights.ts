/**
 * Plain typed-array weights of a trained recurrent stack. This is the contract
 * between training (`model`) and generation (`sampling`): a sampler can run the
 * cell equations on these arrays directly, one step at a time, without calling
 * the tfjs-layers model.
 *
 * Layouts are row-major and follow Keras / tfjs-layers exactly:
 * `kernel[in * 4U + g * U + u]` with the gate blocks in the order i, f, c, o.
 *
 * @module
 */

/** One LSTM layer's weights (Keras layout, gate order i, f, c, o). */
export interface LSTMLayerWeights {
  /** Input width of this layer. */
  readonly inputDim: number;
  /** Hidden units U. */
  readonly units: number;
  /** `[inputDim, 4U]`, row-major. */
  readonly kernel: Float32Array;
  /** `[U, 4U]`, row-major. */
  readonly recurrentKernel: Float32Array;
  /** `[4U]`. */
  readonly bias: Float32Array;
  /** Activation of the cell candidate and the output (Keras `activation`); `tanh` for the paper. */
  readonly activation: 'tanh';
  /** Gate activation (Keras `recurrentActivation`); `sigmoid` for the paper and PyTorch. */
  readonly recurrentActivation: 'sigmoid' | 'hardSigmoid';
}

/** The read-out after the last recurrent layer: activation, Dense, output activation. */
export interface ReadoutWeights {
  /** Applied to the last hidden state before the Dense layer (`relu` in the paper). */
  readonly hiddenActivation: 'relu' | 'linear' | 'tanh';
  /** `[U, outDim]`, row-major. */
  readonly kernel: Float32Array;
  /** `[outDim]`, or null when the Dense layer has no bias (the original code). */
  readonly bias: Float32Array | null;
  /** Output width: the grid size. */
  readonly outDim: number;
  /** `sigmoid` in the paper. */
  readonly outputActivation: 'sigmoid' | 'softmax' | 'linear';
}

/** All weights of an LSTM stack + read-out, as plain arrays. */
export interface RecurrentStackWeights {
  /** Cell kind. Only LSTM stacks have a typed-array fast path; other models step through tfjs. */
  readonly cell: 'lstm';
  /** Layers from input to output. */
  readonly layers: readonly LSTMLayerWeights[];
  /** The read-out. */
  readonly readout: ReadoutWeights;
}
