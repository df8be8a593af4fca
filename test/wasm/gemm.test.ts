import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/wasm/emit.js';
import { emitGemm, GEMM_PANEL, type GemmSpec } from '../../src/wasm/gemm.js';
import { enableWasmRelaxedSimd } from '../../src/wasm/detect.js';
import { rng } from '../support/rng.js';

const fma = enableWasmRelaxedSimd((flag) => v8.setFlagsFromString(flag));

/**
 * C += A · W through the generated product against a float64 loop, with the
 * operand strides of the training kernel's three layouts (plain, transposed
 * left, transposed right as a stored transpose), row counts that leave 2- and
 * 1-row tails after the 4-row tiles, and reduction lengths that are not
 * multiples of the unroll factor.
 */
function check(layout: 'plain' | 'tn', m: number, K: number, nPanels: number, unroll: number, useFma: boolean): { worst: number; out: Float32Array } {
  const n = nPanels * GEMM_PANEL;
  const pad = 5; // strides past the logical sizes, as the kernel pads its rows
  const aRowLen = layout === 'plain' ? K + pad : m + pad; // A stored [m, K] or [K, m]
  const spec: GemmSpec = {
    name: 'mm',
    aRow: layout === 'plain' ? aRowLen : 1,
    aK: layout === 'plain' ? 1 : aRowLen,
    wK: n + 8,
    wP: GEMM_PANEL,
    cRow: n + 4,
    nPanels,
    rt: 4,
    fma: useFma,
    unroll,
  };
  const rnd = rng(m * 131 + K * 7);
  const aFloats = (layout === 'plain' ? m : K) * aRowLen;
  const wFloats = K * spec.wK;
  const cFloats = m * spec.cRow;
  const A = 64, W = A + aFloats * 4 + 64, C = W + wFloats * 4 + 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((C + cFloats * 4 + 64) / 65536) });
  const ex = new WebAssembly.Instance(new WebAssembly.Module(assemble([emitGemm(spec)], { initial: 1, shared: false }) as Uint8Array<ArrayBuffer>), { env: { memory } }).exports as { mm(a: number, w: number, c: number, m: number, k: number): void };
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < f.length; i++) f[i] = rnd() - 0.5;
  const a = (i: number, k: number) => f[A / 4 + i * spec.aRow + k * spec.aK]!;
  const expected: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = f[C / 4 + i * spec.cRow + j]!;
      for (let k = 0; k < K; k++) s += a(i, k) * f[W / 4 + k * spec.wK + j]!;
      expected.push(s);
    }
  }
  const padBefore = f[C / 4 + spec.cRow - 1]!;
  ex.mm(A, W, C, m, K);
  let worst = 0;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] = f[C / 4 + i * spec.cRow + j]!;
      worst = Math.max(worst, Math.abs(out[i * n + j]! - expected[i * n + j]!));
    }
  }
  // the padding between C rows is not written
  expect(f[C / 4 + spec.cRow - 1]).toBe(padBefore);
  return { worst, out };
}

describe('emitGemm', () => {
  for (const layout of ['plain', 'tn'] as const) {
    for (const unroll of [1, 4]) {
      it(`${layout}: C += A · W to float32 rounding (unroll ${unroll}; 4-, 2- and 1-row tiles; K not a multiple of 4)`, () => {
        for (const [m, K] of [[4, 8], [7, 13], [11, 33], [1, 5], [16, 64]] as const) {
          expect(check(layout, m, K, 3, unroll, false).worst).toBeLessThan(1e-6 * K);
          if (fma) expect(check(layout, m, K, 3, unroll, true).worst).toBeLessThan(1e-6 * K);
        }
      });
    }
  }

  it('gives the same bits unrolled or not (the same order of additions)', () => {
    for (const [m, K] of [[7, 13], [16, 64]] as const) {
      for (const layout of ['plain', 'tn'] as const) expect(check(layout, m, K, 2, 1, fma).out).toEqual(check(layout, m, K, 2, 4, fma).out);
    }
  });

  it('refuses an unroll factor that is not a positive integer, naming it', () => {
    expect(() => emitGemm({ name: 'x', aRow: 8, aK: 1, wK: 8, wP: 8, cRow: 8, nPanels: 1, rt: 4, fma: false, unroll: 0 })).toThrow(/unroll = 0/);
  });
});
