/**
 * `RePAPModel.train` on data made of many structures: the split is by group
 * (validation and test glasses never trained on), augmentation rewrites only
 * the training rows each epoch, and the first coordinates come from the
 * training glasses only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { AxisProjectionEncoder, GroupedEncoding } from '../../src/encoding/index.js';
import { RePAPModel, splitFrames } from '../../src/model/index.js';
import type { Trajectory } from '../../src/structure/trajectory.js';
import { toyTrajectory, useTf } from './fixtures.js';

/** 8 glasses of 4 atoms, 6 frames each: each glass its own sites. */
function glasses(): Trajectory {
  const parts = Array.from({ length: 8 }, (_, g) => toyTrajectory(6, 4, 4, 0.08, 100 + g));
  const positions = new Float64Array(8 * 6 * 12);
  parts.forEach((p, g) => positions.set(p.positions, g * 6 * 12));
  return { ...parts[0]!, nFrames: 48, positions, info: Array.from({ length: 48 }, (_, f) => ({ glass: `g${Math.floor(f / 6)}` })) };
}

beforeAll(async () => {
  await useTf('cpu');
});

describe('training on groups', () => {
  const traj = glasses();
  const groups = { names: Array.from({ length: 8 }, (_, g) => `g${g}`), groupOf: Int32Array.from({ length: 48 }, (_, f) => Math.floor(f / 6)) };
  const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });

  it('splits by group, refreshes only training rows, and keeps first coordinates of training glasses only', async () => {
    const grouped = new GroupedEncoding(encoder, traj, groups, { ordering: 'group', augment: { translate: true, symmetry: true } });
    const coords = grouped.encode();
    const plain = coords.slice();
    const refreshed: Int32Array[] = [];
    const rng = xoroshiro128plus(9);
    const data = {
      coords,
      cell: traj.cell,
      pbc: traj.pbc,
      groups: groups.groupOf,
      refresh: (rows: Int32Array, epoch: number) => {
        refreshed.push(rows.slice());
        expect(epoch).toBe(refreshed.length - 1);
        const T = encoder.sequenceLength;
        const tmp = grouped.encode(rows, rng);
        for (let i = 0; i < rows.length; i++) coords.set(tmp.subarray(i * T, (i + 1) * T), rows[i]! * T);
      },
    };
    const split = { train: 6, validation: 1, test: 1 };
    const model = RePAPModel.create(encoder, { units: 4, seed: 1 });
    const history = await model.train(data, { epochs: 2, batchSize: 8, split, seed: 3 });
    const expected = splitFrames(groups.groupOf, split, 3);
    expect(history.split).toEqual({ train: 36, validation: 6, test: 6 });
    expect(refreshed.length).toBe(2);
    for (const rows of refreshed) expect(Array.from(rows)).toEqual(Array.from(expected.train));
    // validation and test rows are untouched; training rows were augmented
    const T = encoder.sequenceLength;
    for (const f of [...expected.validation, ...expected.test]) {
      expect(Array.from(coords.subarray(f * T, (f + 1) * T))).toEqual(Array.from(plain.subarray(f * T, (f + 1) * T)));
    }
    const f0 = expected.train[0]!;
    expect(Array.from(coords.subarray(f0 * T, (f0 + 1) * T))).not.toEqual(Array.from(plain.subarray(f0 * T, (f0 + 1) * T)));
    expect(model.firstCoordinates.length).toBe(36);
    expect(history.testLoss).not.toBeNull();
    model.dispose();
  });

  it('rejects groups that do not match the rows', async () => {
    const model = RePAPModel.create(encoder, { units: 4, seed: 1 });
    const coords = new GroupedEncoding(encoder, traj, groups).encode();
    await expect(model.train({ coords, groups: new Int32Array(5) }, { epochs: 1 })).rejects.toThrow(/one group index per row \(48\)/);
    model.dispose();
  });
});
