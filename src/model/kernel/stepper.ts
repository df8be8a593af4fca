/**
 * The training loop's seam to the fused WebAssembly kernel: a `TrainStepper`
 * whose step runs forward, backward and the optimiser update in
 * {@link FusedLSTMTrainer}, then writes the new weights into the model's
 * variables (so that validation, callbacks and saving see them), and whose
 * optimiser state reads and writes as the tfjs optimiser's slots (the same
 * checkpoint format as the tfjs paths).
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TimeMajorBatcher } from '../batches.js';
import type { TrainableModel, TrainingRng, TrainStepper } from '../fit.js';
import { stackVariableList } from '../network.js';
import type { OptimizerSlot } from '../train-options.js';
import { FusedLSTMTrainer, fusedKernelSupport, kernelThreadsUnavailable, type FusedNetworkSpec } from './fused-trainer.js';
import type { KernelOptimizerState } from './optimizer.js';

/** A stepper on the fused kernel, with its optimiser state as tfjs slots. @internal */
export interface KernelStepper extends TrainStepper {
  /** The kernel's name (`wasm-simd-fma-2t`, ...). */
  readonly engine: string;
  /** The optimiser state as the tfjs optimiser's `getWeights()` would give it. */
  optimizerSlots(): OptimizerSlot[];
  /** Restores a state written by {@link optimizerSlots} or by a tfjs optimiser. */
  setOptimizerSlots(slots: readonly OptimizerSlot[]): void;
}

/** The optimiser state per model between `train()` calls (the tfjs optimiser plays this part on the tfjs paths). */
const carried = new WeakMap<object, KernelOptimizerState>();

let noticed = false;
/** One line on the console, once per process: the kernel falls back or runs on fewer threads. */
export function kernelNotice(message: string): void {
  if (noticed) return;
  noticed = true;
  console.warn(`repap: ${message}`);
}

/**
 * Why the fused kernel cannot train this model here (null when it can): the
 * network must be the built-in LSTM stack and the runtime must have
 * WebAssembly SIMD.
 */
export function kernelUnavailable(model: TrainableModel): string | null {
  if (!model.hasFastPath) return 'the fused kernel trains only the built-in LSTM stack';
  if (!fusedKernelSupport().simd) return 'this runtime has no WebAssembly SIMD';
  return null;
}

/** The kernel's view of a model. */
function specOf(model: TrainableModel): FusedNetworkSpec {
  const c = model.config;
  return {
    inputDim: model.encoder.inputSize,
    nActive: model.encoder.activeInputCount,
    units: c.units,
    layers: c.layers,
    gridSize: model.encoder.gridSize,
    hiddenActivation: c.hiddenActivation,
    outputActivation: c.outputActivation,
    loss: c.loss === 'softmax-crossentropy' ? 'crossentropy' : 'mse',
    readoutBias: c.readoutBias,
    optimizer: c.optimizer,
    learningRate: c.learningRate,
  };
}

/**
 * A training step on the fused kernel. The kernel reads the model's weights
 * at its first step, and again whenever they were set from outside (a resumed
 * run, a callback), and writes them back after every step. `threads` defaults to 2 where worker threads exist.
 * @internal
 */
export function kernelStepper(model: TrainableModel, batcher: TimeMajorBatcher, options: { threads?: number; batchSize?: number } = {}): KernelStepper {
  const support = fusedKernelSupport();
  const threads = options.threads ?? (support.threads ? 2 : 1);
  if (options.threads !== 1 && !support.threads) kernelNotice(`the training kernel runs on 1 thread here (${kernelThreadsUnavailable() ?? 'no worker threads'})`);
  const vars = stackVariableList(model.network, model.config);
  const c = model.config;
  const trainer = new FusedLSTMTrainer(specOf(model), { threads, batchSize: options.batchSize, steps: model.encoder.sequenceLength - 1 });
  const saved = carried.get(model);
  if (saved && saved.name === c.optimizer) trainer.setOptimizerState(saved);
  // The tensors the variables held after the kernel last wrote them: any other
  // value (a resumed run, a callback that set the weights) is read in again.
  let written: unknown[] | null = null;
  let reused: Float32Array[] | undefined;
  let masks: (Float32Array | null)[] | undefined;
  const current = () => vars.map((v) => (v as unknown as { dataId: unknown }).dataId);
  const sync = () => {
    if (written === null || current().some((d, i) => d !== written![i])) {
      trainer.setWeights(vars.map((v) => v.dataSync() as Float32Array));
      written = current();
    }
  };
  // forward-only batches no larger than the training batch (the kernel's buffers are sized for it)
  const chunk = Math.max(1, options.batchSize ?? 32);
  const slotNames = c.optimizer === 'adam' ? ['m', 'v'] : c.optimizer === 'rmsprop' ? ['rms', 'momentum'] : [];
  return {
    path: 'kernel',
    engine: trainer.name,
    ready: () => trainer.ready(),
    threadsUsed: () => 1 + trainer.shardsByThread().slice(1).filter((n) => n > 0).length,
    step(rows: Int32Array, rng: TrainingRng): number {
      sync();
      // the kernel copies the masks into its memory: one set of arrays serves every batch of a size
      const batch = batcher.build(rows, true, { rate: c.dropout, units: c.units, nMasks: c.layers - 1, rng, into: masks });
      if (batch.dropoutMasks) masks = batch.dropoutMasks;
      const loss = trainer.step(batch);
      if (Number.isFinite(loss)) {
        // The wasm backend copies what tf.tensor is given, so one set of arrays
        // serves every step there (fresh arrays cost page faults and collections:
        // about 10 % of a step of the paper network); other backends may keep them.
        const w = tf.getBackend() === 'wasm' ? trainer.readWeightsInto((reused ??= trainer.readWeights())) : trainer.readWeights();
        tf.tidy(() => vars.forEach((v, i) => v.assign(tf.tensor(w[i]!, v.shape))));
        written = current();
      }
      return loss;
    },
    loss(rows: Int32Array): number {
      sync();
      let sum = 0;
      for (let s = 0; s < rows.length; s += chunk) {
        const sub = rows.subarray(s, Math.min(rows.length, s + chunk));
        sum += trainer.loss(batcher.build(sub, true)) * sub.length;
      }
      return sum / rows.length;
    },
    optimizerSlots(): OptimizerSlot[] {
      const st = trainer.optimizerState();
      const out: OptimizerSlot[] = [{ name: 'iter', shape: [], values: Float32Array.of(st.iterations) }];
      st.slots.forEach((slot, k) => slot.forEach((values, i) => out.push({ name: `${vars[i]!.name}/${slotNames[k]}`, shape: vars[i]!.shape.slice(), values })));
      return out;
    },
    setOptimizerSlots(slots: readonly OptimizerSlot[]): void {
      const iter = slots.find((s) => s.name === 'iter');
      const rest = slots.filter((s) => s.name !== 'iter');
      if (!iter || rest.length !== slotNames.length * vars.length) {
        throw new Error(`train: the checkpoint's optimiser state has ${rest.length} slots; '${c.optimizer}' on this network needs ${slotNames.length * vars.length} (and 'iter')`);
      }
      const iterations = iter.values[0]!;
      const fr = Math.fround;
      trainer.setOptimizerState({
        name: c.optimizer,
        iterations,
        // as tfjs's Adam.setWeights: beta^(iterations + 1)
        accBeta: c.optimizer === 'adam' ? [fr(Math.pow(fr(0.9), iterations + 1)), fr(Math.pow(fr(0.999), iterations + 1))] : null,
        slots: slotNames.map((_, k) => vars.map((_, i) => rest[k * vars.length + i]!.values)),
      });
    },
    dispose(): void {
      carried.set(model, trainer.optimizerState());
      trainer.dispose();
    },
  };
}
