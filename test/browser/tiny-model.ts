/**
 * A tiny trained model directory for the browser tests, laid out as the demo expects under /models/NAME/:
 * model.json + weights.bin + repap.json (the model), reference.json + reference.f32 (MD frames).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../../src/backend/index.js';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel } from '../../src/model/index.js';
import { saveModel } from '../../src/node/index.js';
import type { Cell, Trajectory } from '../../src/structure/index.js';

const ASSET = fileURLToPath(new URL('../../assets/a-si-30-sw-300K/', import.meta.url));
/** Reference frames kept for the chart and used for training: enough for a smooth g(r), small to serve. */
const FRAMES = 400;

/** The first `FRAMES` frames of the packaged MD reference (30-atom a-Si, 300 K). */
export function referenceFrames(): { trajectory: Trajectory; bytes: Buffer; meta: Record<string, unknown> } {
  const meta = JSON.parse(readFileSync(join(ASSET, 'reference.json'), 'utf8')) as { nAtoms: number; cell: Cell };
  const bytes = readFileSync(join(ASSET, 'reference.f32')).subarray(0, FRAMES * meta.nAtoms * 3 * 4);
  const positions = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const trajectory: Trajectory = {
    nFrames: FRAMES,
    nAtoms: meta.nAtoms,
    positions,
    cell: meta.cell,
    pbc: [true, true, true],
    species: new Array<string>(meta.nAtoms).fill('Si'),
    info: Array.from({ length: FRAMES }, () => ({})),
  };
  return { trajectory, bytes, meta };
}

/** Trains a tiny model (2 x LSTM 32) for a few epochs on wasm and writes the model directory into `dir` with `saveModel`. */
export async function createTinyModelDir(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const { trajectory, bytes, meta } = referenceFrames();
  writeFileSync(join(dir, 'reference.f32'), bytes);
  writeFileSync(join(dir, 'reference.json'), JSON.stringify({ ...meta, nFrames: FRAMES, shape: [FRAMES, trajectory.nAtoms, 3] }));
  const previous = tf.getBackend();
  await useBackend('wasm');
  const encoder = AxisProjectionEncoder.fit(trajectory);
  const model = RePAPModel.create(encoder, { units: 32, layers: 2, dropout: 0, learningRate: 3e-3, seed: 1 });
  try {
    await model.train(trajectory, { epochs: 6, batchSize: 32, split: { train: FRAMES, validation: 0, test: 0 }, seed: 1 });
    await saveModel(model, dir);
  } finally {
    model.dispose();
    if (previous) await tf.setBackend(previous);
  }
  return dir;
}
