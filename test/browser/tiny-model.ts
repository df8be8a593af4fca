/**
 * A tiny model directory for the browser tests, laid out as the demo expects under /models/NAME/:
 * model.json + weights.bin + repap.json (the model), reference.json + reference.f32 (MD frames).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ASSET = resolve(__dirname, '../../assets/a-si-30-sw-300K');
/** Reference frames kept for the chart: enough for a smooth g(r), small to serve. */
const REFERENCE_FRAMES = 200;

/** Writes the tiny model directory into `dir` and returns it. */
export async function createTinyModelDir(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(ASSET, 'reference.json'), 'utf8')) as { nAtoms: number; cell: number[][] };
  const all = readFileSync(join(ASSET, 'reference.f32'));
  const bytes = REFERENCE_FRAMES * meta.nAtoms * 3 * 4;
  writeFileSync(join(dir, 'reference.f32'), all.subarray(0, bytes));
  writeFileSync(join(dir, 'reference.json'), JSON.stringify({ ...meta, nFrames: REFERENCE_FRAMES, shape: [REFERENCE_FRAMES, meta.nAtoms, 3] }));
  return dir;
}
