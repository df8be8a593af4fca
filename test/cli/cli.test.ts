/**
 * The built `repap` command: help, argument errors, missing and corrupt files,
 * `rdf` against an analytic lattice, `eval` against LAMMPS' own energies.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, mdEnergyPerAtom, mdFramesExtxyz, repap, tempDir, writeFile } from './helpers.js';
import { sharedData, sharedDataMissing } from '../support/shared-data.js';

beforeAll(() => ensureBuilt());

/** One line on stderr, no stack trace. */
function expectOneLineError(err: string): void {
  const lines = err.trim().split('\n');
  expect(lines, err).toHaveLength(1);
  expect(err).not.toMatch(/\n\s+at /);
  expect(lines[0]).toMatch(/^repap/);
}

describe('repap --help', () => {
  it('lists the commands and exits 0', () => {
    const r = repap(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['demo', 'train', 'sample', 'rdf', 'eval']) expect(r.out).toContain(`  ${c}`);
    expect(r.out).toMatch(/extxyz/);
  });
  it('every command has its own help', () => {
    for (const c of ['demo', 'train', 'sample', 'rdf', 'eval']) {
      const r = repap([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out, c).toMatch(new RegExp(`^Usage: repap ${c}`));
      expect(r.err, c).toBe('');
    }
  });
  it('no command prints the help and exits 2', () => {
    const r = repap([]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('Usage: repap <command>');
  });
  it('prints the version from package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(repap(['--version']).out.trim()).toBe(pkg.version);
  });
});

describe('bad command lines: one line on stderr, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['rdf'], /rdf: expected 1 argument \(<trajectory>\) but got 0/],
    [['rdf', 'a.extxyz', 'b.extxyz'], /expected 1 argument.*got 2/],
    [['rdf', 'x.extxyz', '--bins', 'many'], /--bins is 'many'; expected a whole number/],
    [['rdf', 'x.extxyz', '--r-max=-3'], /--r-max is '-3'; expected a number/],
    [['rdf', 'x.extxyz', '--r-max', '-3'], /--r-max is '-3'; expected a number/],
    [['rdf', 'x.extxyz', '--colour'], /Unknown option '--colour'/],
    [['demo', '--n', '0'], /--n is '0'; expected a whole number from 1/],
    [['demo', '--backend', 'cuda'], /--backend is 'cuda'; expected one of cpu, wasm/],
    [['sample', 'model-dir', '-n', '1.5'], /-n is '1.5'|--n is '1.5'/],
    [['eval', 'only-one.extxyz'], /expected 2 arguments/],
    [['train', 'x.extxyz'], /--out/],
    [['train', 'x.extxyz', '--out', 'd', '--split', '0.8,0.2'], /--split is '0.8,0.2'; expected three numbers/],
    [['train', 'x.extxyz', '--out', 'd', '--grid', '1'], /--grid is '1'; expected a whole number from 2/],
  ];
  for (const [args, msg] of cases) {
    it(args.join(' ') || '(none)', () => {
      const r = repap(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expectOneLineError(r.err);
    });
  }
  it('a missing input file is named', () => {
    const r = repap(['rdf', 'no/such/file.extxyz']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/'no\/such\/file\.extxyz' does not exist/);
    expectOneLineError(r.err);
  });
  it('a missing model folder is named', () => {
    const r = repap(['sample', 'no-such-model', '-n', '3']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/model folder 'no-such-model' does not exist/);
  });
  it('a corrupt file gets one line naming the file', () => {
    const dir = tempDir();
    const p = writeFile(dir, 'bad.extxyz', '3\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nSi 0 0 0\nSi 1 1 nope\n');
    const r = repap(['rdf', p]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('bad.extxyz');
    expectOneLineError(r.err);
  });
});

describe('repap rdf', () => {
  it('writes the analytic g(r) of a simple cubic lattice as CSV and SVG', () => {
    // 2x2x2 simple cubic, a = 2.52 Å, in a periodic 5.04 Å cube: 6 neighbours at a, 12 at a*sqrt(2).
    const a = 2.52, L = 2 * a, N = 8;
    const frame = (shift: number): string[] => {
      const l = [`${N}`, `Lattice="${L} 0 0 0 ${L} 0 0 0 ${L}" Properties=species:S:1:pos:R:3 pbc="T T T"`];
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let k = 0; k < 2; k++) l.push(`Si ${i * a + shift} ${j * a + 0.3} ${k * a + 0.1}`);
      return l;
    };
    const dir = tempDir();
    const p = writeFile(dir, 'sc.extxyz', [...frame(0.2), ...frame(1.1)].join('\n') + '\n');
    const r = repap(['rdf', p, '--r-max', '4', '--bins', '80', '--out', join(dir, 'out')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/first peak: r = 2\.525 Å/);
    const rows = readFileSync(join(dir, 'out/sc.rdf.csv'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rows[0]).toBe('r_center,g');
    const g = rows.slice(1).map((l) => l.split(',').map(Number));
    expect(g).toHaveLength(80);
    const dr = 0.05, V = L ** 3;
    const shell = (k: number): number => (4 / 3) * Math.PI * ((k + 1) ** 3 - k ** 3) * dr ** 3;
    const k1 = Math.floor(a / dr), k2 = Math.floor((a * Math.SQRT2) / dr);
    for (let k = 0; k < 80; k++) {
      const want = k === k1 ? (6 * V) / ((N - 1) * shell(k)) : k === k2 ? (12 * V) / ((N - 1) * shell(k)) : 0;
      expect(g[k][0]).toBeCloseTo((k + 0.5) * dr, 10);
      expect(g[k][1], `bin ${k}`).toBeCloseTo(want, 9);
    }
    const svg = readFileSync(join(dir, 'out/sc.rdf.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('r (Å)');
  });
});

describe('repap eval', () => {
  it('compares two MD samples: energies match LAMMPS, random is far worse than MD', () => {
    const dir = tempDir();
    const genFrames = Array.from({ length: 40 }, (_, i) => 10 * i);
    const refFrames = Array.from({ length: 60 }, (_, i) => 1000 + 10 * i);
    const gen = writeFile(dir, 'gen.extxyz', mdFramesExtxyz(genFrames));
    const ref = writeFile(dir, 'ref.extxyz', mdFramesExtxyz(refFrames));
    const json = join(dir, 'eval.json');
    const r = repap(['eval', gen, ref, '--json', json]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Err_RDF/);
    expect(r.out).toMatch(/E_SW mean \(eV\/atom\)/);
    expect(r.out).toMatch(/MD: all 60 reference frames/);
    const ev = JSON.parse(readFileSync(json, 'utf8'));
    // SW energies against LAMMPS' per-frame values (float32 positions: within 1e-4 eV/atom).
    const e = mdEnergyPerAtom();
    const mean = (fr: number[]): number => fr.reduce((s, f) => s + e.get(f)!, 0) / fr.length;
    expect(ev.generated.energyPerAtom.mean).toBeCloseTo(mean(genFrames), 4);
    expect(ev.reference.energyPerAtom.mean).toBeCloseTo(mean(refFrames), 4);
    // The same glass: first peak within one bin of the data README's 2.375 Å; the broad second
    // peak (3.775 Å over all 40,000 frames) within two bins for these few frames.
    for (const s of [ev.generated, ev.reference]) {
      expect(Math.abs(s.peaks.first.r - 2.375)).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(Math.abs(s.peaks.second.r - 3.775)).toBeLessThanOrEqual(0.1 + 1e-9);
    }
    // MD vs MD is far closer than random vs MD.
    expect(ev.generated.errRdf.poster).toBeLessThan(ev.random.errRdf.poster / 20);
    expect(ev.random.errRdf.poster).toBeGreaterThan(1);
    // 50,000 random structures: close to the ideal-gas limit g = 1, computed here independently.
    const ones = ev.rdf.reference.reduce((acc: number, g: number, k: number) => acc + (1 - g) ** 2 / (k + 1), 0);
    expect(ev.idealGasErrRdf.poster).toBeCloseTo(ones, 10);
    expect(Math.abs(ev.random.errRdf.poster / ones - 1)).toBeLessThan(0.15);
    expect(ev.random.nStructures).toBe(50000);
    expect(ev.generated.closePairPercent).toBe(0);
    expect(ev.random.closePairPercent).toBeGreaterThan(50);
    // Coordination fractions sum to 1.
    const sum = Object.values(ev.generated.coordination as Record<string, number>).reduce((s, v) => s + v, 0);
    expect(sum).toBeCloseTo(1, 12);
    expect(ev.r).toHaveLength(160);
  });
  it('refuses structures of different systems', () => {
    const dir = tempDir();
    const gen = writeFile(dir, 'two.extxyz', '2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T T T"\nSi 0 0 0\nSi 2.3 0 0\n');
    const ref = writeFile(dir, 'ref.extxyz', mdFramesExtxyz([0, 1]));
    const r = repap(['eval', gen, ref]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/2 atoms per structure but the reference has 30/);
    expectOneLineError(r.err);
  });
});

describe('embedded assets', () => {
  it.skipIf(sharedDataMissing('a-si-30-sw-300K.positions.f32'))('reference.f32 is frames 36000, 36002, ..., 39998 of the MD positions', () => {
    const root = join(__dirname, '../..');
    const meta = JSON.parse(readFileSync(join(root, 'assets/a-si-30-sw-300K/reference.json'), 'utf8'));
    expect(meta.shape).toEqual([2000, 30, 3]);
    const ref = readFileSync(join(root, 'assets/a-si-30-sw-300K/reference.f32'));
    const src = readFileSync(sharedData('a-si-30-sw-300K.positions.f32'));
    const { start, stop, step } = meta.source.frames;
    expect([start, stop, step]).toEqual([36000, 40000, 2]);
    for (let i = 0; i < 2000; i++) {
      const f = start + i * step;
      expect(ref.subarray(i * 360, (i + 1) * 360).equals(src.subarray(f * 360, (f + 1) * 360)), `frame ${i}`).toBe(true);
    }
    expect(existsSync(join(root, 'assets/a-si-30-sw-300K/reference.json'))).toBe(true);
  });
});
