/**
 * Feature detection for the generated WebAssembly kernels (sampling and
 * training): SIMD128, and relaxed SIMD's fused multiply-add.
 *
 * @module
 */

let simd: boolean | null = null;
/** True when this runtime compiles WebAssembly SIMD128. */
export function wasmSimdSupported(): boolean {
  if (simd !== null) return simd;
  try {
    // (func (result v128) v128.const 0)  — validation only
    const bytes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
    simd = typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    simd = false;
  }
  return simd;
}

let relaxed: boolean | null = null;
/**
 * True when this runtime compiles WebAssembly relaxed SIMD (Node >= 22,
 * Chrome >= 114; Node 20 with `--experimental-wasm-relaxed-simd`), detected by
 * validating a tiny module with `f32x4.relaxed_madd`. The kernels then use
 * fused multiply-add in their products: about a third faster on x86 with FMA;
 * the results may differ from the unfused kernels in the last bits (still the
 * same on the same machine).
 */
export function wasmRelaxedSimdSupported(): boolean {
  if (relaxed !== null) return relaxed;
  try {
    // (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
    const body = [0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b];
    const bytes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
    relaxed = typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    relaxed = false;
  }
  return relaxed;
}
