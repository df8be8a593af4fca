/**
 * Seeded fuzzing of every reader (the inputs that found the crashes of
 * test/io/bad-input.test.ts). Small valid files are mutated (a token replaced
 * by a hostile value, lines dropped, doubled or swapped, the text cut short);
 * each reader must either return a consistent trajectory or throw a plain
 * Error that names the input, never a RangeError/TypeError, a hang, or a
 * fatal allocation. 4 x 1,000 cases, a few seconds.
 */
import { describe, expect, it } from 'vitest';
import { readExtxyz, readLammpsDump, readPoscar, readRawFrames } from '../../src/io/index.js';
import { atomicNumber } from '../../src/structure/elements.js';
import type { Trajectory } from '../../src/structure/trajectory.js';
import { rng } from '../support/rng.js';


const HOSTILE = [
  '1e308', '-1e308', '99999999999', '100000000', '4294967297', '-1', '0', '-0', '1.5', 'nan', 'NaN', 'inf', '-inf',
  'abc', '', '1e-320', 'Q', 'Xx', 'X', '"', '=', '""', 'T', 'F', '0x10', '1_0', '١', 'pe', 'xy', 'ITEM:', '\t',
];

function mutate(text: string, r: () => number): string {
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  let lines = text.split('\n');
  const rounds = 1 + Math.floor(r() * 3);
  for (let k = 0; k < rounds; k++) {
    const op = Math.floor(r() * 6);
    const li = Math.floor(r() * lines.length);
    if (op <= 1) {
      // replace one token of a line (the most common and most telling mutation)
      const toks = lines[li].split(/(\s+)/);
      const words = toks.map((t, i) => (/\S/.test(t) ? i : -1)).filter((i) => i >= 0);
      if (words.length > 0) toks[pick(words)] = pick(HOSTILE);
      else toks.push(pick(HOSTILE));
      lines[li] = toks.join('');
    } else if (op === 2) lines.splice(li, 1);
    else if (op === 3) lines.splice(li, 0, lines[li]);
    else if (op === 4) {
      const lj = Math.floor(r() * lines.length);
      [lines[li], lines[lj]] = [lines[lj], lines[li]];
    } else {
      const joined = lines.join('\n');
      lines = joined.slice(0, Math.floor(r() * joined.length)).split('\n');
    }
  }
  return lines.join('\n');
}

/** A trajectory every layer can trust. */
function checkConsistent(t: Trajectory, what: string): void {
  expect(Number.isInteger(t.nFrames) && t.nFrames >= 1, what).toBe(true);
  expect(Number.isInteger(t.nAtoms) && t.nAtoms >= 1, what).toBe(true);
  expect(t.positions.length, what).toBe(t.nFrames * t.nAtoms * 3);
  for (let i = 0; i < t.positions.length; i++) if (!Number.isFinite(t.positions[i])) throw new Error(`${what}: non-finite position ${i}`);
  expect(t.species, what).toHaveLength(t.nAtoms);
  for (const s of t.species) expect(atomicNumber(s), `${what}: species ${s}`).toBeGreaterThanOrEqual(0);
  expect(t.info, what).toHaveLength(t.nFrames);
  if (t.cell) for (const row of t.cell) for (const v of row) expect(Number.isFinite(v), what).toBe(true);
}

/** Replaces one value of the JSON document (a leaf or a whole member) with a hostile one. */
function mutateJson(text: string, r: () => number): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const values: unknown[] = [1e308, -1, 0, 1.5, 99999999999, 'abc', 'Q', 'X', null, [], {}, [1, 2], [[1, 2, 3]], true, 'float16', 'big', [2, 2, 3], [1, 4, 3], [4, 1, 3], [[0, 0, 0], [0, 5, 0], [0, 0, 5]]];
  const keys = Object.keys(doc);
  for (let k = 0; k < 1 + Math.floor(r() * 2); k++) {
    const key = keys[Math.floor(r() * keys.length)];
    const v = doc[key];
    const replacement: unknown = JSON.parse(JSON.stringify(values[Math.floor(r() * values.length)]));
    if (Array.isArray(v) && v.length > 0 && r() < 0.5) {
      const i = Math.floor(r() * v.length);
      if (Array.isArray(v[i]) && r() < 0.5) (v[i] as unknown[])[Math.floor(r() * (v[i] as unknown[]).length)] = replacement;
      else v[i] = replacement;
    } else if (r() < 0.1) delete doc[key];
    else doc[key] = replacement;
  }
  return JSON.stringify(doc);
}

/** Runs `read` on `cases` mutants of `seedText`; every outcome must be a consistent trajectory or a named Error. */
function fuzz(
  name: string, seedText: string, source: string, read: (text: string) => Trajectory, cases: number, seed: number,
  mutation: (text: string, r: () => number) => string = mutate,
): { ok: number; errors: number } {
  checkConsistent(read(seedText), `${name}: the unmutated file`);
  const r = rng(seed);
  let ok = 0, errors = 0;
  for (let c = 0; c < cases; c++) {
    const text = mutation(seedText, r);
    const what = `${name} case ${c} (seed ${seed}): ${JSON.stringify(text.slice(0, 300))}`;
    let t: Trajectory;
    try {
      t = read(text);
    } catch (e) {
      errors++;
      if (!(e instanceof Error) || e instanceof RangeError || e instanceof TypeError || e instanceof SyntaxError) {
        throw new Error(`${what}: threw ${String((e as Error)?.name)} ${String((e as Error)?.message)}`);
      }
      if (!e.message.startsWith(source)) throw new Error(`${what}: the error does not name the input: ${e.message}`);
      continue;
    }
    checkConsistent(t, what);
    ok++;
  }
  return { ok, errors };
}

const EXTXYZ = [
  '3',
  'Lattice="5.43 0.0 0.0 0.0 5.43 0.0 0.0 0.0 5.43" Properties=species:S:1:pos:R:3:forces:R:3 energy=-12.5 pbc="T T T"',
  'Si 0.0 0.0 0.0 0.1 0.2 0.3',
  'Si 1.3575 1.3575 1.3575 0 0 0',
  'O 2.715 2.715 0.0 1 1 1',
  '3',
  'Lattice="5.43 0.0 0.0 0.0 5.43 0.0 0.0 0.0 5.43" Properties=species:S:1:pos:R:3:forces:R:3 energy=-12.4 pbc="T T T"',
  'Si 0.1 0.0 0.0 0.1 0.2 0.3',
  'Si 1.3575 1.4 1.3575 0 0 0',
  'O 2.715 2.715 0.1 1 1 1',
  '',
].join('\n');

const POSCAR = ['Si2 O', '1.0', '5.43 0 0', '0 5.43 0', '0 0 5.43', 'Si O', '2 1', 'Selective dynamics', 'Direct', '0 0 0 T T T', '0.25 0.25 0.25 F F F', '0.5 0.5 0 T T T', ''].join('\n');

const DUMP = [
  'ITEM: TIMESTEP', '0', 'ITEM: NUMBER OF ATOMS', '3', 'ITEM: BOX BOUNDS pp pp pp', '0 5.43', '0 5.43', '0 5.43',
  'ITEM: ATOMS id type x y z', '2 1 1.3 1.3 1.3', '1 1 0 0 0', '3 2 2.7 2.7 0',
  'ITEM: TIMESTEP', '10', 'ITEM: NUMBER OF ATOMS', '3', 'ITEM: BOX BOUNDS pp pp pp', '0 5.43', '0 5.43', '0 5.43',
  'ITEM: ATOMS id type x y z', '1 1 0 0 0.1', '3 2 2.7 2.7 0', '2 1 1.35 1.3 1.3', '',
].join('\n');

const SIDECAR = JSON.stringify({ shape: [2, 2, 3], dtype: 'float32', species: ['Si', 'O'], cell: [[5, 0, 0], [0, 5, 0], [0, 0, 5]], pbc: [true, true, true] }, null, 1);

describe('reader fuzzing (seeded)', () => {
  it('extxyz: 1,000 mutants', () => {
    const s = fuzz('extxyz', EXTXYZ, 'f.extxyz', (t) => readExtxyz(t, { source: 'f.extxyz' }), 1000, 1);
    expect(s.ok).toBeGreaterThan(20); // the mutations leave some files valid: the property is checked on both sides
    expect(s.errors).toBeGreaterThan(300);
  });
  it('POSCAR: 1,000 mutants', () => {
    const s = fuzz('poscar', POSCAR, 'POSCAR', (t) => readPoscar(t, { source: 'POSCAR' }), 1000, 2);
    expect(s.ok).toBeGreaterThan(20);
    expect(s.errors).toBeGreaterThan(300);
  });
  it('LAMMPS dump: 1,000 mutants', () => {
    const s = fuzz('lammps', DUMP, 'f.lammpstrj', (t) => readLammpsDump(t, { source: 'f.lammpstrj', typeToSpecies: ['Si', 'O'] }), 1000, 3);
    expect(s.ok).toBeGreaterThan(20);
    expect(s.errors).toBeGreaterThan(300);
  });
  it('raw frames sidecar: 1,000 mutants', () => {
    const bytes = new Float32Array([0, 0, 0, 1, 1, 1, 0.5, 0, 0, 1, 1.5, 1]);
    const s = fuzz('raw', SIDECAR, 'f.f32', (t) => readRawFrames(bytes, t, { source: 'f.f32' }), 1000, 4, mutateJson);
    expect(s.ok).toBeGreaterThan(20);
    expect(s.errors).toBeGreaterThan(300);
  });
});
