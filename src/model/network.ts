/**
 * The RePAP network as a tfjs-layers model, its seeded initialisation, and
 * the mapping between the layers model's variables and the fast LSTM stack.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
type RandomGenerator = ReturnType<typeof xoroshiro128plus>;
import type { RePAPModelConfig } from './config.js';
import type { StackTensors } from './lstm-stack.js';
import { ensureLayersCompat } from './tfjs-compat.js';
import type { RecurrentStackWeights } from './weights.js';

/** Names of the layers of a network built by {@link buildNetwork}. */
export const LAYER_NAMES = {
  recurrent: (l: number) => `repap_rnn_${l}`,
  dropout: (l: number) => `repap_dropout_${l}`,
  hidden: 'repap_hidden_activation',
  readout: 'repap_readout',
  output: 'repap_output_activation',
} as const;

/**
 * Builds the (non-stateful) network `[batch, steps, inputSize] -> [batch,
 * steps, gridSize]`: `layers` recurrent layers (`returnSequences`, Keras
 * LSTM/GRU with sigmoid gates), a Dropout layer between consecutive recurrent
 * layers, the hidden activation, a Dense read-out and the output activation.
 * Weights are zero; {@link initializeNetwork} draws them.
 */
export function buildNetwork(config: RePAPModelConfig, inputSize: number, gridSize: number): tfl.Sequential {
  ensureLayersCompat();
  const model = tfl.sequential({ name: 'repap_network' });
  for (let l = 0; l < config.layers; l++) {
    const common = {
      units: config.units,
      returnSequences: true,
      recurrentActivation: 'sigmoid' as const,
      activation: 'tanh' as const,
      kernelInitializer: 'zeros' as const,
      recurrentInitializer: 'zeros' as const,
      biasInitializer: 'zeros' as const,
      name: LAYER_NAMES.recurrent(l),
      ...(l === 0 ? { inputShape: [null, inputSize] as [null, number] } : {}),
    };
    model.add(config.cell === 'gru' ? tfl.layers.gru(common) : tfl.layers.lstm({ ...common, unitForgetBias: false }));
    if (l < config.layers - 1 && config.dropout > 0) {
      model.add(tfl.layers.dropout({ rate: config.dropout, name: LAYER_NAMES.dropout(l) }));
    }
  }
  model.add(tfl.layers.activation({ activation: config.hiddenActivation, name: LAYER_NAMES.hidden }));
  model.add(
    tfl.layers.dense({
      units: gridSize,
      useBias: config.readoutBias,
      kernelInitializer: 'zeros',
      name: LAYER_NAMES.readout,
    }),
  );
  model.add(tfl.layers.activation({ activation: config.outputActivation, name: LAYER_NAMES.output }));
  return model;
}

function uniform01(rng: RandomGenerator): number {
  // 53-bit float from two 32-bit draws.
  const hi = (rng.next() >>> 0) >>> 5;
  const lo = (rng.next() >>> 0) >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

function normal(rng: RandomGenerator): number {
  let u = 0;
  while (u === 0) u = uniform01(rng);
  const v = uniform01(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Glorot-uniform `[fanIn, fanOut]`. */
function glorot(rng: RandomGenerator, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (2 * uniform01(rng) - 1) * limit;
  return out;
}

/** `[rows, cols]` with orthonormal rows when rows <= cols (else orthonormal columns), as Keras' `orthogonal`. */
function orthogonal(rng: RandomGenerator, rows: number, cols: number): Float32Array {
  const transpose = rows > cols;
  const n = transpose ? cols : rows; // vectors
  const m = transpose ? rows : cols; // length
  const v = new Float64Array(n * m);
  for (let i = 0; i < v.length; i++) v[i] = normal(rng);
  for (let i = 0; i < n; i++) {
    const vi = i * m;
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const vj = j * m;
        let dot = 0;
        for (let k = 0; k < m; k++) dot += v[vi + k]! * v[vj + k]!;
        for (let k = 0; k < m; k++) v[vi + k] -= dot * v[vj + k]!;
      }
    }
    let norm = 0;
    for (let k = 0; k < m; k++) norm += v[vi + k]! * v[vi + k]!;
    norm = Math.sqrt(norm);
    for (let k = 0; k < m; k++) v[vi + k] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      if (transpose) out[k * cols + i] = v[i * m + k]!;
      else out[i * cols + k] = v[i * m + k]!;
    }
  }
  return out;
}

/**
 * Draws the initial weights from a seeded pure-rand stream (the same numbers
 * on every backend), with Keras' default schemes: Glorot-uniform kernels,
 * orthogonal recurrent kernels, zero biases with the LSTM forget-gate bias 1
 * (Keras `unitForgetBias`), Glorot-uniform read-out, zero read-out bias.
 * Works for any network from {@link buildNetwork}.
 */
export function initializeNetwork(model: tfl.LayersModel, config: RePAPModelConfig): void {
  const rng = xoroshiro128plus(config.seed);
  const values: tf.Tensor[] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const shape = w.shape as number[];
      const name = w.originalName;
      let data: Float32Array;
      if (name.endsWith('recurrent_kernel')) {
        data = orthogonal(rng, shape[0]!, shape[1]!);
      } else if (name.endsWith('kernel')) {
        data = glorot(rng, shape[0]!, shape[1]!);
      } else {
        data = new Float32Array(shape.reduce((a, b) => a * b, 1));
        if (config.cell === 'lstm' && name.includes('repap_rnn_') && name.endsWith('bias')) {
          const U = data.length / 4;
          data.fill(1, U, 2 * U);
        }
      }
      values.push(tf.tensor(data, shape));
    }
  }
  model.setWeights(values);
  tf.dispose(values);
}

/** The recurrent / read-out layers of a built network, in order. */
function namedLayers(model: tfl.LayersModel, config: RePAPModelConfig): { rnn: tfl.layers.Layer[]; readout: tfl.layers.Layer } {
  const rnn: tfl.layers.Layer[] = [];
  for (let l = 0; l < config.layers; l++) rnn.push(model.getLayer(LAYER_NAMES.recurrent(l)));
  return { rnn, readout: model.getLayer(LAYER_NAMES.readout) };
}

/**
 * The network's LSTM stack as tensors (the layers model's own variables, not
 * copies) for the fast path, with the variables in the same order as
 * {@link stackVariableList}.
 */
export function stackTensorsOf(model: tfl.LayersModel, config: RePAPModelConfig): StackTensors {
  const { rnn, readout } = namedLayers(model, config);
  return {
    layers: rnn.map((layer) => {
      const [kernel, recurrentKernel, bias] = layer.weights.map((w) => w.read());
      return { kernel: kernel!, recurrentKernel: recurrentKernel!, bias: bias! };
    }),
    readoutKernel: readout.weights[0]!.read(),
    readoutBias: config.readoutBias ? readout.weights[1]!.read() : null,
  };
}

/** The tfjs variables of the stack, in the order kernel, recurrent kernel, bias per layer, then read-out. */
export function stackVariableList(model: tfl.LayersModel, config: RePAPModelConfig): tf.Variable[] {
  const { rnn, readout } = namedLayers(model, config);
  const out: tf.Variable[] = [];
  for (const layer of rnn) for (const w of layer.weights) out.push(w.read() as tf.Variable);
  for (const w of readout.weights) out.push(w.read() as tf.Variable);
  return out;
}

/** Copies the weights of an LSTM network into plain typed arrays (the sampler's fast path). */
export function readStackWeights(model: tfl.LayersModel, config: RePAPModelConfig): RecurrentStackWeights {
  const { rnn, readout } = namedLayers(model, config);
  const copy = (t: tf.Tensor): Float32Array => Float32Array.from(t.dataSync() as Float32Array);
  return {
    cell: 'lstm',
    layers: rnn.map((layer) => {
      const [kernel, recurrentKernel, bias] = layer.weights.map((w) => w.read());
      return {
        inputDim: kernel!.shape[0]!,
        units: recurrentKernel!.shape[0]!,
        kernel: copy(kernel!),
        recurrentKernel: copy(recurrentKernel!),
        bias: copy(bias!),
        activation: 'tanh' as const,
        recurrentActivation: 'sigmoid' as const,
      };
    }),
    readout: {
      hiddenActivation: config.hiddenActivation,
      kernel: copy(readout.weights[0]!.read()),
      bias: config.readoutBias ? copy(readout.weights[1]!.read()) : null,
      outDim: readout.weights[0]!.shape[1]!,
      outputActivation: config.outputActivation,
    },
  };
}
