/**
 * `repap relax` and the ensemble part of `repap eval` on frames of the packaged
 * 300 K MD reference: LAMMPS minimised 300 generated structures of this glass and
 * found them all at -4.10355 ± 0.00001 eV/atom, its inherent-structure energy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readExtxyz } from '../../src/io';
import { ensureBuilt, mdFramesExtxyz, repap, root, tempDir } from './helpers';

beforeAll(() => ensureBuilt());

describe('repap relax', () => {
  it('relaxes MD frames of the training glass to its inherent energy, and reports each frame that does not converge', () => {
    const dir = tempDir();
    const input = join(dir, 'md.extxyz');
    writeFileSync(input, mdFramesExtxyz([0, 400, 800, 1200, 1600, 1999]));
    const out = join(dir, 'relaxed.extxyz');
    const r = repap(['relax', input, '--out', out]);
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.out).toContain('all 6 frames converged');
    const relaxed = readExtxyz(readFileSync(out, 'utf8'));
    expect(relaxed.nFrames).toBe(6);
    for (const info of relaxed.info) {
      expect(info.converged).toBe(true);
      expect(Number(info.energy) / 30).toBeCloseTo(-4.10355, 4); // LAMMPS: -4.10355 ± 0.00001
      expect(Number(info.energyBefore)).toBeGreaterThan(Number(info.energy));
      expect(Number(info.rmsDisplacement)).toBeGreaterThan(0.01);
      expect(Number(info.fmaxAfter)).toBeLessThanOrEqual(1e-3);
    }
    const short = repap(['relax', input, '--out', join(dir, 'short.extxyz'), '--max-steps', '3', '--json', join(dir, 'r.json')]);
    expect(short.code).toBe(0);
    expect(short.out.match(/^frame \d: not converged in 3 steps/gm)?.length).toBe(6);
    expect(short.out).toContain('6 of 6 frames did not converge');
    const doc = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { schema: string; notConverged: number[] };
    expect(doc.schema).toBe('repap.relax/1');
    expect(doc.notConverged).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('names the input and the fix for elements it has no potential for, and a missing --out', () => {
    const dir = tempDir();
    const ge = join(dir, 'ge.extxyz');
    writeFileSync(ge, mdFramesExtxyz([0]).replace(/^Si /gm, 'Ge '));
    const r = repap(['relax', ge, '--out', join(dir, 'x.extxyz')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ge\.extxyz holds Ge; .*Stillinger-Weber.*relaxStructures/);
    expect(repap(['relax', ge]).err).toMatch(/give --out/);
  });
});

describe('repap eval --relax --train', () => {
  it('MD frames of the training glass relax into its shipped minima: novelty 0, every figure with an interval', () => {
    const dir = tempDir();
    const gen = join(dir, 'gen.extxyz'), ref = join(dir, 'ref.extxyz');
    writeFileSync(gen, mdFramesExtxyz(Array.from({ length: 12 }, (_, k) => 7 + 150 * k)));
    writeFileSync(ref, mdFramesExtxyz(Array.from({ length: 40 }, (_, k) => 50 * k)));
    const train = join(root, 'assets/a-si-30-sw-300K/inherent.extxyz');
    const r = repap(['eval', gen, ref, '--relax', '--train', train, '--bootstrap', '50', '--reference-relax', '10', '--json', '-']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { ensemble: { generated: Record<string, unknown> & { novelty: { value: number }; energyAfter: { mean: { value: number; ci: number[] } }; uniqueness: { value: number } } } };
    const g = doc.ensemble.generated;
    expect(g.novelty.value).toBe(0);
    expect(g.energyAfter.mean.value).toBeCloseTo(-4.10355, 4);
    expect(g.energyAfter.mean.ci[0]).toBeLessThanOrEqual(g.energyAfter.mean.value);
    expect(g.uniqueness.value).toBeLessThanOrEqual(2 / 12); // at most the glass's two minima
    expect(r.err).toMatch(/S\.U\.N\. \(%\)/); // the table goes to stderr with --json -
    expect(r.err).toMatch(/novel vs training \(%\) +0 \[0, 0\]/);
  });
});
