/**
 * A custom token-drawing strategy: "min-p" sampling keeps only the cells whose
 * probability is at least `minP` times the most probable one, then draws.
 * Run: `npx tsx examples/custom-sampler.ts`.
 */
import { ConditionalSampler, drawFromCumulative, type TokenSampler } from '../src/index.js';
import { trainToyModel } from './toy-model.js';

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

const model = await trainToyModel();
const sampler = new ConditionalSampler(model);
const { trajectory, stats } = await sampler.sample(20, { seed: 7, sampler: minPSampler(0.2), minDistance: 2.0 });
console.log(`${trajectory.nFrames} structures with ${stats.engine}; replacement rate ${(100 * stats.replacementRate).toFixed(1)}%`);
model.dispose();
