/**
 * A register-blocked matrix product for the generated WebAssembly kernels:
 * `C[i, :] += sum_k A(i, k) · W(k, :)` for `i < m`, `k < K`, over panels of
 * {@link GEMM_PANEL} output columns, with every operand addressed through
 * constant strides. One emitter serves plain (`A · W`), transposed-left
 * (`Aᵀ · W`: the weight-gradient products over all time steps) and
 * transposed-right products (`A · Wᵀ` with `Wᵀ` stored), so no operand is
 * ever copied into a packed layout.
 *
 * A register tile is `rt` rows x 8 columns (2 rt accumulators; the rows left
 * over go two, then one at a time); the reduction runs one step per loop
 * iteration by default (`unroll`, with a one-step tail when larger), so `K`
 * may be any size.
 *
 * Why not unrolled: V8's optimising compiler schedules the pure arithmetic of
 * a loop body as late as possible and the loads early, so with the reduction
 * unrolled 4 times it loaded the splats and weights of all 4 steps first and
 * spilled the accumulators to the stack (about 40 stack moves per 32 fused
 * multiply-adds, seen with `node --print-wasm-code`). One step per iteration
 * needs 8 accumulators + 2 weight vectors + 4 splats = 14 of the 15 vector
 * registers V8 allocates on x86-64 and compiles to loads, 8 FMAs and the loop
 * counter, with nothing spilled: 25-30 -> 43-47 GFLOP/CPU-s on the training
 * products (paper network shapes, x86-64 with FMA).
 *
 * @module
 */
import { FnBuilder, I32, V128 } from './emit.js';

/** Output columns per panel (two f32x4 accumulators per row). */
export const GEMM_PANEL = 8;

/** Strides (in floats) and tiling of one generated product. */
export interface GemmSpec {
  /** Exported function name. */
  readonly name: string;
  /** Floats between A(i, k) and A(i + 1, k). */
  readonly aRow: number;
  /** Floats between A(i, k) and A(i, k + 1). */
  readonly aK: number;
  /** Floats between W(k, j) and W(k + 1, j). */
  readonly wK: number;
  /** Floats between panel p and p + 1 of W (8 for a row-major W). */
  readonly wP: number;
  /** Floats between C rows. */
  readonly cRow: number;
  /** Panels of 8 output columns (all of them are computed). */
  readonly nPanels: number;
  /** Rows per register tile (4: 8 accumulators + 3 temporaries fit the 16 vector registers of x86-64). */
  readonly rt: number;
  /** Use `f32x4.relaxed_madd` (fused multiply-add). */
  readonly fma: boolean;
  /** Reduction steps per loop iteration (default 1: see the module comment). */
  readonly unroll?: number;
}

/**
 * `name(a, w, c, m, k)`: `C += A · W` for m rows and a reduction of length k
 * (byte addresses a, w, c), accumulating into C.
 */
export function emitGemm(spec: GemmSpec): FnBuilder {
  const { aRow, aK, wK, wP, cRow, nPanels, rt, fma } = spec;
  const U = spec.unroll ?? 1;
  if (!Number.isInteger(U) || U < 1) throw new Error(`emitGemm(${spec.name}): unroll = ${String(spec.unroll)}: expected an integer >= 1`);
  const f = new FnBuilder(spec.name, [I32, I32, I32, I32, I32]);
  const [A, W, C, M, K] = [0, 1, 2, 3, 4];
  const p = f.local(I32), r = f.local(I32), k = f.local(I32), pa = f.local(I32), pw = f.local(I32), pc = f.local(I32);
  const kMain = f.local(I32), mMain = f.local(I32);
  const w0 = f.local(V128), w1 = f.local(V128), s = f.local(V128);
  const accs = (rows: number) => Array.from({ length: 2 * rows }, () => f.local(V128));
  const accBig = accs(rt);
  const accTwo = rt > 2 ? accs(2) : null;
  const accOne = rt === 1 ? accBig : accs(1);
  const m2 = f.local(I32);
  const mac = (rows: number, acc: number[], kk: number) => {
    f.get(pw).vload(kk * wK * 4).set(w0);
    f.get(pw).vload(kk * wK * 4 + 16).set(w1);
    for (let i = 0; i < rows; i++) {
      const off = (i * aRow + kk * aK) * 4;
      if (fma) {
        f.get(pa).vsplat(off).tee(s).get(w0).get(acc[2 * i]).simd(0x105).set(acc[2 * i]);
        f.get(s).get(w1).get(acc[2 * i + 1]).simd(0x105).set(acc[2 * i + 1]);
      } else {
        f.get(acc[2 * i]).get(pa).vsplat(off).tee(s).get(w0).fmul().fadd().set(acc[2 * i]);
        f.get(acc[2 * i + 1]).get(s).get(w1).fmul().fadd().set(acc[2 * i + 1]);
      }
    }
  };
  const whileLt = (i: number, bound: number, body: () => void) => {
    f.op(0x02, 0x40, 0x03, 0x40);
    f.get(i).get(bound).op(0x4e, 0x0d, 1); // i32.ge_s, br_if 1
    body();
    f.op(0x0c, 0, 0x0b, 0x0b);
  };
  const tile = (rows: number, acc: number[]) => {
    f.get(A).get(r).i32(aRow * 4).mul().add().set(pa);
    f.get(W).get(p).i32(wP * 4).mul().add().set(pw);
    f.get(C).get(r).i32(cRow * 4).mul().add().get(p).i32(GEMM_PANEL * 4).mul().add().set(pc);
    for (let i = 0; i < rows; i++) {
      f.get(pc).vload(i * cRow * 4).set(acc[2 * i]);
      f.get(pc).vload(i * cRow * 4 + 16).set(acc[2 * i + 1]);
    }
    f.i32(0).set(k);
    whileLt(k, kMain, () => {
      for (let kk = 0; kk < U; kk++) mac(rows, acc, kk);
      f.get(pw).i32(U * wK * 4).add().set(pw);
      f.get(pa).i32(U * aK * 4).add().set(pa);
      f.get(k).i32(U).add().set(k);
    });
    if (U > 1) whileLt(k, K, () => {
      mac(rows, acc, 0);
      f.get(pw).i32(wK * 4).add().set(pw);
      f.get(pa).i32(aK * 4).add().set(pa);
      f.get(k).i32(1).add().set(k);
    });
    for (let i = 0; i < rows; i++) {
      f.get(pc).get(acc[2 * i]).vstore(i * cRow * 4);
      f.get(pc).get(acc[2 * i + 1]).vstore(i * cRow * 4 + 16);
    }
  };
  f.get(K).get(K).i32(U).op(0x6f /* i32.rem_s */).op(0x6b /* i32.sub */).set(kMain);
  f.get(M).get(M).i32(rt).op(0x6f /* i32.rem_s */).op(0x6b /* i32.sub */).set(mMain);
  f.forLoop(p, () => f.i32(nPanels), () => {
    f.i32(0).set(r);
    whileLt(r, mMain, () => {
      tile(rt, accBig);
      f.get(r).i32(rt).add().set(r);
    });
    if (accTwo) {
      // rows left after the big tiles, two at a time (small batches: half the weight traffic of single rows)
      f.get(M).i32(1).op(0x6b /* i32.sub */).set(m2);
      whileLt(r, m2, () => {
        tile(2, accTwo);
        f.get(r).i32(2).add().set(r);
      });
    }
    whileLt(r, M, () => {
      tile(1, accOne);
      f.get(r).i32(1).add().set(r);
    });
  });
  return f;
}
