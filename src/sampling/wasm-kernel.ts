/**
 * Generates the WebAssembly SIMD kernel of an LSTM stack + read-out. Shapes,
 * strides and weight addresses are baked in as constants.
 *
 * Memory layout (bytes; 16-aligned): weights, then per-thread scratch, then
 * per-row buffers whose addresses are passed at run time. A row's state is
 * `[h_1 .. h_L, c_1 .. c_L]` (each padded to a multiple of 4 units), so the
 * input of layer l >= 2 (`h_{l-1}`, new) and its recurrent input (`h_l`, old)
 * are adjacent: one product with the stacked `[kernel; recurrentKernel]`.
 *
 * @module
 */
import { emitSigmoid, emitTanh, FnBuilder, I32, V128, type Tmp } from '../wasm/emit.js';

/** Panel width (columns) of the packed weight matrices. */
export const PANEL = 8;

/** Shapes and addresses the kernel is generated for. */
export interface KernelShape {
  /** Padded units per layer (multiples of 4). */
  readonly up: number[];
  /** Padded grid size (multiple of {@link PANEL}). */
  readonly gp: number;
  /** Floats per state row: 2 * sum(up). */
  readonly s: number;
  /** Byte address of layer 1's input kernel rows (`[inputDim + 1, 4 up_0]`, last row zero). */
  readonly k0: number;
  /** Byte addresses of the packed product weights per layer. */
  readonly w: number[];
  /** Byte addresses of the biases per layer (`4 up_l`). */
  readonly b: number[];
  /** Byte address of the packed read-out kernel (`[up_L, gp]`). */
  readonly ro: number;
  /** Byte address of the read-out bias (`gp`, zeros when none). */
  readonly rob: number;
  /** Rows per register tile of the matrix product. */
  readonly rt: number;
  /** Use `f32x4.relaxed_madd` (fused multiply-add where the hardware has it) in the products. */
  readonly fma: boolean;
}

/** Float offset of h_l in a state row. */
export function hOffset(up: number[], l: number): number {
  let o = 0;
  for (let j = 0; j < l; j++) o += up[j];
  return o;
}

/**
 * `gemm(a, z, n)`: `Z[r, :] += A[r, :] · W` for rows r < n, with `A` rows at
 * `a + aOff + r * lda`, `Z` rows at `z + r * ldz`, `W` packed in panels of
 * {@link PANEL} columns at `w` (`[panel][k][8]`).
 */
function emitGemm(name: string, K: number, aOff: number, lda: number, ldz: number, nPanels: number, w: number, rt: number, fma: boolean): FnBuilder {
  const f = new FnBuilder(name, [I32, I32, I32]);
  const [A, Z, N] = [0, 1, 2];
  const p = f.local(I32), r = f.local(I32), k = f.local(I32), pa = f.local(I32), pw = f.local(I32), pz = f.local(I32), lim = f.local(I32);
  const w0 = f.local(V128), w1 = f.local(V128), s = f.local(V128);
  const tile = (rows: number) => {
    const acc: number[] = [];
    for (let i = 0; i < 2 * rows; i++) acc.push(f.local(V128));
    return acc;
  };
  const accBig = tile(rt);
  const accOne = tile(1);
  // One reduction step per loop iteration, as in src/wasm/gemm.ts: unrolled 4 times, V8 loaded every step's
  // operands first and spilled the accumulators (23-24 against 40 GFLOP/CPU-s). The order of the sums is the same.
  const UNROLL = 1;
  const body = (rows: number, acc: number[]) => {
    // pa = a + aOff + r * lda; pz = z + r * ldz + p * 32; pw = w + p * K * 32
    f.get(A).get(r).i32(lda).mul().add().i32(aOff).add().set(pa);
    f.get(Z).get(r).i32(ldz).mul().add().get(p).i32(PANEL * 4).mul().add().set(pz);
    f.get(p).i32(K * PANEL * 4).mul().i32(w).add().set(pw);
    for (let i = 0; i < rows; i++) {
      f.get(pz).vload(i * ldz).set(acc[2 * i]);
      f.get(pz).vload(i * ldz + 16).set(acc[2 * i + 1]);
    }
    f.forLoop(k, () => f.i32(K), () => {
      for (let kk = 0; kk < UNROLL; kk++) {
        f.get(pw).vload(kk * 32).set(w0);
        f.get(pw).vload(kk * 32 + 16).set(w1);
        for (let i = 0; i < rows; i++) {
          if (fma) {
            // relaxed_madd(a, b, c) = a * b + c
            f.get(pa).vsplat(i * lda + kk * 4).tee(s).get(w0).get(acc[2 * i]).simd(0x105).set(acc[2 * i]);
            f.get(s).get(w1).get(acc[2 * i + 1]).simd(0x105).set(acc[2 * i + 1]);
          } else {
            f.get(acc[2 * i]).get(pa).vsplat(i * lda + kk * 4).tee(s).get(w0).fmul().fadd().set(acc[2 * i]);
            f.get(acc[2 * i + 1]).get(s).get(w1).fmul().fadd().set(acc[2 * i + 1]);
          }
        }
      }
      f.get(pw).i32(UNROLL * 32).add().set(pw);
      f.get(pa).i32(UNROLL * 4).add().set(pa);
    }, UNROLL);
    for (let i = 0; i < rows; i++) {
      f.get(pz).get(acc[2 * i]).vstore(i * ldz);
      f.get(pz).get(acc[2 * i + 1]).vstore(i * ldz + 16);
    }
  };
  if (K % UNROLL !== 0) throw new Error(`gemm: K = ${K} must be a multiple of ${UNROLL}`);
  // lim = n - n % rt
  f.get(N).get(N).i32(rt).op(0x6f /* i32.rem_s */).op(0x6b /* i32.sub */).set(lim);
  f.forLoop(p, () => f.i32(nPanels), () => {
    f.i32(0).set(r);
    f.op(0x02, 0x40, 0x03, 0x40);
    f.get(r).get(lim).op(0x4e, 0x0d, 1);
    body(rt, accBig);
    f.get(r).i32(rt).add().set(r);
    f.op(0x0c, 0, 0x0b, 0x0b);
    f.op(0x02, 0x40, 0x03, 0x40);
    f.get(r).get(N).op(0x4e, 0x0d, 1);
    body(1, accOne);
    f.get(r).i32(1).add().set(r);
    f.op(0x0c, 0, 0x0b, 0x0b);
  });
  return f;
}

/** `name(z, n)`: every row of Z (`ldz` bytes apart, `width` floats) = the vector at `src`. */
function emitFill(name: string, src: number, width: number, ldz: number): FnBuilder {
  const f = new FnBuilder(name, [I32, I32]);
  const r = f.local(I32), j = f.local(I32), zr = f.local(I32);
  f.forLoop(r, () => f.get(1), () => {
    f.get(0).get(r).i32(ldz).mul().add().set(zr);
    f.forLoop(j, () => f.i32(width / 4), () => {
      f.get(zr).get(j).i32(16).mul().add();
      f.get(j).i32(16).mul().i32(src).add().vload();
      f.vstore();
    });
  });
  return f;
}

/** `init0(z, idx, nIdx, n)`: Z row r = bias + sum of input-kernel rows idx[r * nIdx + a]. */
function emitInit0(shape: KernelShape): FnBuilder {
  const width = 4 * shape.up[0];
  const ldz = width * 4;
  const f = new FnBuilder('init0', [I32, I32, I32, I32]);
  const [Z, IDX, NI, N] = [0, 1, 2, 3];
  const r = f.local(I32), j = f.local(I32), a = f.local(I32), zr = f.local(I32), kr = f.local(I32), ir = f.local(I32);
  f.forLoop(r, () => f.get(N), () => {
    f.get(Z).get(r).i32(ldz).mul().add().set(zr);
    f.get(IDX).get(r).get(NI).mul().i32(4).mul().add().set(ir);
    f.forLoop(j, () => f.i32(width / 4), () => {
      f.get(zr).get(j).i32(16).mul().add();
      f.get(j).i32(16).mul().i32(shape.b[0]).add().vload();
      f.vstore();
    });
    f.forLoop(a, () => f.get(NI), () => {
      f.get(ir).get(a).i32(4).mul().add().loadI32().i32(ldz).mul().i32(shape.k0).add().set(kr);
      f.forLoop(j, () => f.i32(width / 4), () => {
        f.get(zr).get(j).i32(16).mul().add();
        f.get(zr).get(j).i32(16).mul().add().vload();
        f.get(kr).get(j).i32(16).mul().add().vload();
        f.fadd().vstore();
      });
    });
  });
  return f;
}

/** `gatesL(z, st, n)`: the LSTM cell update of layer l from its pre-activations Z, in place on the state rows. */
function emitGates(shape: KernelShape, l: number): FnBuilder {
  const U = shape.up[l];
  const ldz = 16 * U;
  const lds = 4 * shape.s;
  const hOff = 4 * hOffset(shape.up, l);
  const cOff = 4 * (shape.s / 2 + hOffset(shape.up, l));
  const f = new FnBuilder(`gates${l}`, [I32, I32, I32]);
  const r = f.local(I32), j = f.local(I32), zp = f.local(I32), sp = f.local(I32);
  const v = f.local(V128), ig = f.local(V128), cg = f.local(V128), c = f.local(V128);
  const t: Tmp = { x: f.local(V128), x2: f.local(V128), p: f.local(V128) };
  f.forLoop(r, () => f.get(2), () => {
    f.forLoop(j, () => f.i32(U / 4), () => {
      f.get(0).get(r).i32(ldz).mul().add().get(j).i32(16).mul().add().set(zp);
      f.get(1).get(r).i32(lds).mul().add().get(j).i32(16).mul().add().set(sp);
      // i
      f.get(zp).vload(0).set(v);
      emitSigmoid(f, v, t);
      f.set(ig);
      // g
      f.get(zp).vload(8 * U).set(v);
      emitTanh(f, v, t);
      f.get(ig).fmul().set(cg);
      // f * c + i * g
      f.get(zp).vload(4 * U).set(v);
      emitSigmoid(f, v, t);
      f.get(sp).vload(cOff).fmul().get(cg).fadd().set(c);
      f.get(sp).get(c).vstore(cOff);
      // h = o * tanh(c)
      f.get(zp).vload(12 * U).set(v);
      emitSigmoid(f, v, t);
      f.set(ig);
      emitTanh(f, c, t);
      f.get(ig).fmul().set(v);
      f.get(sp).get(v).vstore(hOff);
    });
  });
  return f;
}

/** `relu(st, a, n)`: A row r = max(h_L of state row r, 0). */
function emitRelu(shape: KernelShape): FnBuilder {
  const L = shape.up.length - 1;
  const U = shape.up[L];
  const hOff = 4 * hOffset(shape.up, L);
  const f = new FnBuilder('relu', [I32, I32, I32]);
  const r = f.local(I32), j = f.local(I32);
  f.forLoop(r, () => f.get(2), () => {
    f.forLoop(j, () => f.i32(U / 4), () => {
      f.get(1).get(r).i32(4 * U).mul().add().get(j).i32(16).mul().add();
      f.get(0).get(r).i32(4 * shape.s).mul().add().get(j).i32(16).mul().add().vload(hOff);
      f.vconst(0).simd(0xeb);
      f.vstore();
    });
  });
  return f;
}

/** All kernel functions for `shape`. */
export function kernelFunctions(shape: KernelShape): FnBuilder[] {
  const fns: FnBuilder[] = [emitInit0(shape)];
  const up = shape.up;
  const L = up.length;
  for (let l = 0; l < L; l++) {
    const U4 = 4 * up[l];
    if (l > 0) fns.push(emitFill(`init${l}`, shape.b[l], U4, U4 * 4));
    const K = l === 0 ? up[0] : up[l - 1] + up[l];
    const aOff = 4 * (l === 0 ? hOffset(up, 0) : hOffset(up, l - 1));
    fns.push(emitGemm(`gemm${l}`, K, aOff, 4 * shape.s, U4 * 4, U4 / PANEL, shape.w[l], shape.rt, shape.fma));
    fns.push(emitGates(shape, l));
  }
  fns.push(emitRelu(shape));
  fns.push(emitFill('initro', shape.rob, shape.gp, shape.gp * 4));
  fns.push(emitGemm('gemmro', up[L - 1], 0, 4 * up[L - 1], shape.gp * 4, shape.gp / PANEL, shape.ro, shape.rt, shape.fma));
  return fns;
}

/** Packs row-major `[K, N]` into panels of {@link PANEL} columns (`[N / PANEL][K][PANEL]`) at `out[off..]`. */
export function packPanels(src: (k: number, n: number) => number, K: number, N: number, out: Float32Array, off: number): void {
  let o = off;
  for (let p = 0; p < N / PANEL; p++) {
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < PANEL; j++) out[o++] = src(k, p * PANEL + j);
    }
  }
}
