/**
 * A tiny trained model directory for the browser tests, laid out as the demo expects under /models/NAME/:
 * model.json + weights.bin + repap.json (written by `saveModel`), reference.json + reference.f32 (MD frames).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveModel } from '../../src/node/index.js';
import { referenceFrames, trainTinyModel } from '../backend/fixtures.js';

/** Reference frames kept for the chart and used for training: enough for a smooth g(r), small to serve. */
const FRAMES = 400;

/** Trains a tiny model (2 x LSTM 32, 6 epochs on 400 frames, wasm) and writes the model directory into `dir`. */
export async function createTinyModelDir(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const { trajectory, bytes, meta } = referenceFrames(FRAMES);
  writeFileSync(join(dir, 'reference.f32'), bytes);
  writeFileSync(join(dir, 'reference.json'), JSON.stringify({ ...meta, nFrames: FRAMES, shape: [FRAMES, trajectory.nAtoms, 3] }));
  const model = await trainTinyModel(FRAMES, 6);
  try {
    await saveModel(model, dir);
  } finally {
    model.dispose();
  }
  return dir;
}
