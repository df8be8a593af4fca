/**
 * `repap eval --model <silica model>` with no other flags: validity at the model's stored per-pair
 * minimum distances, per-pair coordination cutoffs at the first minima of the reference partial g(r)
 * (the middle of a gap with no pairs, as silica's Si-O), a one-cutoff coordination at the first
 * minimum of the total g(r), and close pairs counted below the model's smallest pair distance, not
 * a-Si's 2.9 and 2.0 Å. Runs the command in-process (no build) on committed files; the analytic case
 * of the first minimum is checked first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { evalCommand } from '../../src/cli/commands/eval.js';
import { firstMinimum } from '../../src/analysis/ensemble.js';

const root = resolve(__dirname, '../..');
const asset = join(root, 'assets/a-sio2-72-vashishta-300K-glasses');
const fixture = join(root, 'test/fixtures/a-sio2-72-glasses-small.extxyz.gz');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'repap-silica-eval-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the first minimum of g(r)', () => {
  const r = Array.from({ length: 12 }, (_, k) => 0.25 + 0.5 * k);
  it('is the minimum bin after the first peak; the middle of a flat run at the minimum', () => {
    expect(firstMinimum(r, [0, 0, 3, 1, 0.4, 0.6, 1.2, 1, 1, 1, 1, 1])).toBe(r[4]);
    // zero from bin 4 to bin 7: the middle of 2.25 and 3.75 Å
    expect(firstMinimum(r, [0, 0, 3, 1, 0, 0, 0, 0, 2, 1, 1, 1])).toBe(3);
    expect(firstMinimum(r, [0, 0, 0.5, 0.3, 0.2, 0.6, 0.8, 1, 1, 1, 1, 1])).toBeNull(); // no peak above 1
  });
});

describe('repap eval --model on silica', () => {
  it('takes its cutoffs from the reference and its minimum distances from the model', async () => {
    const out = new PassThrough();
    const err = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const json = join(dir, 'eval.json');
    const code = await evalCommand([fixture, join(asset, 'reference.extxyz.gz'), '--model', join(asset, 'model'), '--bootstrap', '5', '--json', json], { out, err });
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const table = JSON.parse(readFileSync(join(asset, 'model', 'repap.json'), 'utf8')).sampling.minDistances as Record<string, number>;
    // Si-O bonds end near 1.9 Å and the next Si-O distances start beyond 2.7 Å: the cutoff lies in that gap.
    const pc = report.ensemble.settings.pairCutoffs as Record<string, number>;
    expect(pc['O-Si']).toBeGreaterThan(2.0);
    expect(pc['O-Si']).toBeLessThan(2.6);
    expect(pc['O-O']).toBeGreaterThan(2.8); // after the O-O peak at 2.6 Å
    expect(pc['Si-Si']).toBeGreaterThan(3.2); // after the Si-Si peak at 3.1 Å
    // the MD frames of the fixture: every Si four-fold and every O two-fold at these cutoffs
    const coord = (pair: string, k: string): number => report.ensemble.generated.partialCoordination.find((c: { pair: string }) => c.pair === pair).fractions[k].value;
    expect(coord('Si-O', '4')).toBeGreaterThan(0.95);
    expect(coord('O-Si', '2')).toBeGreaterThan(0.95);
    // one cutoff for all atoms: between the Si-O bond and the O-O peak, not a-Si's 2.9 Å
    expect(report.settings.cutoff).toBeGreaterThan(1.8);
    expect(report.settings.cutoff).toBeLessThan(2.5);
    expect(report.settings.minDistance).toBe(Math.min(...Object.values(table)));
    expect(report.ensemble.settings.minDistances).toEqual(expect.objectContaining({ 'O-O': table['O-O'] }));
    expect(report.ensemble.generated.validity.belowPairTable.value).toBe(0);
    expect(text).toMatch(/cutoffs: [\d.]+ Å for all atoms \(first minimum of the reference g\(r\); --cutoff to change\); per species pair O-O [\d.]+, O-Si [\d.]+, Si-Si [\d.]+ Å/);
    expect(text).toMatch(/pair < its minimum \(/);
    expect(text).not.toMatch(/pair < 2\.0 Å/);
  }, 120_000);
});
