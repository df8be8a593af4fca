/**
 * Line charts as standalone SVG text: g(r) curves, loss curves. Pure string
 * building, no DOM and no dependencies, so it runs in Node, Deno and browsers
 * and can be written to a file, shown in a notebook or put in an `<img>`.
 *
 * @module
 */

/** One curve of a line chart. */
export interface LineSeries {
  /** Legend label (plain text; escaped for SVG). */
  readonly label: string;
  /** x values (same length as `y`). */
  readonly x: ArrayLike<number>;
  /** y values; non-finite values break the line. */
  readonly y: ArrayLike<number>;
  /** Stroke colour (any SVG colour). Defaults to a colour-blind safe palette. */
  readonly color?: string;
  /** SVG `stroke-dasharray`, for example `'6 4'` for a dashed line. */
  readonly dash?: string;
  /** Stroke width in px (default 2). */
  readonly width?: number;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  /** Title above the plot area. */
  readonly title?: string;
  /** x-axis label, units included, for example `'r (Å)'`. */
  readonly xLabel?: string;
  /** y-axis label, for example `'g(r)'`. */
  readonly yLabel?: string;
  /** Total width in px (default 720). */
  readonly width?: number;
  /** Total height in px (default 440). */
  readonly height?: number;
  /** Fixed x range; default: the data range. */
  readonly xRange?: readonly [number, number];
  /** Fixed y range; default: from min(0, data) to the data maximum plus 5 %. */
  readonly yRange?: readonly [number, number];
  /** Logarithmic y axis (for loss curves). Non-positive values are skipped. */
  readonly logY?: boolean;
  /** Where the legend goes (default `'top-right'`). */
  readonly legend?: 'top-right' | 'top-left' | 'none';
  /** A horizontal reference line (for example g = 1), drawn thin and grey. */
  readonly referenceY?: number;
}

/** Default series colours (Okabe-Ito palette, readable with colour blindness). */
export const seriesColors: readonly string[] = Object.freeze([
  '#0072B2', '#D55E00', '#7f7f7f', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000',
]);

/** Escapes `& < > "` for SVG text and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Round tick positions covering `[lo, hi]`: steps of 1, 2 or 5 times a power of
 * ten, about `count` of them. Returns `[lo]` when the range is empty.
 */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`niceTicks: range [${lo}, ${hi}] must be finite`);
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3.5 ? 2 : norm < 7.5 ? 5 : 10) * mag;
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let i = first; i * step <= hi + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // Ticks are round numbers; exponent form only where plain digits get long, with
  // as many mantissa digits as the value needs (12000 -> 1.2e4, never 1e4).
  if (a >= 1e6 || a < 1e-3) return Number(v.toPrecision(6)).toExponential().replace('e+', 'e');
  return String(Number(v.toPrecision(6)));
}

/**
 * Draws curves on one pair of axes and returns the SVG document as a string.
 * Throws when a series has mismatched x/y lengths or no finite point.
 *
 * @example
 * ```ts
 * const svg = lineChart(
 *   [{ label: 'generated', x: r, y: gGen }, { label: 'MD', x: r, y: gMd, dash: '6 4' }],
 *   { xLabel: 'r (Å)', yLabel: 'g(r)', referenceY: 1 },
 * );
 * ```
 */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  if (series.length === 0) throw new Error('lineChart: series is empty; give at least one { label, x, y }');
  const W = options.width ?? 720;
  const H = options.height ?? 440;
  if (!(W >= 100 && H >= 80)) throw new Error(`lineChart: width ${W} x height ${H} is too small; use at least 100 x 80 px`);
  const logY = options.logY ?? false;
  const ty = (v: number): number => (logY ? Math.log10(v) : v);
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (const s of series) {
    if (s.x.length !== s.y.length) {
      throw new Error(`lineChart: series "${s.label}" has ${s.x.length} x values but ${s.y.length} y values; give equal lengths`);
    }
    let finite = 0;
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i], y = s.y[i];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (logY && y <= 0)) continue;
      finite++;
      if (x < xmin) xmin = x;
      if (x > xmax) xmax = x;
      const yy = ty(y);
      if (yy < ymin) ymin = yy;
      if (yy > ymax) ymax = yy;
    }
    if (finite === 0) throw new Error(`lineChart: series "${s.label}" has no finite point${logY ? ' (log axis: values must be > 0)' : ''}`);
  }
  if (options.xRange) [xmin, xmax] = options.xRange;
  if (options.yRange) {
    ymin = ty(options.yRange[0]);
    ymax = ty(options.yRange[1]);
  } else if (logY) {
    const pad = Math.max(0.05 * (ymax - ymin), 0.05);
    ymin -= pad;
    ymax += pad;
  } else {
    ymin = Math.min(0, ymin);
    ymax = ymax + 0.05 * (ymax - ymin || 1);
  }
  if (xmax <= xmin) xmax = xmin + 1;
  if (ymax <= ymin) ymax = ymin + 1;

  const left = 64, right = 16, top = options.title ? 36 : 14, bottom = 48;
  const pw = W - left - right, ph = H - top - bottom;
  const sx = (x: number): number => left + ((x - xmin) / (xmax - xmin)) * pw;
  const sy = (y: number): number => top + ph - ((ty(y) - ymin) / (ymax - ymin)) * ph;
  const f = (v: number): string => v.toFixed(2);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
  );
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  if (options.title) {
    out.push(`<text x="${f(left + pw / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`);
  }
  // Grid and ticks.
  const xt = niceTicks(xmin, xmax, Math.max(2, Math.round(pw / 80)));
  const yTicksRaw = logY ? logTicks(ymin, ymax) : niceTicks(ymin, ymax, Math.max(2, Math.round(ph / 60)));
  out.push('<g stroke="#e5e5e5" stroke-width="1">');
  for (const x of xt) out.push(`<line x1="${f(sx(x))}" y1="${top}" x2="${f(sx(x))}" y2="${top + ph}"/>`);
  for (const y of yTicksRaw) {
    const v = logY ? 10 ** y : y;
    out.push(`<line x1="${left}" y1="${f(sy(v))}" x2="${left + pw}" y2="${f(sy(v))}"/>`);
  }
  out.push('</g>');
  out.push('<g fill="#333333">');
  for (const x of xt) out.push(`<text x="${f(sx(x))}" y="${top + ph + 18}" text-anchor="middle">${formatTick(x)}</text>`);
  for (const y of yTicksRaw) {
    const v = logY ? 10 ** y : y;
    out.push(`<text x="${left - 6}" y="${f(sy(v) + 4)}" text-anchor="end">${formatTick(v)}</text>`);
  }
  out.push('</g>');
  if (options.referenceY !== undefined && (!logY || options.referenceY > 0)) {
    const yr = sy(options.referenceY);
    if (yr >= top && yr <= top + ph) {
      out.push(`<line x1="${left}" y1="${f(yr)}" x2="${left + pw}" y2="${f(yr)}" stroke="#999999" stroke-width="1" stroke-dasharray="2 3"/>`);
    }
  }
  // Curves, clipped to the plot area.
  out.push(`<clipPath id="plot-area"><rect x="${left}" y="${top}" width="${pw}" height="${ph}"/></clipPath>`);
  out.push('<g clip-path="url(#plot-area)" fill="none" stroke-linejoin="round" stroke-linecap="round">');
  series.forEach((s, i) => {
    const color = s.color ?? seriesColors[i % seriesColors.length];
    let d = '';
    let pen = false;
    for (let k = 0; k < s.x.length; k++) {
      const x = s.x[k], y = s.y[k];
      if (!Number.isFinite(x) || !Number.isFinite(y) || (logY && y <= 0)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${f(sx(x))} ${f(sy(y))}`;
      pen = true;
    }
    const dash = s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : '';
    out.push(`<path d="${d}" stroke="${escapeXml(color)}" stroke-width="${s.width ?? 2}"${dash}><title>${escapeXml(s.label)}</title></path>`);
  });
  out.push('</g>');
  // Axes and labels.
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333333" stroke-width="1"/>`);
  if (options.xLabel) {
    out.push(`<text x="${f(left + pw / 2)}" y="${H - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  }
  if (options.yLabel) {
    out.push(`<text x="16" y="${f(top + ph / 2)}" text-anchor="middle" transform="rotate(-90 16 ${f(top + ph / 2)})">${escapeXml(options.yLabel)}</text>`);
  }
  // Legend.
  const legend = options.legend ?? 'top-right';
  if (legend !== 'none') {
    const lw = 40 + 7.2 * Math.max(...series.map((s) => s.label.length));
    const lh = 10 + 20 * series.length;
    const lx = legend === 'top-right' ? left + pw - lw - 10 : left + 10;
    const ly = top + 10;
    out.push(`<g><rect x="${f(lx)}" y="${ly}" width="${f(lw)}" height="${lh}" fill="#ffffff" fill-opacity="0.9" stroke="#cccccc"/>`);
    series.forEach((s, i) => {
      const color = s.color ?? seriesColors[i % seriesColors.length];
      const yy = ly + 15 + 20 * i;
      const dash = s.dash ? ` stroke-dasharray="${escapeXml(s.dash)}"` : '';
      out.push(`<line x1="${f(lx + 8)}" y1="${yy}" x2="${f(lx + 32)}" y2="${yy}" stroke="${escapeXml(color)}" stroke-width="${s.width ?? 2}"${dash}/>`);
      out.push(`<text x="${f(lx + 38)}" y="${yy + 4}">${escapeXml(s.label)}</text>`);
    });
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Integer decades between two log10 values (at least the two ends). */
function logTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(lo), b = Math.floor(hi);
  if (b - a >= 1) {
    const stride = Math.max(1, Math.ceil((b - a + 1) / 6));
    const t: number[] = [];
    for (let k = a; k <= b; k += stride) t.push(k);
    return t;
  }
  // Less than a decade: ticks on the linear scale, mapped to log10.
  return niceTicks(10 ** lo, 10 ** hi, 4).filter((v) => v > 0).map((v) => Math.log10(v));
}
