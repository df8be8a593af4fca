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

/**
 * An optimiser over one flat parameter vector (the kernel's padded weights).
 * {@link FlatOptimizer.apply} is the update in JS; the kernel runs the same
 * update in WebAssembly SIMD (`emit-train.ts`) from {@link FlatOptimizer.scalars}
 * on accumulators in its own memory and counts it with
 * {@link FlatOptimizer.advance}; the two are bit-identical.
 */
export class FlatOptimizer {
  /** Accumulators, each as long as the parameter vector (the caller's storage when given to the constructor). */
  slots: Float32Array[];
  /** Updates applied. */
  iterations = 0;
  /** Adam: beta1^(t+1), beta2^(t+1) as tfjs keeps them (float32). */
  accBeta: [number, number];

  /** @param slots storage for the accumulators ({@link FlatOptimizer.slotCount} arrays of `size` zeros); fresh arrays when omitted. */
  constructor(readonly name: KernelOptimizerName, readonly learningRate: number, size: number, slots?: Float32Array[]) {
    const n = FlatOptimizer.slotCount(name);
    if (slots && (slots.length !== n || slots.some((s) => s.length !== size))) {
      throw new Error(`FlatOptimizer: '${name}' needs ${n} slot arrays of ${size} floats, got ${slots.length} (${slots.map((s) => s.length).join(', ')})`);
    }
    this.slots = slots ?? Array.from({ length: n }, () => new Float32Array(size));
    this.accBeta = [fr(SETTINGS.adam.beta1), fr(SETTINGS.adam.beta2)];
  }

  /** Accumulators per parameter of an optimiser (RMSprop, Adam: 2; SGD: 0). */
  static slotCount(name: KernelOptimizerName): number {
    return name === 'sgd' ? 0 : 2;
  }

  /**
   * The float32 scalars of the next update, in the order the kernel's
   * WebAssembly update reads them: RMSprop `[lr, decay, 1 - decay, epsilon]`;
   * Adam `[beta1, beta2, 1 - beta1, 1 - beta2, epsilon, 1 - beta1^t, 1 - beta2^t, -lr]`;
   * SGD `[-lr]`.
   */
  scalars(): number[] {
    if (this.name === 'sgd') return [fr(-this.learningRate)];
    if (this.name === 'rmsprop') {
      const { decay, epsilon } = SETTINGS.rmsprop;
      return [fr(this.learningRate), fr(decay), fr(1 - decay), fr(epsilon)];
    }
    const { beta1, beta2, epsilon } = SETTINGS.adam;
    return [fr(beta1), fr(beta2), fr(1 - beta1), fr(1 - beta2), fr(epsilon), fr(1 - this.accBeta[0]), fr(1 - this.accBeta[1]), fr(-fr(this.learningRate))];
  }

  /** Counts one update applied from {@link FlatOptimizer.scalars} elsewhere (Adam's running powers advance). */
  advance(): void {
    if (this.name === 'adam') {
      const b1 = fr(SETTINGS.adam.beta1), b2 = fr(SETTINGS.adam.beta2);
      this.accBeta = [fr(this.accBeta[0] * b1), fr(this.accBeta[1] * b2)];
    }
    this.iterations++;
  }

  /** Applies one update to `w` from the gradient `g` (same length as the slots). */
  apply(w: Float32Array, g: Float32Array): void {
    const n = w.length;
    const k = this.scalars();
    if (this.name === 'sgd') {
      const c = k[0]!;
      for (let j = 0; j < n; j++) w[j] = fr(c * g[j]!) + w[j]!;
    } else if (this.name === 'rmsprop') {
      const [ms, mom] = this.slots as [Float32Array, Float32Array];
      const [lr, decay, oneMinus, eps] = k as [number, number, number, number];
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
      const [b1, b2, c1, c2, eps, om1, om2, nlr] = k as [number, number, number, number, number, number, number, number];
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
    }
    this.advance();
  }
}
