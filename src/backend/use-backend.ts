/**
 * `useBackend`: the one place in the package that picks and initialises a
 * tfjs execution backend. Optional backend packages are loaded with a dynamic
 * import the first time they are asked for.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  BACKEND_NAMES,
  BACKEND_PACKAGES,
  NODE_WEBGPU_PACKAGE,
  TFJS_VERSION,
  isBackendName,
  type BackendName,
} from './names.js';

/** File names of the three wasm binaries that `@tensorflow/tfjs-backend-wasm` chooses between. */
export type WasmBinaryName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/** Options of {@link useBackend}. Each applies to one backend and is ignored by the others. */
export interface UseBackendOptions {
  /**
   * `wasm` in a browser bundle: where the `.wasm` binaries are served, either a directory URL ending in `/`
   * or one URL per file (see `setWasmPaths` of `@tensorflow/tfjs-backend-wasm`). Not needed in Node, where
   * the backend reads the binaries from its own package directory. Takes effect only before the wasm
   * backend is first initialised.
   */
  wasmPaths?: string | Partial<Record<WasmBinaryName, string>>;
  /**
   * `wasm`: number of threads (a positive integer). Threads need a cross-origin isolated page in a browser
   * (COOP/COEP headers); otherwise the single-threaded SIMD binary is used. Takes effect only before the
   * wasm backend is first initialised.
   */
  wasmThreads?: number;
  /**
   * `webgpu` in Node: flags for Dawn's `create()` from the `webgpu` package, for example
   * `['backend=vulkan']` or `['enable-dawn-features=allow_unsafe_apis']`. Default: none.
   */
  dawnFlags?: readonly string[];
  /**
   * `webgpu` in Node: path of a Vulkan ICD manifest to use, written to `VK_ICD_FILENAMES` before Dawn starts
   * when that variable is not set already. On a machine without a GPU, Debian's `chromium` package ships
   * SwiftShader at `/usr/lib/chromium/vk_swiftshader_icd.json`. Default: the system's Vulkan drivers.
   */
  vulkanICD?: string;
  /**
   * `webgl`: pass tensor shapes to the shaders as uniforms (tfjs flag `WEBGL_USE_SHAPES_UNIFORMS`), so that
   * a new batch shape reuses the compiled program instead of compiling a new one. Sampling with
   * constraint resampling advances a varying number of rows per step, which otherwise recompiles shaders
   * at almost every step. Default true.
   */
  webglShapeUniforms?: boolean;
}

interface WasmModule {
  setWasmPaths(prefixOrFileMap: string | Partial<Record<WasmBinaryName, string>>, usePlatformFetch?: boolean): void;
  setThreadsCount(numThreads: number): void;
}

interface DawnModule {
  create(flags: string[]): unknown;
  globals: Record<string, unknown>;
}

interface GpuLike {
  requestAdapter(options?: unknown): Promise<unknown>;
}

interface WebGPUModule {
  WebGPUBackend?: new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;
}

/**
 * Imports a package by a specifier that bundlers do not follow, so that a browser bundle of this library
 * builds without the optional peers installed. Browser apps register those backends by importing the
 * package in their own entry; {@link useBackend} then finds the backend already registered.
 */
function importOptional(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { window?: unknown }).window === 'undefined';
}

function isMissingModule(err: unknown, specifier: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return message.includes(specifier);
  return (
    /Failed to resolve module specifier|Cannot find (package|module)|Could not resolve|Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed/i.test(
      message,
    ) && message.includes(specifier)
  );
}

function installHint(specifier: string, pinned: boolean): string {
  const pkg = pinned ? `${specifier}@${TFJS_VERSION}` : specifier;
  const bundle = isNodeRuntime()
    ? ''
    : ` In a browser bundle, also import it once in your app's entry (\`import '${specifier}';\`): bundlers do not follow this library's dynamic import of optional packages.`;
  return `Install it with \`npm install ${pkg}\`${pinned ? ` (its version must match @tensorflow/tfjs-core ${TFJS_VERSION})` : ''}.${bundle}`;
}

async function loadPackage(name: BackendName, specifier: string, pinned: boolean): Promise<unknown> {
  try {
    return await importOptional(specifier);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (isMissingModule(err, specifier)) {
      throw new Error(`useBackend('${name}'): the package ${specifier} is not installed. ${installHint(specifier, pinned)}`, {
        cause: err,
      });
    }
    throw new Error(`useBackend('${name}'): loading the package ${specifier} failed: ${why}`, { cause: err });
  }
}

function validateOptions(options: UseBackendOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new Error(`useBackend: options must be an object (got ${String(options)}).`);
  }
  const { wasmThreads, wasmPaths, dawnFlags, vulkanICD, webglShapeUniforms } = options;
  if (webglShapeUniforms !== undefined && typeof webglShapeUniforms !== 'boolean') {
    throw new Error(`useBackend: options.webglShapeUniforms must be true or false (got ${String(webglShapeUniforms)}).`);
  }
  if (wasmThreads !== undefined && !(Number.isInteger(wasmThreads) && wasmThreads >= 1)) {
    throw new Error(`useBackend: options.wasmThreads must be a positive integer (got ${String(wasmThreads)}).`);
  }
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string' && (wasmPaths === null || typeof wasmPaths !== 'object')) {
    throw new Error(
      `useBackend: options.wasmPaths must be a URL prefix ending in '/' or an object mapping wasm file names to URLs (got ${String(wasmPaths)}).`,
    );
  }
  if (dawnFlags !== undefined && !(Array.isArray(dawnFlags) && dawnFlags.every((f) => typeof f === 'string'))) {
    throw new Error(`useBackend: options.dawnFlags must be an array of strings such as ['backend=vulkan'].`);
  }
  if (vulkanICD !== undefined && (typeof vulkanICD !== 'string' || vulkanICD.length === 0)) {
    throw new Error(`useBackend: options.vulkanICD must be the path of a Vulkan ICD manifest (.json).`);
  }
}

function navigatorGpu(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? undefined;
}

/** Gives Node a `navigator.gpu` from Dawn (the `webgpu` package) unless the runtime already has one. */
async function installNodeWebGPU(options: UseBackendOptions): Promise<GpuLike> {
  const existing = navigatorGpu();
  if (existing) return existing;
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  if (options.vulkanICD && env && !env.VK_ICD_FILENAMES) env.VK_ICD_FILENAMES = options.vulkanICD;
  const dawn = (await loadPackage('webgpu', NODE_WEBGPU_PACKAGE, false)) as Partial<DawnModule> & { default?: DawnModule };
  const mod: Partial<DawnModule> = typeof dawn.create === 'function' ? dawn : (dawn.default ?? {});
  if (typeof mod.create !== 'function' || mod.globals === undefined) {
    throw new Error(`useBackend('webgpu'): the package ${NODE_WEBGPU_PACKAGE} does not export create() and globals; install a Dawn node binding (\`npm install webgpu\`).`);
  }
  const g = globalThis as Record<string, unknown>;
  for (const [key, value] of Object.entries(mod.globals)) if (!(key in g)) g[key] = value;
  const gpu = mod.create([...(options.dawnFlags ?? [])]) as GpuLike;
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true, enumerable: false });
  }
  Object.defineProperty(g.navigator as object, 'gpu', { value: gpu, configurable: true, writable: true, enumerable: true });
  return gpu;
}

function noAdapterMessage(node: boolean): string {
  if (!node) {
    return "useBackend('webgpu'): this browser exposes navigator.gpu but offers no WebGPU adapter. Enable WebGPU (Chromium: --enable-unsafe-webgpu on Linux) or pick 'webgl' or 'wasm'.";
  }
  const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
  const icd = env?.VK_ICD_FILENAMES;
  return (
    "useBackend('webgpu'): Dawn found no WebGPU adapter (no Vulkan driver). Install the Vulkan loader (Debian: libvulkan1) and a driver: " +
    'a GPU driver, or a software one such as SwiftShader from Debian\'s chromium package ' +
    "(set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json or pass options.vulkanICD)" +
    (icd ? `; VK_ICD_FILENAMES is ${icd}: check that the file exists.` : '.')
  );
}

/** Registers the webgpu backend when the package was imported before `navigator.gpu` existed (it registers only if it sees one). */
function registerWebGPUFallback(mod: WebGPUModule): void {
  const Backend = mod.WebGPUBackend;
  if (!Backend) return;
  tf.registerBackend(
    'webgpu',
    async () => {
      const gpu = navigatorGpu();
      const adapter = (await gpu?.requestAdapter({ powerPreference: 'high-performance' })) as {
        requestDevice(d?: unknown): Promise<unknown>;
        info?: unknown;
        limits: Record<string, number>;
      } | null;
      if (!adapter) throw new Error(noAdapterMessage(isNodeRuntime()));
      const l = adapter.limits;
      const device = await adapter.requestDevice({
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      return new Backend(device, adapter.info);
    },
    3,
  );
}

async function prepare(name: BackendName, options: UseBackendOptions): Promise<void> {
  const node = isNodeRuntime();
  switch (name) {
    case 'cpu':
      if (!tf.findBackendFactory('cpu')) await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'wasm': {
      const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmModule;
      const initialised = tf.engine().registry.wasm !== undefined;
      if (!initialised) {
        if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
        if (options.wasmThreads !== undefined) wasm.setThreadsCount(options.wasmThreads);
      }
      return;
    }
    case 'webgl': {
      if (!tf.findBackendFactory('webgl')) {
        const g = globalThis as { document?: unknown; OffscreenCanvas?: unknown };
        if (node || (g.document === undefined && g.OffscreenCanvas === undefined)) {
          throw new Error(
            "useBackend('webgl'): WebGL needs a browser (a canvas with WebGL2); this runtime has none. In Node use 'webgpu' (with the webgpu package), 'wasm' or 'tensorflow'.",
          );
        }
        await loadPackage(name, BACKEND_PACKAGES.webgl, true);
      }
      tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', options.webglShapeUniforms ?? true);
      return;
    }
    case 'webgpu': {
      if (tf.findBackendFactory('webgpu') && navigatorGpu()) return;
      let gpu = navigatorGpu();
      if (!gpu) {
        if (!node) {
          throw new Error(
            "useBackend('webgpu'): this browser has no WebGPU (navigator.gpu is undefined). Use a browser with WebGPU enabled (Chromium on Linux: --enable-unsafe-webgpu; a secure context: https or localhost), or pick 'webgl' or 'wasm'.",
          );
        }
        gpu = await installNodeWebGPU(options);
      }
      const adapter = await gpu.requestAdapter();
      if (!adapter) throw new Error(noAdapterMessage(node));
      const mod = (await loadPackage(name, BACKEND_PACKAGES.webgpu, true)) as WebGPUModule;
      if (!tf.findBackendFactory('webgpu')) registerWebGPUFallback(mod);
      return;
    }
    case 'tensorflow':
      if (tf.findBackendFactory('tensorflow')) return;
      if (!node) {
        throw new Error("useBackend('tensorflow'): @tensorflow/tfjs-node runs only in Node; in a browser pick 'webgpu', 'webgl' or 'wasm'.");
      }
      await loadPackage(name, BACKEND_PACKAGES.tensorflow, true);
      if (!tf.findBackendFactory('tensorflow')) {
        throw new Error(
          `useBackend('tensorflow'): ${BACKEND_PACKAGES.tensorflow} loaded but registered no backend with this copy of @tensorflow/tfjs-core; ` +
            `it probably resolved a different tfjs-core version. Install versions that match ${TFJS_VERSION} so npm dedupes them (\`npm ls @tensorflow/tfjs-core\`).`,
        );
      }
      return;
  }
}

/**
 * Selects the tfjs execution backend by name, loading its package on first use, and waits until it is
 * ready. Every tensor op after this call runs on that backend. This is the only function in the package
 * that changes the backend.
 *
 * - `cpu` and `wasm` are dependencies and always available (in Node, wasm needs no path setup).
 * - `webgpu`: in browsers it uses `navigator.gpu`; in Node it installs one from the `webgpu` package
 *   (Dawn), which needs a Vulkan driver (see {@link UseBackendOptions.vulkanICD}).
 * - `webgl`: browsers only.
 * - `tensorflow`: Node only, needs `@tensorflow/tfjs-node`.
 *
 * On failure the previously active backend stays active.
 *
 * @param name One of {@link BACKEND_NAMES}.
 * @param options Backend-specific settings.
 * @returns The name of the backend now in use (`tf.getBackend()`).
 * @throws Error listing the valid names for an unknown `name`; an Error naming the npm package to
 *   install when an optional package is missing; an Error saying why when the backend cannot start here.
 *
 * @example
 * ```ts
 * import { useBackend } from 'repap/backend';
 * await useBackend('wasm');
 * ```
 */
export async function useBackend(name: BackendName, options: UseBackendOptions = {}): Promise<string> {
  if (!isBackendName(name)) {
    throw new Error(`useBackend: unknown backend ${JSON.stringify(name)} (parameter "name"); expected one of: ${BACKEND_NAMES.join(', ')}.`);
  }
  validateOptions(options);
  const previous = currentBackendName();
  await prepare(name, options);
  let ok = false;
  let failure: unknown = null;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    failure = err;
  }
  if (!ok) {
    if (previous !== null && previous !== name) {
      try {
        await tf.setBackend(previous);
      } catch {
        /* keep the original error */
      }
    }
    const why = failure instanceof Error ? `: ${failure.message}` : ' (tfjs printed the reason as a warning above)';
    throw new Error(`useBackend('${name}'): tfjs could not initialise the ${name} backend here${why}.`, { cause: failure ?? undefined });
  }
  await tf.ready();
  if (name === 'webgpu') explainSyncReads();
  return tf.getBackend();
}

/**
 * The webgpu backend reads synchronously (`dataSync`, `arraySync`) through an `OffscreenCanvas`, which
 * browsers have and Node does not. Where it is missing, make such a read fail with an error that says
 * what to do instead of `OffscreenCanvas is not defined`.
 */
function explainSyncReads(): void {
  if (typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined') return;
  const backend = tf.backend() as tf.KernelBackend & { readSync: (dataId: object) => unknown; __repapReadSync?: boolean };
  if (backend.__repapReadSync) return;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    try {
      return readSync(dataId);
    } catch (err) {
      if (err instanceof ReferenceError && /OffscreenCanvas/.test(err.message)) {
        throw new Error(
          'webgpu backend: synchronous reads (dataSync, arraySync) need OffscreenCanvas, which this runtime (Node) lacks; ' +
            "read with `await tensor.data()` instead, or run this code on 'wasm' or 'cpu'.",
          { cause: err },
        );
      }
      throw err;
    }
  };
  backend.__repapReadSync = true;
}

/** The active backend's name without triggering tfjs's automatic choice, or null when none was chosen yet. */
function currentBackendName(): string | null {
  return (tf.engine() as unknown as { backendName: string | null }).backendName ?? null;
}

/** Outcome of {@link probeBackend}. */
export interface BackendProbe {
  /** The backend asked for. */
  readonly name: BackendName;
  /** True when {@link useBackend} succeeded for it here. */
  readonly available: boolean;
  /** Why it is not available (the error message of {@link useBackend}), or null when it is. */
  readonly reason: string | null;
}

/**
 * Tries {@link useBackend} for `name` and switches back to the backend that was active before, so that
 * callers (tests, benchmarks, a backend picker) can ask which backends work here without changing the
 * current one. The probed backend stays registered and initialised, so a later `useBackend(name)` is fast.
 *
 * @param name One of {@link BACKEND_NAMES}.
 * @param options As for {@link useBackend}.
 */
export async function probeBackend(name: BackendName, options: UseBackendOptions = {}): Promise<BackendProbe> {
  const previous = currentBackendName();
  try {
    await useBackend(name, options);
    return { name, available: true, reason: null };
  } catch (err) {
    return { name, available: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    if (previous !== null && currentBackendName() !== previous) await tf.setBackend(previous);
  }
}
