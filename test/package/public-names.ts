/**
 * The public names of every subpath of the package, read from the sources the
 * build compiles (src/index.ts, src/<layer>/index.ts) with the TypeScript
 * checker: values (functions, classes, constants) and types separately.
 *
 * `test/package/public-names.test.ts` compares them with the committed
 * `test/package/public-names.json`, so that adding or removing an export is a
 * visible decision. After changing an index on purpose, regenerate the list and
 * review its diff:
 *
 *     npx tsx test/package/public-names.ts --write
 */
import ts from 'typescript';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the committed list lives. */
export const PUBLIC_NAMES_FILE = join(ROOT, 'test/package/public-names.json');

/** Values and types exported by one subpath, each sorted. */
export interface SubpathNames {
  values: string[];
  types: string[];
}

/** Subpath (`.`, `./io`, ...) to its names. */
export type PublicNames = Record<string, SubpathNames>;

/** The subpaths of package.json `exports` that are code (not `./package.json`), with their source index. */
export function subpathSources(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const out: Record<string, string> = {};
  for (const key of Object.keys(pkg.exports)) {
    if (key.endsWith('.json')) continue;
    out[key] = key === '.' ? join(ROOT, 'src/index.ts') : join(ROOT, 'src', key.slice(2), 'index.ts');
  }
  return out;
}

/** Reads the public names of every subpath from the sources. */
export function readPublicNames(): PublicNames {
  const sources = subpathSources();
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('tsconfig.json could not be read');
  const program = ts.createProgram(Object.values(sources), { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const out: PublicNames = {};
  for (const [subpath, file] of Object.entries(sources)) {
    const sf = program.getSourceFile(file);
    if (!sf) throw new Error(`${file} (the source of subpath "${subpath}") does not exist`);
    const moduleSymbol = checker.getSymbolAtLocation(sf);
    const values: string[] = [];
    const types: string[] = [];
    for (const sym of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) {
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      // A name that is both (a class, an enum) counts as a value.
      ((target.flags & ts.SymbolFlags.Value) !== 0 ? values : types).push(sym.name);
    }
    out[subpath] = { values: values.sort(), types: types.sort() };
  }
  return out;
}

/** Formats the list the way it is committed (stable key order, one name per line). */
export function formatPublicNames(names: PublicNames): string {
  return `${JSON.stringify(names, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = formatPublicNames(readPublicNames());
  if (process.argv.includes('--write')) {
    const tmp = `${PUBLIC_NAMES_FILE}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, PUBLIC_NAMES_FILE);
    console.log(`wrote ${PUBLIC_NAMES_FILE}`);
  } else {
    process.stdout.write(text);
  }
}
