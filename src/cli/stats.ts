/**
 * Small statistics helpers for reports: mean, standard deviation, random
 * baseline structures.
 *
 * @module
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { Trajectory } from '../structure/trajectory.js';
import type { TokenCodec } from '../encoding/types.js';

/** Mean and (population) standard deviation of the finite values; NaN for none. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let n = 0, s = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  const mean = s / n;
  let q = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) q += (v - mean) * (v - mean);
  }
  return { mean, std: Math.sqrt(q / n), min, max };
}

/**
 * `nFrames` structures with the atoms of `like` placed independently and
 * uniformly in its cell (fractional coordinates uniform in [0, 1)): the
 * random-positions baseline of the RePAP poster. Seeded, reproducible.
 */
export function randomStructures(like: Trajectory, nFrames: number, seed: number): Trajectory {
  if (like.cell === null) throw new Error('random baseline: the reference has no cell; random positions need a periodic cell');
  const rng = xoroshiro128plus(seed | 0);
  const c = like.cell;
  const n = nFrames * like.nAtoms;
  const positions = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const u = uniformFloat64(rng);
    const v = uniformFloat64(rng);
    const w = uniformFloat64(rng);
    positions[3 * i] = u * c[0][0] + v * c[1][0] + w * c[2][0];
    positions[3 * i + 1] = u * c[0][1] + v * c[1][1] + w * c[2][1];
    positions[3 * i + 2] = u * c[0][2] + v * c[1][2] + w * c[2][2];
  }
  return {
    nFrames,
    nAtoms: like.nAtoms,
    positions,
    cell: like.cell,
    pbc: like.pbc,
    species: like.species,
    info: Array.from({ length: nFrames }, () => ({})),
  };
}

/**
 * The frames of `traj` with every coordinate moved to the centre of its grid
 * cell under `codec` (periodic axes wrapped): what a perfect model with
 * cell-centre decoding would generate, so the floor its grid allows.
 */
export function snapToGrid(traj: Trajectory, codec: TokenCodec): Trajectory {
  const positions = new Float64Array(traj.positions.length);
  for (let i = 0; i < positions.length; i++) {
    const axis = i % 3;
    positions[i] = codec.decode(codec.cellOf(traj.positions[i], axis), axis);
  }
  return { ...traj, positions };
}
