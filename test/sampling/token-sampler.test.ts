import { describe, expect, it } from 'vitest';
import { drawFromCumulative, greedySampler, multinomialSampler, nucleusSampler, topKSampler } from '../../src/sampling/index.js';
import { applyTemperature, argMax } from '../../src/sampling/token-sampler.js';
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
    const a = structureRandom(5, 0), b = structureRandom(5, 0);
    const xa = Array.from({ length: 200 }, () => a());
    expect(Array.from({ length: 200 }, () => b())).toEqual(xa);
  });

  it('streams of different seeds, structures and stream ids share no draw, are uncorrelated and uniform', () => {
    // 4 seeds (two differ only above bit 32) x 60 structures x 2 streams = 480 streams of 400 draws each
    const seeds = [0, 5, 5 + 2 ** 32, 123456789];
    const n = 400;
    const streams: Float64Array[] = [];
    const seedsSeen = new Set<number>();
    for (const seed of seeds) {
      for (let index = 0; index < 60; index++) {
        for (let stream = 0; stream < 2; stream++) {
          seedsSeen.add(structureSeed(seed, index, stream));
          const r = structureRandom(seed, index, stream);
          streams.push(Float64Array.from({ length: n }, () => r()));
        }
      }
    }
    // every (seed, structure, stream) gets its own 32-bit seed
    expect(seedsSeen.size).toBe(streams.length);
    // no value repeats across all 192,000 draws (53-bit floats: a repeat means two streams coincide)
    const values = new Set<number>();
    for (const s of streams) for (const x of s) values.add(x);
    expect(values.size).toBe(streams.length * n);
    // neighbouring streams (next structure, other stream id, other seed) are uncorrelated:
    // |Pearson r| of n pairs has standard deviation 1/sqrt(n) = 0.05; 0.25 is 5 sigma
    const corr = (x: Float64Array, y: Float64Array): number => {
      let mx = 0, my = 0;
      for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
      mx /= n; my /= n;
      let sxy = 0, sxx = 0, syy = 0;
      for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; }
      return sxy / Math.sqrt(sxx * syy);
    };
    let worst = 0;
    for (let k = 0; k + 1 < streams.length; k++) worst = Math.max(worst, Math.abs(corr(streams[k], streams[k + 1])));
    for (let k = 0; k + 120 < streams.length; k += 7) worst = Math.max(worst, Math.abs(corr(streams[k], streams[k + 120])));
    expect(worst).toBeLessThan(0.25);
    // pooled, the draws are uniform on [0, 1): chi-square over 20 bins, df 19 (0.999 quantile 43.8)
    const bins = new Float64Array(20);
    let outside = 0;
    for (const s of streams) for (const x of s) { if (x >= 0 && x < 1) bins[Math.floor(x * 20)]++; else outside++; }
    expect(outside).toBe(0);
    const expected = (streams.length * n) / 20;
    let chi2 = 0;
    for (const c of bins) chi2 += (c - expected) ** 2 / expected;
    expect(chi2).toBeLessThan(43.8);
  });
});
