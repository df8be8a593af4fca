import { describe, expect, it } from 'vitest';
import { readPoscar, writePoscar } from '../../src/io/index.js';
import { cellVolume, trajectoryFromArrays } from '../../src/structure/index.js';

const VASP5 = `Si2 O1
1.0
  4.0 0.0 0.0
  0.0 5.0 0.0
  1.0 0.0 6.0
  Si O
  2 1
Direct
  0.0 0.0 0.0
  0.5 0.5 0.5
  0.25 0.0 0.5
`;

describe('readPoscar', () => {
  it('reads a VASP 5 Direct POSCAR: positions = fractional · cell', () => {
    const t = readPoscar(VASP5, { source: 'POSCAR' });
    expect(t.nFrames).toBe(1);
    expect(t.species).toEqual(['Si', 'Si', 'O']);
    expect(t.cell).toEqual([[4, 0, 0], [0, 5, 0], [1, 0, 6]]);
    expect(t.pbc).toEqual([true, true, true]);
    expect(Array.from(t.positions)).toEqual([0, 0, 0, 2.5, 2.5, 3, 1.5, 0, 3]);
  });

  it('applies the scale factor to the cell and to Cartesian positions', () => {
    const cart = VASP5.replace('1.0\n', '2.0\n').replace('Direct', 'Cartesian');
    const t = readPoscar(cart);
    expect(t.cell).toEqual([[8, 0, 0], [0, 10, 0], [2, 0, 12]]);
    expect(Array.from(t.positions)).toEqual([0, 0, 0, 1, 1, 1, 0.5, 0, 1]);
  });

  it('a negative scale factor is the cell volume', () => {
    const t = readPoscar(VASP5.replace('1.0\n', '-960\n'));
    expect(cellVolume(t.cell!)).toBeCloseTo(960, 9);
    // volume 120 -> 960 means a factor 2 in length
    expect(t.cell![0][0]).toBeCloseTo(8, 12);
    expect(t.positions[3]).toBeCloseTo(5, 12);
  });

  it('three scale factors scale the x, y, z components (VASP 6)', () => {
    const t = readPoscar(VASP5.replace('1.0\n', '2 3 0.5\n').replace('Direct', 'Cartesian'));
    expect(t.cell).toEqual([[8, 0, 0], [0, 15, 0], [2, 0, 3]]);
    expect(Array.from(t.positions.subarray(3, 6))).toEqual([1, 1.5, 0.25]);
  });

  it('skips Selective dynamics flags and accepts POTCAR-style labels', () => {
    const sd = VASP5.replace('  Si O', '  Si_pv O_s').replace('Direct', 'Selective dynamics\nDirect').replace(/(\d)\n  0\.5 0\.5 0\.5/, '$1 T T F\n  0.5 0.5 0.5 F F F');
    const t = readPoscar(sd);
    expect(t.species).toEqual(['Si', 'Si', 'O']);
    expect(t.positions[3]).toBe(2.5);
  });

  it('VASP 4 without a species line needs the species option, and says so', () => {
    const vasp4 = VASP5.replace('  Si O\n', '');
    expect(() => readPoscar(vasp4, { source: 'old/POSCAR' })).toThrow(/old\/POSCAR:6: this is a VASP 4 POSCAR without a species line .*pass the species, one per count, e.g. \{ species: \['Si'\] \}/);
    const t = readPoscar(vasp4, { species: ['Ge', 'C'] });
    expect(t.species).toEqual(['Ge', 'Ge', 'C']);
  });

  it('bad input names the line', () => {
    expect(() => readPoscar('', { source: 'P' })).toThrow(/P: the file is empty/);
    expect(() => readPoscar(VASP5.replace('  0.0 5.0 0.0', '  0.0 nan 0.0'), { source: 'P' })).toThrow(/P:4: value 2 of lattice vector b is "nan"; expected 3 numbers/);
    expect(() => readPoscar(VASP5.replace('  2 1', '  2 1 4'), { source: 'P' })).toThrow(/P:7: 3 counts \(2 1 4\) but 2 species \(Si O\)/);
    expect(() => readPoscar(VASP5.replace('Direct', 'Fractional'), { source: 'P' })).toThrow(/P:8: found "Fractional"; expected Direct or Cartesian/);
    expect(() => readPoscar(VASP5.split('\n').slice(0, 10).join('\n'), { source: 'P' })).toThrow(/P:11: the file ends here; expected the position of atom 3 of 3/);
    expect(() => readPoscar(VASP5.replace('0.25 0.0 0.5', '0.25 inf 0.5'), { source: 'P' })).toThrow(/P:11: value 2 of the position of atom 3 is "inf"/);
    expect(() => readPoscar(VASP5.replace('  Si O', '  Si Xx'), { source: 'P' })).toThrow(/species "Xx" is not a chemical symbol/);
  });
});

describe('writePoscar', () => {
  const t = trajectoryFromArrays({
    positions: [[[0.1, 0.2, 0.3], [1 / 3, 2.5, 4.75], [3.9, 0.01, 5.5]], [[0, 0, 0], [1, 1, 1], [2, 2, 2]]],
    cell: [[4, 0, 0], [0.5, 5, 0], [1, 0.25, 6]],
    species: ['Si', 'O', 'Si'],
  });
  it('writes VASP 5 with species runs in atom order and round-trips exactly (Cartesian)', () => {
    const text = writePoscar(t, { frame: 0 });
    const lines = text.split('\n');
    expect(lines[5].trim().split(/\s+/)).toEqual(['Si', 'O', 'Si']);
    expect(lines[6].trim().split(/\s+/)).toEqual(['1', '1', '1']);
    expect(lines[7]).toBe('Cartesian');
    const back = readPoscar(text);
    expect(back.species).toEqual(t.species);
    expect(back.cell).toEqual(t.cell);
    expect(Array.from(back.positions)).toEqual(Array.from(t.positions.subarray(0, 9)));
  });
  it('Direct coordinates read back to 1e-12', () => {
    const back = readPoscar(writePoscar(t, { frame: -1, coordinates: 'direct' }));
    for (let i = 0; i < 9; i++) expect(Math.abs(back.positions[i] - t.positions[9 + i])).toBeLessThan(1e-12);
  });
  it('asks for a frame when there are several, and needs a cell', () => {
    expect(() => writePoscar(t)).toThrow(/has 2 frames but a POSCAR holds one; pass \{ frame: i \}/);
    expect(() => writePoscar(t, { frame: 2 })).toThrow(/frame is 2; expected an integer in \[-2, 2\)/);
    const mol = trajectoryFromArrays({ positions: [[0, 0, 0]], species: 'H' });
    expect(() => writePoscar(mol)).toThrow(/no cell .*POSCAR needs lattice vectors/);
  });
});
