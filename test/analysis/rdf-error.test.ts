import { describe, expect, it } from 'vitest';
import { rdfError, rdfPeaks } from '../../src/analysis';
import { loadRdfCsv } from './data';
import { sharedDataMissing } from '../support/shared-data';

describe('rdfError', () => {
  it("poster weighting: sum_k (1/k)(a_k - b_k)^2 with k from 1", () => {
    expect(rdfError([1, 2, 3, 0.5], [1, 1, 1, 1.5])).toBeCloseTo(0 + 1 / 2 + 4 / 3 + 1 / 4, 14);
    expect(rdfError([1, 2, 3], [1, 1, 1], { weighting: 'poster' })).toBeCloseTo(1 / 2 + 4 / 3, 14);
  });

  it('mean weighting: (1/K) sum_k (a_k - b_k)^2, the original code', () => {
    expect(rdfError([1, 2, 3, 0.5], [1, 1, 1, 1.5], { weighting: 'mean' })).toBeCloseTo((0 + 1 + 4 + 1) / 4, 14);
  });

  it('is zero for equal curves, symmetric, and accepts { g } objects and typed arrays', () => {
    const a = loadRdfCsv('a-si-30-sw-300K.rdf.lammps.rmax4.2.csv');
    const b = loadRdfCsv('a-si-30-sw-300K.rdf.ase.rmax4.2.csv');
    expect(rdfError(a, a)).toBe(0);
    const ab = rdfError(a, b);
    expect(ab).toBeGreaterThan(0);
    expect(rdfError(b.g, a.g)).toBeCloseTo(ab, 15);
    // ASE = LAMMPS (N-1)/N: the error is that of g/N, computed independently here.
    let expected = 0;
    for (let k = 0; k < a.g.length; k++) expected += (a.g[k] / 30) ** 2 / (k + 1);
    expect(ab).toBeCloseTo(expected, 6);
  });

  it('rejects mismatched, empty, non-finite input and unknown weightings', () => {
    expect(() => rdfError([1, 2], [1, 2, 3])).toThrow(/a has 2 bins but b has 3/);
    expect(() => rdfError([], [])).toThrow(/empty/);
    expect(() => rdfError([1, NaN], [1, 2])).toThrow(/a\[1\] is NaN/);
    expect(() => rdfError([1, 2], [1, Infinity])).toThrow(/b\[1\] is Infinity/);
    expect(() => rdfError([1], [1], { weighting: 'sum' as 'mean' })).toThrow(/options\.weighting = sum/);
    expect(() => rdfError(null as unknown as number[], [1])).toThrow(/rdfError: a is null/);
  });
});

describe('rdfPeaks', () => {
  // README: peak positions and heights (bin centres), parabolic-fit positions in brackets.
  const table: [string, number[], number[], number[]][] = [
    ['a-si-30-sw-300K', [2.375, 3.775], [4.4345, 1.7164], [2.395, 3.785]],
    ['a-si-216-sw-300K', [2.425, 3.875], [4.7355, 1.8], [2.404, 3.873]],
    ['a-si-4096-sw-300K', [2.375, 3.825], [4.7458, 1.8808], [2.4, 3.848]],
  ];
  for (const [name, pos, heights, fit] of table) {
    it.skipIf(name !== 'a-si-30-sw-300K' && sharedDataMissing(`rdf/${name}.rdf.lammps.rmax8.csv`))(`finds the first two peaks of ${name} as listed in the data README`, () => {
      const { r, g } = loadRdfCsv(`${name}.rdf.lammps.rmax8.csv`);
      const p = rdfPeaks(r, g, { count: 2 });
      expect(Array.from(p.positions)).toEqual(pos);
      p.heights.forEach((h, i) => expect(h).toBeCloseTo(heights[i], 4));
      p.refined.forEach((x, i) => expect(Math.abs(x - fit[i])).toBeLessThan(6e-4));
    });
  }

  it('ignores ripples on a peak (prominence) and returns peaks in order of r', () => {
    const r = Float64Array.from({ length: 200 }, (_, k) => (k + 0.5) * 0.05);
    const g = r.map((x) => 3 * Math.exp(-((x - 2.4) ** 2) / 0.02) + 1.5 * Math.exp(-((x - 3.9) ** 2) / 0.08) + 0.02 * Math.sin(40 * x));
    const p = rdfPeaks(r, g, { count: 2 });
    expect(Math.abs(p.refined[0] - 2.4)).toBeLessThan(0.01);
    expect(Math.abs(p.refined[1] - 3.9)).toBeLessThan(0.02);
    expect(p.prominences[0]).toBeGreaterThan(2.5);
    expect(rdfPeaks(r, g, { count: 5, minProminence: 0.5 }).positions.length).toBe(2);
  });

  it('rejects bad input', () => {
    expect(() => rdfPeaks([1, 2], [1])).toThrow(/r has 2 values but g has 1/);
    expect(() => rdfPeaks([1, 2, 3], [1, NaN, 1])).toThrow(/g\[1\] is NaN/);
    expect(() => rdfPeaks([1, 2, 3], [1, 2, 1], { count: 0 })).toThrow(/options\.count = 0/);
  });
});
