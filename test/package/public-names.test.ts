/**
 * The public surface is a decision: every subpath's exports (values and types)
 * must equal the committed test/package/public-names.json. After changing an
 * index on purpose, run `npx tsx test/package/public-names.ts --write` and
 * commit the reviewed diff of the JSON with the change.
 *
 * The built package (dist/, made by `npm run build`, which `npm test` runs
 * first) is checked too: what `import` and `require` of each subpath give at
 * run time must be exactly the committed values.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PUBLIC_NAMES_FILE, ROOT, readPublicNames, subpathSources, type PublicNames } from './public-names.js';

const committed = JSON.parse(readFileSync(PUBLIC_NAMES_FILE, 'utf8')) as PublicNames;

/** "added: a, b; removed: c" for one list against another, or '' when equal. */
function difference(actual: string[], expected: string[], where = 'public-names.json'): string {
  const added = actual.filter((n) => !expected.includes(n));
  const removed = expected.filter((n) => !actual.includes(n));
  const parts: string[] = [];
  if (added.length) parts.push(`exported but not in ${where}: ${added.join(', ')}`);
  if (removed.length) parts.push(`in ${where} but not exported: ${removed.join(', ')}`);
  return parts.join('; ');
}

const FIX = 'if the change is intended, run `npx tsx test/package/public-names.ts --write` and commit the JSON';

/** Helpers the package once leaked through `export *`; none of them is public. */
const INTERNAL = [
  'checkConfigKeys', 'checkEnums', 'checkGridSize', 'checkPermutation', 'checkRange', 'checkSigma',
  'ensureGradients', 'ensureLayersCompat', 'stackForward', 'stackLoss', 'stackLossAndGradients',
  'gaussianTargetInto', 'stableArgsort', 'escapeXml', 'niceTicks', 'seriesColors', 'argMax',
  'applyTemperature', 'structureRandom', 'structureSeed',
];

describe('public names', () => {
  const actual = readPublicNames();

  it('the committed list covers exactly the subpaths of package.json exports', () => {
    expect(Object.keys(committed).sort()).toEqual(Object.keys(subpathSources()).sort());
  });

  it('every subpath exports exactly the committed values and types', () => {
    const problems: string[] = [];
    for (const [subpath, names] of Object.entries(actual)) {
      const expected = committed[subpath] ?? { values: [], types: [] };
      for (const kind of ['values', 'types'] as const) {
        const d = difference(names[kind], expected[kind]);
        if (d) problems.push(`"${subpath}" ${kind}: ${d}`);
      }
    }
    expect(problems, `${problems.join('\n')}\n${FIX}`).toEqual([]);
  });

  it('the root re-exports every layer except repap/node, and nothing else', () => {
    const layers = Object.keys(actual).filter((s) => s !== '.' && s !== './node');
    for (const kind of ['values', 'types'] as const) {
      const union = [...new Set(layers.flatMap((s) => actual[s][kind]))].sort();
      const d = difference(actual['.'][kind], union, 'a layer index');
      expect(d, `root ${kind}: add the name to src/index.ts too, or remove it there`).toBe('');
    }
  });

  it('no internal helper is public', () => {
    for (const [subpath, names] of Object.entries(actual)) {
      const leaked = INTERNAL.filter((n) => names.values.includes(n) || names.types.includes(n));
      expect(leaked, `internal helpers exported from "${subpath}"`).toEqual([]);
    }
  });

  it('the comparison can fail: a missing and an extra name are both reported', () => {
    expect(difference(['a', 'b'], ['b', 'c'])).toBe(
      'exported but not in public-names.json: a; in public-names.json but not exported: c',
    );
  });
});

describe('public names of the built package (dist/)', () => {
  const dist = join(ROOT, 'dist');
  const entry = (subpath: string, ext: string) =>
    join(dist, subpath === '.' ? `index.${ext}` : `${subpath.slice(2)}/index.${ext}`);
  const require = createRequire(import.meta.url);

  it('import and require of every subpath give exactly the committed values', async () => {
    if (!existsSync(join(dist, 'index.js'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does this)');
    }
    for (const subpath of Object.keys(committed)) {
      const expected = committed[subpath].values;
      const esm = Object.keys(await import(pathToFileURL(entry(subpath, 'js')).href)).sort();
      expect(difference(esm, expected), `ESM dist of "${subpath}"`).toBe('');
      const cjs = Object.keys(require(entry(subpath, 'cjs')) as object).filter((k) => k !== '__esModule').sort();
      expect(difference(cjs, expected), `CJS dist of "${subpath}"`).toBe('');
    }
  });
});
