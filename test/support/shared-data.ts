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

/**
 * The first frames of the 30-atom a-Si set and three of its reference g(r) files, under the same names
 * (`test/fixtures/make-shared-head.sh` makes them from `../shared/data`).
 */
export const SHARED_HEAD = resolve(__dirname, '../fixtures/shared-head');

/**
 * Null when `../shared/data/<file>` exists, else the reason the test is skipped (printed once).
 * With `REPAP_REQUIRE_PEERS=1` (set by `.ci/run`, which runs beside `../shared`) it throws instead:
 * there a skip would mean a reference check silently stopped running.
 */
export function sharedDataMissing(file = ''): string | null {
  const path = resolve(SHARED_DATA, file);
  if (existsSync(path)) return null;
  if (process.env.REPAP_REQUIRE_PEERS === '1') {
    throw new Error(`${path} is absent, but REPAP_REQUIRE_PEERS=1 requires the reference data beside the repository (../shared/data)`);
  }
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

/**
 * `../shared/data/<file>` when present, else the small fixture of the same name in `test/fixtures/shared-head`
 * (the first frames only: callers size their checks with {@link sharedDataFull}).
 */
export function dataFile(file: string): string {
  const full = resolve(SHARED_DATA, file);
  if (existsSync(full)) return full;
  const head = resolve(SHARED_HEAD, file);
  if (existsSync(head)) return head;
  throw new Error(`${full} is absent and test/fixtures/shared-head has no ${file}; guard the test with sharedDataMissing('${file}')`);
}

/** True when `file` comes from `../shared/data` (all frames), false when from the fixture head. */
export function sharedDataFull(file: string): boolean {
  return existsSync(resolve(SHARED_DATA, file));
}
