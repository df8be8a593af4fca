import { describe, expect, it } from 'vitest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { TimeMajorBatcher } from '../../src/model/batches.js';
import { toyTrajectory } from './fixtures.js';

describe('TimeMajorBatcher.build dropout masks', () => {
  const traj = toyTrajectory(6);
  const encoder = AxisProjectionEncoder.fit(traj);
  const coords = encoder.orderedCoordinates(traj);
  const batcher = new TimeMajorBatcher(encoder, coords, encoder.tokenCells(coords));
  const rows = [0, 2, 3];
  const dropout = (seed: number, into?: (Float32Array | null)[]) => ({ rate: 0.4, units: 5, nMasks: 2, rng: xoroshiro128plus(seed), into });

  it('written into the arrays given (same values as fresh ones from the same draws), fresh arrays where the length differs', () => {
    const fresh = batcher.build(rows, true, dropout(3)).dropoutMasks!;
    const R = (encoder.sequenceLength - 1) * rows.length;
    const into = [new Float32Array(R * 5).fill(7), new Float32Array(R * 5 + 1)];
    const got = batcher.build(rows, true, dropout(3, into)).dropoutMasks!;
    expect(got[0]).toBe(into[0]);
    expect(got[1]).not.toBe(into[1]);
    expect(got.map((m) => Array.from(m!))).toEqual(fresh.map((m) => Array.from(m!)));
    // both keep and drop occur, at 1 / (1 - rate)
    expect(new Set(got[0])).toEqual(new Set([0, Math.fround(1 / 0.6)]));
  });
});
