import { describe, expect, it } from 'vitest';
import {
  applyTemperature, argMax, drawFromCumulative, greedySampler, multinomialSampler, nucleusSampler, topKSampler,
} from '../../src/sampling/index.js';
import { structureRandom, structureSeed } from '../../src/sampling/rng.js';

const probs = Float32Array.from([0.05, 0.4, 0.1, 0.25, 0.2]);

function histogram(draw: (r: () => number) => number, n: number, size: number): Float64Array {
  const rnd = structureRandom(123, 0);
  const h = new Float64Array(size);
  for (let i = 0; i < n; i++) h[draw(rnd)]++;
  return h;
}

describe('token samplers', () => {
  it('multinomial draws each cell with its probability (chi-square, df 4)', () => {
    const n = 20000;
    const h = histogram((r) => multinomialSampler.draw(probs, 0, 5, r), n, 5);
    let chi2 = 0;
    for (let i = 0; i < 5; i++) chi2 += (h[i] - n * probs[i]) ** 2 / (n * probs[i]);
    expect(chi2).toBeLessThan(18.47); // p = 0.001
  });

  it('reads the distribution at an offset and never draws a zero-probability cell', () => {
    const buf = Float32Array.from([9, 9, 0, 0.5, 0, 0.5, 9]);
    const h = histogram((r) => drawFromCumulative(buf, 2, 4, r), 2000, 4);
    expect(h[0]).toBe(0);
    expect(h[2]).toBe(0);
    expect(h[1] + h[3]).toBe(2000);
  });

  it('greedy is the argmax (lowest index on ties)', () => {
    expect(greedySampler.draw(probs, 0, 5, () => 0.99)).toBe(1);
    expect(argMax(Float32Array.from([0.3, 0.3, 0.1]), 0, 3)).toBe(0);
  });

  it('top-k keeps the k most probable cells in proportion', () => {
    const n = 20000;
    const h = histogram((r) => topKSampler(2).draw(probs, 0, 5, r), n, 5);
    expect(h[0] + h[2] + h[4]).toBe(0);
    const p1 = 0.4 / 0.65;
    expect(Math.abs(h[1] / n - p1)).toBeLessThan(4 * Math.sqrt((p1 * (1 - p1)) / n));
    expect(() => topKSampler(0)).toThrow(/k must be an integer >= 1/);
    // k >= size is plain multinomial
    expect(topKSampler(9).draw(probs, 0, 5, () => 0.99)).toBe(4);
  });

  it('nucleus keeps the smallest most-probable set reaching p', () => {
    const h = histogram((r) => nucleusSampler(0.6).draw(probs, 0, 5, r), 5000, 5);
    // 0.4 + 0.25 >= 0.6: cells 1 and 3 only
    expect(h[1] + h[3]).toBe(5000);
    expect(h[1]).toBeGreaterThan(h[3]);
    expect(() => nucleusSampler(0)).toThrow(/p must lie in \(0, 1\]/);
  });

  it('temperature: p^(1/T) renormalised', () => {
    const p = Float32Array.from([0.5, 0.25, 0.25]);
    applyTemperature(p, 0, 3, 0.5);
    expect(p[0]).toBeCloseTo(2 / 3, 6);
    expect(p[1]).toBeCloseTo(1 / 6, 6);
    const q = Float32Array.from([0.5, 0.25, 0.25, 0]);
    applyTemperature(q, 0, 4, 1e6);
    for (let i = 0; i < 3; i++) expect(q[i]).toBeCloseTo(1 / 3, 5);
    expect(q[3]).toBe(0);
    // tiny temperatures do not underflow to all zeros
    const r = Float32Array.from([0.3, 0.7]);
    applyTemperature(r, 0, 2, 1e-3);
    expect(r[1]).toBe(1);
  });

  it('structure streams are deterministic and distinct', () => {
    const a = structureRandom(5, 0), b = structureRandom(5, 0), c = structureRandom(5, 1), d = structureRandom(6, 0);
    const xa = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xa);
    expect(c()).not.toBe(xa[0]);
    expect(d()).not.toBe(xa[0]);
    expect(structureSeed(5, 0, 1)).not.toBe(structureSeed(5, 0, 0));
    for (const x of xa) expect(x >= 0 && x < 1).toBe(true);
  });
});
