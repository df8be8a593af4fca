/**
 * `repap train` on many structures: several files (one group each) or
 * `--group-by <key>`; the split deals whole groups; bad input (a missing key,
 * files of different systems, --augment without groups, too few groups) is a
 * usage error naming the input. Runs the command in-process (no build).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainCommand } from '../../src/cli/commands/train.js';
import { runInProcess } from './helpers.js';

let dir = '';

/** `n` frames of `nAtoms` atoms jiggling around sites drawn from `seed`, with optional glass= keys. */
function glassText(seed: number, n: number, glass: string | null, nAtoms = 5, L = 6): string {
  let s = seed >>> 0;
  const u = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const sites = Array.from({ length: nAtoms * 3 }, () => 0.5 + u() * (L - 1));
  const lines: string[] = [];
  for (let f = 0; f < n; f++) {
    lines.push(String(nAtoms), `Lattice="${L} 0 0 0 ${L} 0 0 0 ${L}" Properties=species:S:1:pos:R:3 pbc="T T T"${glass ? ` glass=${glass}` : ''} frame=${f}`);
    for (let a = 0; a < nAtoms; a++) lines.push(`Si ${sites.slice(3 * a, 3 * a + 3).map((x) => (x + (u() - 0.5) * 0.2).toFixed(5)).join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

const run = (args: string[]) => runInProcess(trainCommand, args);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'repap-train-groups-'));
  let all = '';
  for (let g = 0; g < 6; g++) {
    const text = glassText(10 + g, 8, `g${g}`);
    writeFileSync(join(dir, `g${g}.extxyz`), text);
    all += text;
  }
  writeFileSync(join(dir, 'all.extxyz'), all);
  writeFileSync(join(dir, 'nokey.extxyz'), all + glassText(99, 2, null));
  writeFileSync(join(dir, 'six.extxyz'), glassText(5, 8, 'x', 6));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = ['--units', '4', '--layers', '1', '--grid', '8', '--batch', '8', '--backend', 'cpu', '--seed', '3'];

describe('repap train on many structures', () => {
  it('--group-by glass splits by glass and records the groups of each part', async () => {
    const r = await run([join(dir, 'all.extxyz'), '--group-by', 'glass', '--split', '4,1,1', '--augment', 'symmetry', '--out', join(dir, 'm1'), ...tiny]);
    expect(r.err).toMatch(/4 \+ 1 \+ 1 groups by glass, ordering per group, augmentation translations \+ cubic symmetry/);
    expect(r.code).toBe(0);
    const t = JSON.parse(readFileSync(join(dir, 'm1', 'training.json'), 'utf8'));
    const { trainGroups, validationGroups, testGroups } = t.grouping;
    expect(trainGroups.length).toBe(4);
    expect(new Set([...trainGroups, ...validationGroups, ...testGroups]).size).toBe(6);
    expect(t.frames).toMatchObject({ train: 32, validation: 8, test: 8 });
  });

  it('several files: each file is a group', async () => {
    const files = [0, 1, 2, 3].map((g) => join(dir, `g${g}.extxyz`));
    const r = await run([...files, '--split', '2,1,1', '--ordering', 'frame', '--out', join(dir, 'm2'), ...tiny]);
    expect(r.code).toBe(0);
    const t = JSON.parse(readFileSync(join(dir, 'm2', 'training.json'), 'utf8'));
    expect(t.grouping.groupBy).toBe('file');
    expect([...t.grouping.trainGroups, ...t.grouping.validationGroups, ...t.grouping.testGroups].sort()).toEqual(['g0.extxyz', 'g1.extxyz', 'g2.extxyz', 'g3.extxyz']);
  });

  it('--ordering centred and grown: recorded, announced, and an unknown ordering is named', async () => {
    for (const ordering of ['centred', 'grown']) {
      const out = join(dir, `m-${ordering}`);
      const r = await run([join(dir, 'all.extxyz'), '--group-by', 'glass', '--split', '4,1,1', '--ordering', ordering, '--augment', 'symmetry', '--out', out, ...tiny]);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(new RegExp(`ordering ${ordering} \\(.*pivot atom at the centre\\), augmentation a random pivot atom \\+ cubic symmetry`));
      expect(JSON.parse(readFileSync(join(out, 'training.json'), 'utf8')).grouping.ordering).toBe(ordering);
    }
    const bad = await run([join(dir, 'all.extxyz'), '--group-by', 'glass', '--split', '4,1,1', '--ordering', 'center', '--out', join(dir, 'x'), ...tiny]);
    expect(bad.err).toMatch(/--ordering.*center.*centred/);
  });

  it('bad input names what is wrong', async () => {
    expect((await run([join(dir, 'nokey.extxyz'), '--group-by', 'glass', '--out', join(dir, 'x'), ...tiny])).err).toMatch(/frame 48 has no 'glass'/);
    expect((await run([join(dir, 'g0.extxyz'), join(dir, 'six.extxyz'), '--out', join(dir, 'x'), ...tiny])).err).toMatch(/six\.extxyz \(part 2\) has 6 atoms but g0\.extxyz has 5/);
    expect((await run([join(dir, 'g0.extxyz'), '--augment', 'translate', '--out', join(dir, 'x'), ...tiny])).err).toMatch(/--augment apply to training on many structures/);
    expect((await run([join(dir, 'all.extxyz'), '--group-by', 'glass', '--split', '5,1,1', '--out', join(dir, 'x'), ...tiny])).err).toMatch(/6 groups cannot give 5 training \+ 1 validation \+ 1 test groups/);
  });
});
