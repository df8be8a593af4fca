import { describe, expect, it } from 'vitest';
import { ConditionalSampler, type SamplerEngine } from '../../src/sampling/index.js';
import { PairMetric, type Constraint } from '../../src/sampling/constraint.js';
import { networkProbabilities, OpaqueSource, TinySource, tf } from './fixtures.js';

/** Grid cells (encoder order) of frame f of a generated trajectory. */
function cellsOf(src: TinySource, positions: Float64Array, f: number): Int32Array {
  const c = src.codec;
  const cells = new Int32Array(c.sequenceLength);
  for (let k = 0; k < c.nAtoms; k++) {
    const a = c.permutation[k];
    for (let ax = 0; ax < 3; ax++) cells[3 * k + ax] = c.cellOf(positions[(f * c.nAtoms + a) * 3 + ax], ax);
  }
  return cells;
}

function minPair(src: TinySource, positions: Float64Array, f: number): number {
  const n = src.codec.nAtoms;
  const metric = new PairMetric(src.cell, src.pbc);
  const p = positions.subarray(f * n * 3, (f + 1) * n * 3);
  let best = Infinity;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) best = Math.min(best, Math.sqrt(metric.distance2(p, i, j)));
  return best;
}

describe('state-carrying engines vs the layers model', () => {
  const src = new TinySource({ gridSize: 9, nAtoms: 5, units: [7, 6], seed: 3 });
  const T = src.codec.sequenceLength;
  const cells = Int32Array.from({ length: T }, (_, t) => (t * 7 + 3) % 9);
  const reference = networkProbabilities(src, cells);
  for (const engine of ['js', 'wasm', 'tfjs', 'rerun'] as SamplerEngine[]) {
    it(`${engine}: same per-step distribution at every step to 1e-5`, () => {
      const p = new ConditionalSampler(src, { engine }).probabilities(cells);
      expect(p.length).toBe((T - 1) * 9);
      let worst = 0;
      for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - reference[i]));
      expect(worst).toBeLessThan(1e-5);
      // and the distributions are not trivially uniform
      let spread = 0;
      for (let i = 0; i < p.length; i++) spread = Math.max(spread, Math.abs(p[i] - 1 / 9));
      expect(spread).toBeGreaterThan(1e-3);
    });
  }
});

describe('seeding', () => {
  const src = new TinySource({ nAtoms: 5, seed: 5 });
  it('the same seed repeats exactly, whatever the batch size; another seed differs', async () => {
    const s = new ConditionalSampler(src);
    const a = await s.sample(12, { seed: 42, batchSize: 12, minDistance: 1.0 });
    const b = await s.sample(12, { seed: 42, batchSize: 5, minDistance: 1.0 });
    const c = await s.sample(12, { seed: 43, batchSize: 12, minDistance: 1.0 });
    expect(Array.from(b.trajectory.positions)).toEqual(Array.from(a.trajectory.positions));
    expect(Array.from(b.stats.perStructure.redraws)).toEqual(Array.from(a.stats.perStructure.redraws));
    expect(a.stats.seed).toBe(42);
    let differ = 0;
    for (let i = 0; i < a.trajectory.positions.length; i++) if (a.trajectory.positions[i] !== c.trajectory.positions[i]) differ++;
    expect(differ).toBeGreaterThan(a.trajectory.positions.length / 4);
  });

  it('stream yields the same structures as sample, batch by batch', async () => {
    const s = new ConditionalSampler(src);
    const whole = await s.sample(10, { seed: 7, minDistance: 0, jitter: true });
    const parts: number[] = [];
    const offsets: number[] = [];
    for await (const batch of s.stream(10, { seed: 7, minDistance: 0, jitter: true, batchSize: 4 })) {
      offsets.push(batch.stats.offset);
      parts.push(...batch.trajectory.positions);
    }
    expect(offsets).toEqual([0, 4, 8]);
    expect(parts).toEqual(Array.from(whole.trajectory.positions));
  });

  it('the js and wasm engines agree: per-step distributions within 1e-6, the same seed gives identical structures', async () => {
    // The two engines sum the LSTM products in different orders (scalar vs 4-lane SIMD), so a per-step
    // probability may differ by a few float32 ulps (measured: at most 1.5e-8). A draw can only come out
    // differently when its uniform number falls within that distance of a cumulative bin edge: with the
    // bound below, at most G * 1e-6 = 8e-6 per draw, about 0.01 expected flips over the 1,500 draws of
    // 100 structures. For a fixed seed the outcome is deterministic, so every coordinate must be equal.
    const T = src.codec.sequenceLength;
    const cells = Int32Array.from({ length: T }, (_, t) => (t * 5 + 1) % 8);
    const pj = new ConditionalSampler(src, { engine: 'js' }).probabilities(cells);
    const pw = new ConditionalSampler(src, { engine: 'wasm' }).probabilities(cells);
    let worst = 0;
    for (let i = 0; i < pj.length; i++) worst = Math.max(worst, Math.abs(pj[i] - pw[i]));
    expect(worst).toBeLessThan(1e-6);
    const a = await new ConditionalSampler(src, { engine: 'js' }).sample(100, { seed: 9, minDistance: 0 });
    const b = await new ConditionalSampler(src, { engine: 'wasm' }).sample(100, { seed: 9, minDistance: 0 });
    expect(a.trajectory.positions.length).toBe(100 * 5 * 3);
    let differ = 0;
    for (let i = 0; i < a.trajectory.positions.length; i++) if (a.trajectory.positions[i] !== b.trajectory.positions[i]) differ++;
    expect(differ).toBe(0);
  });
});

describe('output', () => {
  it('has the source cell, pbc and species in the original atom order', async () => {
    const src = new TinySource({ nAtoms: 4 });
    const { trajectory } = await new ConditionalSampler(src).sample(3, { seed: 1, minDistance: 0 });
    expect(trajectory.nFrames).toBe(3);
    expect(trajectory.nAtoms).toBe(4);
    expect(trajectory.cell).toEqual(src.cell);
    expect(trajectory.pbc).toEqual([true, true, true]);
    // orderedSpecies[k] belongs to original atom permutation[k]
    for (let k = 0; k < 4; k++) expect(trajectory.species[src.codec.permutation[k]]).toBe(src.codec.orderedSpecies[k]);
    expect(trajectory.species).toEqual(['Si', 'Ge', 'Si', 'Ge']);
    expect(trajectory.info[2].structure).toBe(2);
  });

  it('greedy decoding takes the argmax of the network at every step', async () => {
    const src = new TinySource({ gridSize: 9, nAtoms: 4, seed: 11 });
    const { trajectory } = await new ConditionalSampler(src).sample(3, { seed: 2, greedy: true, minDistance: 0 });
    for (let f = 0; f < 3; f++) {
      const cells = cellsOf(src, trajectory.positions as Float64Array, f);
      const p = networkProbabilities(src, cells);
      for (let t = 1; t < cells.length; t++) {
        let best = 0;
        for (let g = 1; g < 9; g++) if (p[(t - 1) * 9 + g] > p[(t - 1) * 9 + best]) best = g;
        expect(cells[t]).toBe(best);
      }
    }
  });

  it('draws the cell histogram of a uniform network uniformly (chi-square)', async () => {
    const src = new TinySource({ gridSize: 8, nAtoms: 4, uniformOutput: true });
    const { trajectory } = await new ConditionalSampler(src).sample(300, { seed: 4, minDistance: 0 });
    const counts = new Float64Array(8);
    let n = 0;
    for (let f = 0; f < 300; f++) {
      const cells = cellsOf(src, trajectory.positions as Float64Array, f);
      for (let t = 1; t < cells.length; t++) {
        counts[cells[t]]++;
        n++;
      }
    }
    let chi2 = 0;
    for (const c of counts) chi2 += (c - n / 8) ** 2 / (n / 8);
    expect(chi2).toBeLessThan(24.32); // df = 7, p = 0.001
    // x0 comes from the empirical first coordinates, not from the network
    const firstCells = new Set(Array.from(src.firstCoordinates, (v) => src.codec.cellOf(v, 0)));
    for (let f = 0; f < 300; f++) expect(firstCells.has(cellsOf(src, trajectory.positions as Float64Array, f)[0])).toBe(true);
  });

  it('jitter keeps each coordinate inside its cell', async () => {
    const src = new TinySource({ nAtoms: 4 });
    const plain = await new ConditionalSampler(src).sample(5, { seed: 3, minDistance: 0 });
    const jit = await new ConditionalSampler(src).sample(5, { seed: 3, minDistance: 0, jitter: true });
    const w = src.codec.width;
    let moved = 0;
    for (let i = 0; i < plain.trajectory.positions.length; i++) {
      const c = plain.trajectory.positions[i], j = jit.trajectory.positions[i];
      // same cells drawn; the jittered coordinate lies within half a cell of the centre
      expect(Math.abs(j - c)).toBeLessThanOrEqual(w / 2 + 1e-12);
      if (j !== c) moved++;
    }
    expect(moved).toBeGreaterThan(plain.trajectory.positions.length / 2);
  });
});

describe('minimum-distance resampling', () => {
  it('no pair under minDistance unless the structure is reported as violating', async () => {
    const src = new TinySource({ gridSize: 8, nAtoms: 6, length: 8, seed: 2 });
    for (const engine of ['js', 'wasm'] as SamplerEngine[]) {
      const { trajectory, stats } = await new ConditionalSampler(src, { engine }).sample(60, { seed: 1, minDistance: 2.5, maxTries: 3 });
      expect(stats.resampledAtoms).toBeGreaterThan(0);
      expect(stats.replacementRate).toBeCloseTo(stats.resampledAtoms / (60 * 6), 12);
      for (let f = 0; f < 60; f++) expect(stats.perStructure.replacementRate[f]).toBeCloseTo(stats.perStructure.resampledAtoms[f] / 6, 12);
      expect(Math.max(...stats.perStructure.replacementRate)).toBeGreaterThan(0);
      const violating = new Set(stats.violatingStructures);
      for (let f = 0; f < 60; f++) {
        const d = minPair(src, trajectory.positions as Float64Array, f);
        if (!violating.has(f)) expect(d).toBeGreaterThanOrEqual(2.5);
        else expect(d).toBeLessThan(2.5);
        expect(trajectory.info[f].violating_atoms).toBe(stats.perStructure.violatingAtoms[f]);
      }
      // with enough tries every structure is clean
      const clean = await new ConditionalSampler(src, { engine }).sample(30, { seed: 1, minDistance: 2.5, maxTries: 200 });
      expect(clean.stats.violatingStructures).toEqual([]);
      for (let f = 0; f < 30; f++) expect(minPair(src, clean.trajectory.positions as Float64Array, f)).toBeGreaterThanOrEqual(2.5);
    }
  });

  it('without resampling the same model places close pairs (the check is not vacuous)', async () => {
    const src = new TinySource({ gridSize: 8, nAtoms: 6, length: 8, seed: 2 });
    const { trajectory, stats } = await new ConditionalSampler(src).sample(60, { seed: 1, minDistance: 0 });
    expect(stats.redraws).toBe(0);
    let close = 0;
    for (let f = 0; f < 60; f++) if (minPair(src, trajectory.positions as Float64Array, f) < 2.5) close++;
    expect(close).toBeGreaterThan(10);
  });

  it('uses the minimum image in a triclinic cell', () => {
    const cell: [[number, number, number], [number, number, number], [number, number, number]] = [[5, 0, 0], [2.2, 4.6, 0], [1.1, -1.3, 4.2]];
    const m = new PairMetric(cell, [true, true, true]);
    const pos = Float64Array.from([0.2, 0.3, 0.1, 4.9, 4.4, 3.9, 1.0, 2.0, 3.0]);
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]]) {
      let best = Infinity;
      for (let a = -3; a <= 3; a++) for (let b = -3; b <= 3; b++) for (let c = -3; c <= 3; c++) {
        const d = [0, 1, 2].map((x) => pos[3 * i + x] - pos[3 * j + x] + a * cell[0][x] + b * cell[1][x] + c * cell[2][x]);
        best = Math.min(best, d[0] ** 2 + d[1] ** 2 + d[2] ** 2);
      }
      expect(m.distance2(pos, i, j)).toBeCloseTo(best, 10);
    }
    const open = new PairMetric(null, [false, false, false]);
    expect(open.distance2(pos, 0, 1)).toBeCloseTo(4.7 ** 2 + 4.1 ** 2 + 3.8 ** 2, 10);
  });

  it('honours a custom constraint', async () => {
    const src = new TinySource({ nAtoms: 5, seed: 8 });
    // keep every atom in the lower half of the box along x
    const lowerHalf: Constraint = { name: 'lower-half', accept: (p, k) => p[3 * k] < 4 };
    const { trajectory, stats } = await new ConditionalSampler(src).sample(20, { seed: 3, minDistance: 0, maxTries: 100, constraints: [lowerHalf] });
    expect(stats.violatingStructures).toEqual([]);
    expect(stats.resampledAtoms).toBeGreaterThan(0);
    for (let i = 0; i < trajectory.positions.length; i += 3) expect(trajectory.positions[i]).toBeLessThan(4);
  });
});

describe('conditional generation', () => {
  it('keeps the prefix exactly and generates the rest', async () => {
    const src = new TinySource({ gridSize: 8, nAtoms: 5, seed: 4 });
    const prefix = [[0.123, 1.5, 7.9], [3.3, 3.3, 0.01]];
    const s = new ConditionalSampler(src);
    const { trajectory, stats } = await s.sample(10, { seed: 5, prefix, minDistance: 1.5 });
    expect(stats.placedAtoms).toBe(10 * 3);
    for (let f = 0; f < 10; f++) {
      for (let k = 0; k < 2; k++) {
        const a = src.codec.permutation[k];
        for (let ax = 0; ax < 3; ax++) expect(trajectory.positions[(f * 5 + a) * 3 + ax]).toBe(prefix[k][ax]);
      }
    }
    // the rest differs between structures
    const third = src.codec.permutation[2];
    const xs = new Set(Array.from({ length: 10 }, (_, f) => trajectory.positions.slice((f * 5 + third) * 3, (f * 5 + third) * 3 + 3).join()));
    expect(xs.size).toBeGreaterThan(1);
    // conditioning changes the distribution of the next atom: the state after the prefix is used
    const p = s.probabilities(cellsOf(src, trajectory.positions as Float64Array, 0));
    const ref = networkProbabilities(src, cellsOf(src, trajectory.positions as Float64Array, 0));
    for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - ref[i])).toBeLessThan(1e-5);
    // a flat prefix is accepted too, and a prefix covering every atom returns it unchanged
    const full = Array.from({ length: 15 }, (_, i) => (i * 0.77) % 8);
    const all = await s.sample(2, { seed: 5, prefix: full, minDistance: 0 });
    for (let k = 0; k < 5; k++) {
      for (let ax = 0; ax < 3; ax++) expect(all.trajectory.positions[(5 + src.codec.permutation[k]) * 3 + ax]).toBe(full[3 * k + ax]);
    }
  });
});

describe('generic path', () => {
  it('samples a model without stackWeights by re-running it (same structures as the fast path, nearly)', async () => {
    const src = new OpaqueSource({ nAtoms: 3, seed: 6 });
    const s = new ConditionalSampler(src);
    const a = await s.sample(4, { seed: 3, minDistance: 1 });
    const b = await new ConditionalSampler(new TinySource({ nAtoms: 3, seed: 6 }), { engine: 'js' }).sample(4, { seed: 3, minDistance: 1 });
    expect(a.stats.engine).toBe('rerun');
    expect(Array.from(a.trajectory.positions)).toEqual(Array.from(b.trajectory.positions));
    expect(() => new ConditionalSampler(src, { engine: 'js' }).probabilities(new Int32Array(9))).toThrow(/stackWeights/);
  });
});

describe('bad input', () => {
  const src = new TinySource({ nAtoms: 3 });
  const s = new ConditionalSampler(src);
  it('names the parameter and the fix', async () => {
    await expect(s.sample(0)).rejects.toThrow(/n \(number of structures\) must be an integer >= 1/);
    await expect(s.sample(2, { batchSize: 0 })).rejects.toThrow(/batchSize must be an integer >= 1/);
    await expect(s.sample(2, { batchSize: 1.5 })).rejects.toThrow(/batchSize/);
    await expect(s.sample(2, { temperature: 0 })).rejects.toThrow(/temperature must be a finite number > 0/);
    await expect(s.sample(2, { temperature: -1 })).rejects.toThrow(/temperature/);
    await expect(s.sample(2, { minDistance: -0.1 })).rejects.toThrow(/minDistance must be a finite number of Å >= 0/);
    await expect(s.sample(2, { maxTries: 0 })).rejects.toThrow(/maxTries/);
    await expect(s.sample(2, { prefix: [[1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]] })).rejects.toThrow(/prefix has 4 atoms but a structure has only 3/);
    await expect(s.sample(2, { prefix: [1, 2] })).rejects.toThrow(/3 per atom/);
    await expect(s.sample(2, { prefix: [[1, NaN, 1]] })).rejects.toThrow(/prefix atom 0 y is NaN/);
    await expect(s.sample(2, { greedy: true, sampler: { name: 'x', draw: () => 0 } })).rejects.toThrow(/either/);
    await expect(s.sample(2, { minDistance: 0, sampler: { name: 'bad', draw: () => 99 } })).rejects.toThrow(/sampler 'bad' returned 99/);
    expect(() => s.stream(2, { batchSize: -3 })).toThrow(/batchSize/);
    expect(() => new ConditionalSampler(src, { threads: 0 })).toThrow(/threads/);
    expect(() => new ConditionalSampler(src, { engine: 'gpu' as SamplerEngine })).toThrow(/engine/);
  });
  it('rejects a prefix outside a non-periodic grid range', async () => {
    const open = new TinySource({ nAtoms: 3, periodic: false });
    await expect(new ConditionalSampler(open).sample(2, { prefix: [[1, 9.5, 1]] })).rejects.toThrow(/prefix atom 0 y = 9.5 Å lies outside the grid range/);
    const ok = await new ConditionalSampler(open).sample(2, { prefix: [[1, 7.5, 1]], seed: 1 });
    expect(ok.trajectory.cell).toBeNull();
  });
  it('refuses to run after the model was disposed', async () => {
    const gone = new TinySource({ nAtoms: 2 });
    const sg = new ConditionalSampler(gone);
    await sg.sample(1, { seed: 1 });
    gone.dispose();
    await expect(sg.sample(1)).rejects.toThrow(/model was disposed/);
    expect(() => sg.stream(1)).toThrow(/model was disposed/);
    expect(() => sg.probabilities(new Int32Array(6))).toThrow(/model was disposed/);
  });
});

describe('memory', () => {
  it('leaks no tensors over 1,000 sampler calls', async () => {
    const src = new TinySource({ gridSize: 4, nAtoms: 2, units: [3, 3] });
    const engines: SamplerEngine[] = ['auto', 'js', 'tfjs', 'rerun'];
    const samplers = engines.map((engine) => new ConditionalSampler(src, { engine }));
    await samplers[0].sample(1, { seed: 0 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      const s = samplers[i % samplers.length];
      if (i % 3 === 2) {
        for await (const b of s.stream(2, { seed: i, batchSize: 1, minDistance: 1 })) expect(b.trajectory.nFrames).toBe(1);
      } else {
        await s.sample(1, { seed: i, minDistance: 1 });
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
