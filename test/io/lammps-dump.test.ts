import { describe, expect, it } from 'vitest';
import { readLammpsDump } from '../../src/io/index.js';

function frame(step: number, rows: string[], cols = 'id type x y z', box = 'ITEM: BOX BOUNDS pp pp pp\n0 10\n-1 9\n2 12'): string {
  return `ITEM: TIMESTEP\n${step}\nITEM: NUMBER OF ATOMS\n${rows.length}\n${box}\nITEM: ATOMS ${cols}\n${rows.join('\n')}\n`;
}

describe('readLammpsDump', () => {
  it('sorts atoms by id, maps types to species, shifts the box origin to 0', () => {
    const text = frame(0, ['2 2 1 2 3', '1 1 4 5 6', '3 1 7 8 9']) + frame(10, ['3 1 7.5 8 9', '1 1 4.5 5 6', '2 2 1.5 2 3']);
    const t = readLammpsDump(text, { typeToSpecies: { 1: 'Si', 2: 'O' } });
    expect(t.nFrames).toBe(2);
    expect(t.species).toEqual(['Si', 'O', 'Si']);
    expect(t.cell).toEqual([[10, 0, 0], [0, 10, 0], [0, 0, 10]]);
    expect(t.pbc).toEqual([true, true, true]);
    expect(Array.from(t.positions.subarray(0, 9))).toEqual([4, 6, 4, 1, 3, 1, 7, 9, 7]);
    expect(Array.from(t.positions.subarray(9, 12))).toEqual([4.5, 6, 4]);
    expect(t.info[1]).toEqual({ timestep: 10, boxOrigin: [0, -1, 2] });
  });

  it('reads columns in any order: scaled, unwrapped and scaled-unwrapped give the same positions', () => {
    const xs = readLammpsDump(frame(0, ['0.5 2 1 0.25 0.1', '0.1 1 1 0.2 0.3'], 'ys id type zs xs'), { typeToSpecies: ['Si'] });
    expect(Array.from(xs.positions)).toEqual([3, 1, 2, 1, 5, 2.5]);
    const xu = readLammpsDump(frame(0, ['1 Si -3 3 4'], 'id element xu yu zu'));
    expect(xu.species).toEqual(['Si']);
    expect(Array.from(xu.positions)).toEqual([-3, 4, 2]);
    const xsu = readLammpsDump(frame(0, ['1 1 1.5 0 0'], 'id type xsu ysu zsu'), { typeToSpecies: { 1: 'C' } });
    expect(xsu.positions[0]).toBe(15);
  });

  it('builds a triclinic cell from the bounds with tilt factors and reads pbc flags', () => {
    const box = 'ITEM: BOX BOUNDS xy xz yz pp pp fm\n-0.5 11 1\n0 8 -0.5\n0 6 0.25';
    const t = readLammpsDump(frame(0, ['1 1 0 0 0'], 'id type xs ys zs', box), { typeToSpecies: ['Si'] });
    // xlo = -0.5 - min(0, 1, -0.5, 0.5) = 0, xhi = 11 - max(0, 1, -0.5, 0.5) = 10; ylo = 0, yhi = 8 - 0.25
    expect(t.cell).toEqual([[10, 0, 0], [1, 7.75, 0], [-0.5, 0.25, 6]]);
    expect(t.pbc).toEqual([true, true, false]);
  });

  it('errors name the line and the fix', () => {
    const good = frame(0, ['1 1 0 0 0', '2 1 1 1 1']);
    expect(() => readLammpsDump(good, { source: 'd.lammpstrj' })).toThrow(/d\.lammpstrj:9: the dump has atom types but no element column; pass the type -> element map, e\.g\. \{ typeToSpecies: \{ 1: 'Si' \} \}/);
    const o = { source: 'd.lammpstrj', typeToSpecies: { 1: 'Si' } };
    expect(() => readLammpsDump('', o)).toThrow(/d\.lammpstrj: the file is empty/);
    expect(() => readLammpsDump(good.replace('2 1 1 1 1', '2 1 1 nan 1'), o)).toThrow(/d\.lammpstrj:11: column y is "nan"; expected a finite number/);
    expect(() => readLammpsDump(good + frame(5, ['1 1 0 0 0']), o)).toThrow(/d\.lammpstrj:15: frame 1 \(timestep 5\) has 1 atoms but frame 0 has 2/);
    expect(() => readLammpsDump(good.split('\n').slice(0, 10).join('\n') + '\n', o)).toThrow(/d\.lammpstrj:11: the file ends here; expected atom line 2 of 2 \(the frame is truncated\)/);
    expect(() => readLammpsDump(good.replace('id type x y z', 'id type vx vy vz'), o)).toThrow(/d\.lammpstrj:9: .*no position columns; expected x y z, xs ys zs, xu yu zu or xsu ysu zsu/);
    expect(() => readLammpsDump(good.replace('2 1 1 1 1', '2 3 1 1 1'), o)).toThrow(/type 3, which typeToSpecies does not map/);
    expect(() => readLammpsDump(good + frame(1, ['1 1 0 0 0', '2 1 1 1 1'], 'id type x y z', 'ITEM: BOX BOUNDS pp pp pp\n0 11\n-1 9\n2 12'), o)).toThrow(/frame 1 \(timestep 1\) has a different box than frame 0/);
    expect(() => readLammpsDump(good.replace('2 1 1 1 1', '2 1 1 1'), o)).toThrow(/d\.lammpstrj:11: the atom line "2 1 1 1" has 4 columns; expected 5/);
  });
});
