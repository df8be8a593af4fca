/**
 * `repap train --monitor structure`: after every epoch, structures sampled
 * from the current weights are scored against the validation glass; the epoch
 * with the smallest figure is the one saved. Checked by scoring the saved model
 * again, independently of the run, on the same validation frames. Runs the
 * command in-process (no build) on the committed 9-frame silica fixture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { trainCommand } from '../../src/cli/commands/train.js';
import { runInProcess } from './helpers.js';
import { loadModel, loadTrajectory } from '../../src/node/index.js';
import { structureMonitor } from '../../src/sampling/index.js';

const fixture = resolve(__dirname, '../fixtures/a-sio2-72-glasses-small.extxyz.gz');
let dir = '';

const run = (args: string[]) => runInProcess(trainCommand, args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'repap-train-monitor-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = ['--group-by', 'glass', '--species-first', '--units', '8', '--layers', '1', '--grid', '20', '--batch', '1', '--loss', 'softmax-crossentropy', '--backend', 'cpu', '--seed', '3', '--threads', '1'];

describe('repap train --monitor structure', () => {
  it('scores every epoch on the validation glass and saves the best epoch by that figure', async () => {
    const out = join(dir, 'm');
    const r = await run([fixture, '--split', '1,1,1', '--epochs', '4', '--learning-rate', '0.02', '--monitor', 'structure', '--monitor-structures', '12', '--out', out, ...tiny]);
    expect(r.code, r.err).toBe(0);
    expect(r.err.match(/structure figure [\d.]+ \(sum of partial Err_RDF of 12 sampled structures against the 3 validation frames: O-O [\d.]+, O-Si [\d.]+, Si-Si [\d.]+\), \d+ % valid/g)?.length).toBe(4);
    const t = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(t.settings).toMatchObject({ monitor: 'structure', monitorStructures: 12 });
    const h = t.history;
    expect(h.monitor).toEqual({ name: 'structure', mode: 'min' });
    const values: number[] = h.epochs.map((e: { monitor: { value: number } }) => e.monitor.value);
    expect(values.length).toBe(4);
    const best = values.indexOf(Math.min(...values));
    expect(h.bestEpoch).toBe(best);
    expect(h.restoredEpoch).toBe(best === 3 ? null : best);
    for (const e of h.epochs) {
      const d = e.monitor.details;
      expect(d['errRdf:O-O'] + d['errRdf:O-Si'] + d['errRdf:Si-Si']).toBeCloseTo(e.monitor.value, 9);
      expect(d.valid).toBeGreaterThanOrEqual(0);
      expect(d.valid).toBeLessThanOrEqual(1);
    }
    // The saved weights score, on the validation glass, exactly the figure recorded for the kept epoch.
    const model = await loadModel(out);
    expect(model.samplingDefaults?.minDistances).toBeDefined();
    const glasses = await loadTrajectory(fixture);
    const rows = glasses.info.flatMap((info, f) => (t.grouping.validationGroups.includes(String(info.glass)) ? [f] : []));
    expect(rows.length).toBe(3);
    const again = await structureMonitor(model, glasses, { frames: rows, structures: 12, seed: 3 }).evaluate(0);
    expect(again.value).toBeCloseTo(values[best]!, 9);
    model.dispose();
  });

  it('bad use is a usage error that names the flag', async () => {
    const noVal = await run([fixture, '--split', '2,0,1', '--monitor', 'structure', '--out', join(dir, 'x1'), ...tiny]);
    expect(noVal.code).toBe(2);
    expect(noVal.err).toMatch(/--monitor structure scores sampled structures against the validation frames, and this split has none/);
    const orphan = await run([fixture, '--split', '1,1,1', '--monitor-structures', '5', '--out', join(dir, 'x2'), ...tiny]);
    expect(orphan.err).toMatch(/--monitor-structures applies to --monitor structure/);
    const unknown = await run([fixture, '--split', '1,1,1', '--monitor', 'energy', '--out', join(dir, 'x3'), ...tiny]);
    expect(unknown.err).toMatch(/--monitor/);
    expect(unknown.err).toMatch(/validation-loss/);
  });
});
