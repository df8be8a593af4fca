/**
 * The optimiser updates of the fused training kernel on flat float32 arrays,
 * written op by op as tfjs-core's optimisers compute them (every intermediate
 * rounded to float32, constants as float32 scalars), so that the tfjs path
 * stays the reference: RMSprop (non-centred, no momentum), Adam and SGD.
 *
 * @module
 */

const fr = Math.fround;

/** Optimiser names the kernel implements. */
export type KernelOptimizerName = 'rmsprop' | 'adam' | 'sgd';

/**
 * Optimiser state as plain arrays, for checkpoints: `slots[k]` is the k-th
 * accumulator of every variable (RMSprop: mean square, momentum; Adam: first
 * and second moments; SGD: none).
 */
export interface KernelOptimizerState {
  /** Optimiser name. */
  name: KernelOptimizerName;
  /** Updates applied so far. */
  iterations: number;
  /** Adam's running powers beta1^t and beta2^t (float32), null otherwise. */
  accBeta: [number, number] | null;
  /** Per slot, per variable (in the order of the weights). */
  slots: Float32Array[][];
}

/** The tfjs optimiser settings repap uses (see `makeOptimizer` in repap-model.ts). */
const SETTINGS = {
  rmsprop: { decay: 0.99, epsilon: 1e-16 },
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
} as const;

/** An optimiser over one flat parameter vector (the kernel's padded weights). */
export class FlatOptimizer {
  /** Accumulators, each as long as the parameter vector. */
  readonly slots: Float32Array[];
  /** Updates applied. */
  iterations = 0;
  /** Adam: beta1^(t+1), beta2^(t+1) as tfjs keeps them (float32). */
  accBeta: [number, number];

  constructor(readonly name: KernelOptimizerName, readonly learningRate: number, size: number) {
    const n = name === 'sgd' ? 0 : 2;
    this.slots = Array.from({ length: n }, () => new Float32Array(size));
    this.accBeta = [fr(SETTINGS.adam.beta1), fr(SETTINGS.adam.beta2)];
  }

  /** Applies one update to `w` from the gradient `g` (same length as the slots). */
  apply(w: Float32Array, g: Float32Array): void {
    const lr = fr(this.learningRate);
    const n = w.length;
    if (this.name === 'sgd') {
      const c = fr(-this.learningRate);
      for (let j = 0; j < n; j++) w[j] = fr(c * g[j]!) + w[j]!;
    } else if (this.name === 'rmsprop') {
      const [ms, mom] = this.slots as [Float32Array, Float32Array];
      const decay = fr(SETTINGS.rmsprop.decay);
      const oneMinus = fr(1 - SETTINGS.rmsprop.decay);
      const eps = fr(SETTINGS.rmsprop.epsilon);
      for (let j = 0; j < n; j++) {
        const gj = g[j]!;
        const m2 = fr(fr(ms[j]! * decay) + fr(fr(gj * gj) * oneMinus));
        // momentum 0: accumulatedMoments * 0 + g * lr / sqrt(ms + eps)
        const step = fr(fr(mom[j]! * 0) + fr(fr(gj * lr) / fr(Math.sqrt(fr(m2 + eps)))));
        ms[j] = m2;
        mom[j] = step;
        w[j] = w[j]! - step;
      }
    } else {
      const [m, v] = this.slots as [Float32Array, Float32Array];
      const { beta1, beta2, epsilon } = SETTINGS.adam;
      const b1 = fr(beta1), b2 = fr(beta2), c1 = fr(1 - beta1), c2 = fr(1 - beta2), eps = fr(epsilon);
      const om1 = fr(1 - this.accBeta[0]), om2 = fr(1 - this.accBeta[1]);
      const nlr = fr(-lr);
      for (let j = 0; j < n; j++) {
        const gj = g[j]!;
        const m1 = fr(fr(m[j]! * b1) + fr(gj * c1));
        const v1 = fr(fr(v[j]! * b2) + fr(fr(gj * gj) * c2));
        const mh = fr(m1 / om1);
        const vh = fr(v1 / om2);
        m[j] = m1;
        v[j] = v1;
        w[j] = fr(fr(fr(mh / fr(fr(Math.sqrt(vh)) + eps)) * nlr) + w[j]!);
      }
      this.accBeta = [fr(this.accBeta[0] * b1), fr(this.accBeta[1] * b2)];
    }
    this.iterations++;
  }
}
