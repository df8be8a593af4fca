/**
 * `repap train` stores sampling defaults with every model, one species too:
 * the per-pair minimum distances at 0.85 x the smallest distance in the
 * training frames (checked against a brute-force search over periodic images,
 * independent of the analysis code) and backtracking; `--choose-temperature`
 * samples at each listed temperature, scores against the validation frames,
 * stores the best and puts its table in the JSON output. Runs the command
 * in-process on 12 frames of the packaged a-Si MD reference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainCommand } from '../../src/cli/commands/train.js';
import { loadModel } from '../../src/node/index.js';
import { readExtxyz } from '../../src/io/index.js';
import { mdFramesExtxyz, runInProcess } from './helpers.js';

let dir = '';
let data = '';
// reference frames; frame 500 holds the closest pair of the twelve (2.210 Å) and is a validation frame here
const frames = [0, 100, 200, 300, 400, 600, 700, 800, 500, 900, 1000, 1100];

const run = (args: string[]) => runInProcess(trainCommand, args);

/** Smallest distance between two different atoms over the frames given, by brute force over the 27 nearest images of a cubic cell. */
function bruteForceMinimum(text: string, use: readonly number[]): number {
  const traj = readExtxyz(text);
  const L = traj.cell![0]![0]!;
  expect(traj.cell![1]![1]).toBe(L); // cubic, as the 27-image search assumes
  const n = traj.nAtoms;
  let best = Infinity;
  for (const f of use) {
    const p = traj.positions;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
          const dx = p[(f * n + j) * 3] - p[(f * n + i) * 3] + a * L;
          const dy = p[(f * n + j) * 3 + 1] - p[(f * n + i) * 3 + 1] + b * L;
          const dz = p[(f * n + j) * 3 + 2] - p[(f * n + i) * 3 + 2] + c * L;
          best = Math.min(best, Math.hypot(dx, dy, dz));
        }
      }
    }
  }
  return best;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'repap-train-sampling-'));
  data = join(dir, 'md.extxyz');
  writeFileSync(data, mdFramesExtxyz(frames));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = ['--units', '8', '--layers', '1', '--grid', '20', '--batch', '2', '--loss', 'softmax-crossentropy', '--backend', 'cpu', '--seed', '3', '--threads', '1'];

describe('repap train: sampling defaults', () => {
  it('stores for a one-species model 0.85 x the training minimum (brute force) as the Si-Si entry, and backtracking', async () => {
    const out = join(dir, 'one');
    const r = await run([data, '--split', '8,4,0', '--epochs', '1', '--out', out, ...tiny]);
    expect(r.code, r.err).toBe(0);
    // the training frames are the first 8 (the split keeps order); the validation frames must not count
    const trainMin = bruteForceMinimum(readFileSync(data, 'utf8'), [0, 1, 2, 3, 4, 5, 6, 7]);
    const allMin = bruteForceMinimum(readFileSync(data, 'utf8'), frames.map((_, i) => i));
    const expected = Math.round(0.85 * trainMin * 1000) / 1000;
    const model = await loadModel(out);
    const s = model.samplingDefaults!;
    expect(Object.keys(s.minDistances!)).toEqual(['Si-Si']);
    expect(s.minDistances!['Si-Si']).toBeCloseTo(expected, 9);
    expect(s.minDistance).toBeCloseTo(expected, 9);
    expect(s).toMatchObject({ temperature: 1, maxTries: 20, maxBacktracks: 100, backtrackDepth: 3 });
    expect(s.note).toMatch(/0\.85 x the smallest distance per species pair in the 8 training frames/);
    expect(s.note).toMatch(/docs\/generalisation\.md/);
    model.dispose();
    expect(r.out).toContain(`sampling defaults stored in repap.json: temperature 1, minimum distance Si-Si ${expected} Å, 20 tries, at most 100 backtracks of 3 atoms`);
    // the validation frames hold a closer pair, which must not count
    expect(allMin).toBeLessThan(trainMin - 0.005);
  });

  it('--choose-temperature stores one of the listed temperatures, the best by the rule, with its table in the JSON output', async () => {
    const out = join(dir, 'choose');
    const r = await run([data, '--split', '8,4,0', '--epochs', '1', '--choose-temperature', '0.3,0.7,1.5', '--temperature-structures', '6', '--json', '-', '--out', out, ...tiny]);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { temperatureChoice: { chosen: number; structures: number; validationFrames: number; table: { temperature: number; figure: number; valid: number; errRdf: Record<string, number> }[] }; sampling: { temperature: number } };
    const c = doc.temperatureChoice;
    expect(c.table.map((row) => row.temperature)).toEqual([0.3, 0.7, 1.5]);
    expect(c).toMatchObject({ structures: 6, validationFrames: 4 });
    for (const row of c.table) {
      expect(row.figure).toBeGreaterThan(0);
      expect(row.errRdf['Si-Si']).toBeCloseTo(row.figure, 12);
      expect(row.valid).toBeGreaterThanOrEqual(0);
      expect(row.valid).toBeLessThanOrEqual(1);
    }
    // the rule, recomputed from the table: the lowest figure among >= 99 % valid, else the most valid
    const eligible = c.table.filter((row) => row.valid >= 0.99);
    const pool = eligible.length > 0 ? eligible : c.table.filter((row) => row.valid === Math.max(...c.table.map((x) => x.valid)));
    const best = pool.reduce((a, b) => (b.figure < a.figure ? b : a));
    expect(c.chosen).toBe(best.temperature);
    expect(doc.sampling.temperature).toBe(best.temperature);
    const model = await loadModel(out);
    expect(model.samplingDefaults!.temperature).toBe(best.temperature);
    expect(model.samplingDefaults!.note).toMatch(new RegExp(`^temperature ${best.temperature}: .*6 structures each.*against the 4 validation frames`));
    expect(model.samplingDefaults!.maxBacktracks).toBe(100);
    model.dispose();
    expect(r.err).toMatch(/--choose-temperature: T = [\d.]+/);
    const saved = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(saved.temperatureChoice.chosen).toBe(best.temperature);
  });

  it('--choose-temperature alone takes the default list', async () => {
    const out = join(dir, 'default');
    const r = await run([data, '--choose-temperature', '--split', '8,4,0', '--epochs', '1', '--temperature-structures', '2', '--json', '-', '--out', out, ...tiny]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).temperatureChoice.table.map((row: { temperature: number }) => row.temperature)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('bad values and a split without validation frames are usage errors that name the flag', async () => {
    for (const bad of ['0', '-0.5', '0.2,11', '0.2,,1']) {
      const r = await run([data, '--split', '8,4,0', '--choose-temperature', bad, '--out', join(dir, 'bad'), ...tiny]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--choose-temperature/);
    }
    const r = await run([data, '--split', '8,4,0', '--choose-temperature', '0.2,11', '--out', join(dir, 'bad'), ...tiny]);
    expect(r.err).toMatch(/'11' is not a temperature in \(0, 10\]/);
    const noVal = await run([data, '--split', '12,0,0', '--choose-temperature', '--out', join(dir, 'bad2'), ...tiny]);
    expect(noVal.code).toBe(2);
    expect(noVal.err).toMatch(/--choose-temperature scores sampled structures against the validation frames, and this split has none/);
    const orphan = await run([data, '--split', '8,4,0', '--temperature-structures', '5', '--out', join(dir, 'bad3'), ...tiny]);
    expect(orphan.err).toMatch(/--temperature-structures applies to --choose-temperature/);
  });
});
