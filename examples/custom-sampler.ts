/**
 * A custom token-drawing strategy: "min-p" sampling keeps only the cells whose
 * probability is at least `minP` times the most probable one, then draws.
 * Run: `npx tsx examples/custom-sampler.ts`.
 */
import { AxisProjectionEncoder, ConditionalSampler, RePAPModel, drawFromCumulative, useBackend, type TokenSampler, type Trajectory } from '../src/index.js';

function minPSampler(minP: number): TokenSampler {
  const kept = new Float32Array(1024);
  return {
    name: `min-p-${minP}`,
    draw(probs, offset, size, random) {
      let max = 0;
      for (let i = 0; i < size; i++) max = Math.max(max, probs[offset + i]);
      for (let i = 0; i < size; i++) kept[i] = probs[offset + i] >= minP * max ? probs[offset + i] : 0;
      return drawFromCumulative(kept, 0, size, random); // random() is the structure's seeded stream
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
const sampler = new ConditionalSampler(model);
const { trajectory, stats } = await sampler.sample(20, { seed: 7, sampler: minPSampler(0.2), minDistance: 2.0 });
console.log(`${trajectory.nFrames} structures with ${stats.engine}; replacement rate ${(100 * stats.replacementRate).toFixed(1)}%`);
model.dispose();
