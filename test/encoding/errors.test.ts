/** Bad input: every error names the parameter, frame or atom, and says what is expected. */
import { describe, expect, it } from 'vitest';
import { AxisProjectionEncoder, type EncoderJSON } from '../../src/encoding/index.js';
import type { Cell } from '../../src/structure/trajectory.js';
import { cubic, makeTrajectory } from './helpers.js';

const frames = [
  [[1, 1, 1], [5, 5, 5], [2, 8, 3]],
  [[1.1, 0.9, 1], [5.1, 5, 4.9], [2.1, 7.9, 3.2]],
];
const periodic = makeTrajectory(frames, { cell: cubic(10) });
const open = makeTrajectory(frames);

describe('AxisProjectionEncoder: bad parameters', () => {
  it('rejects sigma <= 0 or not finite', () => {
    expect(() => AxisProjectionEncoder.fit(periodic, { sigma: 0 })).toThrow(/config\.sigma must be a finite number > 0.*got 0/);
    expect(() => AxisProjectionEncoder.fit(periodic, { sigma: -0.2 })).toThrow(/config\.sigma.*got -0\.2/);
    expect(() => AxisProjectionEncoder.fit(periodic, { sigma: NaN })).toThrow(/config\.sigma/);
  });

  it('rejects a grid size < 2 or not an integer', () => {
    expect(() => AxisProjectionEncoder.fit(periodic, { gridSize: 1 })).toThrow(/config\.gridSize must be an integer >= 2.*got 1/);
    expect(() => AxisProjectionEncoder.fit(periodic, { gridSize: 12.5 })).toThrow(/config\.gridSize.*got 12\.5/);
    expect(() => AxisProjectionEncoder.fit(periodic, { gridSize: 0 })).toThrow(/config\.gridSize/);
  });

  it('rejects malformed ranges, options and permutations', () => {
    expect(() => AxisProjectionEncoder.fit(open, { range: [[0, 1], [2, 2], [0, 1]] })).toThrow(/config\.range\[1\].*lo < hi/);
    expect(() => AxisProjectionEncoder.fit(open, { range: [[0, 1]] as never })).toThrow(/config\.range must be/);
    expect(() => AxisProjectionEncoder.fit(periodic, { range: [[0, 9], [0, 10], [0, 10]] })).toThrow(
      /range\[0\].*9 Å wide but the periodic cell is 10 Å along x/,
    );
    expect(() => AxisProjectionEncoder.fit(periodic, { gridsize: 50 } as never)).toThrow(/config\.gridsize is not an encoder option/);
    expect(() => AxisProjectionEncoder.fit(periodic, { normalization: 'max' as never })).toThrow(/normalization must be 'peak' or 'sum'/);
    expect(() => AxisProjectionEncoder.fit(periodic, { stepEncoding: 'time' as never })).toThrow(/stepEncoding must be/);
    expect(() => AxisProjectionEncoder.fit(periodic, { ordering: 'centre' as never })).toThrow(/ordering must be 'origin', 'corner'/);
    expect(() => AxisProjectionEncoder.fit(periodic, { ordering: [0, 1] })).toThrow(/ordering has 2 entries but there are 3 atoms/);
    expect(() => AxisProjectionEncoder.fit(periodic, { ordering: [0, 1, 1] })).toThrow(/ordering\[2\] = 1 appears twice/);
    expect(() => AxisProjectionEncoder.fit(periodic, { ordering: [0, 3, 1] })).toThrow(/ordering\[1\] = 3 is not an atom index in 0\.\.2/);
    expect(() => AxisProjectionEncoder.fit(periodic, { ordering: [0, 1.5, 2] })).toThrow(/ordering\[1\]/);
  });

  it('asks for an explicit range with a triclinic periodic cell', () => {
    const tri: Cell = [[10, 0, 0], [3, 9, 0], [0, 0, 10]];
    const traj = makeTrajectory(frames, { cell: tri });
    expect(() => AxisProjectionEncoder.fit(traj)).toThrow(/not orthorhombic.*pass `range` explicitly.*or use an orthorhombic cell/);
    const enc = AxisProjectionEncoder.fit(traj, { range: [[0, 13], [0, 9], [0, 10]] });
    expect(enc.periodic).toEqual([false, false, false]);
  });

  it('rejects bad decode / activeInputs arguments', () => {
    const enc = AxisProjectionEncoder.fit(periodic, { gridSize: 10 });
    expect(() => enc.decode(10, 0)).toThrow(/cell 10 is not a grid cell index in 0\.\.9/);
    expect(() => enc.decode(1, 0, 0.5)).toThrow(/jitter 0\.5 must be in \[-0\.5, 0\.5\)/);
    expect(() => enc.decode(1, 3)).toThrow(/axis 3 must be 0 \(x\), 1 \(y\) or 2 \(z\)/);
    expect(() => enc.activeInputs(8, 0, new Int32Array(2))).toThrow(/step 8 must be an integer in 0\.\.7/);
    expect(() => enc.activeInputs(0, -1, new Int32Array(2))).toThrow(/cell -1/);
    expect(() => enc.cellOf(NaN, 1)).toThrow(/value NaN on axis y is not a finite coordinate/);
    expect(() => [...enc.batches(new Float32Array(18), [0], 0)]).toThrow(/batchSize must be an integer >= 1/);
    expect(() => enc.encodeBatch(new Float32Array(18), [2])).toThrow(/rows\[0\] = 2 is not a sequence index in 0\.\.1/);
    expect(() => enc.encodeBatch(new Float32Array(17), [0])).toThrow(/not a multiple of sequenceLength 9/);
    expect(() => enc.encodeBatch(new Float32Array(18), [0, 1], { inputs: new Float32Array(10), targets: new Float32Array(1000) })).toThrow(
      /out\.inputs has 10 values but 2 sequences need/,
    );
  });
});

describe('AxisProjectionEncoder: bad trajectories', () => {
  const enc = AxisProjectionEncoder.fit(open, { gridSize: 10 });
  const encP = AxisProjectionEncoder.fit(periodic, { gridSize: 10 });

  it('rejects coordinates outside the range on a non-periodic axis, naming frame, atom and axis', () => {
    const far = makeTrajectory([frames[0], [[1, 1, 1], [5, 5, 5], [2, 8, 30]]]);
    expect(() => enc.orderedCoordinates(far)).toThrow(/frame 1, atom 2, axis z = 30 Å lies outside the encoder's range.*wider config\.range/);
    expect(() => enc.cellOf(-100, 0)).toThrow(/x = -100 Å lies outside/);
    // periodic axes wrap instead
    const farP = makeTrajectory([frames[0], [[1, 1, 1], [5, 5, 5], [2, 8, 30]]], { cell: cubic(10) });
    expect(encP.orderedCoordinates(farP)[9 * 1 + 3 * Array.from(encP.permutation).indexOf(2) + 2]).toBeCloseTo(0, 5);
  });

  it('rejects an atom count that differs from the encoder', () => {
    const four = makeTrajectory([[...frames[0], [3, 3, 3]]]);
    expect(() => enc.orderedCoordinates(four)).toThrow(/has 4 atoms but the encoder was fitted to 3/);
  });

  it('rejects NaN coordinates, naming frame and atom', () => {
    const bad = makeTrajectory(frames, { cell: cubic(10) });
    (bad.positions as Float64Array)[(1 * 3 + 2) * 3 + 1] = NaN;
    expect(() => encP.orderedCoordinates(bad)).toThrow(/frame 1, atom 2, axis y is NaN; positions must be finite/);
    expect(() => AxisProjectionEncoder.fit(bad)).toThrow(/frame 1, atom 2, axis y is NaN/);
    const badOpen = makeTrajectory(frames);
    (badOpen.positions as Float64Array)[4] = Infinity;
    expect(() => AxisProjectionEncoder.fit(badOpen, { ordering: [2, 1, 0] })).toThrow(/frame 0, atom 1, axis y is Infinity/);
  });

  it('rejects a species mismatch', () => {
    const other = makeTrajectory(frames, { species: ['Si', 'Ge', 'Si'] });
    expect(() => enc.orderedCoordinates(other)).toThrow(/atom 1 is Ge in the trajectory but Si in the encoder/);
  });

  it('rejects a different periodic cell and inconsistent shapes', () => {
    const bigger = makeTrajectory(frames, { cell: cubic(12) });
    expect(() => encP.orderedCoordinates(bigger)).toThrow(/wraps x with period 10 Å.*same cell/);
    const short = { ...periodic, positions: new Float64Array(5) };
    expect(() => encP.orderedCoordinates(short)).toThrow(/positions has 5 values but nFrames \* nAtoms \* 3 = 18/);
    expect(() => encP.orderedCoordinates(periodic, [2])).toThrow(/frames\[0\] = 2 is not a frame index in 0\.\.1/);
  });
});

describe('AxisProjectionEncoder.fromJSON: bad JSON', () => {
  const good = AxisProjectionEncoder.fit(periodic).toJSON();
  const mutate = (f: (j: Record<string, any>) => void): EncoderJSON => {
    const j = JSON.parse(JSON.stringify(good));
    f(j);
    return j;
  };

  it('names the bad field', () => {
    expect(() => AxisProjectionEncoder.fromJSON(null as never)).toThrow(/encoder JSON: expected an object/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.format = 'keras')))).toThrow(/encoder JSON\.format must be 'repap-encoder'/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.version = 2)))).toThrow(/version 2 is not supported.*reads encoder version 1/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.nAtoms = 0)))).toThrow(/nAtoms must be an integer >= 1/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => j.species.pop()))).toThrow(/species must be 3 chemical symbols/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.speciesList = ['Ge'])))).toThrow(/speciesList \["Ge"\] is not the sorted unique species/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.periodic = [true])))).toThrow(/periodic must be three booleans/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.config.sigma = 0)))).toThrow(/config\.sigma must be a finite number > 0/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.config.gridSize = 1)))).toThrow(/config\.gridSize must be an integer >= 2/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => delete j.config.range))).toThrow(/config\.range is missing/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.config.range[2] = [5, 1])))).toThrow(/config\.range\[2\]/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.config.ordering = [0, 0, 1])))).toThrow(/config\.ordering\[1\] = 0 appears twice/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.config.ordering = 'origin')))).toThrow(/config\.ordering must be the stored permutation/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.config.extra = 1)))).toThrow(/config\.extra is not an encoder option/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.config.stepEncoding = 'step')))).toThrow(/config\.stepEncoding must be/);
    expect(() => AxisProjectionEncoder.fromJSON(mutate((j) => (j.orderingRule = 'x')))).toThrow(/orderingRule must be/);
    // the unmodified JSON loads
    expect(AxisProjectionEncoder.fromJSON(mutate(() => {})).nAtoms).toBe(3);
  });
});
