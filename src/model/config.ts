/**
 * `RePAPModelConfig`: the network and optimiser settings of a `RePAPModel`,
 * a Keras-style plain object that is stored with a saved model.
 *
 * @module
 */

/** Recurrent cell kind. */
export type RecurrentCell = 'lstm' | 'gru';

/** Training losses (see {@link RePAPModelConfig.loss}). */
export type ModelLoss = 'sigmoid-mse' | 'softmax-crossentropy';

/** Optimiser names (tfjs-core optimisers). */
export type OptimizerName = 'rmsprop' | 'adam' | 'sgd';

/**
 * Network and optimiser settings. Defaults are the paper's network and the
 * original code's optimiser ({@link DEFAULT_MODEL_CONFIG}).
 */
export interface RePAPModelConfig {
  /** Stacked recurrent layers (2). */
  layers: number;
  /** Units per recurrent layer (256). */
  units: number;
  /** Recurrent cell (`'lstm'`). LSTM stacks train on the fast sequence-level path. */
  cell: RecurrentCell;
  /**
   * Dropout probability between stacked recurrent layers (0.5), applied to the
   * outputs of every recurrent layer except the last, independently per
   * element and time step, as PyTorch's `nn.LSTM(dropout=p)` does (the
   * original code). Not applied to the input or to the read-out.
   */
  dropout: number;
  /** Activation of the last hidden state before the Dense read-out (`'relu'`). */
  hiddenActivation: 'relu' | 'linear' | 'tanh';
  /** Activation of the read-out (`'sigmoid'`; the original code noted that softmax "works really bad"). */
  outputActivation: 'sigmoid' | 'softmax' | 'linear';
  /**
   * Whether the Dense read-out has a bias. Default `false`, as the original
   * code (`Linear(256, 50, bias=False)`).
   */
  readoutBias: boolean;
  /** Optimiser (`'rmsprop'`, as the original code). */
  optimizer: OptimizerName;
  /** Learning rate (1e-3). */
  learningRate: number;
  /**
   * Loss. `'sigmoid-mse'` (default): the mean over every output cell of the
   * squared error against the encoder's Gaussian target (the original
   * `MSELoss`). `'softmax-crossentropy'`: the read-out gives logits, a softmax
   * turns them into a distribution over the cells, and the loss is the mean
   * over (sequence, step) of `-sum_k t_k log p_k` with the Gaussian target
   * normalised to sum 1: a likelihood, so that sampling at temperature 1
   * reproduces the data's spread. It implies `outputActivation: 'softmax'`.
   * `'mse'` (older model folders) reads as `'sigmoid-mse'`.
   */
  loss: ModelLoss;
  /** Seed of the weight initialisation (pure-rand; independent of the backend). */
  seed: number;
}

/** The paper's network with the original code's optimiser. */
export const DEFAULT_MODEL_CONFIG: Readonly<RePAPModelConfig> = Object.freeze({
  layers: 2,
  units: 256,
  cell: 'lstm',
  dropout: 0.5,
  hiddenActivation: 'relu',
  outputActivation: 'sigmoid',
  readoutBias: false,
  optimizer: 'rmsprop',
  learningRate: 1e-3,
  loss: 'sigmoid-mse',
  seed: 0,
});

const ENUMS: Partial<Record<keyof RePAPModelConfig, readonly string[]>> = {
  cell: ['lstm', 'gru'],
  hiddenActivation: ['relu', 'linear', 'tanh'],
  outputActivation: ['sigmoid', 'softmax', 'linear'],
  optimizer: ['rmsprop', 'adam', 'sgd'],
  loss: ['sigmoid-mse', 'softmax-crossentropy'],
};

/**
 * Fills defaults into a partial config and validates every field; errors name
 * the field and say what is expected.
 */
export function resolveModelConfig(config: Partial<RePAPModelConfig> = {}): RePAPModelConfig {
  if (config === null || typeof config !== 'object') {
    throw new Error(`RePAPModel config: expected an object, got ${String(config)}`);
  }
  for (const key of Object.keys(config)) {
    if (!(key in DEFAULT_MODEL_CONFIG)) {
      throw new Error(
        `RePAPModel config: unknown field '${key}'; expected one of ${Object.keys(DEFAULT_MODEL_CONFIG).join(', ')}`,
      );
    }
  }
  const c: RePAPModelConfig = { ...DEFAULT_MODEL_CONFIG, ...config };
  if ((c.loss as string) === 'mse') c.loss = 'sigmoid-mse';
  if (c.loss === 'softmax-crossentropy') {
    if (config.outputActivation !== undefined && config.outputActivation !== 'softmax') {
      throw new Error(
        `RePAPModel config.outputActivation = '${config.outputActivation}' does not go with loss 'softmax-crossentropy' ` +
          "(a distribution over the cells); leave outputActivation out or set it to 'softmax'",
      );
    }
    c.outputActivation = 'softmax';
  }
  const int = (k: 'layers' | 'units', min: number): void => {
    const v = c[k];
    if (!Number.isInteger(v) || v < min) {
      throw new Error(`RePAPModel config.${k} = ${String(v)}: expected an integer >= ${min}`);
    }
  };
  int('layers', 1);
  int('units', 1);
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) {
    throw new Error(`RePAPModel config.dropout = ${String(c.dropout)}: expected a probability in [0, 1)`);
  }
  if (typeof c.learningRate !== 'number' || !(c.learningRate > 0) || !Number.isFinite(c.learningRate)) {
    throw new Error(`RePAPModel config.learningRate = ${String(c.learningRate)}: expected a finite number > 0`);
  }
  if (typeof c.readoutBias !== 'boolean') {
    throw new Error(`RePAPModel config.readoutBias = ${String(c.readoutBias)}: expected true or false`);
  }
  if (!Number.isInteger(c.seed)) {
    throw new Error(`RePAPModel config.seed = ${String(c.seed)}: expected an integer`);
  }
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const v = c[key as keyof RePAPModelConfig];
    if (!allowed!.includes(v as string)) {
      throw new Error(`RePAPModel config.${key} = ${JSON.stringify(v)}: expected one of ${allowed!.map((a) => `'${a}'`).join(', ')}`);
    }
  }
  return c;
}
