/**
 * Test fixtures: a small TokenCodec with the paper's input layout
 * ([one-hot cell] ++ [one-hot step]) on a cubic box, and a tiny tfjs-layers
 * LSTM stack wrapped as a GenerativeModelSource.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { TokenCodec } from '../../src/encoding/types.js';
import type { GenerativeModelSource } from '../../src/model/source.js';
import type { RecurrentStackWeights } from '../../src/model/weights.js';
import type { Cell, Pbc } from '../../src/structure/trajectory.js';

export class CubeCodec implements TokenCodec {
  readonly sequenceLength: number;
  readonly inputSize: number;
  readonly orderedSpecies: readonly string[];
  readonly permutation: Int32Array;
  constructor(readonly gridSize: number, readonly nAtoms: number, readonly length: number, readonly periodic = true) {
    this.sequenceLength = 3 * nAtoms;
    this.inputSize = gridSize + this.sequenceLength - 1;
    // a non-trivial ordering: reversed, so the output must undo it
    this.permutation = Int32Array.from({ length: nAtoms }, (_, k) => nAtoms - 1 - k);
    this.orderedSpecies = Array.from({ length: nAtoms }, (_, k) => (this.permutation[k] % 2 === 0 ? 'Si' : 'Ge'));
  }
  get width(): number {
    return this.length / this.gridSize;
  }
  activeInputs(step: number, cell: number, out: Int32Array): number {
    out[0] = cell;
    out[1] = this.gridSize + step;
    return 2;
  }
  cellOf(value: number, axis: number): number {
    const g = Math.floor(value / this.width);
    if (this.periodic) return ((g % this.gridSize) + this.gridSize) % this.gridSize;
    if (value < -1e-9 * this.width || value >= this.length + 1e-9 * this.width || !Number.isFinite(value)) {
      throw new Error(`axis ${axis}: ${value} outside [0, ${this.length})`);
    }
    return Math.min(this.gridSize - 1, Math.max(0, g));
  }
  decode(cell: number, _axis: number, jitter = 0): number {
    return (cell + 0.5 + jitter) * this.width;
  }
}

export interface TinyOptions {
  gridSize?: number;
  nAtoms?: number;
  length?: number;
  units?: number[];
  periodic?: boolean;
  seed?: number;
  /** Output layer bias/kernel scale (0 kernel + 0 bias makes the output uniform). */
  uniformOutput?: boolean;
  cell?: 'cubic' | 'triclinic';
}

export class TinySource implements GenerativeModelSource {
  readonly codec: CubeCodec;
  readonly cell: Cell | null;
  readonly pbc: Pbc;
  readonly firstCoordinates: Float64Array;
  readonly network: tfl.LayersModel;
  private disposed = false;
  constructor(o: TinyOptions = {}) {
    const G = o.gridSize ?? 8, N = o.nAtoms ?? 4, L = o.length ?? 8;
    const periodic = o.periodic ?? true;
    this.codec = new CubeCodec(G, N, L, periodic);
    this.cell = periodic ? (o.cell === 'triclinic' ? [[L, 0, 0], [0.3 * L, L, 0], [0, 0, L]] : [[L, 0, 0], [0, L, 0], [0, 0, L]]) : null;
    this.pbc = periodic ? [true, true, true] : [false, false, false];
    this.firstCoordinates = Float64Array.from({ length: 16 }, (_, i) => ((i * 0.37) % 1) * L * 0.5);
    const units = o.units ?? [6, 5];
    const seed = o.seed ?? 1;
    const model = tfl.sequential();
    units.forEach((u, l) => {
      model.add(tfl.layers.lstm({
        units: u, returnSequences: true, recurrentActivation: 'sigmoid',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 10 * l }),
        recurrentInitializer: tfl.initializers.glorotUniform({ seed: seed + 10 * l + 1 }),
        biasInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 10 * l + 2 }),
        ...(l === 0 ? { inputShape: [null, this.codec.inputSize] } : {}),
      }));
    });
    model.add(tfl.layers.activation({ activation: 'relu' }));
    model.add(tfl.layers.dense({
      units: G, activation: 'sigmoid',
      kernelInitializer: o.uniformOutput ? 'zeros' : tfl.initializers.glorotUniform({ seed: seed + 100 }),
      biasInitializer: o.uniformOutput ? 'zeros' : tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: seed + 101 }),
    }));
    this.network = model;
  }
  stackWeights(): RecurrentStackWeights {
    const lstms = this.network.layers.filter((l) => l.getClassName() === 'LSTM');
    const dense = this.network.layers[this.network.layers.length - 1];
    const layers = lstms.map((l) => {
      const [k, r, b] = l.getWeights();
      const units = r.shape[0];
      return {
        inputDim: k.shape[0], units,
        kernel: k.dataSync() as Float32Array, recurrentKernel: r.dataSync() as Float32Array, bias: b.dataSync() as Float32Array,
        activation: 'tanh' as const, recurrentActivation: 'sigmoid' as const,
      };
    });
    const [dk, db] = dense.getWeights();
    return {
      cell: 'lstm', layers,
      readout: { hiddenActivation: 'relu', kernel: dk.dataSync() as Float32Array, bias: db.dataSync() as Float32Array, outDim: dk.shape[1] as number, outputActivation: 'sigmoid' },
    };
  }
  get isDisposed(): boolean {
    return this.disposed;
  }
  dispose(): void {
    this.network.dispose();
    this.disposed = true;
  }
}

/** A source without stackWeights: forces the generic (re-run) path. */
export class OpaqueSource extends TinySource {
  override stackWeights(): RecurrentStackWeights {
    return null as unknown as RecurrentStackWeights;
  }
}

/** Normalised per-step outputs of the layers model on one whole sequence of cells ([T-1, G]). */
export function networkProbabilities(source: TinySource, cells: Int32Array): Float32Array {
  const c = source.codec;
  const T = c.sequenceLength, I = c.inputSize, G = c.gridSize;
  const x = new Float32Array((T - 1) * I);
  const idx = new Int32Array(8);
  for (let t = 0; t < T - 1; t++) {
    const m = c.activeInputs(t, cells[t], idx);
    for (let a = 0; a < m; a++) x[t * I + idx[a]] += 1;
  }
  const out = tf.tidy(() => (source.network.predict(tf.tensor3d(x, [1, T - 1, I])) as tf.Tensor).dataSync() as Float32Array);
  const p = Float32Array.from(out);
  for (let t = 0; t < T - 1; t++) {
    let s = 0;
    for (let g = 0; g < G; g++) s += p[t * G + g];
    for (let g = 0; g < G; g++) p[t * G + g] /= s;
  }
  return p;
}

export { tf };
