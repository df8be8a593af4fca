/**
 * Where the large reference data of `../shared/data` lives, for tests that need it.
 *
 * The package never reads `../shared` at run time; some tests compare against its large
 * LAMMPS / ASE / MDAnalysis references. A clone of the package alone has no `../shared`:
 * those tests skip with the printed reason (use `describe.skipIf(sharedMissing)` or
 * `it.skipIf(sharedDataMissing('file'))`). CI always has it (see `.ci/run`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Absolute path of `../shared/data` beside the repository (it may not exist). */
export const SHARED_DATA = resolve(__dirname, '../../../shared/data');

const reported = new Set<string>();

/** Null when `../shared/data/<file>` exists, else the reason the test is skipped (printed once). */
export function sharedDataMissing(file = ''): string | null {
  const path = resolve(SHARED_DATA, file);
  if (existsSync(path)) return null;
  const why = `${path} is absent (the large reference data beside the repository); skipping the tests that need it`;
  if (!reported.has(why)) {
    reported.add(why);
    console.warn(`skip: ${why}`);
  }
  return why;
}

/** Absolute path of a file in `../shared/data`. */
export function sharedData(file: string): string {
  return resolve(SHARED_DATA, file);
}
