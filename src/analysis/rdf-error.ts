/**
 * Distance between two g(r) curves, as used to judge generated structures.
 *
 * @module
 */
import type { RdfResult } from './rdf.js';

/** How {@link rdfError} weights the bins. */
export type RdfErrorWeighting = 'poster' | 'mean';

/** Options of {@link rdfError}. */
export interface RdfErrorOptions {
  /**
   * - `'poster'` (default): `sum_k (1/k) (a_k - b_k)²` with k = 1 for the first
   *   bin, the RePAP poster's formula. Short distances (the first peaks) weigh most.
   * - `'mean'`: `(1/K) sum_k (a_k - b_k)²` over the K bins, a plain mean squared
   *   difference; this is what the original RePAP code reported (0.1205 for its best model).
   */
  readonly weighting?: RdfErrorWeighting;
}

/** A g(r) curve: its values, or an object with a `g` array such as a {@link RdfResult}. */
export type RdfCurve = ArrayLike<number> | RdfCurveObject;

/** An object carrying g(r) values, such as a {@link RdfResult}. */
export interface RdfCurveObject {
  /** g per bin. */
  readonly g: ArrayLike<number>;
}

function values(curve: RdfCurve, name: string): ArrayLike<number> {
  if (curve !== null && typeof curve === 'object' && 'g' in curve && typeof (curve as { g: unknown }).g === 'object') {
    return (curve as { g: ArrayLike<number> }).g;
  }
  if (curve !== null && typeof curve === 'object' && typeof (curve as ArrayLike<number>).length === 'number') {
    return curve as ArrayLike<number>;
  }
  throw new Error(`rdfError: ${name} is ${String(curve)}; expected an array of g values or an object with a g array (a radialDistribution result)`);
}

/**
 * Error between two g(r) curves on the same bins.
 *
 * @param a - first curve (array of g, or `{ g }` such as a radialDistribution result)
 * @param b - second curve, same number of bins
 * @example
 * ```ts
 * const ref = radialDistribution(md, { rMax: 8, nBins: 160 });
 * const gen = radialDistribution(samples, { rMax: 8, nBins: 160 });
 * rdfError(ref, gen);                         // poster weighting, sum_k (1/k)(a_k - b_k)^2
 * rdfError(ref, gen, { weighting: 'mean' });  // the original code's mean squared difference
 * ```
 * @throws Error when the lengths differ, a curve is empty, or a value is NaN/infinite.
 */
export function rdfError(a: RdfCurve, b: RdfCurve, options: RdfErrorOptions = {}): number {
  const weighting = options.weighting ?? 'poster';
  if (weighting !== 'poster' && weighting !== 'mean') {
    throw new Error(`rdfError: options.weighting = ${String(weighting)}; expected 'poster' or 'mean'`);
  }
  const ga = values(a, 'a');
  const gb = values(b, 'b');
  if (ga.length !== gb.length) {
    throw new Error(`rdfError: a has ${ga.length} bins but b has ${gb.length}; compute both with the same rMax and nBins`);
  }
  if (ga.length === 0) throw new Error('rdfError: a and b are empty; give curves with at least one bin');
  let sum = 0;
  for (let k = 0; k < ga.length; k++) {
    const x = ga[k], y = gb[k];
    if (!Number.isFinite(x)) throw new Error(`rdfError: a[${k}] is ${String(x)}; expected finite g values`);
    if (!Number.isFinite(y)) throw new Error(`rdfError: b[${k}] is ${String(y)}; expected finite g values`);
    const d = x - y;
    sum += weighting === 'poster' ? (d * d) / (k + 1) : d * d;
  }
  return weighting === 'poster' ? sum : sum / ga.length;
}
