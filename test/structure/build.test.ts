import { describe, expect, it } from 'vitest';
import { trajectoryFromArrays, validateTrajectory, positionsView, frameView, toCell } from '../../src/structure/index.js';

const frames = [
  [[0, 0, 0], [1, 2, 3]],
  [[0.5, 0, 0], [1, 2.5, 3]],
  [[1, 0, 0], [1, 3, 3.5]],
];

describe('trajectoryFromArrays', () => {
  it('builds a frame-major flat trajectory from frames x atoms x 3', () => {
    const t = trajectoryFromArrays({ positions: frames, cell: [[5, 0, 0], [0, 5, 0], [0, 0, 5]], species: ['Si', 'O'], info: [{ energy: 1 }, { energy: 2 }, { energy: 3 }] });
    expect(t.nFrames).toBe(3);
    expect(t.nAtoms).toBe(2);
    expect(t.positions).toBeInstanceOf(Float64Array);
    expect(Array.from(t.positions)).toEqual(frames.flat(2));
    expect(t.pbc).toEqual([true, true, true]);
    expect(t.info[2]).toEqual({ energy: 3 });
  });

  it('accepts one frame, one species string, a 9-number cell, flat positions and float32', () => {
    const one = trajectoryFromArrays({ positions: frames[0], species: 'C' });
    expect(one.nFrames).toBe(1);
    expect(one.species).toEqual(['C', 'C']);
    expect(one.cell).toBeNull();
    expect(one.pbc).toEqual([false, false, false]);
    expect(one.info).toEqual([{}]);
    const flat = trajectoryFromArrays({ positions: frames.flat(2), species: ['Si', 'O'], cell: [5, 0, 0, 0, 6, 0, 0, 0, 7], pbc: [true, true, false], dtype: 'float32' });
    expect(flat.nFrames).toBe(3);
    expect(flat.positions).toBeInstanceOf(Float32Array);
    expect(flat.cell).toEqual([[5, 0, 0], [0, 6, 0], [0, 0, 7]]);
    expect(flat.pbc).toEqual([true, true, false]);
  });

  it('rejects NaN/Inf, ragged frames, wrong species counts and bad cells with messages that say where and what', () => {
    const bad = (p: unknown) => () => trajectoryFromArrays({ positions: p as number[][][], species: 'Si' });
    expect(bad([[[0, 0, 0], [1, NaN, 3]]])).toThrow(/positions\[0\]\[1\]\[1\] is NaN; expected a finite number/);
    expect(bad([[[0, 0, Infinity]]])).toThrow(/positions\[0\]\[0\]\[2\] is Infinity/);
    expect(bad([[[0, 0, 0], [1, 1, 1]], [[0, 0, 0]]])).toThrow(/positions\[1\] has 1 atoms but frame 0 has 2; every frame needs the same atoms/);
    expect(bad([[[0, 0]]])).toThrow(/positions\[0\]\[0\] is an array of length 2; expected \[x, y, z\]/);
    expect(() => trajectoryFromArrays({ positions: frames, species: ['Si'] })).toThrow(/species has 1 symbols but each frame has 2 atoms/);
    expect(() => trajectoryFromArrays({ positions: frames, species: 'Si', cell: [[1, 0], [0, 1], [0, 0]] })).toThrow(/cell: row 0 is an array of length 2; expected 3 numbers/);
    expect(() => trajectoryFromArrays({ positions: frames, species: 'Si', cell: [1, 2, 3] })).toThrow(/expected a 3x3 array/);
    expect(() => trajectoryFromArrays({ positions: frames, species: 'Si', pbc: true })).toThrow(/pbc is \[true, true, true\] but cell is null/);
    expect(() => trajectoryFromArrays({ positions: [1, 2, 3, 4], species: ['H'] })).toThrow(/length 4, not a multiple of nAtoms \* 3 = 3/);
    expect(() => trajectoryFromArrays({ positions: [], species: 'H' })).toThrow(/species as an array|at least one frame/);
    expect(() => trajectoryFromArrays({ positions: frames, species: 'Si', info: [{}] })).toThrow(/info has 1 records; expected one per frame \(3\)/);
  });
});

describe('validateTrajectory', () => {
  it('names the frame, atom and axis of a non-finite coordinate', () => {
    const t = trajectoryFromArrays({ positions: frames, species: 'Si' });
    (t.positions as Float64Array)[1 * 6 + 3 + 2] = NaN;
    expect(() => validateTrajectory(t, 'x.extxyz')).toThrow(/x\.extxyz: frame 1, atom 1, axis z is NaN; expected a finite coordinate/);
  });
  it('checks the length of positions and extra arrays', () => {
    const t = trajectoryFromArrays({ positions: frames, species: 'Si' });
    expect(() => validateTrajectory({ ...t, nFrames: 2 })).toThrow(/positions has length 18; expected nFrames \* nAtoms \* 3 = 12/);
    expect(() => validateTrajectory({ ...t, arrays: { f: { type: 'R', nCols: 3, data: new Float64Array(5) } } })).toThrow(/arrays\.f has 5 values; expected .* = 18/);
  });
  it('toCell names entries that are not finite', () => {
    expect(() => toCell([[1, 0, 0], [0, NaN, 0], [0, 0, 1]])).toThrow(/entry \[1\]\[1\] is NaN/);
  });
});

describe('ndarray views', () => {
  it('positionsView is frames x atoms x 3 and shares memory', () => {
    const t = trajectoryFromArrays({ positions: frames, species: 'Si' });
    const v = positionsView(t);
    expect(v.shape).toEqual([3, 2, 3]);
    for (let f = 0; f < 3; f++) for (let a = 0; a < 2; a++) for (let d = 0; d < 3; d++) expect(v.get(f, a, d)).toBe(frames[f][a][d]);
    v.set(2, 1, 0, 42);
    expect(t.positions[(2 * 2 + 1) * 3]).toBe(42);
  });
  it('frameView is atoms x 3 of one frame, negative indices count from the end', () => {
    const t = trajectoryFromArrays({ positions: frames, species: 'Si', dtype: 'float32' });
    const last = frameView(t, -1);
    expect(last.shape).toEqual([2, 3]);
    expect(last.get(1, 2)).toBe(3.5);
    expect(frameView(t, 1).get(0, 0)).toBe(0.5);
    frameView(t, 0).set(0, 1, 7);
    expect(t.positions[1]).toBe(7);
    expect(() => frameView(t, 3)).toThrow(/frame is 3; expected an integer in \[-3, 3\)/);
  });
});
