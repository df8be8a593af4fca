/**
 * Discretised Gaussian targets on a 1-D grid (equation 1 of the RePAP poster,
 * with the standard-deviation convention `2 sigma^2`).
 *
 * @module
 */

/**
 * Writes the target `M_k = exp(-d_k^2 / (2 sigma^2)) / C` for every grid cell k
 * into `out[offset .. offset + centres.length)`, where `d_k = centres[k] - value`.
 *
 * - `period > 0` (a periodic axis): `d_k` is the minimum-image difference
 *   `d - period * round(d / period)`, so a coordinate near one end of the range
 *   also lights up the cells at the other end. Only the nearest image counts.
 * - `normalization = 'peak'`: C = 1 (the Gaussian is 1 at the exact value, so
 *   the largest cell value is <= 1). `'sum'`: C = sum over the cells (sums to 1).
 *
 * No allocation; `centres` are the grid cell centres in Å.
 */
export function gaussianTargetInto(
  centres: Float64Array,
  value: number,
  sigma: number,
  period: number,
  normalization: 'peak' | 'sum',
  out: Float32Array | Float64Array,
  offset: number,
): void {
  const g = centres.length;
  const scale = -0.5 / (sigma * sigma);
  let sum = 0;
  if (period > 0) {
    const invP = 1 / period;
    for (let k = 0; k < g; k++) {
      let d = centres[k] - value;
      d -= period * Math.round(d * invP);
      const m = Math.exp(d * d * scale);
      out[offset + k] = m;
      sum += m;
    }
  } else {
    for (let k = 0; k < g; k++) {
      const d = centres[k] - value;
      const m = Math.exp(d * d * scale);
      out[offset + k] = m;
      sum += m;
    }
  }
  if (normalization === 'sum') {
    if (sum > 0) {
      const inv = 1 / sum;
      for (let k = 0; k < g; k++) out[offset + k] *= inv;
    } else {
      // Every cell underflowed (sigma far below the distance to the grid): put the mass on the nearest cell.
      let best = 0;
      let bestD = Infinity;
      for (let k = 0; k < g; k++) {
        let d = centres[k] - value;
        if (period > 0) d -= period * Math.round(d / period);
        if (Math.abs(d) < bestD) { bestD = Math.abs(d); best = k; }
        out[offset + k] = 0;
      }
      out[offset + best] = 1;
    }
  }
}
