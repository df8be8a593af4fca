/**
 * Inputs that once got through or crashed Node: huge atom counts, broken LAMMPS
 * boxes and ids, unknown species, non-numeric lattices, flat periodic cells, and
 * RDF requests beyond the stated limits. Each must fail fast with an error that
 * names the input (file:line) and the fix.
 */
import { describe, expect, it } from 'vitest';
import { readExtxyz, readLammpsDump, readPoscar, readRawFrames } from '../../src/io/index.js';
import { radialDistribution } from '../../src/analysis/index.js';
import { RDF_LIMITS } from '../../src/analysis/rdf.js';

const POSCAR = (counts: string): string => `Si\n1.0\n5 0 0\n0 5 0\n0 0 5\nSi\n${counts}\nDirect\n0 0 0\n0.5 0.5 0.5\n`;

function dump(opts: { n?: string; bounds?: string; x?: string; ids?: [number, number]; cols?: string; rows?: string[] } = {}): string {
  const ids = opts.ids ?? [1, 2];
  const rows = opts.rows ?? [`${ids[0]} 1 0 0 0`, `${ids[1]} 1 1 1 1`];
  return `ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n${opts.n ?? rows.length}\nITEM: BOX BOUNDS ${opts.bounds ?? 'pp pp pp'}\n${opts.x ?? '0 5'}\n0 5\n0 5\nITEM: ATOMS ${opts.cols ?? 'id type x y z'}\n${rows.join('\n')}\n`;
}

/** Runs `f`, returns the error it throws. */
function failure(f: () => unknown): { error: Error } {
  try {
    f();
  } catch (e) {
    return { error: e as Error };
  }
  throw new Error('expected an error, got a result');
}

describe('POSCAR atom counts are checked against the file before allocating', () => {
  it.each([
    ['99999999999', /POSCAR:7: the counts "99999999999" add up to 99999999999 atoms but only 3 lines follow/],
    ['100000000', /add up to 100000000 atoms but only 3 lines follow; expected one position line per atom/],
    ['1e308', /POSCAR:7: the counts line is "1e308"; expected non-negative whole numbers written as digits/],
    ['1.5', /counts line is "1\.5"/],
    ['-2', /counts line is "-2"/],
    ['3', /add up to 3 atoms but only 3 lines follow|the file ends here; expected the position of atom 3 of 3/],
  ])('counts %s', (counts, msg) => {
    const { error } = failure(() => readPoscar(POSCAR(counts), { source: 'POSCAR' }));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RangeError);
    expect(error.message).toMatch(msg);
  });
  it('a right count still reads', () => {
    expect(readPoscar(POSCAR('2')).nAtoms).toBe(2);
  });
});

describe('LAMMPS dump', () => {
  const read = (text: string) => readLammpsDump(text, { source: 'run.lammpstrj', typeToSpecies: ['Si'] });
  it('rejects duplicate atom ids in a frame, naming both lines', () => {
    expect(() => read(dump({ ids: [3, 3] }))).toThrow(/^run\.lammpstrj:11: atom id 3 appears twice in frame 0 \(timestep 0\), also on line 10; every atom needs its own id$/);
    // unsorted with a duplicate further on
    const rows = ['5 1 0 0 0', '2 1 1 1 1', '5 1 2 2 2'];
    expect(() => read(dump({ rows }))).toThrow(/run\.lammpstrj:12: atom id 5 appears twice .* also on line 10/);
  });
  it.each(['pp pe pp', 'pp pp', 'pf pp pp', 'p p p', 'pp pp pp pp'])('rejects the boundary flags "%s"', (flags) => {
    expect(() => read(dump({ bounds: flags }))).toThrow(/^run\.lammpstrj:5: ITEM: BOX BOUNDS has boundary flags .*; expected three LAMMPS boundary flags, each pp \(periodic\) or two of f, s, m/);
  });
  it('reads valid boundary flags: pp periodic, f/s/m not', () => {
    expect(read(dump({ bounds: 'pp fs mm' })).pbc).toEqual([true, false, false]);
    expect(read(dump({ bounds: '' })).pbc).toEqual([true, true, true]); // old dumps without flags
  });
  it('rejects xlo >= xhi (a negative or empty cell)', () => {
    expect(() => read(dump({ x: '5 0' }))).toThrow(/^run\.lammpstrj:6: the x bounds are xlo = 5, xhi = 0; expected xlo < xhi$/);
    expect(() => read(dump({ x: '2 2' }))).toThrow(/xlo = 2, xhi = 2/);
  });
  it('rejects NUMBER OF ATOMS 1e308 and counts the file cannot hold, naming the file and line', () => {
    for (const n of ['1e308', '99999999999', '1.5', '0']) {
      const { error } = failure(() => read(dump({ n })));
      expect(error).not.toBeInstanceOf(RangeError);
      expect(error.message, n).toMatch(/^run\.lammpstrj:4: (the number of atoms is "[^"]+"; expected a positive whole number|NUMBER OF ATOMS is \d+ but only \d+ characters follow)/);
    }
    // 1e8 fails on the count check, before allocating (it used to take 12 s and 2.4 GB to fail)
    expect(failure(() => read(dump({ n: '100000000' }))).error.message).toMatch(/^run\.lammpstrj:4: NUMBER OF ATOMS is 100000000 but only \d+ characters follow/);
  });
});

describe('one species rule for every reader: chemical symbols or X (ASE), nothing else', () => {
  const cell = 'Lattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 pbc="T T T"';
  it.each(['Q', 'Xx', 'Foo'])('rejects %s in extxyz, raw frames, POSCAR and LAMMPS dumps', (sym) => {
    const rule = new RegExp(`"${sym}" is not a chemical symbol; expected an element symbol such as Si or O \\(or X for a dummy atom\\), as ASE requires`);
    expect(() => readExtxyz(`1\n${cell}\n${sym} 0 0 0\n`, { source: 'a.extxyz' })).toThrow(new RegExp(`^a\\.extxyz:3: atom 0: species ${rule.source}`));
    expect(() => readRawFrames(new Float32Array(3), JSON.stringify({ shape: [1, 1, 3], species: sym, cell: [[5, 0, 0], [0, 5, 0], [0, 0, 5]] }), { source: 'a.f32' })).toThrow(rule);
    expect(() => readPoscar(POSCAR('2').replace('\nSi\n2', `\n${sym}\n2`), { source: 'POSCAR' })).toThrow(rule);
    expect(() => readLammpsDump(dump(), { source: 'd.dump', typeToSpecies: [sym] })).toThrow(rule);
    expect(() => readLammpsDump(dump({ cols: 'id element x y z', rows: [`1 ${sym} 0 0 0`] }), { source: 'd.dump' })).toThrow(rule);
  });
  it('accepts every element and X (a dummy atom) everywhere', () => {
    expect(readExtxyz(`2\n${cell}\nX 0 0 0\nOg 1 1 1\n`).species).toEqual(['X', 'Og']);
    expect(readRawFrames(new Float32Array(3), JSON.stringify({ shape: [1, 1, 3], species: 'X', cell: [[5, 0, 0], [0, 5, 0], [0, 0, 5]] })).species).toEqual(['X']);
    expect(readPoscar(POSCAR('2').replace('\nSi\n2', '\nX\n2')).species).toEqual(['X', 'X']);
    expect(readLammpsDump(dump(), { typeToSpecies: ['X'] }).species).toEqual(['X', 'X']);
  });
});

describe('extxyz headers', () => {
  it('reports a non-numeric Lattice value as such, not as a count', () => {
    const t = (lat: string) => `1\nLattice="${lat}" Properties=species:S:1:pos:R:3\nSi 0 0 0\n`;
    expect(() => readExtxyz(t('abc 0 0 0 5 0 0 0 5'), { source: 'a.xyz' })).toThrow(/^a\.xyz:2: Lattice="abc 0 0 0 5 0 0 0 5": value 1 is "abc", not a finite number; expected 9 numbers/);
    expect(() => readExtxyz(t('abc'), { source: 'a.xyz' })).toThrow(/value 1 is "abc", not a finite number/);
    expect(() => readExtxyz(t('5 0 0 0 5 0 0 0 nan'), { source: 'a.xyz' })).toThrow(/value 9 is "nan", not a finite number/);
    expect(() => readExtxyz(t('5 0 0 0 5 0 0 0'), { source: 'a.xyz' })).toThrow(/has 8 values; expected 9 finite numbers/);
  });
  it('rejects a flat periodic cell as flat (zero volume), not as "not orthorhombic"', () => {
    const t = (lat: string, pbc: string) => `1\nLattice="${lat}" Properties=species:S:1:pos:R:3 pbc="${pbc}"\nSi 0 0 0\n`;
    expect(() => readExtxyz(t('5 0 0 5 0 0 0 0 5', 'T T T'), { source: 'a.xyz' })).toThrow(/^a\.xyz:2: Lattice="5 0 0 5 0 0 0 0 5" is flat \(zero volume: the periodic lattice vectors are linearly dependent\)/);
    expect(() => readExtxyz(t('5 0 0 0 0 0 0 0 5', 'T T T'), { source: 'a.xyz' })).toThrow(/has a zero lattice vector b but pbc="T T T"/);
    // a zero vector along a non-periodic axis is fine (ASE writes such slabs)
    expect(readExtxyz(t('5 0 0 0 5 0 0 0 0', 'T T F')).pbc).toEqual([true, true, false]);
  });
});

describe('radialDistribution bounds', () => {
  const traj = readExtxyz('2\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nSi 0 0 0\nSi 1 1 1\n');
  it('rejects rMax that needs more periodic images than the limit, at once', () => {
    const { error } = failure(() => radialDistribution(traj, { rMax: 1e4, nBins: 100 }));
    expect(error.message).toMatch(/options\.rMax = 10000 Å is 2000 times the cell's smallest plane spacing \(5\.000 Å\) and needs about 6\.4e\+10 periodic images per pair, above the limit of 1,000,000/);
    expect(() => radialDistribution(traj, { rMax: 1e3, nBins: 100 })).toThrow(/above the limit of 1,000,000/);
  });
  it('rejects nBins above the limit before allocating', () => {
    expect(() => radialDistribution(traj, { rMax: 4, nBins: 1e9 })).toThrow(/options\.nBins = 1000000000 exceeds the limit of 1,000,000 bins/);
    expect(radialDistribution(traj, { rMax: 4, nBins: RDF_LIMITS.maxBins }).g).toHaveLength(RDF_LIMITS.maxBins);
  });
  it('rejects work beyond the limit (frames x pairs x images), pointing to fewer frames', () => {
    // 1 frame, 3 pairs: rMax 200 Å needs 83^3 images = 5.7e5 (allowed); many atoms make it too much work
    const n = 400;
    const big = { ...traj, nAtoms: n, species: new Array(n).fill('Si'), positions: new Float64Array(3 * n).map((_, i) => (i * 0.37) % 5) };
    expect(() => radialDistribution(big, { rMax: 200, nBins: 10 })).toThrow(/1 frames x 80200 atom pairs x 571787 periodic images = 4\.6e\+10 distance evaluations, above the limit of 1e\+10; select fewer frames/);
  });
  it('rejects a string rMax or nBins (the typed API takes numbers)', () => {
    expect(() => radialDistribution(traj, { rMax: '4' as unknown as number, nBins: 10 })).toThrow(/options\.rMax = '4' \(a string; pass a number\); expected a finite distance > 0/);
    expect(() => radialDistribution(traj, { rMax: 4, nBins: '10' as unknown as number })).toThrow(/options\.nBins = '10' \(a string; pass a number\)/);
  });
});
