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
  if (relaxed === null) relaxed = validateRelaxedMadd();
  return relaxed;
}

function validateRelaxedMadd(): boolean {
  try {
    // (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
    const body = [0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b];
    const bytes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** The V8 flag that turns relaxed SIMD on where it is not shipped yet (Node 16-21). */
export const RELAXED_SIMD_V8_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * Turns WebAssembly relaxed SIMD on in Node versions that have it behind a V8
 * flag (Node 20: {@link RELAXED_SIMD_V8_FLAG}), so that the generated kernels
 * use fused multiply-add; for the `repap` command and the benchmarks, called
 * before the first kernel is compiled (a module compiled earlier keeps its
 * instructions). `setFlags` is `v8.setFlagsFromString`. Where relaxed SIMD is
 * already on (Node >= 22, browsers) or the Node version has no such flag,
 * nothing is set. Returns whether relaxed SIMD is available afterwards.
 *
 * ```ts
 * import v8 from 'node:v8';
 * enableWasmRelaxedSimd((flag) => v8.setFlagsFromString(flag));
 * ```
 */
export function enableWasmRelaxedSimd(setFlags: (flags: string) => void): boolean {
  if (validateRelaxedMadd()) return (relaxed = true);
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  const major = node ? Number(node.split('.')[0]) : NaN;
  // V8 prints an error for a flag it does not know: set it only where it exists
  if (!(major >= 16 && major <= 21)) return (relaxed = false);
  setFlags(RELAXED_SIMD_V8_FLAG);
  return (relaxed = validateRelaxedMadd());
}
