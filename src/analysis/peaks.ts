/**
 * Peaks of a g(r) curve (first and second coordination shells, ...).
 *
 * @module
 */

/** Options of {@link rdfPeaks}. */
export interface RdfPeaksOptions {
  /** How many peaks to return (default 2): the most prominent ones, in order of increasing r. */
  readonly count?: number;
  /** Ignore maxima whose prominence is below this (default 0). */
  readonly minProminence?: number;
}

/** Peaks found by {@link rdfPeaks}, in order of increasing r. */
export interface RdfPeaks {
  /** Bin index of each peak. */
  readonly indices: Int32Array;
  /** r of the peak bin (the bin centre when `r` holds bin centres). */
  readonly positions: Float64Array;
  /** g at the peak bin. */
  readonly heights: Float64Array;
  /**
   * Vertex of the parabola through the peak bin and its two neighbours (equal
   * bin widths assumed): a sub-bin estimate of the peak position.
   */
  readonly refined: Float64Array;
  /** Topographic prominence of each peak: height above the higher of the two lowest points separating it from higher ground. */
  readonly prominences: Float64Array;
}

/**
 * Finds the `count` most prominent local maxima of g(r) (a plateau counts once,
 * at its first bin) and returns them in order of increasing r. Prominence, not
 * height, decides, so that noise ripples on a high first peak do not count as
 * peaks of their own.
 *
 * @example
 * ```ts
 * const { r, g } = radialDistribution(traj, { rMax: 8, nBins: 160 });
 * const peaks = rdfPeaks(r, g, { count: 2 }); // first and second neighbour shells
 * ```
 * @throws Error when r and g differ in length, hold non-finite values, or count < 1.
 */
export function rdfPeaks(r: ArrayLike<number>, g: ArrayLike<number>, options: RdfPeaksOptions = {}): RdfPeaks {
  const count = options.count ?? 2;
  const minProminence = options.minProminence ?? 0;
  if (!Number.isInteger(count) || count < 1) throw new Error(`rdfPeaks: options.count = ${String(count)}; expected an integer >= 1`);
  if (r.length !== g.length) throw new Error(`rdfPeaks: r has ${r.length} values but g has ${g.length}; give one r per bin`);
  const n = g.length;
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(g[k])) throw new Error(`rdfPeaks: g[${k}] is ${String(g[k])}; expected finite values`);
    if (!Number.isFinite(r[k])) throw new Error(`rdfPeaks: r[${k}] is ${String(r[k])}; expected finite values`);
  }
  const found: { k: number; prom: number }[] = [];
  for (let k = 1; k < n - 1; k++) {
    if (!(g[k] > g[k - 1])) continue;
    let e = k;
    while (e + 1 < n && g[e + 1] === g[k]) e++;
    if (e + 1 >= n || !(g[e + 1] < g[k])) continue;
    // Prominence: lowest point on each side before reaching higher ground.
    const h = g[k];
    let leftMin = h;
    let i = k - 1;
    for (; i >= 0 && g[i] <= h; i--) leftMin = Math.min(leftMin, g[i]);
    let rightMin = h;
    let j = e + 1;
    for (; j < n && g[j] <= h; j++) rightMin = Math.min(rightMin, g[j]);
    const base = Math.max(i < 0 ? -Infinity : leftMin, j >= n ? -Infinity : rightMin);
    const prom = h - (base === -Infinity ? Math.min(leftMin, rightMin) : base);
    if (prom >= minProminence) found.push({ k, prom });
  }
  found.sort((p, q) => q.prom - p.prom || p.k - q.k);
  const top = found.slice(0, count).sort((p, q) => p.k - q.k);
  const indices = Int32Array.from(top.map((p) => p.k));
  const positions = Float64Array.from(top.map((p) => r[p.k]));
  const heights = Float64Array.from(top.map((p) => g[p.k]));
  const prominences = Float64Array.from(top.map((p) => p.prom));
  const refined = Float64Array.from(
    top.map(({ k }) => {
      const y0 = g[k - 1], y1 = g[k], y2 = g[k + 1];
      const den = y0 - 2 * y1 + y2;
      const h = (r[k + 1] - r[k - 1]) / 2;
      return den < 0 ? r[k] + (h * (y0 - y2)) / (2 * den) : r[k];
    }),
  );
  return { indices, positions, heights, refined, prominences };
}
