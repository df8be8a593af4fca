/**
 * The atom ordering and the token sequence on the reference a-Si data, checked
 * against an independent numpy computation (a python3 with numpy, see test/support/python.ts).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { AxisProjectionEncoder, meanPositions, orderingDistances } from '../../src/encoding/index.js';
import { stableArgsort } from '../../src/encoding/ordering.js';
import { F32, cubic, loadASi30, makeTrajectory } from './helpers.js';
import { findPython } from '../support/python.js';

const N_FRAMES = 300;
const { python: PY, missing: numpyMissing } = findPython(['numpy']);

const SCRIPT = `
import json, sys
import numpy as np
path, n, grid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
L = 8.43656254268594
pos = np.fromfile(path, dtype='<f4', count=n * 30 * 3).reshape(n, 30, 3).astype(np.float64)
mean = pos.mean(axis=0)
d_origin = np.linalg.norm(mean, axis=1)
m = np.mod(mean, L)
d_corner = np.linalg.norm(np.minimum(m, L - m), axis=1)
perm_origin = np.argsort(d_origin, kind='stable')
perm_corner = np.argsort(d_corner, kind='stable')
def tokens(frame, perm):
    x = np.mod(pos[frame][perm], L).reshape(-1)
    cells = np.floor(x / (L / grid)).astype(int) % grid
    return x.tolist(), cells.tolist()
t0, c0 = tokens(0, perm_origin)
t1, c1 = tokens(n - 1, perm_corner)
print(json.dumps(dict(perm_origin=perm_origin.tolist(), perm_corner=perm_corner.tolist(),
                      d_origin=d_origin.tolist(), d_corner=d_corner.tolist(),
                      tokens_first=t0, cells_first=c0, tokens_last=t1, cells_last=c1)))
`;

describe.skipIf(numpyMissing)('atom ordering on a-si-30-sw-300K vs numpy', () => {
  const traj = loadASi30(N_FRAMES);
  const ref = JSON.parse(execFileSync(PY!, ['-c', SCRIPT, F32, String(N_FRAMES), '50'], { encoding: 'utf8' }));

  it("'origin' ordering = numpy argsort of |mean position|", () => {
    const enc = AxisProjectionEncoder.fit(traj, { ordering: 'origin' });
    expect(enc.orderingRule).toBe('origin');
    expect(Array.from(enc.permutation)).toEqual(ref.perm_origin);
    const d = orderingDistances(meanPositions(traj), 'origin', enc.config.range, enc.periodic);
    for (let i = 0; i < 30; i++) expect(d[i]).toBeCloseTo(ref.d_origin[i], 10);
    // not the identity: the ordering really permutes the atoms
    expect(ref.perm_origin).not.toEqual([...Array(30).keys()]);
  });

  it("'corner' ordering = numpy argsort of the distance to the nearest corner (periodic)", () => {
    const enc = AxisProjectionEncoder.fit(traj, { ordering: 'corner' });
    expect(Array.from(enc.permutation)).toEqual(ref.perm_corner);
    const d = orderingDistances(meanPositions(traj), 'corner', enc.config.range, enc.periodic);
    for (let i = 0; i < 30; i++) expect(d[i]).toBeCloseTo(ref.d_corner[i], 10);
    expect(ref.perm_corner).not.toEqual(ref.perm_origin);
  });

  it('token sequences and cells match numpy for the first and last frame', () => {
    const origin = AxisProjectionEncoder.fit(traj, { ordering: 'origin' });
    const corner = AxisProjectionEncoder.fit(traj, { ordering: 'corner' });
    const first = origin.orderedCoordinates(traj, [0]);
    const last = corner.orderedCoordinates(traj, [N_FRAMES - 1]);
    for (let t = 0; t < 90; t++) {
      expect(first[t]).toBeCloseTo(ref.tokens_first[t], 5);
      expect(last[t]).toBeCloseTo(ref.tokens_last[t], 5);
    }
    expect(Array.from(origin.tokenCells(first))).toEqual(ref.cells_first);
    expect(Array.from(corner.tokenCells(last))).toEqual(ref.cells_last);
  });

  it('fits the ordering on the selected frames only', () => {
    const enc = AxisProjectionEncoder.fit(traj, {}, [0]);
    const d = Array.from({ length: 30 }, (_, i) => Math.hypot(traj.positions[3 * i], traj.positions[3 * i + 1], traj.positions[3 * i + 2]));
    expect(Array.from(enc.permutation)).toEqual([...d.keys()].sort((a, b) => d[a] - d[b] || a - b));
  });
});

describe('ordering details', () => {
  it('keeps ties in the original order (stable)', () => {
    expect(Array.from(stableArgsort([2, 1, 2, 1, 0]))).toEqual([4, 1, 3, 0, 2]);
    // four atoms at the same distance from the origin, one nearer
    const traj = makeTrajectory([[[3, 0, 0], [0, 3, 0], [0, 0, 3], [1, 1, 1], [0, 0, -3]]]);
    expect(Array.from(AxisProjectionEncoder.fit(traj).permutation)).toEqual([3, 0, 1, 2, 4]);
  });

  it("'corner' uses the minimum image on periodic axes", () => {
    // atom 0 sits 0.87 Å from the far corner (10, 10, 10); atom 1 is 1 Å from the origin
    const traj = makeTrajectory([[[9.5, 9.5, 9.5], [1, 0.0, 0.0], [5, 5, 5]]], { cell: cubic(10) });
    expect(Array.from(AxisProjectionEncoder.fit(traj, { ordering: 'corner' }).permutation)).toEqual([0, 1, 2]);
    expect(Array.from(AxisProjectionEncoder.fit(traj, { ordering: 'origin' }).permutation)).toEqual([1, 2, 0]);
    // an unwrapped mean just outside the box counts from the nearest corner too
    const out = makeTrajectory([[[-0.2, 10.1, 0.1], [1, 1, 1], [5, 5, 5]]], { cell: cubic(10) });
    expect(Array.from(AxisProjectionEncoder.fit(out, { ordering: 'corner' }).permutation)).toEqual([0, 1, 2]);
    expect(Array.from(AxisProjectionEncoder.fit(out, { ordering: 'origin' }).permutation)).toEqual([1, 2, 0]);
  });

  it("'corner' on non-periodic axes uses the corners of the range box, without wrapping", () => {
    // 11 cells: range x [-1.6, 11.6) (cell 1.2), y and z [-0.5, 10.5) (cell 1.0): min/max plus half a cell
    const traj = makeTrajectory([[[-1, 0.2, 0], [11, 10, 10], [5, 5, 5], [4, 0.5, 0.5], [5, 0, 0]]], { cell: null });
    const enc = AxisProjectionEncoder.fit(traj, { ordering: 'corner', gridSize: 11 });
    expect(enc.periodic).toEqual([false, false, false]);
    expect(enc.config.range[0][0]).toBeCloseTo(-1.6, 12);
    expect(enc.config.range[1][1]).toBeCloseTo(10.5, 12);
    const d = orderingDistances(meanPositions(traj), 'corner', enc.config.range, enc.periodic);
    const want = [[0.6, 0.7, 0.5], [0.6, 0.5, 0.5], [6.6, 5.5, 5.5], [5.6, 1.0, 1.0], [6.6, 0.5, 0.5]];
    for (let i = 0; i < 5; i++) expect(d[i]).toBeCloseTo(Math.hypot(...want[i]), 12);
    expect(Array.from(enc.permutation)).toEqual([1, 0, 3, 4, 2]);
  });
});
