/**
 * Allocation-free scanning of numbers and tokens in text, shared by the
 * readers. Internal: not re-exported from `repap/io`.
 *
 * The number parser reads char codes straight from the string. Decimal
 * mantissas of up to 15 significant digits with a combined decimal exponent
 * in [-22, 22] are converted with one correctly rounded multiplication or
 * division (exactly the double `Number(token)` gives); anything longer falls
 * back to `Number(token)`, so every result equals `Number(token)`.
 *
 * @module
 * @internal
 */

import { atomicNumber } from '../structure/elements.js';

const POW10 = new Float64Array(23);
for (let i = 0, p = 1; i < 23; i++, p *= 10) POW10[i] = p;

/** Scanner state: where the last scanned token ended, and whether it was a valid number. */
export const cursor = { end: 0, ok: true };

/** True for space, tab, carriage return, vertical tab and form feed (not newline). */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
}

/** Index of the first char at or after `i` that is not a blank (may be a newline or `s.length`). */
export function skipBlanks(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) c = s.charCodeAt(++i);
  return i;
}

/** Index of the end of the token starting at `i` (next blank, newline or end of text). */
export function tokenEnd(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) break;
    i++;
  }
  return i;
}

/**
 * Scans a decimal number (optional sign, digits, optional fraction, optional
 * exponent `e`/`E`) starting at `i`, which must be the first char of the
 * token. Sets `cursor.end` to the end of the token and `cursor.ok` to false
 * (returning NaN) when the token is not a plain decimal number: `nan`, `inf`,
 * `1.2.3`, `1,5`, an empty token. The token must end at a blank, newline,
 * `stop` char code (pass -1 for none) or the end of text.
 */
export function scanNumber(s: string, i: number, stop = -1): number {
  const start = i;
  let c = s.charCodeAt(i);
  let neg = false;
  if (c === 45) { neg = true; c = s.charCodeAt(++i); } else if (c === 43) { c = s.charCodeAt(++i); }
  let mant = 0;
  let nd = 0;
  let exp10 = 0;
  let digits = 0;
  let slow = false;
  while (c >= 48 && c <= 57) {
    if (nd < 15) { mant = mant * 10 + (c - 48); if (mant !== 0) nd++; } else { slow = true; }
    digits++;
    c = s.charCodeAt(++i);
  }
  if (c === 46) {
    c = s.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      if (nd < 15) { mant = mant * 10 + (c - 48); exp10--; if (mant !== 0) nd++; } else if (c !== 48) { slow = true; }
      digits++;
      c = s.charCodeAt(++i);
    }
  }
  if (digits === 0) return fail(s, start);
  if (c === 101 || c === 69) {
    c = s.charCodeAt(++i);
    let eneg = false;
    if (c === 45) { eneg = true; c = s.charCodeAt(++i); } else if (c === 43) { c = s.charCodeAt(++i); }
    let e = 0;
    let ed = 0;
    while (c >= 48 && c <= 57) { if (e < 100000) e = e * 10 + (c - 48); ed++; c = s.charCodeAt(++i); }
    if (ed === 0) return fail(s, start);
    exp10 += eneg ? -e : e;
  }
  // the token must end here
  if (i < s.length && !(c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === stop)) return fail(s, start);
  cursor.end = i;
  cursor.ok = true;
  if (slow || exp10 > 22 || exp10 < -22) return Number(s.slice(start, i));
  const v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
  return neg ? -v : v;
}

function fail(s: string, start: number): number {
  cursor.end = tokenEnd(s, start);
  cursor.ok = false;
  return NaN;
}

/** Line number (1-based) of char index `i`, counted by scanning from `from` (at line `fromLine`). Used only for error messages. */
export function lineAt(s: string, i: number, from = 0, fromLine = 1): number {
  let line = fromLine;
  let p = s.indexOf('\n', from);
  while (p !== -1 && p < i) { line++; p = s.indexOf('\n', p + 1); }
  return line;
}

/** A short quotation of the token at `i` for error messages. */
export function quoteToken(s: string, i: number): string {
  const j = skipBlanks(s, i);
  if (j >= s.length || s.charCodeAt(j) === 10) return 'nothing (the line ends)';
  const e = tokenEnd(s, j);
  const t = s.slice(j, Math.min(e, j + 40));
  return `"${t}${e - j > 40 ? '...' : ''}"`;
}

/** The text of line `[i, end of line)` without the newline and trailing carriage return. */
export function lineText(s: string, i: number): string {
  let e = s.indexOf('\n', i);
  if (e === -1) e = s.length;
  if (e > i && s.charCodeAt(e - 1) === 13) e--;
  return s.slice(i, e);
}

/**
 * Formats a number so that parsing the text gives the same value back
 * (shortest round trip), in a form Python's `float()` also reads:
 * `nan`, `inf`, `-inf` for non-finite values.
 */
export function formatFloat(v: number): string {
  if (v !== v) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0 && 1 / v < 0) return '-0';
  return String(v);
}

/** Shortest decimal that reads back to the same float32 value. */
export function formatFloat32(v: number): string {
  if (v - v !== 0 || v === 0) return formatFloat(v);
  for (let p = 6; p < 10; p++) {
    const t = v.toPrecision(p);
    if (Math.fround(Number(t)) === v) return String(Number(t));
  }
  return String(v);
}

/**
 * A copy of `s` that does not keep the text it was sliced from alive (V8
 * represents long slices as views into their parent string).
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * The one species rule of every reader (extxyz, raw frames, POSCAR, LAMMPS
 * dump): a species is a chemical symbol, `H` to `Og`, or `X`, ASE's dummy
 * atom; anything else (`Q`, `Xx`) is rejected here, as `ase.Atoms` rejects
 * it. Returns an error naming `where` and the symbol, or null when valid.
 */
export function speciesError(where: string, symbol: string, what = 'species'): Error | null {
  if (atomicNumber(symbol) >= 0) return null;
  const shown = JSON.stringify(symbol.length > 20 ? symbol.slice(0, 20) + '...' : symbol);
  return new Error(`${where}: ${what} ${shown} is not a chemical symbol; expected an element symbol such as Si or O (or X for a dummy atom), as ASE requires`);
}

/**
 * An error when the periodic lattice vectors of `cell` cannot span the
 * periodic directions (a zero vector on a periodic axis, two periodic vectors
 * in a line, or three in a plane: a zero-volume cell), else null. `what`
 * describes the cell in the message (`Lattice="..."`).
 */
export function flatCellError(where: string, cell: readonly (readonly number[])[], pbc: readonly boolean[], what: string): Error | null {
  const per = [0, 1, 2].filter((i) => pbc[i]);
  if (per.length === 0) return null;
  const norm = (v: readonly number[]): number => Math.hypot(v[0], v[1], v[2]);
  const scale = Math.max(norm(cell[0]), norm(cell[1]), norm(cell[2]));
  const cross = (a: readonly number[], b: readonly number[]): number[] => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const flags = `pbc="${pbc.map((b) => (b ? 'T' : 'F')).join(' ')}"`;
  for (const i of per) {
    if (!(norm(cell[i]) > 0)) return new Error(`${where}: ${what} has a zero lattice vector ${'abc'[i]} but ${flags}; a periodic direction needs a lattice vector`);
  }
  let size: number;
  if (per.length === 3) {
    const c = cross(cell[0], cell[1]);
    size = Math.abs(c[0] * cell[2][0] + c[1] * cell[2][1] + c[2] * cell[2][2]) / scale ** 3;
  } else if (per.length === 2) size = norm(cross(cell[per[0]], cell[per[1]])) / scale ** 2;
  else size = 1;
  if (!(size > 1e-12)) {
    return new Error(
      `${where}: ${what} is flat (${per.length === 3 ? 'zero volume' : 'zero area'}: the periodic lattice vectors are linearly dependent) but ${flags}; give independent lattice vectors, or make the flat direction non-periodic`,
    );
  }
  return null;
}
