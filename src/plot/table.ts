/**
 * Plain-text tables for terminals and logs: columns padded to a common width,
 * numbers right-aligned.
 *
 * @module
 */

/** A cell of a text table: numbers are formatted with {@link formatNumber}. */
export type TableCell = string | number | null | undefined;

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Alignment per column; default: numbers right, text left (decided by the first data row). */
  readonly align?: readonly ('left' | 'right')[];
  /** Significant digits for numbers (default 4). */
  readonly digits?: number;
  /** Rows after which to draw a separator line (indices into `rows`). */
  readonly separators?: readonly number[];
}

/**
 * Formats a number for a table: `digits` significant digits, exponent form only
 * for very large or very small magnitudes, `-` for null/undefined/NaN.
 */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return '0';
  const a = Math.abs(value);
  if (a >= 1e6 || a < 1e-4) return value.toExponential(Math.max(0, digits - 1));
  if (Number.isInteger(value) && a < 1e6) return String(value);
  return value.toPrecision(digits).replace(/(\.\d*?[1-9])0+$/, '$1').replace(/\.0+$/, '');
}

/**
 * Lays out `header` and `rows` as an aligned plain-text table (one string,
 * lines joined by `\n`, no trailing newline). Rows may be shorter than the
 * header; missing cells print empty.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly TableCell[])[], options: TableOptions = {}): string {
  const digits = options.digits ?? 4;
  const nCols = Math.max(header.length, ...rows.map((r) => r.length));
  const text = rows.map((r) => {
    const out: string[] = [];
    for (let c = 0; c < nCols; c++) {
      const v = r[c];
      out.push(typeof v === 'number' ? formatNumber(v, digits) : v === null || v === undefined ? (c < r.length ? '-' : '') : v);
    }
    return out;
  });
  const align: ('left' | 'right')[] = [];
  for (let c = 0; c < nCols; c++) {
    const given = options.align?.[c];
    if (given) align.push(given);
    else align.push(rows.length > 0 && typeof rows[0][c] === 'number' ? 'right' : 'left');
  }
  const widths: number[] = [];
  for (let c = 0; c < nCols; c++) {
    widths.push(Math.max((header[c] ?? '').length, ...text.map((r) => r[c].length)));
  }
  const line = (cells: readonly string[]): string =>
    cells
      .map((s, c) => (align[c] === 'right' ? s.padStart(widths[c]) : s.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [line(Array.from({ length: nCols }, (_, c) => header[c] ?? '')), rule];
  const seps = new Set(options.separators ?? []);
  text.forEach((r, i) => {
    lines.push(line(r));
    if (seps.has(i) && i < text.length - 1) lines.push(rule);
  });
  return lines.join('\n');
}
