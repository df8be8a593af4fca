/**
 * A custom constraint: no atom may have more than `maxCN` neighbours within
 * `cutoff` Å (a maximum coordination number), checked together with the
 * default 2.0 Å minimum distance. Run: `npx tsx examples/custom-constraint.ts`.
 */
import { AxisProjectionEncoder, ConditionalSampler, RePAPModel, useBackend, type Constraint, type Trajectory } from '../src/index.js';

function maxCoordination(maxCN: number, cutoff: number): Constraint {
  const c2 = cutoff * cutoff;
  const count = new Int32Array(4096);
  return {
    name: `max-coordination-${maxCN}`,
    // atoms 0 .. atomIndex are placed; atomIndex is the new one
    accept(positions, atomIndex, { metric }) {
      count.fill(0, 0, atomIndex + 1);
      for (let i = 0; i <= atomIndex; i++) {
        for (let j = 0; j < i; j++) {
          if (metric.distance2(positions, i, j) < c2) {
            count[i]++;
            count[j]++;
          }
        }
      }
      for (let i = 0; i <= atomIndex; i++) if (count[i] > maxCN) return false;
      return true;
    },
  };
}

// toy training data: diamond Si (8 atoms, a = 5.431 Å) with thermal noise
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
const { stats } = await new ConditionalSampler(model).sample(20, {
  seed: 3, minDistance: 2.0, maxTries: 50, constraints: [maxCoordination(4, 2.6)],
});
console.log(`replacement rate ${(100 * stats.replacementRate).toFixed(1)}%, still violating: ${stats.violatingStructures.length} of 20`);
model.dispose();
