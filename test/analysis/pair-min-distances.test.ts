import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readExtxyz } from '../../src/io/index.js';
import { evaluateEnsemble, pairMinimumDistances } from '../../src/analysis/index.js';

const silica = readExtxyz(gunzipSync(readFileSync(join(__dirname, '../fixtures/a-sio2-72-glasses-small.extxyz.gz'))).toString('utf8'));

/** Brute force over the 27 neighbouring images of the cubic cell. */
function brute(f: number): Record<string, number> {
  const L = silica.cell![0][0], n = silica.nAtoms, p = silica.positions;
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const key = silica.species[i] === silica.species[j] ? `${silica.species[i]}-${silica.species[i]}` : 'Si-O';
      for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) for (let c = -1; c <= 1; c++) {
        const dx = p[(f * n + j) * 3] - p[(f * n + i) * 3] + a * L;
        const dy = p[(f * n + j) * 3 + 1] - p[(f * n + i) * 3 + 1] + b * L;
        const dz = p[(f * n + j) * 3 + 2] - p[(f * n + i) * 3 + 2] + c * L;
        out[key] = Math.min(out[key] ?? Infinity, Math.hypot(dx, dy, dz));
      }
    }
  }
  return out;
}

describe('pairMinimumDistances', () => {
  it('matches a brute-force image search per frame and over all frames (silica, unwrapped coordinates)', () => {
    const r = pairMinimumDistances(silica);
    expect(r.species).toEqual(['Si', 'O']);
    expect(r.pairs).toEqual(['Si-Si', 'Si-O', 'O-O']);
    const all: Record<string, number> = {};
    for (let f = 0; f < silica.nFrames; f++) {
      const b = brute(f);
      r.pairs.forEach((pair, q) => expect(r.perFrame[f * 3 + q]).toBeCloseTo(b[pair], 10));
      for (const [k, v] of Object.entries(b)) all[k] = Math.min(all[k] ?? Infinity, v);
    }
    for (const pair of r.pairs) expect(r.smallest[pair]).toBeCloseTo(all[pair], 10);
    // silica's bonds: Si-O about 1.5-1.6 Å, far shorter than O-O and Si-Si
    expect(r.smallest['Si-O']).toBeGreaterThan(1.4);
    expect(r.smallest['Si-O']).toBeLessThan(1.6);
    expect(r.smallest['O-O']).toBeGreaterThan(2.2);
  });
});

describe('evaluateEnsemble minDistances', () => {
  const frames = (rows: number[]) => {
    const n3 = silica.nAtoms * 3;
    const positions = new Float64Array(rows.length * n3);
    rows.forEach((f, i) => positions.set(silica.positions.subarray(f * n3, (f + 1) * n3), i * n3));
    return { ...silica, nFrames: rows.length, positions, info: rows.map((f) => silica.info[f]) };
  };
  it('counts the structures with a pair closer than its own pair distance', () => {
    const pm = pairMinimumDistances(silica);
    // Si-O limit between the frames' smallest Si-O distances: exactly the frames below it are flagged
    const siO = Array.from({ length: silica.nFrames }, (_, f) => pm.perFrame[f * 3 + 1]).sort((a, b) => a - b);
    const limit = (siO[3] + siO[4]) / 2;
    const report = evaluateEnsemble(frames([0, 1, 2, 3, 4, 5, 6, 7, 8]), frames([0, 4, 8]), {
      minDistances: { 'Si-O': limit, 'O-O': 2.0, 'Si-Si': 2.2 }, bootstrap: 0, potential: undefined,
    });
    expect(report.generated.validity.belowPairTable!.value).toBeCloseTo(4 / 9, 12);
    expect(report.settings.minDistances).toEqual({ 'O-O': 2, 'O-Si': Math.round(limit * 1000) / 1000, 'Si-Si': 2.2 });
    // a single 2.0 Å gate flags every silica structure; the table does not
    expect(report.generated.validity.below2_0.value).toBe(1);
    const none = evaluateEnsemble(frames([0, 1]), frames([4, 8]), { bootstrap: 0 });
    expect(none.generated.validity.belowPairTable).toBeNull();
  });
  it('names a missing pair, a negative value and an unknown species', () => {
    const g = frames([0, 1]), r = frames([4, 8]);
    expect(() => evaluateEnsemble(g, r, { minDistances: { 'Si-O': 1.3, 'O-O': 2 } })).toThrow(/'O-O'|'Si-Si'/);
    expect(() => evaluateEnsemble(g, r, { minDistances: { 'Si-O': -1, 'O-O': 2, 'Si-Si': 2 } })).toThrow(/'Si-O' has -1/);
    expect(() => evaluateEnsemble(g, r, { minDistances: { 'Si-O': 1, 'O-O': 2, 'Si-Si': 2, 'Ge-O': 1 } })).toThrow(/species 'Ge'/);
  });
});
