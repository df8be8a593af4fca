import { describe, expect, it } from 'vitest';
import { FusedLSTMTrainer, type FusedNetworkSpec } from '../../src/model/kernel/fused-trainer.js';
import { FlatOptimizer, type KernelOptimizerName } from '../../src/model/kernel/optimizer.js';
import type { StackBatch } from '../../src/model/lstm-stack.js';
import { rng } from '../support/rng.js';

/** A tiny 2-layer network (units 12: padded columns inside every gate block) and one batch with dropout masks. */
function setup(optimizer: KernelOptimizerName) {
  const r = rng(11);
  const G = 6, S = 5, B = 3, U = 12, D = G + S;
  const spec: FusedNetworkSpec = {
    inputDim: D, nActive: 2, units: U, layers: 2, gridSize: G, hiddenActivation: 'relu', outputActivation: 'sigmoid',
    loss: 'mse', readoutBias: true, optimizer, learningRate: 3e-2,
  };
  const R = S * B;
  const active = new Int32Array(2 * R);
  for (let t = 0; t < S; t++) for (let b = 0; b < B; b++) [active[t * B + b], active[R + t * B + b]] = [Math.floor(r() * G), G + t];
  const batch: StackBatch = {
    steps: S, batch: B, nActive: 2, active,
    targets: Float32Array.from({ length: R * G }, r),
    dropoutMasks: [Float32Array.from({ length: R * U }, () => (r() < 0.3 ? 0 : 1 / 0.7))],
  };
  const make = () => new FusedLSTMTrainer(spec, { threads: 1 });
  const shapes = make().weightShapes;
  const weights = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => r() - 0.5));
  return { spec, batch, make, weights };
}

const flat = (arrays: Float32Array[]): Float32Array => {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) (out.set(a, o), (o += a.length));
  return out;
};
const split = (v: Float32Array, like: Float32Array[]): Float32Array[] => {
  let o = 0;
  return like.map((a) => v.slice(o, (o += a.length)));
};

describe('the kernel optimiser update (WebAssembly SIMD)', () => {
  for (const name of ['rmsprop', 'adam', 'sgd'] as const) {
    it(`${name}: weights and accumulators bit-identical to FlatOptimizer.apply (the JS update written op by op as tfjs) over 4 steps`, () => {
      const { batch, make, weights } = setup(name);
      const kernel = make();
      kernel.setWeights(weights);
      // the reference: gradients from a second trainer, the update in JS on Keras-layout vectors
      const grads = make();
      let w = flat(weights);
      const js = new FlatOptimizer(name, 3e-2, w.length);
      for (let step = 0; step < 4; step++) {
        grads.setWeights(split(w, weights));
        const { loss, grads: g } = grads.lossAndGradients(batch);
        expect(kernel.step(batch)).toBe(loss);
        js.apply(w, flat(g));
        const got = flat(kernel.readWeights());
        expect(Array.from(got)).toEqual(Array.from(w));
        w = w.slice();
      }
      const state = kernel.optimizerState();
      expect(state.iterations).toBe(4);
      expect(state.slots.length).toBe(js.slots.length);
      state.slots.forEach((slot, k) => expect(Array.from(flat(slot))).toEqual(Array.from(js.slots[k]!)));
      if (name === 'adam') expect(state.accBeta).toEqual(js.accBeta);
      // the update changed the weights (the comparison above is not between two copies of the start)
      expect(Array.from(w)).not.toEqual(Array.from(flat(weights)));
      kernel.dispose();
      grads.dispose();
    });
  }

  it('keeps its accumulators in the kernel memory across a grown batch and a restored state', () => {
    const { batch, make, weights } = setup('adam');
    const a = make();
    a.setWeights(weights);
    a.step(batch);
    const saved = a.optimizerState();
    // a larger batch grows the memory (new buffers for a non-shared memory): the state survives
    const big: StackBatch = { ...batch, batch: 2 * batch.batch, active: new Int32Array(2 * batch.active.length), targets: new Float32Array(2 * batch.targets!.length), dropoutMasks: undefined };
    a.loss(big);
    expect(a.optimizerState()).toEqual(saved);
    // restored into a fresh trainer, the next step is the same as the original's
    const b = make();
    b.setWeights(a.readWeights());
    b.setOptimizerState(saved);
    expect(b.step(batch)).toBe(a.step(batch));
    expect(b.readWeights()).toEqual(a.readWeights());
    expect(b.optimizerState()).toEqual(a.optimizerState());
    a.dispose();
    b.dispose();
  });
});
