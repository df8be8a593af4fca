/**
 * The built type declarations (dist/*.d.ts) only name packages a consumer gets
 * installed with repap: each one is a dependency or a peer dependency, and a
 * package without its own types brings its `@types/` package as a dependency
 * (otherwise `positionsView()` would be typed `any` for every consumer, since
 * devDependencies are not installed with a package).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? declarationFiles(join(dir, e.name)) : /\.d\.c?ts$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Package names imported by a declaration file (comments removed, relative and node: imports skipped). */
export function importedPackages(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out = new Set<string>();
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
    const spec = m[1];
    if (spec.startsWith('.') || spec.startsWith('node:')) continue;
    const parts = spec.split('/');
    out.add(spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return [...out];
}

/** True when the installed package ships its own type declarations. */
function hasOwnTypes(name: string): boolean {
  const dir = join(root, 'node_modules', name);
  const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  return Boolean(p.types ?? p.typings) || existsSync(join(dir, 'index.d.ts')) || JSON.stringify(p.exports ?? {}).includes('"types"');
}

describe('dependencies of the published types', () => {
  it('finds imports in declaration text, ignoring comments and relative paths', () => {
    expect(importedPackages(`import type { NdArray } from 'ndarray';\n/** import { x } from 'nope' */\nimport * as tf from '@tensorflow/tfjs-core/dist/x';\nexport { a } from './b.js';\ntype T = import('pure-rand').RandomGenerator;`).sort())
      .toEqual(['@tensorflow/tfjs-core', 'ndarray', 'pure-rand']);
  });

  it('every package named by dist/*.d.ts is installed with repap, with its types', () => {
    if (!existsSync(join(root, 'dist/index.d.ts'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does this)');
    }
    const installed = { ...pkg.dependencies, ...pkg.peerDependencies };
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const file of declarationFiles(join(root, 'dist'))) {
      for (const name of importedPackages(readFileSync(file, 'utf8'))) {
        if (name === pkg.name || seen.has(name)) continue;
        seen.add(name);
        if (!(name in installed)) problems.push(`${name} (imported by ${file.slice(root.length + 1)}) is not a dependency or peer dependency`);
        else if (!hasOwnTypes(name) && !(`@types/${name}` in (pkg.dependencies ?? {}))) {
          problems.push(`${name} has no types of its own and @types/${name} is not a dependency`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(seen.has('ndarray'), 'positionsView() returns an ndarray: its types are imported').toBe(true);
  });
});
