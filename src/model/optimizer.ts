/**
 * The tfjs optimisers of a `RePAPModel` (PyTorch's defaults), and their state
 * as plain arrays for checkpoints.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RePAPModelConfig } from './config.js';
import type { OptimizerSlot } from './train-options.js';

/** The optimiser of `config` (RMSprop, Adam or SGD with PyTorch's defaults). */
export function makeOptimizer(config: Readonly<RePAPModelConfig>): tf.Optimizer {
  switch (config.optimizer) {
    case 'adam':
      // PyTorch's defaults (beta 0.9 / 0.999, eps 1e-8 added to sqrt(v)).
      return tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8);
    case 'sgd':
      return tf.train.sgd(config.learningRate);
    default:
      // PyTorch's RMSprop defaults, as the original code used: alpha 0.99 and
      // eps 1e-8 added to sqrt(v). tfjs adds epsilon inside the square root,
      // hence 1e-16.
      return tf.train.rmsprop(config.learningRate, 0.99, 0, 1e-16);
  }
}

/** The optimiser's state (iteration count, accumulators) as plain arrays. */
export async function readOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerSlot[]> {
  const named = await optimizer.getWeights();
  return named.map(({ name, tensor }) => ({
    name,
    shape: tensor.shape.slice(),
    values: Float32Array.from(tensor.dataSync() as Float32Array),
  }));
}

/** Restores a state read by {@link readOptimizerState} into a fresh optimiser of the same kind. */
export async function writeOptimizerState(optimizer: tf.Optimizer, slots: readonly OptimizerSlot[]): Promise<void> {
  const named = slots.map((s) => ({ name: s.name, tensor: tf.tensor(s.values, s.shape) }));
  await optimizer.setWeights(named);
  // setWeights keeps variables made from the tensors (the iteration count is read); free the inputs.
  tf.dispose(named.map((n) => n.tensor));
}
