/**
 * A minimal WebAssembly binary writer: just what the sampling and training kernels need
 * (i32 arithmetic, structured loops, SIMD128 f32x4 loads, stores and
 * arithmetic, one imported memory). The kernel is generated at run time with
 * the network's shapes and weight addresses baked in as constants, so no
 * binary is shipped and no build tool is needed.
 *
 * @module
 */

/** Value types. */
export const I32 = 0x7f;
/** SIMD vector type. */
export const V128 = 0x7b;

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  let more = true;
  while (more) {
    let b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) more = false;
    else b |= 0x80;
    out.push(b);
  }
}

const f32buf = new DataView(new ArrayBuffer(4));

/** Body of one function under construction (a stack-machine instruction stream). */
export class FnBuilder {
  /** Encoded instructions. */
  readonly code: number[] = [];
  /** Extra locals (after the parameters), by type. */
  readonly locals: number[] = [];

  /** @param params parameter types. */
  constructor(readonly name: string, readonly params: number[], readonly results: number[] = []) {}

  /** Declares a local of `type`; returns its index. */
  local(type: number): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }
  /** local.get */
  get(i: number): this { this.code.push(0x20); uleb(this.code, i); return this; }
  /** local.set */
  set(i: number): this { this.code.push(0x21); uleb(this.code, i); return this; }
  /** local.tee */
  tee(i: number): this { this.code.push(0x22); uleb(this.code, i); return this; }
  /** i32.const */
  i32(v: number): this { this.code.push(0x41); sleb(this.code, v | 0); return this; }
  /** Raw opcode bytes. */
  op(...b: number[]): this { this.code.push(...b); return this; }
  /** i32.add */
  add(): this { return this.op(0x6a); }
  /** i32.mul */
  mul(): this { return this.op(0x6c); }
  /** i32.load with a static byte offset. */
  loadI32(offset = 0): this { this.code.push(0x28, 2); uleb(this.code, offset); return this; }
  /** SIMD instruction `0xfd op`. */
  simd(op: number): this { this.code.push(0xfd); uleb(this.code, op); return this; }
  /** v128.load (address on the stack) + static offset. */
  vload(offset = 0): this { this.simd(0x00); this.code.push(4); uleb(this.code, offset); return this; }
  /** v128.load32_splat. */
  vsplat(offset = 0): this { this.simd(0x09); this.code.push(2); uleb(this.code, offset); return this; }
  /** v128.store (address, value on the stack). */
  vstore(offset = 0): this { this.simd(0x0b); this.code.push(4); uleb(this.code, offset); return this; }
  /** f32x4 splat constant (v128.const). */
  vconst(x: number): this {
    this.simd(0x0c);
    f32buf.setFloat32(0, x, true);
    for (let l = 0; l < 4; l++) for (let b = 0; b < 4; b++) this.code.push(f32buf.getUint8(b));
    return this;
  }
  /** f32x4.add */ fadd(): this { return this.simd(0xe4); }
  /** f32x4.sub */ fsub(): this { return this.simd(0xe5); }
  /** f32x4.mul */ fmul(): this { return this.simd(0xe6); }
  /** f32x4.div */ fdiv(): this { return this.simd(0xe7); }
  /** f32x4.min */ fmin(): this { return this.simd(0xe8); }
  /** f32x4.max */ fmax(): this { return this.simd(0xe9); }

  /**
   * `for (i = 0; i < bound; i++) body()`, where `bound` pushes the bound (an i32).
   * `i` must be an i32 local.
   */
  forLoop(i: number, bound: () => void, body: () => void, step = 1): this {
    this.i32(0).set(i);
    this.op(0x02, 0x40, 0x03, 0x40); // block, loop
    this.get(i);
    bound();
    this.op(0x4e, 0x0d, 1); // i32.ge_s, br_if 1
    body();
    this.get(i).i32(step).add().set(i);
    this.op(0x0c, 0, 0x0b, 0x0b); // br 0, end loop, end block
    return this;
  }
}

/** Assembles functions into a module importing `env.memory` (shared when asked) and exporting every function by name. */
export function assemble(fns: FnBuilder[], memory: { initial: number; maximum?: number; shared: boolean }): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const section = (id: number, body: number[]) => {
    out.push(id);
    uleb(out, body.length);
    out.push(...body);
  };
  const str = (b: number[], s: string) => {
    uleb(b, s.length);
    for (let i = 0; i < s.length; i++) b.push(s.charCodeAt(i));
  };
  // types: one per function (simple, no dedup needed at this size)
  const types: number[] = [];
  uleb(types, fns.length);
  for (const f of fns) {
    types.push(0x60);
    uleb(types, f.params.length);
    types.push(...f.params);
    uleb(types, f.results.length);
    types.push(...f.results);
  }
  section(1, types);
  const imports: number[] = [];
  uleb(imports, 1);
  str(imports, 'env');
  str(imports, 'memory');
  imports.push(0x02);
  if (memory.shared) {
    imports.push(0x03);
    uleb(imports, memory.initial);
    uleb(imports, memory.maximum ?? 65536);
  } else if (memory.maximum !== undefined) {
    imports.push(0x01);
    uleb(imports, memory.initial);
    uleb(imports, memory.maximum);
  } else {
    imports.push(0x00);
    uleb(imports, memory.initial);
  }
  section(2, imports);
  const funcs: number[] = [];
  uleb(funcs, fns.length);
  fns.forEach((_, i) => uleb(funcs, i));
  section(3, funcs);
  const exports: number[] = [];
  uleb(exports, fns.length);
  fns.forEach((f, i) => {
    str(exports, f.name);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(7, exports);
  const code: number[] = [];
  uleb(code, fns.length);
  for (const f of fns) {
    const body: number[] = [];
    // locals, run-length encoded by type
    const groups: [number, number][] = [];
    for (const t of f.locals) {
      if (groups.length && groups[groups.length - 1][1] === t) groups[groups.length - 1][0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(t);
    }
    body.push(...f.code, 0x0b);
    uleb(code, body.length);
    code.push(...body);
  }
  section(10, code);
  return Uint8Array.from(out);
}

// tanh as a rational function (the float version used by Eigen and XNNPACK):
// a few ulp on [-7.9, 7.9], saturated outside.
const TANH_CLAMP = 7.90531110763549805;
const ALPHA = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16];
const BETA = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6];

/** Scratch v128 locals of {@link emitTanh} and {@link emitSigmoid}. */
export interface Tmp { x: number; x2: number; p: number }

/** Pushes tanh(local v) onto the stack. */
export function emitTanh(f: FnBuilder, v: number, t: Tmp): void {
  // pmin/pmax (0xea/0xeb) compile to single minps/maxps
  f.get(v).vconst(TANH_CLAMP).simd(0xea).vconst(-TANH_CLAMP).simd(0xeb).set(t.x);
  f.get(t.x).get(t.x).fmul().set(t.x2);
  f.get(t.x2).vconst(ALPHA[6]).fmul().vconst(ALPHA[5]).fadd();
  for (let i = 4; i >= 0; i--) f.get(t.x2).fmul().vconst(ALPHA[i]).fadd();
  f.get(t.x).fmul().set(t.p);
  f.get(t.x2).vconst(BETA[3]).fmul().vconst(BETA[2]).fadd();
  f.get(t.x2).fmul().vconst(BETA[1]).fadd();
  f.get(t.x2).fmul().vconst(BETA[0]).fadd().set(t.x);
  f.get(t.p).get(t.x).fdiv();
}

/** Pushes sigmoid(local v) = 0.5 tanh(v / 2) + 0.5 onto the stack (clobbers v). */
export function emitSigmoid(f: FnBuilder, v: number, t: Tmp): void {
  f.get(v).vconst(0.5).fmul().set(v);
  emitTanh(f, v, t);
  f.vconst(0.5).fmul().vconst(0.5).fadd();
}
