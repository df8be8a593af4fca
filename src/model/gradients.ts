/**
 * Gradient functions for the tfjs-core kernels that tfjs-layers' recurrent,
 * Dense, Dropout and Activation layers (and the MSE loss) use.
 *
 * tfjs-core registers its gradients only through a side-effect module that the
 * `@tensorflow/tfjs` umbrella package imports; its Node bundle (what
 * `@tensorflow/tfjs-core` resolves to in Node) has none, so autodiff
 * (`tf.grads`, `optimizer.minimize`, `LayersModel.fit`) fails with "gradient
 * function not found". {@link ensureGradients} registers these where no
 * gradient is registered yet (an existing registration always wins), from code
 * that runs when repap builds a network, never as an import side effect.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

type T = tf.Tensor;
type GradMap = Record<string, () => T>;
type Attrs = Record<string, unknown>;

/** Sums `dy` over the broadcast axes so that it has `shape`. */
function unbroadcast(dy: T, shape: number[]): T {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  let r = axes.length > 0 ? tf.sum(dy, axes) : dy;
  if (!tf.util.arraysEqual(r.shape, shape)) r = tf.reshape(r, shape);
  return r;
}

function binary(
  kernelName: string,
  da: (dy: T, a: T, b: T) => T,
  db: (dy: T, a: T, b: T) => T,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as T[];
      return {
        a: () => unbroadcast(da(dy as T, a!, b!), a!.shape),
        b: () => unbroadcast(db(dy as T, a!, b!), b!.shape),
      } as GradMap;
    },
  };
}

function unaryX(kernelName: string, f: (dy: T, x: T) => T): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({ x: () => f(dy as T, (saved as T[])[0]!) }) as GradMap,
  };
}

function unaryY(kernelName: string, f: (dy: T, y: T) => T): tf.GradConfig {
  return {
    kernelName,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => f(dy as T, (saved as T[])[0]!) }) as GradMap,
  };
}

function reduceGrad(kernelName: string, mean: boolean): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = (saved as T[])[0]!;
      const axes = tf.util.parseAxisParam((attrs as Attrs).axis as number | number[], x.shape);
      return {
        x: () => {
          const kept = tf.backend_util.expandShapeToKeepDim((dy as T).shape, axes);
          let g = tf.mul(tf.reshape(dy as T, kept), tf.ones(x.shape));
          if (mean) {
            const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
            g = tf.div(g, n);
          }
          return g;
        },
      } as GradMap;
    },
  };
}

const zeros = (dy: T): T => tf.zerosLike(dy);

function configs(): tf.GradConfig[] {
  return [
    binary('Add', (dy) => dy, (dy) => dy),
    binary('Sub', (dy) => dy, (dy) => tf.neg(dy)),
    binary('Multiply', (dy, _a, b) => tf.mul(dy, b), (dy, a) => tf.mul(dy, a)),
    binary('RealDiv', (dy, _a, b) => tf.div(dy, b), (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))),
    binary(
      'SquaredDifference',
      (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(a, b))),
      (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(b, a))),
    ),
    binary('Maximum', (dy, a, b) => tf.mul(dy, tf.cast(tf.greaterEqual(a, b), 'float32')), (dy, a, b) => tf.mul(dy, tf.cast(tf.less(a, b), 'float32'))),
    binary('Minimum', (dy, a, b) => tf.mul(dy, tf.cast(tf.lessEqual(a, b), 'float32')), (dy, a, b) => tf.mul(dy, tf.cast(tf.greater(a, b), 'float32'))),
    {
      kernelName: 'AddN',
      saveAllInputs: true,
      gradFunc: (dy, saved) => {
        const out: GradMap = {};
        (saved as T[]).forEach((_, i) => {
          out[i] = () => (dy as T).clone();
        });
        return out;
      },
    },
    unaryX('Neg', (dy) => tf.neg(dy)),
    unaryX('Square', (dy, x) => tf.mul(dy, tf.mul(x, 2))),
    unaryX('Abs', (dy, x) => tf.mul(dy, tf.sign(x))),
    unaryX('Log', (dy, x) => tf.div(dy, x)),
    unaryX('Relu', (dy, x) => tf.mul(dy, tf.step(x))),
    unaryX('Identity', (dy) => dy.clone()),
    unaryX('Cast', (dy) => dy.clone()),
    unaryX('Step', zeros),
    unaryX('Floor', zeros),
    unaryX('Round', zeros),
    unaryX('Sign', zeros),
    unaryX('ZerosLike', zeros),
    unaryX('OnesLike', zeros),
    unaryX('Reshape', (dy, x) => tf.reshape(dy, x.shape)),
    {
      kernelName: 'ExpandDims',
      inputsToSave: ['input'],
      gradFunc: (dy, saved) => ({ input: () => tf.reshape(dy as T, (saved as T[])[0]!.shape) }) as GradMap,
    },
    unaryY('Sigmoid', (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
    unaryY('Tanh', (dy, y) => tf.mul(dy, tf.sub(1, tf.square(y)))),
    unaryY('Exp', (dy, y) => tf.mul(dy, y)),
    unaryY('Sqrt', (dy, y) => tf.div(dy, tf.mul(y, 2))),
    {
      kernelName: 'Softmax',
      outputsToSave: [true],
      gradFunc: (dy, saved, attrs) => {
        const y = (saved as T[])[0]!;
        const dim = (attrs as Attrs).dim as number;
        return { logits: () => tf.mul(tf.sub(dy as T, tf.sum(tf.mul(dy as T, y), [dim], true)), y) } as GradMap;
      },
    },
    {
      kernelName: 'ClipByValue',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const x = (saved as T[])[0]!;
        const { clipValueMin, clipValueMax } = attrs as { clipValueMin: number; clipValueMax: number };
        return {
          x: () => tf.where(tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax)), dy as T, tf.zerosLike(dy as T)),
        } as GradMap;
      },
    },
    reduceGrad('Sum', false),
    reduceGrad('Mean', true),
    {
      kernelName: 'BatchMatMul',
      inputsToSave: ['a', 'b'],
      gradFunc: (dy, saved, attrs) => {
        const [a, b] = saved as T[];
        const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
        const d = dy as T;
        if (!transposeA && !transposeB) return { a: () => tf.matMul(d, b!, false, true), b: () => tf.matMul(a!, d, true, false) } as GradMap;
        if (!transposeA && transposeB) return { a: () => tf.matMul(d, b!), b: () => tf.matMul(d, a!, true, false) } as GradMap;
        if (transposeA && !transposeB) return { a: () => tf.matMul(b!, d, false, true), b: () => tf.matMul(a!, d) } as GradMap;
        return { a: () => tf.matMul(b!, d, true, true), b: () => tf.matMul(d, a!, true, true) } as GradMap;
      },
    },
    {
      kernelName: 'Transpose',
      gradFunc: (dy, _saved, attrs) => {
        const perm = (attrs as Attrs).perm as number[];
        const inv = new Array<number>(perm.length);
        perm.forEach((p, i) => {
          inv[p] = i;
        });
        return { x: () => tf.transpose(dy as T, inv) } as GradMap;
      },
    },
    {
      kernelName: 'Slice',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const x = (saved as T[])[0]!;
        const d = dy as T;
        const begin = tf.slice_util.parseSliceParams(x, (attrs as Attrs).begin as number[], (attrs as Attrs).size as number[]);
        const pads: [number, number][] = x.shape.map((n, i) => [begin[0][i]!, n - begin[0][i]! - d.shape[i]!]);
        return { x: () => tf.pad(d, pads) } as GradMap;
      },
    },
    {
      kernelName: 'Concat',
      saveAllInputs: true,
      gradFunc: (dy, saved, attrs) => {
        const inputs = saved as T[];
        const axis = tf.util.parseAxisParam((attrs as Attrs).axis as number, inputs[0]!.shape)[0]!;
        const sizes = inputs.map((t) => t.shape[axis]!);
        const parts = tf.split(dy as T, sizes, axis);
        const out: GradMap = {};
        parts.forEach((p, i) => {
          out[i] = () => p;
        });
        return out;
      },
    },
    {
      kernelName: 'Pack',
      saveAllInputs: true,
      gradFunc: (dy, saved, attrs) => {
        const parts = tf.unstack(dy as T, (attrs as Attrs).axis as number);
        const out: GradMap = {};
        (saved as T[]).forEach((_, i) => {
          out[i] = () => parts[i]!;
        });
        return out;
      },
    },
    {
      kernelName: 'Unpack',
      gradFunc: (dy, _saved, attrs) => ({ value: () => tf.stack(dy as T[], (attrs as Attrs).axis as number) }) as GradMap,
    },
    {
      kernelName: 'SplitV',
      gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as T[], (attrs as Attrs).axis as number) }) as GradMap,
    },
    {
      kernelName: 'Tile',
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => {
        const x = (saved as T[])[0]!;
        const reps = (attrs as Attrs).reps as number[];
        return {
          x: () => {
            const inter: number[] = [];
            x.shape.forEach((n, i) => inter.push(reps[i]!, n));
            const axes = reps.map((_, i) => 2 * i);
            return tf.reshape(tf.sum(tf.reshape(dy as T, inter), axes), x.shape);
          },
        } as GradMap;
      },
    },
  ];
}

let registered = false;

/**
 * Registers gradient functions for the kernels that tfjs-layers' recurrent,
 * Dense, Dropout and Activation layers and the MSE loss need, where tfjs-core
 * has none registered. Idempotent; repap calls it whenever it builds or loads a
 * network. Call it yourself before training your own tfjs-layers model with
 * only `@tensorflow/tfjs-core` + `@tensorflow/tfjs-layers` installed.
 */
export function ensureGradients(): void {
  if (registered) return;
  for (const config of configs()) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
  registered = true;
}
