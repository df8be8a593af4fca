/**
 * A custom constraint: no atom may have more than `maxCN` neighbours within
 * `cutoff` Å (a maximum coordination number), checked together with the
 * default 2.0 Å minimum distance. Run: `npx tsx examples/custom-constraint.ts`.
 */
import { ConditionalSampler, type Constraint } from '../src/index.js';
import { trainToyModel } from './toy-model.js';

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

const model = await trainToyModel();
const { stats } = await new ConditionalSampler(model).sample(20, {
  seed: 3, minDistance: 2.0, maxTries: 50, constraints: [maxCoordination(4, 2.6)],
});
console.log(`replacement rate ${(100 * stats.replacementRate).toFixed(1)}%, still violating: ${stats.violatingStructures.length} of 20`);
model.dispose();
