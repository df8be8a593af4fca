/**
 * Makes tfjs-layers work on a plain `@tensorflow/tfjs-core` install.
 *
 * The `@tensorflow/tfjs` umbrella package registers tfjs-core's chained tensor
 * methods (`tensor.flatten()`, `tensor.matMul(b)`, ...) as a side effect of
 * being imported. With only tfjs-core + tfjs-layers (this package's
 * dependencies) they are missing in Node, and tfjs-layers' default LSTM
 * initializer fails with `rMat.flatten is not a function`. A side-effect-only
 * import would be dropped by bundlers (`"sideEffects": false`), so repap calls
 * {@link ensureLayersCompat} from the code paths that build a network.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients } from './gradients.js';

type AnyFn = (...args: unknown[]) => unknown;

/**
 * Chained methods used by tfjs-layers, each forwarding `this` as the first
 * argument of the tfjs-core op of the same name.
 */
const FORWARDED = [
  'abs', 'add', 'all', 'any', 'argMax', 'argMin', 'batchNorm', 'cast', 'ceil', 'clipByValue', 'concat',
  'cos', 'cumsum', 'div', 'divNoNan', 'dot', 'elu', 'equal', 'exp', 'expandDims', 'floor', 'floorDiv', 'gather',
  'greater', 'greaterEqual', 'leakyRelu', 'less', 'lessEqual', 'log', 'logSoftmax', 'logicalAnd', 'logicalNot',
  'logicalOr', 'matMul', 'max', 'maximum', 'mean', 'min', 'minimum', 'mod', 'mul', 'neg', 'norm', 'notEqual',
  'oneHot', 'onesLike', 'pad', 'pow', 'prod', 'reciprocal', 'relu', 'relu6', 'reshape', 'reverse', 'round',
  'rsqrt', 'selu', 'sigmoid', 'sign', 'sin', 'slice', 'softmax', 'softplus', 'split', 'sqrt', 'square',
  'squaredDifference', 'squeeze', 'stack', 'step', 'stridedSlice', 'sub', 'sum', 'tanh', 'tile', 'topk',
  'transpose', 'unstack', 'where', 'zerosLike', 'broadcastTo', 'unsortedSegmentSum', 'logSumExp', 'isNaN',
  'isFinite', 'isInf', 'prelu', 'atan2', 'sinh', 'cosh', 'tan', 'asin', 'acos', 'atan', 'expm1', 'log1p',
  'erf', 'mirrorPad', 'euclideanNorm', 'localResponseNormalization', 'conv1d', 'conv2d', 'conv2dTranspose',
  'depthwiseConv2d', 'separableConv2d', 'avgPool', 'maxPool', 'pool', 'resizeBilinear', 'resizeNearestNeighbor',
  'batchToSpaceND', 'spaceToBatchND', 'depthToSpace', 'unique', 'logSigmoid', 'cumprod', 'logicalXor',
] as const;

let installed = false;

/**
 * Installs the chained `Tensor.prototype` methods that tfjs-layers needs
 * (`flatten`, `asScalar`, `as1D`..`as4D`, `asType`, `toFloat`, `toInt`,
 * `toBool`, `reshapeAs` and one forwarder per tfjs-core op such as `matMul`),
 * where tfjs-core has not registered them. Existing methods are left alone.
 * Also registers the gradients that training needs ({@link ensureGradients}).
 * Idempotent and cheap; repap calls it whenever it builds or loads a network.
 * Call it yourself before building your own tfjs-layers model in plain Node.
 */
export function ensureLayersCompat(): void {
  ensureGradients();
  if (installed) return;
  const proto = (tf.Tensor as unknown as { prototype: Record<string, unknown> }).prototype;
  const ops = tf as unknown as Record<string, AnyFn | undefined>;
  for (const name of FORWARDED) {
    const op = ops[name];
    if (typeof op !== 'function' || typeof proto[name] === 'function') continue;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      return op(this, ...args);
    };
  }
  const define = (name: string, fn: (this: tf.Tensor, ...args: never[]) => unknown): void => {
    if (typeof proto[name] !== 'function') proto[name] = fn;
  };
  define('flatten', function () {
    return tf.reshape(this, [this.size]);
  });
  define('asScalar', function () {
    return tf.reshape(this, []);
  });
  define('as1D', function () {
    return tf.reshape(this, [this.size]);
  });
  define('as2D', function (this: tf.Tensor, rows: number, cols: number) {
    return tf.reshape(this, [rows, cols]);
  } as never);
  define('as3D', function (this: tf.Tensor, a: number, b: number, c: number) {
    return tf.reshape(this, [a, b, c]);
  } as never);
  define('as4D', function (this: tf.Tensor, a: number, b: number, c: number, d: number) {
    return tf.reshape(this, [a, b, c, d]);
  } as never);
  define('asType', function (this: tf.Tensor, dtype: tf.DataType) {
    return tf.cast(this, dtype);
  } as never);
  define('toFloat', function () {
    return tf.cast(this, 'float32');
  });
  define('toInt', function () {
    return tf.cast(this, 'int32');
  });
  define('toBool', function () {
    return tf.cast(this, 'bool');
  });
  define('reshapeAs', function (this: tf.Tensor, other: tf.Tensor) {
    return tf.reshape(this, other.shape);
  } as never);
  installed = true;
}
