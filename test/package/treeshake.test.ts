/**
 * The package is tree-shakable: a consumer that imports only analysis functions
 * must bundle no tfjs code. This bundles a one-line consumer of the BUILT
 * package (dist/, made by `npm run build`, which `npm test` runs first) with
 * esbuild, resolving `repap` through package.json's exports map like an app would.
 */
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { existsSync, mkdtempSync, writeFileSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

async function bundle(source: string): Promise<string> {
  if (!existsSync(join(root, 'dist/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does this)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'repap-shake-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/repap'), 'dir');
  writeFileSync(join(dir, 'entry.js'), source);
  const out = await build({
    entryPoints: [join(dir, 'entry.js')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    minify: false,
    treeShaking: true,
    preserveSymlinks: true,
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

/** Strings that only tfjs's own code contains. */
const TFJS_MARKERS = ['tfjs-core', 'ENGINE', 'registerKernel', 'LayersModel', 'backend_util'];

describe('tree shaking', () => {
  it('a consumer of radialDistribution bundles no tfjs', async () => {
    const code = await bundle(`import { radialDistribution } from 'repap';\nconsole.log(radialDistribution);\n`);
    expect(code).toContain('radialDistribution');
    for (const marker of TFJS_MARKERS) expect(code, `bundle contains tfjs marker "${marker}"`).not.toContain(marker);
    // Small: the analysis layer only.
    expect(code.length).toBeLessThan(200_000);
  });

  it('the same holds through the repap/analysis and repap/io subpaths', async () => {
    const code = await bundle(
      `import { rdfError } from 'repap/analysis';\nimport { readExtxyz } from 'repap/io';\nconsole.log(rdfError, readExtxyz);\n`,
    );
    for (const marker of TFJS_MARKERS) expect(code, `bundle contains tfjs marker "${marker}"`).not.toContain(marker);
  });

  it('the check can fail: a consumer of the model layer does bundle tfjs', async () => {
    const code = await bundle(`import { RePAPModel } from 'repap';\nconsole.log(RePAPModel);\n`);
    expect(TFJS_MARKERS.some((m) => code.includes(m))).toBe(true);
  });
});
