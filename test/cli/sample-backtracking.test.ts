import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import { readExtxyz } from '../../src/io/index.js';
import { minimumDistances } from '../../src/analysis/index.js';

const root = resolve(import.meta.dirname, '../..');
const glassesModel = join(root, 'assets/a-si-30-sw-300K-glasses/model');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const text = { out: '', err: '' };
  const stream = (key: 'out' | 'err') => ({ write: (s: string | Uint8Array) => ((text[key] += String(s)), true), once: () => undefined }) as unknown as CliIO['out'];
  const code = await main(argv, { out: stream('out'), err: stream('err') });
  return { code, ...text };
}

describe('repap sample --max-backtracks / --backtrack-depth', () => {
  it('backtracking leaves no structure with a pair below the minimum distance, and the summary and the JSON say how many backtracks it took', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'repap-bt-'));
    const common = ['sample', glassesModel, '-n', '12', '--seed', '5', '--temperature', '0.6', '--min-distance', '2', '--max-tries', '10'];
    const off = await run([...common, '--max-backtracks', '0', '-o', join(dir, 'off.extxyz'), '--json', join(dir, 'off.json')]);
    expect(off.code, off.err).toBe(0);
    const on = await run([...common, '--max-backtracks', '100', '--backtrack-depth', '3', '-o', join(dir, 'on.extxyz'), '--json', join(dir, 'on.json')]);
    expect(on.code, on.err).toBe(0);
    expect(on.out).toMatch(/at most 100 backtracks of 3 atoms per structure \(option\)/);
    expect(on.out).toMatch(/backtracks per structure/);
    const docOff = JSON.parse(readFileSync(join(dir, 'off.json'), 'utf8'));
    const docOn = JSON.parse(readFileSync(join(dir, 'on.json'), 'utf8'));
    expect(docOff.resampling.violatingStructures).toBeGreaterThan(0);
    expect(docOff.resampling.backtracks).toBe(0);
    expect(docOn).toMatchObject({ maxBacktracks: 100, backtrackDepth: 3 });
    expect(docOn.resampling.backtracks).toBeGreaterThan(0);
    expect(docOn.resampling.violatingStructures).toBe(0);
    // checked independently of the sampler's own bookkeeping
    const t = readExtxyz(readFileSync(join(dir, 'on.extxyz'), 'utf8'));
    for (const d of minimumDistances(t)) expect(d).toBeGreaterThanOrEqual(2 - 1e-5) // 6 decimals in the file;
  }, 120_000);

  it('names a bad value', async () => {
    const r = await run(['sample', glassesModel, '-n', '2', '--max-backtracks', '-1', '-o', join(tmpdir(), 'never.extxyz')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/max-backtracks/);
    const d = await run(['sample', glassesModel, '-n', '2', '--backtrack-depth', '0', '-o', join(tmpdir(), 'never.extxyz')]);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/backtrack-depth/);
  });
});
