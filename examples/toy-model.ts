/**
 * The small model the extension examples sample from: diamond Si (8 atoms,
 * a = 5.431 Å) with seeded thermal noise, a 27-cell grid and a 32-unit
 * network, trained for a few seconds on the cpu backend.
 */
import { AxisProjectionEncoder, RePAPModel, useBackend, type Trajectory } from '../src/index.js';

/** Builds the toy data set and returns a model trained on it. */
export async function trainToyModel(): Promise<RePAPModel> {
  const a = 5.431, basis = [[0, 0, 0], [0, 2, 2], [2, 0, 2], [2, 2, 0], [1, 1, 1], [1, 3, 3], [3, 1, 3], [3, 3, 1]];
  let seed = 1;
  const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  const frames = 64;
  const positions = Float64Array.from({ length: frames * 24 }, (_, i) => (basis[Math.floor(i / 3) % 8][i % 3] * a) / 4 + noise() + 0.3);
  const data: Trajectory = {
    nFrames: frames, nAtoms: 8, positions, cell: [[a, 0, 0], [0, a, 0], [0, 0, a]], pbc: [true, true, true],
    species: Array(8).fill('Si'), info: Array.from({ length: frames }, () => ({})),
  };
  await useBackend('cpu');
  const model = RePAPModel.create(AxisProjectionEncoder.fit(data, { gridSize: 27 }), { units: 32 });
  await model.train(data, { epochs: 3, batchSize: 16 });
  return model;
}
