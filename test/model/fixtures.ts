/**
 * Test fixtures: a tiny, learnable, seeded trajectory (atoms vibrating around
 * fixed sites in a small periodic cube) and helpers to pick a tfjs backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Trajectory, Cell } from '../../src/structure/trajectory.js';

/** A seeded toy trajectory: `nAtoms` atoms jiggling (std `noise` Å) around fixed random sites in a cube of side `length`. */
export function toyTrajectory(nFrames: number, nAtoms = 4, length = 4, noise = 0.08, seed = 1): Trajectory {
  const rng = xoroshiro128plus(seed);
  const u = (): number => (rng.next() >>> 0) / 4294967296;
  const sites = Float64Array.from({ length: nAtoms * 3 }, () => 0.5 + u() * (length - 1));
  const positions = new Float64Array(nFrames * nAtoms * 3);
  for (let f = 0; f < nFrames; f++) {
    for (let j = 0; j < nAtoms * 3; j++) {
      // sum of 3 uniforms ~ bell shape
      positions[f * nAtoms * 3 + j] = sites[j]! + noise * 2 * (u() + u() + u() - 1.5);
    }
  }
  const cell: Cell = [
    [length, 0, 0],
    [0, length, 0],
    [0, 0, length],
  ];
  return {
    nFrames,
    nAtoms,
    positions,
    cell,
    pbc: [true, true, true],
    species: Array.from({ length: nAtoms }, () => 'Si'),
    info: Array.from({ length: nFrames }, () => ({})),
  };
}

/** Switches tfjs to `name` ('cpu' or 'wasm'). */
export async function useTf(name: 'cpu' | 'wasm'): Promise<void> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`cannot initialise the ${name} backend`);
  }
  await tf.ready();
}
