/**
 * The command line as a script sees it: `repap info` and `repap convert`
 * against ASE, `--json [file|-]` on every command, `-` as stdin and stdout,
 * `--out` checked before any work, exit codes (2 bad input, 1 internal), help
 * that documents what the parser accepts, streamed `sample` output, and
 * errors that suggest only options the CLI has.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import { CONVERT_HELP, DEMO_HELP, EVAL_HELP, INFO_HELP, RDF_HELP, SAMPLE_HELP, TRAIN_HELP } from '../../src/cli/help.js';
import { selectFrameSpec } from '../../src/cli/frames.js';
import { readExtxyz } from '../../src/io/index.js';
import { findPython } from '../support/python.js';

const root = resolve(__dirname, '../..');
const embeddedModel = join(root, 'assets/a-si-30-sw-300K/model');
const ase = findPython(['ase', 'numpy']);

/** Runs the CLI in this process; returns the exit code and what it printed. */
async function run(argv: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  const text = { out: '', err: '' };
  const stream = (key: 'out' | 'err') => ({ write: (s: string | Uint8Array) => ((text[key] += String(s)), true), once: () => undefined }) as unknown as CliIO['out'];
  const before = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    const code = await main(argv, { out: stream('out'), err: stream('err') });
    return { code, ...text };
  } finally {
    if (cwd) process.chdir(before);
  }
}

/** Runs the CLI from source in a child process, with `input` on stdin. */
function spawnCli(argv: string[], input?: string | Buffer, cwd = root): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/index.ts'), ...argv], {
    cwd, input, encoding: 'utf8', timeout: 120_000, env: { ...process.env, REPAP_PROGRESS_INTERVAL: '0' },
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'repap-cmd-'));
}

/** `n` frames of 4 atoms (Si, Si, O, X) in a 6 Å cell, with energy and a forces column. */
function sampleExtxyz(n: number): string {
  const lines: string[] = [];
  for (let f = 0; f < n; f++) {
    lines.push('4', `Lattice="6.0 0.0 0.0 0.0 6.5 0.0 0.5 0.0 7.0" Properties=species:S:1:pos:R:3:forces:R:3 energy=${(-10 - 0.25 * f).toFixed(2)} step=${f} pbc="T T F"`);
    for (let a = 0; a < 4; a++) lines.push(`${['Si', 'Si', 'O', 'X'][a]} ${(0.1 * f + a).toFixed(3)} ${(0.2 * a).toFixed(3)} ${(0.05 * f * a).toFixed(3)} ${f} ${a} 0.5`);
  }
  return lines.join('\n') + '\n';
}

/** Runs ASE on `path` and returns its view: frames (positions), symbols, cell, pbc, info keys, energies. */
function aseRead(path: string, index: string): { positions: number[][][]; symbols: string[]; cell: number[][]; pbc: boolean[]; keys: string[]; energies: number[] } {
  const script = `
import json, sys
from ase.io import read
images = read(sys.argv[1], index=sys.argv[2])
if not isinstance(images, list): images = [images]
print(json.dumps({'positions': [a.get_positions().tolist() for a in images], 'symbols': images[0].get_chemical_symbols(),
  'cell': images[0].cell.array.tolist(), 'pbc': [bool(x) for x in images[0].pbc], 'keys': sorted(images[0].info.keys()),
  'energies': [float(a.info['energy']) if 'energy' in a.info else (float(a.calc.get_potential_energy()) if a.calc else None) for a in images]}))
`;
  const r = spawnSync(ase.python!, ['-c', script, path, index], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('repap info', () => {
  it('reports frames, atoms, species, cell, pbc, info keys, energy range; --json - is the only thing on stdout', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.extxyz');
    writeFileSync(path, sampleExtxyz(5));
    const text = await run(['info', path]);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/frames\s+5\n/);
    expect(text.out).toMatch(/atoms\s+4 \(Si2O1X1\)/);
    expect(text.out).toMatch(/pbc\s+T T F/);
    expect(text.out).toMatch(/energy \(eV\) -11 to -10, mean -10\.5 \(5 frames\)/);
    const r = await run(['info', path, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(r.err).toMatch(/frames\s+5/); // the text went to stderr
    expect(doc).toMatchObject({
      schema: 'repap.info/1', file: path, format: 'extxyz', frames: 5, atoms: 4, species: { Si: 2, O: 1, X: 1 }, formula: 'Si2O1X1',
      cell: [[6, 0, 0], [0, 6.5, 0], [0.5, 0, 7]], pbc: [true, true, false], volume: 273, arrays: [{ name: 'forces', type: 'R', columns: 3 }],
      energy: { min: -11, max: -10, mean: -10.5, frames: 5, perAtom: { min: -2.75, max: -2.5 } },
    });
    expect(doc.infoKeys).toEqual(['energy', 'step']);
  });
  it.skipIf(ase.missing !== null)('agrees with ASE on the same file', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.extxyz');
    writeFileSync(path, sampleExtxyz(7).replace(/ X /g, ' C '));
    const doc = JSON.parse((await run(['info', path, '--json'])).out);
    const a = aseRead(path, ':');
    expect(doc.frames).toBe(a.positions.length);
    expect(doc.atoms).toBe(a.symbols.length);
    const counts: Record<string, number> = {};
    for (const s of a.symbols) counts[s] = (counts[s] ?? 0) + 1;
    expect(doc.species).toEqual(counts);
    expect(doc.cell).toEqual(a.cell);
    expect(doc.pbc).toEqual(a.pbc);
    expect(doc.energy.min).toBeCloseTo(Math.min(...a.energies), 12);
    expect(doc.energy.max).toBeCloseTo(Math.max(...a.energies), 12);
    // ASE moves energy into a calculator; the other keys are info keys in both
    expect(doc.infoKeys.filter((k: string) => k !== 'energy')).toEqual(a.keys.filter((k) => k !== 'energy'));
  });
  it("reads '-' as stdin (plain or gzip-compressed extxyz)", async () => {
    const r = spawnCli(['info', '-', '--json'], sampleExtxyz(3));
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ file: '-', frames: 3, atoms: 4 });
    const { gzipSync } = await import('node:zlib');
    const z = spawnCli(['info', '-'], gzipSync(sampleExtxyz(2)));
    expect(z.code, z.err).toBe(0);
    expect(z.out).toMatch(/frames\s+2/);
    const empty = spawnCli(['info', '-'], '');
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/stdin is empty/);
  });
});

describe('repap convert', () => {
  it('selects frames with Python slice rules, as ase convert -n', () => {
    const sel = (s: string, n = 10) => Array.from(selectFrameSpec('convert', s, n));
    expect(sel('0:1000:10', 35)).toEqual([0, 10, 20, 30]);
    expect(sel('::3')).toEqual([0, 3, 6, 9]);
    expect(sel('-3:')).toEqual([7, 8, 9]);
    expect(sel('::-4')).toEqual([9, 5, 1]);
    expect(sel('8:2:-3')).toEqual([8, 5]);
    expect(sel('-1')).toEqual([9]);
    expect(sel('4')).toEqual([4]);
    expect(sel(':')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => sel('10')).toThrow(/--frames 10 is out of range; the input has 10 frames/);
    expect(() => sel('::0')).toThrow(/the step cannot be 0/);
    expect(() => sel('5:2')).toThrow(/selects none of the 10 frames/);
    expect(() => sel('a:b')).toThrow(/its start 'a' is not a whole number/);
    expect(() => sel('1:2:3:4')).toThrow(/at most two colons/);
  });
  it.skipIf(ase.missing !== null)('writes the frames ASE reads with the same index, to extxyz and POSCAR', async () => {
    const dir = tempDir();
    const path = join(dir, 'in.extxyz');
    writeFileSync(path, sampleExtxyz(25).replace(/ X /g, ' C '));
    for (const spec of ['2:20:3', '::-4', '7']) {
      const out = join(dir, `out${spec.replace(/[^0-9-]/g, '_')}.extxyz`);
      const r = await run(['convert', path, out, '--frames', spec]);
      expect(r.code, r.err).toBe(0);
      const mine = readExtxyz(readFileSync(out, 'utf8'));
      const a = aseRead(path, spec);
      expect(mine.nFrames, spec).toBe(a.positions.length);
      expect(Array.from(mine.positions), spec).toEqual(a.positions.flat(2));
      expect(mine.info.map((i) => i.step), spec).toEqual(a.positions.map((_, k) => readExtxyz(readFileSync(path, 'utf8')).info[Array.from(selectFrameSpec('t', spec, 25))[k]].step));
      // ASE reads our output back to the same positions
      if (spec === '2:20:3') expect(aseRead(out, ':').positions.flat(2), spec).toEqual(a.positions.flat(2));
    }
    const poscar = join(dir, 'POSCAR');
    expect((await run(['convert', path, poscar])).err).toMatch(/a POSCAR holds one frame but 25 are selected; pick one with --frames/);
    const r = await run(['convert', path, poscar, '--frames', '-1']);
    expect(r.code, r.err).toBe(0);
    const last = aseRead(path, '-1');
    const back = aseRead(poscar, '0');
    for (let i = 0; i < 4; i++) for (let d = 0; d < 3; d++) expect(back.positions[0][i][d]).toBeCloseTo(last.positions[0][i][d], 10);
    expect(back.symbols).toEqual(last.symbols);
  });
  it("converts a LAMMPS dump with --species, and '-' to '-' through a pipe", async () => {
    const dump = 'ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n0 5\n0 5\n0 5\nITEM: ATOMS id type x y z\n2 2 1 1 1\n1 1 0 0 0\n';
    const dir = tempDir();
    const p = join(dir, 'run.lammpstrj');
    writeFileSync(p, dump);
    const noMap = await run(['convert', p, join(dir, 'a.extxyz')]);
    expect(noMap.code).toBe(2);
    expect(noMap.err).toMatch(/pass the symbol of each atom type in order, e\.g\. --species Si/);
    expect(noMap.err).not.toMatch(/\{ typeToSpecies/);
    const ok = await run(['convert', p, '-', '--species', 'Si,O']);
    expect(ok.code, ok.err).toBe(0);
    const t = readExtxyz(ok.out);
    expect(t.species).toEqual(['Si', 'O']);
    expect(existsSync(join(root, '-'))).toBe(false);
    const piped = spawnCli(['convert', '-', '-', '--frames', '1:'], sampleExtxyz(3));
    expect(piped.code, piped.err).toBe(0);
    expect(readExtxyz(piped.out).nFrames).toBe(2);
    expect(piped.err).toMatch(/converted 2 of 3 frames/);
  });
});

describe('--json [file|-] on every command', () => {
  it("'-' and a bare --json mean stdout, FILE.json and --json=FILE a file, never a file named '-'", async () => {
    const dir = tempDir();
    const path = join(dir, 'run.extxyz');
    writeFileSync(path, sampleExtxyz(4));
    for (const args of [['--json'], ['--json', '-'], ['--json=-']]) {
      const r = await run(['rdf', path, '--r-max', '3', '--bins', '30', '--out', dir, ...args], dir);
      expect(r.code, r.err).toBe(0);
      const doc = JSON.parse(r.out);
      expect(doc).toMatchObject({ schema: 'repap.rdf/1', frames: 4, atoms: 4, rMax: 3, nBins: 30, normalization: 'lammps' });
      expect(doc.g).toHaveLength(30);
      expect(readdirSync(dir)).not.toContain('-');
    }
    const r1 = await run(['rdf', path, '--out', dir, '--json', join(dir, 'r.json')]);
    const r2 = await run(['rdf', path, '--out', dir, `--json=${join(dir, 'r2.txt')}`]);
    expect(r1.code + r2.code).toBe(0);
    expect(r1.out).toMatch(/wrote .*r\.json/);
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).g).toEqual(JSON.parse(readFileSync(join(dir, 'r2.txt'), 'utf8')).g);
    const conv = await run(['convert', path, join(dir, 'c.extxyz'), '--json']);
    expect(JSON.parse(conv.out)).toMatchObject({ schema: 'repap.convert/1', inputFrames: 4, frames: 4, outputFormat: 'extxyz' });
  });
  it('sample, eval and demo write their documents; sample streams the same structures to a file and to stdout', async () => {
    const dir = tempDir();
    const file = join(dir, 'gen.extxyz');
    const r = await run(['sample', embeddedModel, '-n', '23', '--batch', '5', '--seed', '3', '-o', file, '--json', join(dir, 's.json')]);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(doc).toMatchObject({ schema: 'repap.sample/1', structures: 23, atoms: 30, seed: 3, output: file });
    const t = readExtxyz(readFileSync(file, 'utf8'));
    expect(t.nFrames).toBe(23);
    expect(t.info.map((i) => i.structure)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(readdirSync(dir).sort()).toEqual(['gen.extxyz', 's.json']); // no temporary file left
    // the batch size changes nothing; stdout gets the same text as the file
    const piped = await run(['sample', embeddedModel, '-n', '23', '--batch', '23', '--seed', '3', '--out', '-']);
    expect(piped.code, piped.err).toBe(0);
    expect(piped.out).toBe(readFileSync(file, 'utf8'));
    expect(piped.err).toMatch(/generated 23 structures/);
    const both = await run(['sample', embeddedModel, '-n', '2', '--out', '-', '--json']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--out - and --json - both write to stdout/);
    const ev = await run(['eval', file, file, '--json', '--seed', '1']);
    expect(ev.code, ev.err).toBe(0);
    expect(JSON.parse(ev.out)).toMatchObject({ schema: 'repap.eval/1', generatedFile: file, referenceFile: file });
  }, 120_000);
});

describe('repap train --json', () => {
  it('writes training.json without the curves, plus the model folder, to stdout; the text goes to stderr', async () => {
    const dir = tempDir();
    const lines: string[] = [];
    for (let f = 0; f < 12; f++) {
      lines.push('3', 'Lattice="6 0 0 0 6 0 0 0 6" Properties=species:S:1:pos:R:3 pbc="T T T"');
      for (let a = 0; a < 3; a++) lines.push(`Si ${((2 * a + 0.01 * f) % 6).toFixed(3)} ${1.5 * a} ${0.7 * a}`);
    }
    writeFileSync(join(dir, 't.extxyz'), lines.join('\n') + '\n');
    const r = await run(['train', join(dir, 't.extxyz'), '-o', join(dir, 'm'), '--units', '4', '--layers', '1', '--grid', '10', '--json']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ schema: 'repap.train/1', trajectory: 't.extxyz', model: join(dir, 'm'), frames: { total: 12, train: 11, validation: 1 } });
    expect(doc.curves).toBeUndefined();
    expect(doc.history.epochs).toHaveLength(1);
    expect(r.err).toMatch(/saved the model to/);
    const record = JSON.parse(readFileSync(join(dir, 'm/training.json'), 'utf8'));
    expect(record.history).toEqual(doc.history);
  }, 120_000);
});

describe('--out is checked before any work, naming --out', () => {
  it('a parent that is a file, or a file where a folder is wanted, fails at once with exit 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    // sample: checked before the model folder is even looked at
    const s = await run(['sample', join(dir, 'no-such-model'), '-n', '5', '--out', join(file, 'gen.extxyz')]);
    expect(s.code).toBe(2);
    expect(s.err).toMatch(/^repap sample: --out '.*afile\/gen\.extxyz' cannot be created: '.*afile' is a file, not a folder; choose another --out\n$/);
    const d = await run(['demo', '-n', '5', '--out', file]);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/^repap demo: --out '.*afile' is a file; expected a folder/);
    const t = await run(['train', join(dir, 'missing.extxyz'), '--out', join(file, 'model')]);
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/repap train: --out .* is a file, not a folder/);
    const rd = await run(['rdf', join(dir, 'missing.extxyz'), '--out', file]);
    expect(rd.err).toMatch(/repap rdf: --out '.*afile' is a file/);
    const j = await run(['info', join(dir, 'missing.extxyz'), '--json', join(file, 'x.json')]);
    expect(j.err).toMatch(/--json '.*afile\/x\.json' cannot be created/);
    const dash = await run(['rdf', join(dir, 'missing.extxyz'), '--out', '-'], dir);
    expect(dash.code).toBe(2);
    expect(dash.err).toMatch(/--out - means stdout, but rdf writes several files; give a folder/);
    expect(readdirSync(dir)).not.toContain('-');
    const c = await run(['convert', join(dir, 'missing.extxyz'), dir]);
    expect(c.err).toMatch(/the output '.*' is a folder; expected a file name/);
  });
  it.skipIf(process.getuid?.() !== 0)('a read-only place fails at once (checked by writing, so it holds for root too)', async () => {
    const dir = tempDir();
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,ro', 'tmpfs', ro]);
    if (m.status !== 0) return; // no mount: nothing to check here
    try {
      const r = await run(['sample', embeddedModel, '-n', '5', '--out', join(ro, 'gen.extxyz')]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/repap sample: --out '.*ro\/gen\.extxyz' is not writable \(EROFS/);
    } finally {
      spawnSync('umount', [ro]);
    }
  });
});

describe('a full disk during repap sample', () => {
  it.skipIf(process.getuid?.() !== 0)('fails naming the file (exit 1) and leaves no partial file (64 KiB tmpfs)', async () => {
    const dir = tempDir();
    const tiny = join(dir, 'tiny');
    mkdirSync(tiny);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', tiny]).status !== 0) return; // cannot mount here
    try {
      // 150 structures of 30 atoms are about 150 KB of extxyz
      const r = await run(['sample', embeddedModel, '-n', '150', '--batch', '50', '--out', join(tiny, 'gen.extxyz')]);
      expect(r.code).toBe(1);
      // the last line (progress lines may come before it in a log)
      expect(r.err.trim().split('\n').pop()).toMatch(/^repap sample: .*gen\.extxyz: cannot write the file \(ENOSPC: no space left on the device\); no partial file was left$/);
      expect(readdirSync(tiny)).toEqual([]);
    } finally {
      spawnSync('umount', [tiny]);
    }
  }, 120_000);
});

describe('exit codes: 2 for bad input, 1 for internal failures', () => {
  it('a model folder with a missing or corrupt part is bad input (2), naming the file', async () => {
    const dir = tempDir();
    for (const [drop, name] of [['weights.bin', 'weights'], ['model.json', 'modeljson'], ['repap.json', 'repap']]) {
      const m = join(dir, name);
      mkdirSync(m);
      for (const f of readdirSync(embeddedModel)) if (f !== drop) copyFileSync(join(embeddedModel, f), join(m, f));
      const r = await run(['sample', m, '-n', '2', '--out', join(dir, 'x.extxyz')]);
      expect(r.code, `${drop}: ${r.err}`).toBe(2);
      expect(r.err, drop).toContain(drop);
    }
    const corrupt = join(dir, 'corrupt');
    mkdirSync(corrupt);
    for (const f of readdirSync(embeddedModel)) copyFileSync(join(embeddedModel, f), join(corrupt, f));
    writeFileSync(join(corrupt, 'repap.json'), '{ not json');
    const r = await run(['sample', corrupt, '-n', '2', '--out', join(dir, 'x.extxyz')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/repap\.json/);
    expect(existsSync(join(dir, 'x.extxyz'))).toBe(false);
  });
  it('rdf --r-max 10000 stops at once with the limit (exit 2), does not hang', async () => {
    const dir = tempDir();
    const path = join(dir, 'run.extxyz');
    writeFileSync(path, sampleExtxyz(2));
    const r = await run(['rdf', path, '--r-max', '10000', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^repap rdf: --r-max = 10000 Å is \d+ times the cell's smallest plane spacing .* above the limit of 1,000,000; use an rMax of a few cell lengths\n$/);
    expect(readdirSync(dir)).toEqual(['run.extxyz']);
  });
  it('errors suggest only options the command line has', async () => {
    const dir = tempDir();
    const dump = join(dir, 'run.lammpstrj');
    writeFileSync(dump, 'ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 5\n0 5\n0 5\nITEM: ATOMS id type x y z\n1 1 0 0 0\n');
    const r = await run(['rdf', dump, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/convert it first: 'repap convert <dump> out\.extxyz --species Si'/);
    const odd = join(dir, 'data.txt');
    writeFileSync(odd, sampleExtxyz(1));
    const e = await run(['rdf', odd, '--out', dir]);
    expect(e.err).toMatch(/cannot tell the file format from the name.*rename the file, or convert it first/);
    const i = await run(['info', odd, '--format', 'extxyz']);
    expect(i.code, i.err).toBe(0);
    const molecule = join(dir, 'molecule.extxyz');
    writeFileSync(molecule, '2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0.74 0 0\n');
    const v = await run(['rdf', molecule, '--out', dir]);
    expect(v.code).toBe(2);
    expect(v.err).toMatch(/no cell \(a molecule\) or a flat one, so g\(r\) has no density to normalise by; give the frames a periodic Lattice/);
    for (const msg of [r.err, e.err, v.err]) expect(msg).not.toMatch(/\{ (format|typeToSpecies|species|sidecar)|options\.volume|`range`/);
    // the encoder's advice for triclinic cells (an API option) becomes what the command line can do
    const { cliHint } = await import('../../src/cli/hints.js');
    const h = cliHint('train', 'AxisProjectionEncoder.fit: config.range is null but the periodic cell is not orthorhombic; axis projections are Cartesian, so pass `range` explicitly (...)');
    expect(h).toEqual({ message: expect.stringMatching(/the command line trains on orthorhombic periodic cells/), userInput: true });
    expect(cliHint('rdf', 'something else')).toEqual({ message: 'something else', userInput: false });
  });
});

describe('help matches the parser', () => {
  const helps: Record<string, string> = { demo: DEMO_HELP, train: TRAIN_HELP, sample: SAMPLE_HELP, rdf: RDF_HELP, eval: EVAL_HELP, info: INFO_HELP, convert: CONVERT_HELP };
  it('every option a help lists is accepted by that command', async () => {
    for (const [cmd, text] of Object.entries(helps)) {
      const names = [...new Set([...text.matchAll(/^\s+(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) => m[1]))].filter((n) => n !== 'help');
      expect(names.length, cmd).toBeGreaterThan(0);
      for (const n of names) {
        let r = await run([cmd, `--${n}=1`, '--help']);
        if (/does not take an argument/.test(r.err)) r = await run([cmd, `--${n}`, '--help']); // a flag
        expect(r.code, `${cmd} --${n}: ${r.err}`).toBe(0);
      }
    }
  });
  it('documents -o, --optimizer, --max-batches and --json, and no longer calls the default optimiser Adam', () => {
    expect(TRAIN_HELP).toMatch(/-o, --out <dir>/);
    expect(TRAIN_HELP).toMatch(/--optimizer <name>\s+rmsprop \(default/);
    expect(TRAIN_HELP).toMatch(/--max-batches <N>/);
    expect(TRAIN_HELP).not.toMatch(/Adam learning rate/);
    for (const [cmd, text] of Object.entries(helps)) expect(text, cmd).toMatch(/--json \[FILE\|-\]/);
    expect(SAMPLE_HELP).toMatch(/-o, --out <file>/);
    expect(RDF_HELP).toMatch(/-o, --out <dir>/);
    expect(DEMO_HELP).toMatch(/-o, --out <dir>/);
  });
});

rmSync(join(tmpdir(), 'repap-cmd-never'), { recursive: true, force: true });
