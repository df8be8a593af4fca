/**
 * Test fixtures shared by the backend and browser tests: frames of the packaged MD reference
 * (30-atom a-Si, Stillinger-Weber, 300 K) and a tiny trained RePAP model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/backend/index.js';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel } from '../../src/model/index.js';
import type { Cell, Trajectory } from '../../src/structure/index.js';

const ASSET = fileURLToPath(new URL('../../assets/a-si-30-sw-300K/', import.meta.url));

/** The first `nFrames` frames of the packaged MD reference, the raw float32 bytes and the metadata. */
export function referenceFrames(nFrames: number): { trajectory: Trajectory; bytes: Buffer; meta: Record<string, unknown> } {
  const meta = JSON.parse(readFileSync(join(ASSET, 'reference.json'), 'utf8')) as { nAtoms: number; cell: Cell };
  const bytes = readFileSync(join(ASSET, 'reference.f32')).subarray(0, nFrames * meta.nAtoms * 3 * 4);
  const positions = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const trajectory: Trajectory = {
    nFrames,
    nAtoms: meta.nAtoms,
    positions,
    cell: meta.cell,
    pbc: [true, true, true],
    species: new Array<string>(meta.nAtoms).fill('Si'),
    info: Array.from({ length: nFrames }, () => ({})),
  };
  return { trajectory, bytes, meta };
}

/**
 * A tiny RePAP model (2 x LSTM `units`, sigmoid gates) trained for `epochs` on `nFrames` reference frames,
 * on the wasm backend (fast and deterministic); the previously active backend is restored afterwards.
 */
export async function trainTinyModel(nFrames: number, epochs: number, units = 32): Promise<RePAPModel> {
  const { trajectory } = referenceFrames(nFrames);
  const previous = tf.getBackend();
  await useBackend('wasm');
  try {
    const encoder = AxisProjectionEncoder.fit(trajectory);
    const model = RePAPModel.create(encoder, { units, layers: 2, dropout: 0, learningRate: 3e-3, seed: 1 });
    await model.train(trajectory, { epochs, batchSize: 32, split: { train: nFrames, validation: 0, test: 0 }, seed: 1 });
    return model;
  } finally {
    if (previous) await tf.setBackend(previous);
  }
}
