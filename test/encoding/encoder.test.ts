import { describe, expect, it } from 'vitest';
import { AxisProjectionEncoder, type EncoderJSON } from '../../src/encoding/index.js';
import { gaussianTargetInto } from '../../src/encoding/gaussian.js';
import { cubic, loadASi30, makeTrajectory } from './helpers.js';

const L = 8.43656254268594;
const asi = loadASi30(200);

/** A 4-atom, 3-frame periodic trajectory with three species. */
function mixed() {
  return makeTrajectory(
    [
      [[1, 1, 1], [5, 5, 5], [0.2, 0.3, 0.1], [9.5, 9.5, 9.8]],
      [[1.1, 0.9, 1], [5.1, 5, 4.9], [0.25, 0.3, 0.1], [9.4, 9.6, 9.9]],
      [[1.0, 1.0, 1.1], [4.9, 5.1, 5], [0.2, 0.35, 0.05], [9.5, 9.5, 9.7]],
    ],
    { cell: cubic(10), species: ['O', 'Si', 'H', 'Si'] },
  );
}

describe('AxisProjectionEncoder: layout', () => {
  it('has the paper layout for 30 atoms and 50 cells', () => {
    const enc = AxisProjectionEncoder.fit(asi);
    expect(enc.gridSize).toBe(50);
    expect(enc.nAtoms).toBe(30);
    expect(enc.sequenceLength).toBe(90);
    expect(enc.inputSize).toBe(139);
    expect(enc.activeInputCount).toBe(2);
    expect(enc.periodic).toEqual([true, true, true]);
    for (let a = 0; a < 3; a++) {
      expect(enc.config.range[a]).toEqual([0, L]);
      expect(enc.cellWidth(a)).toBeCloseTo(L / 50, 14);
      const c = enc.gridCentres(a);
      expect(c.length).toBe(50);
      expect(c[0]).toBeCloseTo(L / 100, 14);
      expect(c[49]).toBeCloseTo(L - L / 100, 14);
    }
    expect(enc.config.sigma).toBeCloseTo(L / 50, 14); // default: one cell
    expect(enc.config.normalization).toBe('peak');
    expect(enc.speciesList).toEqual(['Si']);
    expect(enc.orderedSpecies).toEqual(Array(30).fill('Si'));
    const withSpecies = AxisProjectionEncoder.fit(asi, { speciesEncoding: true });
    expect(withSpecies.inputSize).toBe(140);
    expect(AxisProjectionEncoder.fit(asi, { stepEncoding: 'axis' }).inputSize).toBe(53);
    expect(AxisProjectionEncoder.fit(asi, { stepEncoding: 'none' }).inputSize).toBe(50);
  });

  for (const stepEncoding of ['index', 'axis', 'none'] as const) {
    for (const speciesEncoding of [false, true]) {
      it(`activeInputs matches the dense encodeBatch input (${stepEncoding}, species ${speciesEncoding})`, () => {
        const traj = mixed();
        const enc = AxisProjectionEncoder.fit(traj, { gridSize: 7, stepEncoding, speciesEncoding });
        const coords = enc.orderedCoordinates(traj);
        const { inputs, cells } = enc.encodeBatch(coords, [2, 0, 1]);
        const T = enc.sequenceLength;
        const I = enc.inputSize;
        const extra = stepEncoding === 'index' ? T - 1 : stepEncoding === 'axis' ? 3 : 0;
        expect(I).toBe(7 + extra + (speciesEncoding ? 3 : 0));
        const idx = new Int32Array(4);
        for (let b = 0; b < 3; b++) {
          for (let t = 0; t < T - 1; t++) {
            const n = enc.activeInputs(t, cells[b * T + t], idx);
            expect(n).toBe(enc.activeInputCount);
            const dense = inputs.subarray((b * (T - 1) + t) * I, (b * (T - 1) + t + 1) * I);
            const ones = [...dense.keys()].filter((k) => dense[k] !== 0);
            expect(ones).toEqual(Array.from(idx.subarray(0, n)).sort((x, y) => x - y));
            expect(ones.every((k) => dense[k] === 1)).toBe(true);
            // independent expectation of the layout
            const want = [cells[b * T + t]];
            if (stepEncoding === 'index') want.push(7 + t);
            if (stepEncoding === 'axis') want.push(7 + (t % 3));
            if (speciesEncoding) want.push(7 + extra + enc.speciesList.indexOf(enc.orderedSpecies[Math.floor(t / 3)]));
            expect(Array.from(idx.subarray(0, n))).toEqual(want);
          }
        }
      });
    }
  }

  it('keeps species with the ordering (user permutation)', () => {
    const traj = mixed();
    const enc = AxisProjectionEncoder.fit(traj, { ordering: [3, 0, 2, 1], speciesEncoding: true });
    expect(enc.orderingRule).toBe('user');
    expect(Array.from(enc.permutation)).toEqual([3, 0, 2, 1]);
    expect(enc.orderedSpecies).toEqual(['Si', 'O', 'H', 'Si']);
    expect(enc.speciesList).toEqual(['H', 'O', 'Si']);
    const coords = enc.orderedCoordinates(traj, [1]);
    // ordered position 0 is atom 3 of frame 1
    expect(Array.from(coords.subarray(0, 3))).toEqual(Array.from(new Float32Array([9.4, 9.6, 9.9])));
    expect(Array.from(coords.subarray(3, 6))).toEqual(Array.from(new Float32Array([1.1, 0.9, 1])));
    // and back to the original atom order
    const back = enc.positionsFromTokens(enc.orderedCoordinates(traj));
    expect(Array.from(back)).toEqual(Array.from(traj.positions, (v) => Math.fround(v)));
    expect(() => enc.activeInputs(0, 0, new Int32Array(1))).toThrow(/out has 1 entries; it needs activeInputCount = 3/);
  });
});

describe('AxisProjectionEncoder: Gaussian targets', () => {
  const enc = AxisProjectionEncoder.fit(asi);
  const G = 50;
  const w = L / G;
  const sigma = enc.config.sigma;

  it('peaks at the cell of the coordinate with the analytic values', () => {
    const out = new Float32Array(G);
    for (const x of [0.37, 2.5, 4.2181, 7.9]) {
      enc.targetInto(x, 1, out, 0);
      const k = Math.floor(x / w);
      let arg = 0;
      for (let i = 1; i < G; i++) if (out[i] > out[arg]) arg = i;
      expect(arg).toBe(enc.cellOf(x, 1));
      expect(arg).toBe(k);
      for (const i of [k - 2, k, k + 3]) {
        const d = (i + 0.5) * w - x;
        expect(out[i]).toBeCloseTo(Math.exp(-(d * d) / (2 * sigma * sigma)), 6);
      }
      expect(Math.max(...out)).toBeLessThanOrEqual(1);
    }
    // exactly on a cell centre: peak value 1 there
    enc.targetInto(enc.gridCentres(2)[17], 2, out, 0);
    expect(out[17]).toBe(1);
    expect(out[16]).toBeCloseTo(Math.exp(-0.5 * (w / sigma) ** 2), 6);
  });

  it("'sum' normalisation sums to 1", () => {
    const s = AxisProjectionEncoder.fit(asi, { normalization: 'sum', sigma: 0.3 });
    const out = new Float32Array(G + 5);
    for (const x of [0.01, 3.3, 8.4]) {
      s.targetInto(x, 0, out, 5);
      let sum = 0;
      for (let i = 5; i < G + 5; i++) sum += out[i];
      expect(sum).toBeCloseTo(1, 6);
      expect(out[5 + s.cellOf(x, 0)]).toBeLessThan(1);
    }
  });

  it('wraps targets across the boundary on periodic axes only', () => {
    const out = new Float32Array(G);
    const x = 0.1 * w; // in cell 0, 0.6 cells from the centre of cell 49 through the boundary
    enc.targetInto(x, 0, out, 0);
    const g = (d: number) => Math.exp(-(d * d) / (2 * sigma * sigma));
    expect(out[49]).toBeCloseTo(g(0.6 * w), 6);
    expect(out[48]).toBeCloseTo(g(1.6 * w), 6);
    expect(out[49]).toBeGreaterThan(out[1]);
    // on the boundary itself both neighbours get the same value
    enc.targetInto(0, 0, out, 0);
    expect(out[0]).toBeCloseTo(out[49], 7);
    expect(out[1]).toBeCloseTo(out[48], 7);
    // a value given outside the range (unwrapped) gives the same target as its wrapped image
    const wrapped = new Float32Array(G);
    enc.targetInto(x + L, 0, wrapped, 0);
    enc.targetInto(x, 0, out, 0);
    for (let i = 0; i < G; i++) expect(wrapped[i]).toBeCloseTo(out[i], 6);
    // non-periodic: no wrap
    const np = new Float64Array(G);
    gaussianTargetInto(enc.gridCentres(0), x, sigma, 0, 'peak', np, 0);
    expect(np[49]).toBeLessThan(1e-100);
  });

  it('encodeBatch targets are the next token’s Gaussian', () => {
    const coords = enc.orderedCoordinates(asi, [5, 6]);
    const { targets } = enc.encodeBatch(coords, [1]);
    const one = new Float32Array(G);
    for (const t of [0, 1, 2, 44, 88]) {
      enc.targetInto(coords[90 + t + 1], (t + 1) % 3, one, 0);
      expect(Array.from(targets.subarray(t * G, (t + 1) * G))).toEqual(Array.from(one));
    }
  });
});

describe('AxisProjectionEncoder: cells and decoding', () => {
  const periodic = AxisProjectionEncoder.fit(asi);
  const open = AxisProjectionEncoder.fit(
    makeTrajectory([[[-3.7, 0, 1], [5.1, 2, 3]], [[-3.6, 1, 2], [5.0, 2.5, 3.5]]]),
    { gridSize: 13 },
  );

  it('decodes every cell to its centre and back (cellOf(decode(c)) == c)', () => {
    for (const enc of [periodic, open]) {
      for (let a = 0; a < 3; a++) {
        const c = enc.gridCentres(a);
        for (let k = 0; k < enc.gridSize; k++) {
          expect(enc.decode(k, a)).toBeCloseTo(c[k], 12);
          expect(enc.cellOf(enc.decode(k, a), a)).toBe(k);
        }
      }
    }
  });

  it('keeps jittered values inside their cell, edges included', () => {
    for (const enc of [periodic, open]) {
      for (let a = 0; a < 3; a++) {
        const w = enc.cellWidth(a);
        const lo = enc.config.range[a][0];
        for (let k = 0; k < enc.gridSize; k++) {
          for (const j of [-0.5, -0.49999999999, -0.25, 0.1, 0.4999999999999, 0.5 - Number.EPSILON]) {
            const x = enc.decode(k, a, j);
            expect(enc.cellOf(x, a)).toBe(k);
            expect(x).toBeGreaterThanOrEqual(lo + k * w - 1e-12);
            expect(x).toBeLessThanOrEqual(lo + (k + 1) * w + 1e-12);
            expect(Math.abs(x - (lo + (k + 0.5 + j) * w))).toBeLessThan(1e-12);
          }
        }
      }
    }
  });

  it('non-periodic range: min/max plus half a cell, extremes on the end cell centres', () => {
    expect(open.periodic).toEqual([false, false, false]);
    const cx = open.gridCentres(0);
    expect(cx[0]).toBeCloseTo(-3.7, 12);
    expect(cx[12]).toBeCloseTo(5.1, 12);
    expect(open.cellOf(-3.7, 0)).toBe(0);
    expect(open.cellOf(5.1, 0)).toBe(12);
    expect(open.config.range[0][0]).toBeCloseTo(-3.7 - 8.8 / 12 / 2, 12);
    expect(() => open.cellOf(5.1 + 8.8 / 12, 0)).toThrow(/outside the encoder's range/);
  });

  it('wraps periodic cells', () => {
    expect(periodic.cellOf(-0.01, 0)).toBe(49);
    expect(periodic.cellOf(L + 0.01, 0)).toBe(0);
    expect(periodic.cellOf(3.3 + 2 * L, 1)).toBe(periodic.cellOf(3.3, 1));
    expect(periodic.cellOf(3.3 - 5 * L, 1)).toBe(periodic.cellOf(3.3, 1));
  });

  it('orderedCoordinates wraps into [0, L) and tokenCells agrees with cellOf', () => {
    const coords = periodic.orderedCoordinates(asi);
    expect(coords.length).toBe(200 * 90);
    let outside = 0;
    for (let f = 0; f < 200; f++) {
      for (let k = 0; k < 30; k++) {
        for (let a = 0; a < 3; a++) {
          const raw = asi.positions[(f * 30 + periodic.permutation[k]) * 3 + a];
          if (raw < 0 || raw >= L) outside++;
          const v = coords[f * 90 + 3 * k + a];
          expect(v >= 0 && v < L).toBe(true);
          expect(Math.abs(v - (raw - L * Math.floor(raw / L)))).toBeLessThan(1e-5);
        }
      }
    }
    expect(outside).toBeGreaterThan(0); // the data is unwrapped: the wrap is exercised
    const cells = periodic.tokenCells(coords);
    for (let i = 0; i < coords.length; i += 37) expect(cells[i]).toBe(periodic.cellOf(coords[i], i % 3));
  });
});

describe('AxisProjectionEncoder: JSON and batches', () => {
  it('round-trips through JSON text and encodes identically', () => {
    for (const config of [{}, { gridSize: 20, sigma: 0.3, normalization: 'sum' as const, ordering: 'corner' as const, stepEncoding: 'axis' as const }]) {
      const enc = AxisProjectionEncoder.fit(asi, config);
      const text = JSON.stringify(enc.toJSON());
      const back = AxisProjectionEncoder.fromJSON(JSON.parse(text) as EncoderJSON);
      expect(back.toJSON()).toEqual(enc.toJSON());
      expect(Array.from(back.permutation)).toEqual(Array.from(enc.permutation));
      expect(back.inputSize).toBe(enc.inputSize);
      const coords = enc.orderedCoordinates(asi, [0, 50, 199]);
      expect(Array.from(back.orderedCoordinates(asi, [0, 50, 199]))).toEqual(Array.from(coords));
      const a = enc.encodeBatch(coords, [0, 1, 2]);
      const b = back.encodeBatch(coords, [0, 1, 2]);
      expect(Buffer.from(b.inputs.buffer).equals(Buffer.from(a.inputs.buffer))).toBe(true);
      expect(Buffer.from(b.targets.buffer).equals(Buffer.from(a.targets.buffer))).toBe(true);
      expect(Array.from(b.cells)).toEqual(Array.from(a.cells));
      for (let k = 0; k < 50; k += 7) expect(back.decode(k % back.gridSize, 2, 0.3)).toBe(enc.decode(k % enc.gridSize, 2, 0.3));
    }
  });

  it('round-trips a multi-species non-periodic encoder', () => {
    const traj = makeTrajectory([[[0, 0, 0], [1.2, 0.1, 0], [2.0, 1.0, 0.5]]], { species: ['C', 'H', 'O'] });
    const enc = AxisProjectionEncoder.fit(traj, { speciesEncoding: true, gridSize: 8 });
    const back = AxisProjectionEncoder.fromJSON(JSON.parse(JSON.stringify(enc)));
    expect(back.orderedSpecies).toEqual(enc.orderedSpecies);
    expect(back.periodic).toEqual([false, false, false]);
    const c = enc.orderedCoordinates(traj);
    expect(Array.from(back.encodeBatch(c, [0]).inputs)).toEqual(Array.from(enc.encodeBatch(c, [0]).inputs));
  });

  it('batches reuse their buffers and equal one big encodeBatch', () => {
    const enc = AxisProjectionEncoder.fit(asi);
    const coords = enc.orderedCoordinates(asi, Array.from({ length: 10 }, (_, i) => i * 3));
    const rows = [9, 3, 0, 7, 1, 2, 8, 5, 6, 4];
    const whole = enc.encodeBatch(coords, rows);
    const perIn = 89 * 139;
    const perT = 89 * 50;
    const seenBuffers = new Set<ArrayBufferLike>();
    let done = 0;
    const sizes: number[] = [];
    for (const batch of enc.batches(coords, rows, 4)) {
      seenBuffers.add(batch.inputs.buffer);
      seenBuffers.add(batch.targets.buffer);
      sizes.push(batch.rows.length);
      expect(Array.from(batch.rows)).toEqual(rows.slice(done, done + batch.rows.length));
      expect(batch.inputs.length).toBe(batch.rows.length * perIn);
      expect(Array.from(batch.inputs)).toEqual(Array.from(whole.inputs.subarray(done * perIn, (done + batch.rows.length) * perIn)));
      expect(Array.from(batch.targets)).toEqual(Array.from(whole.targets.subarray(done * perT, (done + batch.rows.length) * perT)));
      expect(Array.from(batch.cells)).toEqual(Array.from(whole.cells.subarray(done * 90, (done + batch.rows.length) * 90)));
      done += batch.rows.length;
    }
    expect(sizes).toEqual([4, 4, 2]);
    expect(seenBuffers.size).toBe(2); // one inputs and one targets buffer for all batches
  });
});
