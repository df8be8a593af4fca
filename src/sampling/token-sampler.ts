/**
 * Token-drawing strategies: how one grid cell is chosen from a normalised
 * distribution. `ConditionalSampler` takes any {@link TokenSampler}, so users
 * add their own strategy (top-k, nucleus, a Metropolis acceptance, ...)
 * without forking.
 *
 * @module
 */

/**
 * A strategy that draws one token (grid cell) from a probability distribution.
 *
 * `probs[offset .. offset + size)` holds the distribution: non-negative values
 * that sum to 1 (already normalised and, when a temperature is set, already
 * tempered). `random()` returns uniform numbers in [0, 1) from the structure's
 * own seeded stream; use it (and nothing else, never `Math.random`) so that
 * seeded runs repeat exactly. Return an integer in `[0, size)`. Do not keep
 * `probs` after returning: its buffer is reused.
 */
export interface TokenSampler {
  /** Short name, for logs and benchmark tables. */
  readonly name: string;
  /** Draws one cell index from `probs[offset .. offset + size)`. */
  draw(probs: Float32Array, offset: number, size: number, random: () => number): number;
}

/**
 * Inverse-CDF draw from `probs[offset .. offset + size)` (normalised or not:
 * the total is recomputed so rounding never leaves the last bin unreachable).
 * Building block for custom samplers.
 */
export function drawFromCumulative(probs: Float32Array, offset: number, size: number, random: () => number): number {
  let total = 0;
  for (let i = 0; i < size; i++) total += probs[offset + i];
  const u = random() * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < size; i++) {
    const p = probs[offset + i];
    if (p > 0) {
      acc += p;
      last = i;
      if (u < acc) return i;
    }
  }
  return last;
}

/** Index of the largest value (the lowest index on ties). Building block for custom samplers. */
export function argMax(probs: Float32Array, offset: number, size: number): number {
  let best = 0;
  let bestValue = probs[offset];
  for (let i = 1; i < size; i++) {
    if (probs[offset + i] > bestValue) {
      bestValue = probs[offset + i];
      best = i;
    }
  }
  return best;
}

/** Plain multinomial sampling: cell k with probability `p_k` (the paper's sampler; the default). */
export const multinomialSampler: TokenSampler = {
  name: 'multinomial',
  draw: drawFromCumulative,
};

/** Greedy decoding: always the most probable cell (argmax; lowest index on ties). Ignores `random`. */
export const greedySampler: TokenSampler = {
  name: 'greedy',
  draw: (probs, offset, size) => argMax(probs, offset, size),
};

/**
 * Top-k sampling: keeps the `k` most probable cells, renormalises, draws.
 * `k >= 1`; `k >= size` is plain multinomial sampling.
 */
export function topKSampler(k: number): TokenSampler {
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`topKSampler: k must be an integer >= 1 (got ${k})`);
  }
  let scratch = new Float32Array(0);
  let order = new Int32Array(0);
  return {
    name: `top-${k}`,
    draw(probs, offset, size, random) {
      if (k >= size) return drawFromCumulative(probs, offset, size, random);
      if (scratch.length < size) {
        scratch = new Float32Array(size);
        order = new Int32Array(size);
      }
      // partial selection of the k largest (k is small; O(k * size))
      for (let i = 0; i < size; i++) scratch[i] = probs[offset + i];
      for (let j = 0; j < k; j++) {
        const m = argMax(scratch, 0, size);
        order[j] = m;
        scratch[m] = -1;
      }
      scratch.fill(0, 0, size);
      for (let j = 0; j < k; j++) scratch[order[j]] = probs[offset + order[j]];
      return drawFromCumulative(scratch, 0, size, random);
    },
  };
}

/**
 * Nucleus (top-p) sampling: keeps the smallest set of most probable cells whose
 * probabilities sum to at least `p`, renormalises, draws. `0 < p <= 1`.
 */
export function nucleusSampler(p: number): TokenSampler {
  if (!(p > 0 && p <= 1)) {
    throw new Error(`nucleusSampler: p must lie in (0, 1] (got ${p})`);
  }
  let scratch = new Float32Array(0);
  let keep = new Int32Array(0);
  return {
    name: `nucleus-${p}`,
    draw(probs, offset, size, random) {
      if (scratch.length < size) {
        scratch = new Float32Array(size);
        keep = new Int32Array(size);
      }
      const work = scratch;
      for (let i = 0; i < size; i++) work[i] = probs[offset + i];
      let kept = 0;
      let nKeep = 0;
      while (kept < p && nKeep < size) {
        const m = argMax(work, 0, size);
        if (work[m] < 0) break;
        kept += work[m];
        keep[nKeep++] = m;
        work[m] = -1;
      }
      work.fill(0, 0, size);
      for (let j = 0; j < nKeep; j++) work[keep[j]] = probs[offset + keep[j]];
      return drawFromCumulative(work, 0, size, random);
    },
  };
}

/**
 * Applies a temperature to the distribution in `probs[offset .. offset + size)`
 * in place: `p_k <- p_k^(1/T) / sum_j p_j^(1/T)`. `T < 1` sharpens (T -> 0 is
 * greedy), `T > 1` flattens (T -> infinity is uniform over the cells with
 * `p > 0`), `T = 1` leaves it unchanged. Equivalent to dividing the logits
 * `log p` by T, as in language-model sampling.
 */
export function applyTemperature(probs: Float32Array, offset: number, size: number, temperature: number): void {
  if (temperature === 1) return;
  const inv = 1 / temperature;
  let max = 0;
  for (let i = 0; i < size; i++) if (probs[offset + i] > max) max = probs[offset + i];
  if (!(max > 0)) return;
  let total = 0;
  for (let i = 0; i < size; i++) {
    const v = probs[offset + i];
    // scale by the maximum first so that v^(1/T) cannot underflow to all zeros
    const w = v > 0 ? Math.pow(v / max, inv) : 0;
    probs[offset + i] = w;
    total += w;
  }
  for (let i = 0; i < size; i++) probs[offset + i] /= total;
}
