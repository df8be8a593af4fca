/**
 * WebGPU in Node: the `webgpu` package (Dawn) on a Vulkan driver (SwiftShader from Debian's chromium on a
 * machine without a GPU) runs the same LSTM stack as the cpu backend, and samples structures whose ensemble
 * statistics match cpu's.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { radialDistribution } from '../../src/analysis/index.js';
import { useBackend } from '../../src/backend/index.js';
import type { RePAPModel } from '../../src/model/index.js';
import { ensureLayersCompat } from '../../src/model/tfjs-compat.js';
import { ConditionalSampler } from '../../src/sampling/index.js';
import { TfjsStackEngine } from '../../src/sampling/tfjs-engine.js';
import type { Trajectory } from '../../src/structure/index.js';
import { vulkanICD, webgpuSkipReason } from './env.js';
import { trainTinyModel } from './fixtures.js';
import { TinySource } from '../sampling/fixtures.js';

ensureLayersCompat();

const icd = vulkanICD;
const reason = webgpuSkipReason;
if (reason !== null) console.log(`[skip] webgpu in Node: ${reason}`);

const STEPS = 12;
const INPUT = 20;
const UNITS = 24;
const OUT = 10;
const BATCH = 6;

/** Two stacked LSTMs (sigmoid gates, as in the paper and PyTorch), ReLU, Dense + sigmoid: the RePAP network shape. */
function buildStack(seed: number): tfl.LayersModel {
  const model = tfl.sequential();
  for (let l = 0; l < 2; l++) {
    model.add(
      tfl.layers.lstm({
        units: UNITS,
        returnSequences: true,
        recurrentActivation: 'sigmoid',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 * l }),
        recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 2 * l + 1 }),
        // (not unitForgetBias: tfjs-layers 4.22 leaks 4 tensors per layer building that initial value)
        biasInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 7 + l }),
        ...(l === 0 ? { inputShape: [STEPS, INPUT] } : {}),
      }),
    );
  }
  model.add(tfl.layers.activation({ activation: 'relu' }));
  model.add(tfl.layers.dense({ units: OUT, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 9 }) }));
  return model;
}

/** Sparse one-hot inputs like the encoder's (one cell + one step index per row), deterministic. */
function inputs(): Float32Array {
  const x = new Float32Array(BATCH * STEPS * INPUT);
  for (let b = 0; b < BATCH; b++) {
    for (let t = 0; t < STEPS; t++) {
      const row = (b * STEPS + t) * INPUT;
      x[row + ((b * 7 + t * 3) % 8)] = 1;
      x[row + 8 + t] = 1;
    }
  }
  return x;
}

/** Builds the stack on the active backend with the given weights and returns its outputs. */
async function forward(weights: Float32Array[] | null): Promise<{ out: Float32Array; weights: Float32Array[] }> {
  const model = buildStack(1234);
  if (weights) {
    const values = weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape));
    model.setWeights(values);
    tf.dispose(values);
  }
  const own = await Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
  const y = tf.tidy(() => model.predict(tf.tensor3d(inputs(), [BATCH, STEPS, INPUT])) as tf.Tensor);
  const out = (await y.data()) as Float32Array;
  y.dispose();
  model.dispose();
  return { out, weights: own };
}

describe('tfjs step engine: asynchronous reads (the path webgpu in Node takes), checked on cpu', () => {
  it('gives bit-identical outputs and states to synchronous reads, and leaks no tensor', async () => {
    await useBackend('cpu');
    const src = new TinySource({ gridSize: 9, nAtoms: 5, units: [7, 6], seed: 3 });
    const c = src.codec;
    const sync = new TfjsStackEngine(src.stackWeights(), c, { asyncReads: false });
    const before = tf.memory().numTensors;
    const asyn = new TfjsStackEngine(src.stackWeights(), c, { asyncReads: true });
    try {
      expect(sync.stepAsync).toBeUndefined(); // cpu reads synchronously: the sampler steps without awaiting
      expect(asyn.stepAsync).toBeTypeOf('function');
      const rows = 3;
      for (const e of [sync, asyn]) {
        e.ensureRows(2 * rows);
        e.reset(0, 2 * rows);
      }
      const a = new Float32Array(rows * c.gridSize);
      const b = new Float32Array(rows * c.gridSize);
      const cells = new Int32Array(rows);
      for (let t = 0; t < c.sequenceLength - 1; t++) {
        for (let i = 0; i < rows; i++) cells[i] = (t * 5 + i * 7 + 1) % c.gridSize;
        sync.step(rows, rows, t, cells, a); // rows 3..5: states must land in the rows asked for
        await asyn.stepAsync!(rows, rows, t, cells, b);
        expect(Array.from(b)).toEqual(Array.from(a));
      }
      // the carried states agree too: rewind both to the same checkpoint and step once more
      sync.copyRows(rows, 0, rows);
      asyn.copyRows(rows, 0, rows);
      sync.step(0, rows, 0, cells, a);
      await asyn.stepAsync!(0, rows, 0, cells, b);
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(new Set(Array.from(a)).size).toBeGreaterThan(rows); // not a constant output
    } finally {
      asyn.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    sync.dispose();
  });
});

describe.skipIf(reason !== null)('webgpu backend in Node (Dawn)', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('runs an LSTM stack forward pass that matches cpu', async () => {
    await useBackend('cpu');
    const cpu = await forward(null);
    expect(await useBackend('webgpu', { vulkanICD: icd })).toBe('webgpu');
    const before = tf.memory().numTensors;
    const gpu = await forward(cpu.weights);
    expect(tf.memory().numTensors).toBe(before);
    expect(gpu.out.length).toBe(BATCH * STEPS * OUT);
    let maxDiff = 0;
    for (let i = 0; i < cpu.out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(gpu.out[i] - cpu.out[i]));
    console.log(`webgpu vs cpu LSTM forward: max |diff| = ${maxDiff.toExponential(2)}`);
    // Outputs are sigmoids in (0, 1). Both backends compute in float32 but sum the matrix products in a
    // different order and use different exp/tanh code (Vulkan allows a few ulp; SwiftShader approximates):
    // a few ulp (1e-7) per op, carried through 2 layers x 12 recurrent steps; measured 9e-8 on SwiftShader.
    // 1e-5 leaves 100x headroom for other drivers, yet a real bug (a wrong gate order, hardSigmoid instead
    // of sigmoid, a dropped bias) moves outputs by 1e-2 or more.
    expect(maxDiff).toBeLessThan(1e-5);
    // The outputs vary across rows and steps, so agreeing is not trivial.
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of cpu.out) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(hi - lo).toBeGreaterThan(0.05);
  });

  it('runs a trained RePAP network on webgpu with the outputs of cpu', async () => {
    const model: RePAPModel = await trainTinyModel(200, 3, 24);
    try {
      const codec = model.encoder;
      const steps = 40;
      const batch = 3;
      const x = new Float32Array(batch * steps * codec.inputSize);
      const idx = new Int32Array(8);
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < steps; t++) {
          const m = codec.activeInputs(t, (b * 11 + t * 7 + 3) % codec.gridSize, idx);
          for (let a = 0; a < m; a++) x[(b * steps + t) * codec.inputSize + idx[a]] = 1;
        }
      }
      const predict = async (): Promise<Float32Array> => {
        const y = tf.tidy(() => model.network.predict(tf.tensor3d(x, [batch, steps, codec.inputSize])) as tf.Tensor);
        const out = (await y.data()) as Float32Array;
        y.dispose();
        return out;
      };
      await useBackend('cpu');
      const pCpu = await predict();
      await useBackend('webgpu', { vulkanICD: icd });
      const before = tf.memory().numTensors;
      const pGpu = await predict();
      expect(tf.memory().numTensors).toBe(before);
      let maxDiff = 0;
      for (let i = 0; i < pCpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pGpu[i] - pCpu[i]));
      console.log(`webgpu vs cpu trained RePAP network outputs: max |diff| = ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThan(1e-5); // as for the LSTM stack above
    } finally {
      model.dispose();
    }
  });

  it('samples with a RePAP model: the same structures as cpu, and the ensemble RDF within sampling noise', async () => {
    const model: RePAPModel = await trainTinyModel(200, 3, 24);
    try {
      // The steps run as tfjs ops on the active backend (engine 'tfjs'), read with `await tensor.data()`.
      // SwiftShader runs each step's ~40 small ops in about 0.2 s on a loaded machine, whatever the batch
      // size, so the run is short in steps (one retry round per atom) rather than in structures.
      const N = 32;
      const options = { minDistance: 1.5, maxTries: 2 };
      const run = async (backend: 'cpu' | 'webgpu', seed: number): Promise<{ t: Trajectory; seconds: number }> => {
        await useBackend(backend, { vulkanICD: icd });
        const before = tf.memory().numTensors;
        const { trajectory, stats } = await new ConditionalSampler(model, { engine: 'tfjs' }).sample(N, { ...options, seed });
        expect(stats.engine).toBe(`tfjs-${backend}`);
        expect(stats.redraws).toBeGreaterThan(0); // the retry path (row copies, varying row counts) ran
        expect(tf.memory().numTensors).toBe(before);
        return { t: trajectory, seconds: stats.seconds };
      };
      const cpuA = await run('cpu', 11);
      const cpuB = await run('cpu', 12);
      const gpu = await run('webgpu', 11);

      // Same seed, same draws: a structure differs from cpu's only if a float difference moves a cumulative
      // probability across its uniform draw. With outputs within 1e-5 of cpu's (the forward tests above),
      // that happens with probability <= gridSize * 1e-5 per draw, under 5% per structure here (90 draws,
      // 50 cells); with the measured 1e-7 it almost never does (32/32 on SwiftShader). A wrong kernel changes
      // every structure.
      const nA = model.encoder.nAtoms;
      let same = 0;
      for (let f = 0; f < N; f++) {
        let equal = true;
        for (let i = f * nA * 3; i < (f + 1) * nA * 3 && equal; i++) equal = gpu.t.positions[i] === cpuA.t.positions[i];
        if (equal) same++;
      }
      const rdf = (t: Trajectory) => radialDistribution(t, { rMax: 6, nBins: 120 }).g;
      const rms = (a: Float64Array, b: Float64Array) => {
        let s = 0;
        let k = 0;
        for (let i = 30; i < a.length; i++, k++) s += (a[i] - b[i]) ** 2; // r >= 1.5 Å
        return Math.sqrt(s / k);
      };
      const gA = rdf(cpuA.t);
      const noise = rms(gA, rdf(cpuB.t));
      const d = rms(rdf(gpu.t), gA);
      console.log(
        `sampling ${N} structures (grid ${model.encoder.gridSize}): webgpu ${gpu.seconds.toFixed(1)} s, cpu ${cpuA.seconds.toFixed(1)} s; ` +
          `${same}/${N} identical to cpu's (same seed); RDF rms webgpu vs cpu = ${d.toFixed(4)}, cpu seed 11 vs 12 = ${noise.toFixed(4)}`,
      );
      expect(same).toBeGreaterThanOrEqual(N / 2);
      // Ensemble check, independent of the identity above: structures that do differ are independent draws
      // from the same distribution, so the RDFs differ by at most the sampling noise of N structures, which
      // two cpu seeds measure; 3x covers the scatter of that estimate, while a wrong kernel (garbage or
      // uniform outputs) moves the RDF by far more (the first peak alone is > 1 high).
      expect(noise).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(3 * noise);
    } finally {
      model.dispose();
    }
  });
});
