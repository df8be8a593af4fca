/**
 * Locating the files shipped inside the package (the embedded model and the
 * MD reference subset) at run time, relative to this module: works from
 * `dist/cli/` of an installed package and from `src/cli/` under tsx. Never
 * looks outside the package.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Name of the embedded a-Si data set folder under `assets/`. */
export const EMBEDDED_SET = 'a-si-30-sw-300K';

function thisModuleDir(): string {
  try {
    const url = import.meta.url;
    if (typeof url === 'string' && url.startsWith('file:')) return dirname(fileURLToPath(url));
  } catch {
    // CommonJS build: import.meta is not available.
  }
  if (typeof __dirname === 'string') return __dirname;
  return process.cwd();
}

let cachedRoot: string | undefined;

/**
 * The root folder of the installed `repap` package: walks up from this module
 * to the first folder whose package.json has `"name": "repap"`.
 * @throws Error when no such folder exists (a broken install).
 */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = thisModuleDir();
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'repap') return (cachedRoot = dir);
      } catch {
        // unreadable package.json: keep walking
      }
    }
    const up = resolve(dir, '..');
    if (up === dir) throw new Error(`repap: cannot find the package root (a package.json with "name": "repap") above ${thisModuleDir()}; reinstall the package`);
    dir = up;
  }
}

/** Absolute path of a file under the package's `assets/<set>/` folder. */
export function assetPath(...parts: string[]): string {
  return join(packageRoot(), 'assets', EMBEDDED_SET, ...parts);
}

/** The package version from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
