import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readExtxyz, writeExtxyz } from '../../src/io/index.js';
import { trajectoryFromArrays } from '../../src/structure/index.js';
import { dataFile, sharedDataFull } from '../support/shared-data.js';

// ../shared/data when present, else the first 5 frames in test/fixtures/shared-head
const FRAMES = sharedDataFull('a-si-30-sw-300K.extxyz.gz') ? 40000 : 5;

/** The first `n` frames of a gzipped extxyz file, as text. */
function headFrames(file: string, n: number): string {
  const text = gunzipSync(readFileSync(dataFile(file))).toString('utf8');
  const lines = text.split('\n');
  const nAtoms = Number(lines[0]);
  return lines.slice(0, n * (nAtoms + 2)).join('\n') + '\n';
}

const SAMPLE = [
  '3',
  `Lattice="4.0 0.0 0.0 0.5 5.0 0.0 0.0 0.25 6.0" Properties=pos:R:3:Z:I:1:charge:R:1:fixed:L:1:name:S:1 energy=-1.5 step=7 title="two words" flag=T other=False arr="1 2 3" farr={1.5 -2e-3} pbc="T T F" bare`,
  '  0.0  0.1  0.2   14  0.5  T  a',
  '  1.0  1.1  1.2    8 -0.5  F  b',
  '  2.0  2.1  2.2    8  0.0  True c',
  '3',
  `Lattice="4.0 0.0 0.0 0.5 5.0 0.0 0.0 0.25 6.0" Properties=pos:R:3:Z:I:1:charge:R:1:fixed:L:1:name:S:1 energy=-1.25 step=8 title='x' flag=F other=F arr="4 5 6" farr={0 1} pbc="T T F" bare`,
  '  0.5  0.1  0.2   14  0.5  T  a',
  '  1.5  1.1  1.2    8 -0.5  F  b',
  '  2.5  2.1  2.2    8  0.0  False c',
  '',
].join('\n');

describe('readExtxyz', () => {
  it('reads columns in any order, Z instead of species, extra columns and typed info', () => {
    const t = readExtxyz(SAMPLE, { source: 'sample.extxyz' });
    expect(t.nFrames).toBe(2);
    expect(t.nAtoms).toBe(3);
    expect(t.species).toEqual(['Si', 'O', 'O']);
    expect(t.cell).toEqual([[4, 0, 0], [0.5, 5, 0], [0, 0.25, 6]]);
    expect(t.pbc).toEqual([true, true, false]);
    expect(Array.from(t.positions.subarray(9, 12))).toEqual([0.5, 0.1, 0.2]);
    expect(t.info[0]).toEqual({ energy: -1.5, step: 7, title: 'two words', flag: true, other: false, arr: [1, 2, 3], farr: [1.5, -2e-3], bare: true });
    expect(t.info[1].title).toBe('x');
    expect(t.info[1].other).toBe(false);
    expect(t.arrays!.charges.type).toBe('R');
    expect(Array.from(t.arrays!.charges.data as Float64Array)).toEqual([0.5, -0.5, 0, 0.5, -0.5, 0]);
    expect(Array.from(t.arrays!.fixed.data as Uint8Array)).toEqual([1, 0, 1, 1, 0, 0]);
    expect(t.arrays!.name.data).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('parses numbers to exactly the doubles Number() gives', () => {
    const values = ['0.1', '-0.000000', '123456789.123456789', '1e-30', '6.02214076e23', '-2.5E+3', '.5', '7.', '00012.50', '0.30000000000000004', '9007199254740993'];
    const text = `${values.length}\nProperties=species:S:1:pos:R:3\n` + values.map((v) => `H ${v} 0 ${v}`).join('\n') + '\n';
    const t = readExtxyz(text);
    values.forEach((v, i) => {
      expect(Object.is(t.positions[3 * i], Number(v))).toBe(true);
      expect(Object.is(t.positions[3 * i + 2], Number(v))).toBe(true);
    });
  });

  it('reads the shared a-Si data: positions match the float32 file and energies the frames CSV', () => {
    const n = Math.min(200, FRAMES);
    const t = readExtxyz(headFrames('a-si-30-sw-300K.extxyz.gz', n), { source: 'a-si-30-sw-300K.extxyz.gz' });
    expect(t.nFrames).toBe(n);
    expect(t.nAtoms).toBe(30);
    expect(t.species.every((s) => s === 'Si')).toBe(true);
    const L = 8.43656254268594;
    for (let i = 0; i < 3; i++) expect(t.cell![i][i]).toBeCloseTo(L, 9);
    const raw = readFileSync(dataFile('a-si-30-sw-300K.positions.f32'));
    const f32 = new Float32Array(raw.buffer, raw.byteOffset, n * 30 * 3);
    let maxDiff = 0;
    for (let i = 0; i < f32.length; i++) maxDiff = Math.max(maxDiff, Math.abs(f32[i] - t.positions[i]));
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    const csv = gunzipSync(readFileSync(dataFile('a-si-30-sw-300K.frames.csv.gz'))).toString('utf8').trim().split('\n');
    const header = csv[0].split(',');
    const col = header.indexOf('pe_eV');
    const stepCol = header.indexOf('step');
    for (let f = 0; f < n; f++) {
      const row = csv[f + 1].split(',');
      expect(t.info[f].energy as number).toBeCloseTo(Number(row[col]), 6);
      expect(t.info[f].step).toBe(Number(row[stepCol]));
    }
  });

  it('float32 dtype stores Math.fround of the float64 values', () => {
    const text = headFrames('a-si-30-sw-300K.extxyz.gz', 5);
    const a = readExtxyz(text);
    const b = readExtxyz(text, { dtype: 'float32' });
    expect(b.positions).toBeInstanceOf(Float32Array);
    expect(Array.from(b.positions)).toEqual(Array.from(a.positions, Math.fround));
  });

  it('round-trips its own output exactly (float64), also with CRLF line ends', () => {
    const t = readExtxyz(SAMPLE);
    const text = writeExtxyz(t);
    const back = readExtxyz(text);
    expect(back).toEqual(t);
    expect(readExtxyz(text.replace(/\n/g, '\r\n'))).toEqual(t);
  });

  it('keeps the sign of negative zero and extreme magnitudes through a write and read', () => {
    const values = [-0, 0, 5e-324, 1.7976931348623157e308, -1e-300, 123456789012345680000];
    const t = trajectoryFromArrays({ positions: [values.slice(0, 3), values.slice(3)], species: 'H' });
    const back = readExtxyz(writeExtxyz(t));
    Array.from(back.positions).forEach((v, i) => expect(Object.is(v, values[i])).toBe(true));
  });

  it('writes a fixed number of decimals when asked, like ASE', () => {
    const t = trajectoryFromArrays({ positions: [[1 / 3, 2, -0.5]], species: ['Si'], cell: [[5, 0, 0], [0, 5, 0], [0, 0, 5]] });
    const text = writeExtxyz(t, { precision: 8 });
    expect(text.split('\n')[2]).toBe('Si 0.33333333 2.00000000 -0.50000000');
    expect(text.split('\n')[1]).toBe('Lattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T T T"');
  });
});

describe('writeExtxyz bad input', () => {
  it('rejects NaN positions and an impossible precision, naming what is wrong', () => {
    const t = trajectoryFromArrays({ positions: [[[0, 0, 0], [1, 1, 1]]], species: 'Si' });
    expect(() => writeExtxyz(t, { precision: -1 })).toThrow(/precision is -1; expected an integer number of decimals from 0 to 20/);
    (t.positions as Float64Array)[4] = NaN;
    expect(() => writeExtxyz(t)).toThrow(/writeExtxyz: frame 0, atom 1, axis y is NaN; expected a finite coordinate/);
  });
});

describe('readExtxyz bad input: errors name the source, the line and what is expected', () => {
  const good = '2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nSi 0 0 0\nSi 1 1 1\n';
  const src = { source: 'bad.extxyz' };

  it('NaN and Inf coordinates', () => {
    expect(() => readExtxyz(good.replace('Si 1 1 1', 'Si 1 nan 1'), src)).toThrow(/bad\.extxyz:4: atom 1 of frame 0: column pos y is "nan"; expected a number/);
    expect(() => readExtxyz(good.replace('Si 1 1 1', 'Si 1 1 inf'), src)).toThrow(/bad\.extxyz:4: .*pos z is "inf"/);
    expect(() => readExtxyz(good.replace('Si 0 0 0', 'Si 0 1e999 0'), src)).toThrow(/bad\.extxyz:3: .*pos y is "1e999"; expected a finite coordinate/);
  });

  it('a frame whose atom count differs', () => {
    const text = good + '3\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nSi 0 0 0\nSi 1 1 1\nSi 2 2 2\n';
    expect(() => readExtxyz(text, src)).toThrow(/bad\.extxyz:5: frame 1 has 3 atoms but frame 0 has 2/);
  });

  it('more atom lines than the count says', () => {
    const text = '1\nProperties=species:S:1:pos:R:3\nSi 0 0 0\nSi 1 1 1\n';
    expect(() => readExtxyz(text, src)).toThrow(/bad\.extxyz:4: expected the atom count of frame 1 .*frame 0 may have more atom lines/);
  });

  it('empty and truncated files', () => {
    expect(() => readExtxyz('', src)).toThrow(/bad\.extxyz: the file is empty; expected an extxyz frame/);
    expect(() => readExtxyz('\n  \n', src)).toThrow(/the file is empty/);
    expect(() => readExtxyz(good.split('\n').slice(0, 3).join('\n') + '\n', src)).toThrow(/bad\.extxyz:1: frame 0 is truncated: its count line says 2 atoms but the file ends after 1 atom line/);
    expect(() => readExtxyz('2\n', src)).toThrow(/truncated/);
    expect(() => readExtxyz(good + '2\n', src)).toThrow(/bad\.extxyz:5: frame 1 is truncated/);
  });

  it('a line with too few columns', () => {
    expect(() => readExtxyz(good.replace('Si 1 1 1', 'Si 1 1'), src)).toThrow(/bad\.extxyz:4: .*pos z is nothing \(the line ends\)/);
  });

  it('a Lattice with the wrong number of values', () => {
    expect(() => readExtxyz(good.replace('5 0 0 0 5 0 0 0 5', '5 0 0 0 5 0 0 0'), src)).toThrow(
      /bad\.extxyz:2: Lattice="5 0 0 0 5 0 0 0" has 8 values; expected 9 finite numbers/,
    );
    expect(() => readExtxyz(good.replace('5 0 0 0 5 0 0 0 5', 'a b c'), src)).toThrow(/bad\.extxyz:2: Lattice="a b c"/);
  });

  it('an unknown column type and a missing pos column', () => {
    expect(() => readExtxyz(good.replace('pos:R:3', 'pos:R:3:foo:X:1'), src)).toThrow(/bad\.extxyz:2: unknown column type 'X' for property foo .*expected R \(real\), I \(integer\), S \(string\) or L \(logical\)/);
    expect(() => readExtxyz(good.replace(':pos:R:3', ':posx:R:3'), src)).toThrow(/bad\.extxyz:2: .*no pos:R:3 column/);
    expect(() => readExtxyz(good.replace('pos:R:3', 'pos:R:two'), src)).toThrow(/expected a positive integer/);
  });

  it('a cell or species that changes between frames', () => {
    const f2 = '2\nLattice="6 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nSi 0 0 0\nSi 1 1 1\n';
    expect(() => readExtxyz(good + f2, src)).toThrow(/bad\.extxyz:6: frame 1 has Lattice="6 0 0 0 5 0 0 0 5" but frame 0 has Lattice="5 0 0 0 5 0 0 0 5"; a repap trajectory has one cell/);
    const f3 = '2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nSi 0 0 0\nGe 1 1 1\n';
    expect(() => readExtxyz(good + f3, src)).toThrow(/bad\.extxyz:8: atom 1 of frame 1 is "Ge" but it is "Si" in frame 0/);
  });

  it('a malformed count line and bad integer/logical columns', () => {
    expect(() => readExtxyz('two\nx\n', src)).toThrow(/bad\.extxyz:1: expected the atom count of frame 0 .*found "two"/);
    expect(() => readExtxyz(good.replace('pos:R:3', 'pos:R:3:t:I:1').replace('Si 1 1 1', 'Si 1 1 1 1.5').replace('Si 0 0 0', 'Si 0 0 0 1'), src)).toThrow(/bad\.extxyz:4: column t is "1\.5"; expected an integer/);
    expect(() => readExtxyz(good.replace('pos:R:3', 'pos:R:3:m:L:1').replace('Si 1 1 1', 'Si 1 1 1 yes').replace('Si 0 0 0', 'Si 0 0 0 T'), src)).toThrow(/bad\.extxyz:4: column m is "yes"; expected a logical T or F/);
  });

  it('pbc without a Lattice', () => {
    expect(() => readExtxyz('1\nProperties=species:S:1:pos:R:3 pbc="T T T"\nH 0 0 0\n', src)).toThrow(/bad\.extxyz:2: pbc="T T T" but there is no Lattice/);
  });
});

describe('ExtxyzReader (incremental)', () => {
  it('gives the same trajectory for any split of the text into pieces', async () => {
    const { ExtxyzReader } = await import('../../src/io/index.js');
    const whole = readExtxyz(SAMPLE);
    for (let cut = 0; cut <= SAMPLE.length; cut++) {
      const r = new ExtxyzReader();
      r.push(SAMPLE.slice(0, cut));
      r.push(SAMPLE.slice(cut));
      expect(r.finish()).toEqual(whole);
    }
    // many small pieces and a size guess that is too small, then too large
    const text = headFrames('a-si-30-sw-300K.extxyz.gz', Math.min(50, FRAMES));
    const ref = readExtxyz(text);
    for (const expectedLength of [0, 1000, text.length, text.length * 3]) {
      const r = new ExtxyzReader({ expectedLength, dtype: 'float64' });
      for (let i = 0; i < text.length; i += 777) r.push(text.slice(i, i + 777));
      const t = r.finish();
      expect(t.positions.length).toBe(ref.positions.length);
      expect(t).toEqual(ref);
    }
  });

  it('reports a truncated last frame with its line at finish', async () => {
    const { ExtxyzReader } = await import('../../src/io/index.js');
    const r = new ExtxyzReader({ source: 's.extxyz' });
    r.push(SAMPLE.slice(0, SAMPLE.lastIndexOf('  2.5  2.1')));
    expect(() => r.finish()).toThrow(/s\.extxyz:6: frame 1 is truncated: its count line says 3 atoms but the file ends after 2 atom lines/);
    expect(() => new ExtxyzReader({ source: 'e' }).finish()).toThrow(/e: the file is empty/);
  });
});
