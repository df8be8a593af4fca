/**
 * Backend names and the npm packages that provide them.
 *
 * @module
 */

/**
 * An execution backend that {@link useBackend} can select:
 * - `cpu`: plain JavaScript kernels (`@tensorflow/tfjs-backend-cpu`, a dependency);
 * - `wasm`: WebAssembly kernels with SIMD, and threads where the page is cross-origin isolated
 *   (`@tensorflow/tfjs-backend-wasm`, a dependency);
 * - `webgpu`: WebGPU compute shaders (`@tensorflow/tfjs-backend-webgpu`, optional peer); in Node it also
 *   needs the `webgpu` package (Dawn) and a Vulkan driver;
 * - `webgl`: WebGL2 shaders, browsers only (`@tensorflow/tfjs-backend-webgl`, optional peer);
 * - `tensorflow`: native libtensorflow through `@tensorflow/tfjs-node` (optional peer, Node only).
 */
export type BackendName = 'cpu' | 'wasm' | 'webgpu' | 'webgl' | 'tensorflow';

/** Every name {@link useBackend} accepts, in order of increasing setup cost. */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze([
  'cpu',
  'wasm',
  'webgpu',
  'webgl',
  'tensorflow',
] as const);

/** The tfjs version every backend package must match (the version of `@tensorflow/tfjs-core` this package is built on). */
export const TFJS_VERSION = '4.22.0';

/** The npm package that registers each backend with tfjs-core. */
export const BACKEND_PACKAGES: Readonly<Record<BackendName, string>> = Object.freeze({
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs-backend-webgl',
  tensorflow: '@tensorflow/tfjs-node',
});

/** The npm package that provides `navigator.gpu` in Node (Dawn's node binding). */
export const NODE_WEBGPU_PACKAGE = 'webgpu';

/** True when `name` is one of {@link BACKEND_NAMES}. */
export function isBackendName(name: unknown): name is BackendName {
  return typeof name === 'string' && (BACKEND_NAMES as readonly string[]).includes(name);
}
