/**
 * Builds the demo page from the package (dist/, via its "exports") and node_modules with esbuild:
 * examples/browser/dist/{index.html, main.js, *.wasm}. No CDN: everything the page loads is served locally.
 *
 *   node examples/browser/build.mjs              (after `npm run build`: bundles dist/, the package as published)
 *   node examples/browser/build.mjs --from-src   (bundles the TypeScript sources; no package build needed)
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');

/** Where the built page goes by default. */
export const DEFAULT_OUTDIR = join(here, 'dist');

/**
 * Resolves `repap` and `repap/<layer>` to the package's TypeScript sources instead of its build (dist/).
 * @type {import('esbuild').Plugin}
 */
const fromSources = {
  name: 'repap-from-src',
  setup(b) {
    b.onResolve({ filter: /^repap(\/[a-z]+)?$/ }, (args) => ({
      path: join(repo, 'src', args.path === 'repap' ? '' : args.path.slice('repap/'.length), 'index.ts'),
    }));
  },
};

/**
 * Bundles src/main.ts and copies index.html and the tfjs wasm binaries into `outdir`.
 * `from: 'dist'` (default) bundles the built package as users get it (through its "exports"; run
 * `npm run build` first); `from: 'src'` bundles the package's TypeScript sources directly.
 * @param {{ outdir?: string, minify?: boolean, from?: 'dist' | 'src' }} [options]
 * @returns {Promise<{ outdir: string, bytes: number }>}
 */
export async function buildDemo({ outdir = DEFAULT_OUTDIR, minify = true, from = 'dist' } = {}) {
  for (const entry of from === 'dist' ? ['backend', 'plot', 'model', 'sampling', 'analysis', 'io'] : []) {
    if (!existsSync(join(repo, 'dist', entry, 'index.js'))) {
      throw new Error(`examples/browser: dist/${entry}/index.js is missing; build the package first with \`npm run build\`.`);
    }
  }
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: join(outdir, 'main.js'),
    absWorkingDir: repo,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    // tsup's shared chunks are imported bare from the layer entries; with "sideEffects": false esbuild
    // drops those bare imports (their exports are imported where used) and would warn about each.
    logOverride: { 'ignored-bare-import': 'silent' },
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: from === 'src' ? [fromSources] : [],
  });
  copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
  const require = createRequire(import.meta.url);
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(wasmDir, f), join(outdir, f));
  }
  return { outdir, bytes: statSync(join(outdir, 'main.js')).size };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { outdir, bytes } = await buildDemo({ from: process.argv.includes('--from-src') ? 'src' : 'dist' });
  console.log(`built ${outdir} (main.js ${(bytes / 1e6).toFixed(2)} MB)`);
}
