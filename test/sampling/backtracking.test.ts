import { describe, expect, it } from 'vitest';
import { ConditionalSampler, PairMetric, type Constraint, type SamplerEngine } from '../../src/sampling/index.js';
import { checkSamplingDefaults } from '../../src/model/sampling-defaults.js';
import { TinySource, tf } from './fixtures.js';

/** Atom 2 (encoder order) may stay only when atom 1 lies in the lower half along x: redrawing atom 2 alone can never repair it. */
const dependsOnAtom1: Constraint = { name: 'atom-1-low', accept: (p, k) => k !== 2 || p[3] < 4 };

function minPair(src: TinySource, positions: ArrayLike<number>, f: number): number {
  const n = src.codec.nAtoms;
  const metric = new PairMetric(src.cell, src.pbc);
  const p = Float64Array.from({ length: n * 3 }, (_, i) => positions[f * n * 3 + i]);
  let best = Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) best = Math.min(best, Math.sqrt(metric.distance2(p, i, j)));
  return best;
}

describe('backtracking', () => {
  const src = new TinySource({ gridSize: 8, nAtoms: 5, length: 8, seed: 4 });
  const atom1 = src.codec.permutation[1]; // original index of encoder atom 1

  it('repairs a structure that redrawing the failing atom alone cannot: the earlier atom is drawn again', async () => {
    const s = new ConditionalSampler(src, { engine: 'js' });
    const opts = { seed: 3, minDistance: 0, maxTries: 4, constraints: [dependsOnAtom1] };
    const plain = await s.sample(40, opts);
    const back = await s.sample(40, { ...opts, maxBacktracks: 20, backtrackDepth: 1 });
    // without backtracking: exactly the structures whose atom 1 landed in the upper half violate, at atom 2
    const upper = Array.from({ length: 40 }, (_, f) => plain.trajectory.positions[(f * 5 + atom1) * 3] >= 4);
    expect(upper.filter(Boolean).length).toBeGreaterThan(5);
    expect(plain.stats.violatingStructures).toEqual(upper.flatMap((u, f) => (u ? [f] : [])));
    expect(plain.stats.backtracks).toBe(0);
    // with backtracking: none violates, every atom 1 is low, and each repaired structure spent at least one backtrack
    expect(back.stats.violatingStructures).toEqual([]);
    for (let f = 0; f < 40; f++) {
      expect(back.trajectory.positions[(f * 5 + atom1) * 3]).toBeLessThan(4);
      if (upper[f]) {
        expect(back.stats.perStructure.backtracks[f]).toBeGreaterThanOrEqual(1);
        // depth 1 undoes atom 1; a restart (after 3 backtracks that got no further) undoes atoms 0 and 1
        const b = back.stats.perStructure.backtracks[f], u = back.stats.perStructure.undoneAtoms[f];
        expect(u).toBeGreaterThanOrEqual(b);
        expect(u).toBeLessThanOrEqual(2 * b);
      } else {
        // a structure that needed no backtrack is the same structure, draw for draw
        expect(back.stats.perStructure.backtracks[f]).toBe(0);
        const a = plain.trajectory.positions.slice(f * 15, (f + 1) * 15);
        const b = back.trajectory.positions.slice(f * 15, (f + 1) * 15);
        expect(Array.from(b)).toEqual(Array.from(a));
      }
      expect(back.trajectory.info[f].backtracks).toBe(back.stats.perStructure.backtracks[f]);
    }
    expect(back.stats.backtracks).toBe(back.stats.perStructure.backtracks.reduce((x, y) => x + y, 0));
    expect(back.stats.settings).toMatchObject({ maxBacktracks: 20, backtrackDepth: 1 });
  });

  it('starts a structure again when backtracks get no further: a failure caused by the first atom is repaired', async () => {
    // atom 4 may stay only when atom 0 lies beyond x = 2 Å (atom 0's x comes from the training first
    // coordinates, in [0, 4) Å); undoing one atom at a time never reaches atom 0
    const dependsOnAtom0: Constraint = { name: 'atom-0-far', accept: (p, k) => k !== 4 || p[0] > 2 };
    const atom0 = src.codec.permutation[0];
    const s = new ConditionalSampler(src, { engine: 'js' });
    const opts = { seed: 8, minDistance: 0, maxTries: 2, backtrackDepth: 1, constraints: [dependsOnAtom0] };
    const plain = await s.sample(30, { ...opts, maxBacktracks: 0 });
    expect(plain.stats.violatingStructures.length).toBeGreaterThan(3);
    const back = await s.sample(30, { ...opts, maxBacktracks: 200 });
    expect(back.stats.violatingStructures).toEqual([]);
    for (let f = 0; f < 30; f++) expect(back.trajectory.positions[(f * 5 + atom0) * 3]).toBeGreaterThan(2);
    for (const f of plain.stats.violatingStructures) {
      // some backtracks of depth 1, then a restart that undid all four atoms before atom 4
      expect(back.stats.perStructure.backtracks[f]).toBeGreaterThan(1);
      expect(back.stats.perStructure.undoneAtoms[f]).toBeGreaterThanOrEqual(back.stats.perStructure.backtracks[f] + 3);
    }
  });

  it('a spent budget keeps the last draw and reports the structure as violating', async () => {
    const s = new ConditionalSampler(src, { engine: 'js' });
    // a constraint no draw can satisfy: every backtrack is spent, then the atom is kept
    const never: Constraint = { name: 'never', accept: (_p, k) => k !== 3 };
    const { stats } = await s.sample(6, { seed: 1, minDistance: 0, maxTries: 2, maxBacktracks: 5, backtrackDepth: 2, constraints: [never] });
    expect(Array.from(stats.perStructure.backtracks)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(Array.from(stats.perStructure.violatingAtoms)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(stats.violatingStructures).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('makes every structure valid at a minimum distance where tries alone leave many invalid', async () => {
    const tight = new TinySource({ gridSize: 8, nAtoms: 6, length: 8, seed: 2 });
    for (const engine of ['js', 'wasm'] as SamplerEngine[]) {
      const s = new ConditionalSampler(tight, { engine });
      const plain = await s.sample(60, { seed: 1, minDistance: 2.5, maxTries: 3 });
      expect(plain.stats.violatingStructures.length).toBeGreaterThan(3);
      const back = await s.sample(60, { seed: 1, minDistance: 2.5, maxTries: 3, maxBacktracks: 200, backtrackDepth: 2 });
      expect(back.stats.violatingStructures).toEqual([]);
      expect(back.stats.backtracks).toBeGreaterThan(0);
      for (let f = 0; f < 60; f++) expect(minPair(tight, back.trajectory.positions, f)).toBeGreaterThanOrEqual(2.5);
    }
  });

  it('never undoes prefix atoms', async () => {
    const s = new ConditionalSampler(src, { engine: 'js' });
    // atom 1 is fixed in the upper half: atom 2 cannot be repaired, and the prefix stays exactly as given
    const prefix = [[1.1, 2.2, 3.3], [5.5, 1.0, 0.5]];
    const { trajectory, stats } = await s.sample(5, { seed: 2, minDistance: 0, maxTries: 3, maxBacktracks: 10, prefix, constraints: [dependsOnAtom1] });
    expect(stats.violatingStructures).toEqual([0, 1, 2, 3, 4]);
    expect(stats.backtracks).toBe(0);
    for (let f = 0; f < 5; f++) {
      for (let k = 0; k < 2; k++) {
        for (let ax = 0; ax < 3; ax++) expect(trajectory.positions[(f * 5 + src.codec.permutation[k]) * 3 + ax]).toBe(prefix[k][ax]);
      }
    }
    // a constraint on the generated atoms only is repaired above the prefix
    const later: Constraint = { name: 'atom-3-low', accept: (p, k) => k !== 4 || p[9] < 4 };
    const ok = await s.sample(20, { seed: 2, minDistance: 0, maxTries: 3, maxBacktracks: 10, prefix, constraints: [later] });
    expect(ok.stats.violatingStructures).toEqual([]);
    expect(ok.stats.backtracks).toBeGreaterThan(0);
  });

  it('repeats exactly for a seed whatever the batch size, and the engines agree', async () => {
    const tight = new TinySource({ gridSize: 8, nAtoms: 6, length: 8, seed: 2 });
    const opts = { seed: 5, minDistance: 2.5, maxTries: 2, maxBacktracks: 30, backtrackDepth: 2, jitter: true };
    const ref = await new ConditionalSampler(tight, { engine: 'js' }).sample(24, { ...opts, batchSize: 24 });
    expect(ref.stats.backtracks).toBeGreaterThan(5);
    const again = await new ConditionalSampler(tight, { engine: 'js' }).sample(24, { ...opts, batchSize: 7 });
    expect(Array.from(again.trajectory.positions)).toEqual(Array.from(ref.trajectory.positions));
    expect(Array.from(again.stats.perStructure.backtracks)).toEqual(Array.from(ref.stats.perStructure.backtracks));
    const streamed: number[] = [];
    for await (const b of new ConditionalSampler(tight).stream(24, { ...opts, batchSize: 10 })) streamed.push(...b.trajectory.positions);
    expect(streamed).toEqual(Array.from(ref.trajectory.positions));
    for (const engine of ['wasm', 'tfjs', 'rerun'] as SamplerEngine[]) {
      const other = await new ConditionalSampler(tight, { engine }).sample(24, { ...opts, batchSize: 9 });
      expect(Array.from(other.trajectory.positions), engine).toEqual(Array.from(ref.trajectory.positions));
    }
    const other = await new ConditionalSampler(tight, { engine: 'js' }).sample(24, { ...opts, seed: 6 });
    expect(Array.from(other.trajectory.positions)).not.toEqual(Array.from(ref.trajectory.positions));
  });

  it('leaks no tensors', async () => {
    const tiny = new TinySource({ gridSize: 6, nAtoms: 4, length: 6, units: [3] });
    const samplers = (['tfjs', 'rerun', 'js'] as SamplerEngine[]).map((engine) => new ConditionalSampler(tiny, { engine }));
    await samplers[0].sample(2, { seed: 0, minDistance: 2, maxBacktracks: 5 });
    const before = tf.memory().numTensors;
    let backtracks = 0;
    for (let i = 0; i < 60; i++) {
      const { stats } = await samplers[i % 3].sample(3, { seed: i, minDistance: 2, maxTries: 2, maxBacktracks: 5, backtrackDepth: 2 });
      backtracks += stats.backtracks;
    }
    expect(backtracks).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names bad options and out-of-range stored values', async () => {
    const s = new ConditionalSampler(src);
    await expect(s.sample(2, { maxBacktracks: -1 })).rejects.toThrow(/options.maxBacktracks must be an integer >= 0 \(got -1\)/);
    await expect(s.sample(2, { maxBacktracks: 1.5 })).rejects.toThrow(/maxBacktracks/);
    await expect(s.sample(2, { backtrackDepth: 0 })).rejects.toThrow(/options.backtrackDepth must be an integer from 1 to 1000 atoms \(got 0\)/);
    expect(() => s.stream(2, { backtrackDepth: 2.5 })).toThrow(/backtrackDepth/);
    const base = { temperature: 1, minDistance: 2, maxTries: 10 };
    expect(() => checkSamplingDefaults({ ...base, maxBacktracks: -3 }, 'm/repap.json')).toThrow(/m\/repap.json: field 'sampling.maxBacktracks' = -3 is out of range; valid: an integer from 0 to 10000/);
    expect(() => checkSamplingDefaults({ ...base, backtrackDepth: 0 }, 'm/repap.json')).toThrow(/field 'sampling.backtrackDepth' = 0 is out of range/);
    expect(checkSamplingDefaults({ ...base, maxBacktracks: 50, backtrackDepth: 3 }, 'x')).toEqual({ ...base, maxBacktracks: 50, backtrackDepth: 3 });
  });

  it('takes maxBacktracks and backtrackDepth from the model when the call gives none', async () => {
    const tight = new TinySource({ gridSize: 8, nAtoms: 6, length: 8, seed: 2 });
    const stored = Object.assign(tight, { samplingDefaults: { temperature: 1, minDistance: 2.5, maxTries: 3, maxBacktracks: 200, backtrackDepth: 2 } });
    const s = new ConditionalSampler(stored, { engine: 'js' });
    const a = await s.sample(30, { seed: 1 });
    expect(a.stats.settings).toMatchObject({ maxBacktracks: 200, backtrackDepth: 2 });
    expect(a.stats.settings.fromModel).toEqual(['temperature', 'minDistance', 'maxTries', 'maxBacktracks', 'backtrackDepth']);
    expect(a.stats.violatingStructures).toEqual([]);
    const off = await s.sample(30, { seed: 1, maxBacktracks: 0 });
    expect(off.stats.backtracks).toBe(0);
    expect(off.stats.settings.fromModel).not.toContain('maxBacktracks');
    expect(off.stats.violatingStructures.length).toBeGreaterThan(0);
  });
});
