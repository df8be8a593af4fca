/**
 * The extxyz comment line: `key=value` pairs with quoted values, parsed and
 * written as ASE does (`ase.io.extxyz.key_val_str_to_dict` and
 * `key_val_dict_to_str`). Internal: used by the extxyz reader and writer.
 *
 * @module
 * @internal
 */
import type { FrameInfo, InfoValue } from '../structure/trajectory.js';
import { detach } from './scan.js';

/**
 * Splits a comment line into `[key, rawValue]` pairs like ASE: values may be
 * quoted with `"`, `'`, `{}` or `[]`, `\\` escapes the next char, a key
 * without `=value` gets the value `'T'` (true). Returns raw string values.
 */
export function splitKeyValues(line: string): Array<[string, string]> {
  if (line.indexOf('\\') !== -1) return splitKeyValuesEscaped(line);
  // fast path without escapes: slices instead of char-by-char concatenation
  const pairs: Array<[string, string]> = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const key = readPart(line, i, true);
    i = partEnd;
    if (i < n && line.charCodeAt(i) === 61 /* = */) {
      const value = readPart(line, i + 1, false);
      i = partEnd;
      pairs.push([key, value]);
    } else {
      pairs.push([key, 'T']);
    }
  }
  return pairs;
}

let partEnd = 0;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** Reads a key (stops at `=`) or a value (keeps `=`), made of plain runs and quoted runs. Sets `partEnd`. */
function readPart(line: string, i: number, isKey: boolean): string {
  const n = line.length;
  let out = '';
  let runStart = i;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (isSpace(c) || (isKey && c === 61)) break;
    const close = c === 34 ? 34 : c === 39 ? 39 : c === 123 ? 125 : c === 91 ? 93 : -1;
    if (close !== -1) {
      out += line.slice(runStart, i);
      let j = line.indexOf(String.fromCharCode(close), i + 1);
      if (j === -1) j = n;
      out += line.slice(i + 1, j);
      i = j + 1;
      runStart = i;
    } else {
      i++;
    }
  }
  out += line.slice(runStart, Math.min(i, n));
  partEnd = Math.min(i, n);
  return out;
}

const CLOSING: Record<string, string> = { '"': '"', "'": "'", '{': '}', '[': ']' };

function splitKeyValuesEscaped(line: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let key = '';
  let value = '';
  let inValue = false;
  let hasToken = false;
  let closing = '';
  let escaped = false;
  const flush = () => {
    if (hasToken) pairs.push(inValue ? [key, value] : [key, 'T']);
    key = ''; value = ''; inValue = false; hasToken = false;
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (escaped) {
      if (inValue) value += ch; else key += ch;
      escaped = false; hasToken = true;
    } else if (ch === '\\') {
      escaped = true;
    } else if (closing) {
      if (ch === closing) closing = '';
      else if (inValue) value += ch; else key += ch;
    } else if (ch in CLOSING) {
      closing = CLOSING[ch]; hasToken = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      flush();
    } else if (ch === '=') {
      if (inValue) value += '='; else { inValue = true; hasToken = true; }
    } else {
      if (inValue) value += ch; else key += ch;
      hasToken = true;
    }
  }
  flush();
  return pairs;
}

function splitParts(value: string): string[] {
  if (value.indexOf(' ') === -1 && value.indexOf(',') === -1 && value.indexOf('\t') === -1) return value.length > 0 ? [value] : [];
  return value.split(/[\s,]+/).filter((p) => p.length > 0);
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const BOOLS: Record<string, boolean> = { T: true, F: false, True: true, False: false };

/** Parses one number token strictly (a whole token, plain decimal or nan/inf); undefined when it is not a number. */
export function parseNumberToken(t: string): number | undefined {
  if (NUMBER_RE.test(t)) return Number(t);
  const l = t.toLowerCase();
  if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return undefined;
}

/**
 * Converts a raw value the way ASE does: (arrays of) numbers, then (arrays
 * of) booleans `T`/`F` (also `True`/`False`), else the string itself.
 * One element gives a scalar.
 */
export function convertValue(value: string): InfoValue {
  const parts = splitParts(value);
  if (parts.length === 0) return detach(value);
  const nums: number[] = [];
  for (const p of parts) {
    const v = parseNumberToken(p);
    if (v === undefined) break;
    nums.push(v);
  }
  if (nums.length === parts.length) return nums.length === 1 ? nums[0] : nums;
  const bools: boolean[] = [];
  for (const p of parts) {
    const b = BOOLS[p];
    if (b === undefined) break;
    bools.push(b);
  }
  if (bools.length === parts.length) return bools.length === 1 ? bools[0] : bools;
  return detach(value);
}

/** Parses a whole comment line into typed values (see {@link convertValue}). */
export function parseKeyValues(line: string): FrameInfo {
  const out: FrameInfo = {};
  for (const [k, v] of splitKeyValues(line)) out[k] = convertValue(v);
  return out;
}

function needsQuotes(s: string): boolean {
  return s === '' || /[\s"'{}[\]=\\]/.test(s);
}

/** Quotes and escapes a key or value the way ASE's `escape` does (plus empty strings and `=`). */
export function escapeValue(s: string): string {
  if (!needsQuotes(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function scalarText(v: number | boolean | string, formatNumber: (x: number) => string): string {
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

/** Writes one info value: numbers in shortest round-trip form, booleans as T/F, arrays space-separated in quotes. */
export function formatInfoValue(v: InfoValue, formatNumber: (x: number) => string): string {
  if (Array.isArray(v)) return escapeValue((v as Array<number | boolean | string>).map((x) => scalarText(x, formatNumber)).join(' '));
  return escapeValue(scalarText(v, formatNumber));
}
