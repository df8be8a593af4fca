/**
 * The WebAssembly SIMD functions of the fused training kernel, generated for
 * one network's shapes (padded units `up`, padded grid `gp`): the six matrix
 * products of a training step, the fused forward and backward LSTM gate
 * updates, the first layer's input projection as a row gather and its kernel
 * gradient as a row scatter-add, and a row fill.
 *
 * Layouts (floats): pre-activations / gate values `Z [rows, 4 up]` with gate
 * blocks i, f, c, o of `up` columns each; states `[rows, up]`; read-out
 * `[rows, gp]`; weights row-major, `Wᵀ` stored where a product needs it.
 *
 * @module
 */
import { emitSigmoid, emitTanh, FnBuilder, I32, V128, type Tmp } from '../../wasm/emit.js';
import { emitGemm, GEMM_PANEL } from '../../wasm/gemm.js';

/** What the training functions are generated for. */
export interface TrainKernelShape {
  /** Units per layer, padded to a multiple of 8. */
  readonly up: number;
  /** Grid size, padded to a multiple of 8. */
  readonly gp: number;
  /**
   * Row strides in floats of `[*, 4 up]` rows (zs), `[*, up]` rows (hs) and
   * `[*, gp]` rows (gs): padded past a power of two so that the rows of a
   * panel do not all fall into the same L1 cache set (4 KiB aliasing).
   */
  readonly zs: number;
  readonly hs: number;
  readonly gs: number;
  /** Rows per register tile of the products (4). */
  readonly rt: number;
  /** Fused multiply-add (relaxed SIMD) in the products. */
  readonly fma: boolean;
}

/**
 * `gatesF(z, cp, c, tc, h, n)`: the LSTM cell of n rows. Reads the
 * pre-activations at z, the previous cell state at cp; writes the gate values
 * i, f, g, o back over z, and c, tanh(c), h.
 */
function emitGatesForward(up: number, zs: number, hs: number): FnBuilder {
  const f = new FnBuilder('gatesF', [I32, I32, I32, I32, I32, I32]);
  const [Z, CP, C, TC, H, N] = [0, 1, 2, 3, 4, 5];
  const r = f.local(I32), j = f.local(I32), zp = f.local(I32), so = f.local(I32);
  const v = f.local(V128), ig = f.local(V128), gg = f.local(V128), c = f.local(V128);
  const t: Tmp = { x: f.local(V128), x2: f.local(V128), p: f.local(V128) };
  const B = 4 * up; // bytes per gate block
  f.forLoop(r, () => f.get(N), () => {
    f.forLoop(j, () => f.i32(up / 4), () => {
      f.get(Z).get(r).i32(4 * zs).mul().add().get(j).i32(16).mul().add().set(zp);
      f.get(r).i32(4 * hs).mul().get(j).i32(16).mul().add().set(so);
      f.get(zp).vload(0).set(v);
      emitSigmoid(f, v, t);
      f.set(ig);
      f.get(zp).get(ig).vstore(0);
      f.get(zp).vload(2 * B).set(v);
      emitTanh(f, v, t);
      f.set(gg);
      f.get(zp).get(gg).vstore(2 * B);
      f.get(zp).vload(B).set(v);
      emitSigmoid(f, v, t);
      f.set(v);
      f.get(zp).get(v).vstore(B);
      // c = f * cp + i * g
      f.get(v).get(CP).get(so).add().vload().fmul().get(ig).get(gg).fmul().fadd().set(c);
      f.get(C).get(so).add().get(c).vstore();
      emitTanh(f, c, t);
      f.set(c);
      f.get(TC).get(so).add().get(c).vstore();
      f.get(zp).vload(3 * B).set(v);
      emitSigmoid(f, v, t);
      f.set(v);
      f.get(zp).get(v).vstore(3 * B);
      f.get(H).get(so).add().get(v).get(c).fmul().vstore();
    });
  });
  return f;
}

/**
 * `gatesB(z, tc, cp, dh, dc, gb, n)`: backward through the cell of n rows.
 * z holds the gate values (overwritten with dL/dz), tc = tanh(c), cp the
 * previous cell state, dh = dL/dh (recurrent part included); dc carries
 * dL/dc from the next step in and `dc · f` out; the bias gradient gb (4 up)
 * accumulates dL/dz.
 */
function emitGatesBackward(up: number, zs: number, hs: number): FnBuilder {
  const f = new FnBuilder('gatesB', [I32, I32, I32, I32, I32, I32, I32]);
  const [Z, TC, CP, DH, DC, GB, N] = [0, 1, 2, 3, 4, 5, 6];
  const r = f.local(I32), j = f.local(I32), zp = f.local(I32), so = f.local(I32), gp = f.local(I32);
  const i = f.local(V128), fg = f.local(V128), g = f.local(V128), o = f.local(V128), tc = f.local(V128);
  const dh = f.local(V128), dc = f.local(V128), d = f.local(V128);
  const B = 4 * up;
  const store = (off: number) => {
    // z[off] = d; gb[off] += d
    f.get(zp).get(d).vstore(off);
    f.get(gp).get(gp).vload(off).get(d).fadd().vstore(off);
  };
  f.forLoop(r, () => f.get(N), () => {
    f.forLoop(j, () => f.i32(up / 4), () => {
      f.get(Z).get(r).i32(4 * zs).mul().add().get(j).i32(16).mul().add().set(zp);
      f.get(r).i32(4 * hs).mul().get(j).i32(16).mul().add().set(so);
      f.get(GB).get(j).i32(16).mul().add().set(gp);
      f.get(zp).vload(0).set(i);
      f.get(zp).vload(B).set(fg);
      f.get(zp).vload(2 * B).set(g);
      f.get(zp).vload(3 * B).set(o);
      f.get(TC).get(so).add().vload().set(tc);
      f.get(DH).get(so).add().vload().set(dh);
      // dc = dh * o * (1 - tc^2) + dc
      f.get(dh).get(o).fmul().vconst(1).get(tc).get(tc).fmul().fsub().fmul();
      f.get(DC).get(so).add().vload().fadd().set(dc);
      // zi = dc * g * i * (1 - i)
      f.get(dc).get(g).fmul().get(i).fmul().vconst(1).get(i).fsub().fmul().set(d);
      store(0);
      // zf = dc * cp * f * (1 - f)
      f.get(dc).get(CP).get(so).add().vload().fmul().get(fg).fmul().vconst(1).get(fg).fsub().fmul().set(d);
      store(B);
      // zg = dc * i * (1 - g^2)
      f.get(dc).get(i).fmul().vconst(1).get(g).get(g).fmul().fsub().fmul().set(d);
      store(2 * B);
      // zo = dh * tc * o * (1 - o)
      f.get(dh).get(tc).fmul().get(o).fmul().vconst(1).get(o).fsub().fmul().set(d);
      store(3 * B);
      f.get(DC).get(so).add().get(dc).get(fg).fmul().vstore();
    });
  });
  return f;
}

/**
 * `gather(z, idx, nAct, idxStride, n, k0, bias)`: row r of z (4 up floats) =
 * bias + the sum of the input-kernel rows `idx[a * idxStride / 4 + r]`, a < nAct.
 */
function emitGather(up: number, zs: number): FnBuilder {
  const width = 4 * up;
  const f = new FnBuilder('gather', [I32, I32, I32, I32, I32, I32, I32]);
  const [Z, IDX, NA, IS, N, K0, BIAS] = [0, 1, 2, 3, 4, 5, 6];
  const r = f.local(I32), j = f.local(I32), a = f.local(I32), zr = f.local(I32), kr = f.local(I32);
  f.forLoop(r, () => f.get(N), () => {
    f.get(Z).get(r).i32(zs * 4).mul().add().set(zr);
    f.forLoop(j, () => f.i32(width / 4), () => {
      f.get(zr).get(j).i32(16).mul().add();
      f.get(BIAS).get(j).i32(16).mul().add().vload();
      f.vstore();
    });
    f.forLoop(a, () => f.get(NA), () => {
      f.get(IDX).get(a).get(IS).mul().add().get(r).i32(4).mul().add().loadI32().i32(zs * 4).mul().get(K0).add().set(kr);
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

/** `scatter(dz, idx, nAct, idxStride, n, gk)`: for every row r and a < nAct, `gk[idx[a, r]] += dz[r]` (rows of 4 up floats). */
function emitScatter(up: number, zs: number): FnBuilder {
  const width = 4 * up;
  const f = new FnBuilder('scatter', [I32, I32, I32, I32, I32, I32]);
  const [DZ, IDX, NA, IS, N, GK] = [0, 1, 2, 3, 4, 5];
  const r = f.local(I32), j = f.local(I32), a = f.local(I32), zr = f.local(I32), kr = f.local(I32);
  f.forLoop(r, () => f.get(N), () => {
    f.get(DZ).get(r).i32(zs * 4).mul().add().set(zr);
    f.forLoop(a, () => f.get(NA), () => {
      f.get(IDX).get(a).get(IS).mul().add().get(r).i32(4).mul().add().loadI32().i32(zs * 4).mul().get(GK).add().set(kr);
      f.forLoop(j, () => f.i32(width / 4), () => {
        f.get(kr).get(j).i32(16).mul().add();
        f.get(kr).get(j).i32(16).mul().add().vload();
        f.get(zr).get(j).i32(16).mul().add().vload();
        f.fadd().vstore();
      });
    });
  });
  return f;
}

/** `fill(z, src, n)`: every row of z (4 up floats) = the vector at src. */
function emitFill(up: number, zs: number): FnBuilder {
  const width = 4 * up;
  const f = new FnBuilder('fill', [I32, I32, I32]);
  const r = f.local(I32), j = f.local(I32), zr = f.local(I32);
  f.forLoop(r, () => f.get(2), () => {
    f.get(0).get(r).i32(zs * 4).mul().add().set(zr);
    f.forLoop(j, () => f.i32(width / 4), () => {
      f.get(zr).get(j).i32(16).mul().add();
      f.get(1).get(j).i32(16).mul().add().vload();
      f.vstore();
    });
  });
  return f;
}

/** `for (o = 0; o < 4 n; o += 16) body()`: over n floats (a multiple of 4) as byte offsets. */
function overVectors(f: FnBuilder, n: number, o: number, body: () => void): void {
  f.i32(0).set(o);
  f.op(0x02, 0x40, 0x03, 0x40); // block, loop
  f.get(o).get(n).i32(4).mul().op(0x4e, 0x0d, 1); // i32.ge_s, br_if 1
  body();
  f.get(o).i32(16).add().set(o);
  f.op(0x0c, 0, 0x0b, 0x0b);
}

/**
 * Element-wise functions over n floats (n a multiple of 4):
 * - `vmul(d, a, b, n)`: d = a * b (dropout masks);
 * - `vadd(d, a, n)`: d += a (the shards' gradients, in shard order);
 * - `relu(d, a, n)`: d = a > 0 ? a : 0 (NaN and -0 give 0, as the JS loop did);
 * - `reluB(d, h, n)`: d = h > 0 ? d : 0 (the ReLU's backward pass).
 */
function emitElementwise(): FnBuilder[] {
  const vmul = new FnBuilder('vmul', [I32, I32, I32, I32]);
  {
    const o = vmul.local(I32);
    overVectors(vmul, 3, o, () => {
      vmul.get(0).get(o).add();
      vmul.get(1).get(o).add().vload().get(2).get(o).add().vload().fmul();
      vmul.vstore();
    });
  }
  const vadd = new FnBuilder('vadd', [I32, I32, I32]);
  {
    const o = vadd.local(I32);
    overVectors(vadd, 2, o, () => {
      vadd.get(0).get(o).add();
      vadd.get(0).get(o).add().vload().get(1).get(o).add().vload().fadd();
      vadd.vstore();
    });
  }
  const relu = new FnBuilder('relu', [I32, I32, I32]);
  {
    const o = relu.local(I32);
    overVectors(relu, 2, o, () => {
      relu.get(0).get(o).add();
      // f32x4.pmax(0, a) = 0 < a ? a : 0
      relu.vconst(0).get(1).get(o).add().vload().simd(0xeb);
      relu.vstore();
    });
  }
  const reluB = new FnBuilder('reluB', [I32, I32, I32]);
  {
    const o = reluB.local(I32);
    overVectors(reluB, 2, o, () => {
      reluB.get(0).get(o).add();
      // d & (h > 0): f32x4.gt, v128.and
      reluB.get(0).get(o).add().vload().get(1).get(o).add().vload().vconst(0).simd(0x44).simd(0x4e);
      reluB.vstore();
    });
  }
  return [vmul, vadd, relu, reluB];
}

/**
 * The optimiser updates over the flat parameter vector (n floats, a multiple
 * of 4), op by op as `FlatOptimizer.apply` and tfjs compute them: every
 * f32x4 multiply, add, divide and square root is correctly rounded to float32,
 * as `Math.fround` of the double result is, so the updates are bit-identical
 * to the JS ones. Scalars are read from the float32 array at byte `k`:
 * - `rmsprop(w, g, ms, mom, n, k)`: k = [lr, decay, 1 - decay, epsilon];
 * - `adam(w, g, m, v, n, k)`: k = [beta1, beta2, 1 - beta1, 1 - beta2, epsilon, 1 - beta1^t, 1 - beta2^t, -lr];
 * - `sgd(w, g, n, k)`: k = [-lr].
 */
function emitOptimizers(): FnBuilder[] {
  const rms = new FnBuilder('rmsprop', [I32, I32, I32, I32, I32, I32]);
  {
    const [W, G, MS, MOM, N, K] = [0, 1, 2, 3, 4, 5];
    const o = rms.local(I32), g = rms.local(V128), m2 = rms.local(V128), step = rms.local(V128);
    const lr = rms.local(V128), decay = rms.local(V128), om = rms.local(V128), eps = rms.local(V128);
    rms.get(K).vsplat(0).set(lr).get(K).vsplat(4).set(decay).get(K).vsplat(8).set(om).get(K).vsplat(12).set(eps);
    overVectors(rms, N, o, () => {
      rms.get(G).get(o).add().vload().set(g);
      // m2 = ms * decay + (g * g) * (1 - decay)
      rms.get(MS).get(o).add().vload().get(decay).fmul().get(g).get(g).fmul().get(om).fmul().fadd().set(m2);
      // step = mom * 0 + (g * lr) / sqrt(m2 + eps)   (f32x4.sqrt)
      rms.get(MOM).get(o).add().vload().vconst(0).fmul();
      rms.get(g).get(lr).fmul().get(m2).get(eps).fadd().simd(0xe3).fdiv().fadd().set(step);
      rms.get(MS).get(o).add().get(m2).vstore();
      rms.get(MOM).get(o).add().get(step).vstore();
      rms.get(W).get(o).add();
      rms.get(W).get(o).add().vload().get(step).fsub();
      rms.vstore();
    });
  }
  const adam = new FnBuilder('adam', [I32, I32, I32, I32, I32, I32]);
  {
    const [W, G, M, V, N, K] = [0, 1, 2, 3, 4, 5];
    const o = adam.local(I32), g = adam.local(V128), m1 = adam.local(V128), v1 = adam.local(V128);
    const c = Array.from({ length: 8 }, () => adam.local(V128));
    const [b1, b2, c1, c2, eps, om1, om2, nlr] = c as [number, number, number, number, number, number, number, number];
    c.forEach((local, i) => adam.get(K).vsplat(4 * i).set(local));
    overVectors(adam, N, o, () => {
      adam.get(G).get(o).add().vload().set(g);
      adam.get(M).get(o).add().vload().get(b1).fmul().get(g).get(c1).fmul().fadd().set(m1);
      adam.get(V).get(o).add().vload().get(b2).fmul().get(g).get(g).fmul().get(c2).fmul().fadd().set(v1);
      adam.get(M).get(o).add().get(m1).vstore();
      adam.get(V).get(o).add().get(v1).vstore();
      adam.get(W).get(o).add();
      // w = (mh / (sqrt(vh) + eps)) * -lr + w, mh = m1 / (1 - beta1^t), vh = v1 / (1 - beta2^t)
      adam.get(m1).get(om1).fdiv();
      adam.get(v1).get(om2).fdiv().simd(0xe3).get(eps).fadd();
      adam.fdiv().get(nlr).fmul().get(W).get(o).add().vload().fadd();
      adam.vstore();
    });
  }
  const sgd = new FnBuilder('sgd', [I32, I32, I32, I32]);
  {
    const [W, G, N, K] = [0, 1, 2, 3];
    const o = sgd.local(I32), c = sgd.local(V128);
    sgd.get(K).vsplat(0).set(c);
    overVectors(sgd, N, o, () => {
      sgd.get(W).get(o).add();
      sgd.get(c).get(G).get(o).add().vload().fmul().get(W).get(o).add().vload().fadd();
      sgd.vstore();
    });
  }
  return [rms, adam, sgd];
}

/**
 * Every function of the training kernel. Products (all `(a, w, c, m, k)`,
 * accumulating into c):
 * - `mmU4`: `[m, up] · [up, 4up]` (input and recurrent projections);
 * - `mm4U`: `[m, 4up] · [4up, up]` (`dZ · Rᵀ`, `dZ · Kᵀ`);
 * - `mmG`: `[m, up] · [up, gp]` (read-out);
 * - `mmGU`: `[m, gp] · [gp, up]` (`dLogits · Wᵀ`);
 * - `tnU4`: `Aᵀ · dZ` with A `[k, up]`, dZ `[k, 4up]` (m = up): kernel gradients;
 * - `tnG`: `Aᵀ · dLogits` with A `[k, up]`, dLogits `[k, gp]`: read-out gradient.
 */
export function trainKernelFunctions(shape: TrainKernelShape): FnBuilder[] {
  const { up, gp, zs, hs, gs, rt, fma } = shape;
  if (up % GEMM_PANEL !== 0 || gp % GEMM_PANEL !== 0) throw new Error(`training kernel: up = ${up} and gp = ${gp} must be multiples of ${GEMM_PANEL}`);
  const u4 = 4 * up;
  const P = GEMM_PANEL;
  return [
    emitGemm({ name: 'mmU4', aRow: hs, aK: 1, wK: zs, wP: P, cRow: zs, nPanels: u4 / P, rt, fma }),
    emitGemm({ name: 'mm4U', aRow: zs, aK: 1, wK: hs, wP: P, cRow: hs, nPanels: up / P, rt, fma }),
    emitGemm({ name: 'mmG', aRow: hs, aK: 1, wK: gs, wP: P, cRow: gs, nPanels: gp / P, rt, fma }),
    emitGemm({ name: 'mmGU', aRow: gs, aK: 1, wK: hs, wP: P, cRow: hs, nPanels: up / P, rt, fma }),
    emitGemm({ name: 'tnU4', aRow: 1, aK: hs, wK: zs, wP: P, cRow: zs, nPanels: u4 / P, rt, fma }),
    emitGemm({ name: 'tnG', aRow: 1, aK: hs, wK: gs, wP: P, cRow: gs, nPanels: gp / P, rt, fma }),
    emitGatesForward(up, zs, hs),
    emitGatesBackward(up, zs, hs),
    emitGather(up, zs),
    emitScatter(up, zs),
    emitFill(up, zs),
    ...emitElementwise(),
    ...emitOptimizers(),
  ];
}
