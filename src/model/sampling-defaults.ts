/**
 * Sampling defaults that travel with a model: the temperature, minimum
 * distance and tries chosen for it (on validation data), stored in the model
 * folder (`repap.json`, field `sampling`) and used by the sampler, the CLI,
 * the examples and the browser page unless a caller overrides them.
 *
 * @module
 */

/** The sampling settings stored with a model. */
export interface SamplingDefaults {
  /** Temperature T > 0 of every output distribution (1 = as trained). Valid: (0, 10]. */
  temperature: number;
  /** Minimum interatomic distance (Å) enforced by redrawing; 0 switches it off. Valid: [0, 10]. */
  minDistance: number;
  /** Draws per atom at most, the first included. Valid: integers 1 to 1000. */
  maxTries: number;
  /**
   * Minimum distance per species pair (Å, `{ 'Si-O': 1.27, 'O-O': 1.98, 'Si-Si': 2.24 }`), optional:
   * when present the sampler uses it instead of `minDistance` (which then holds its smallest value).
   * `repap train` stores 0.85 x the smallest distance seen per pair in the training frames for
   * models of several species.
   */
  minDistances?: Readonly<Record<string, number>>;
  /**
   * Backtracks per structure at most, optional (absent: 0, off). When an atom still fails the minimum
   * distance after `maxTries` draws, the sampler undoes the `backtrackDepth` atoms before it (restoring
   * the network state saved at the first of them) and draws them again; each such undo spends one.
   * Valid: integers 0 to 10000.
   */
  maxBacktracks?: number;
  /** Atoms undone by one backtrack (the failing atom's predecessors), optional (absent: 3). Valid: integers 1 to 1000. */
  backtrackDepth?: number;
  /** Why these values (free text: how they were chosen), optional. */
  note?: string;
}

/** The values a sampler uses when neither the model nor the caller gives one. */
export const FALLBACK_SAMPLING: Readonly<SamplingDefaults> = Object.freeze({ temperature: 1, minDistance: 2.0, maxTries: 10, maxBacktracks: 0, backtrackDepth: 3 });

const RANGES = {
  temperature: 'a finite number in (0, 10]',
  minDistance: 'a finite number of Å in [0, 10] (0 switches resampling off)',
  maxTries: 'an integer from 1 to 1000',
  maxBacktracks: 'an integer from 0 to 10000 (0 switches backtracking off)',
  backtrackDepth: 'an integer from 1 to 1000',
} as const;

/**
 * Validates stored sampling defaults (`where` names the source, for example
 * the repap.json file) and returns a clean copy. Throws naming the file, the
 * field and the valid range for a value out of range, a missing field, or an
 * unknown one.
 */
export function checkSamplingDefaults(value: unknown, where: string): SamplingDefaults {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}: field 'sampling' must be an object { temperature, minDistance, maxTries }, got ${JSON.stringify(value)}`);
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['temperature', 'minDistance', 'maxTries', 'minDistances', 'maxBacktracks', 'backtrackDepth', 'note'].includes(key)) {
      throw new Error(`${where}: field 'sampling.${key}' is not a sampling default; the fields are temperature, minDistance, maxTries (and minDistances, maxBacktracks, backtrackDepth, note)`);
    }
  }
  const bad = (field: keyof typeof RANGES): Error =>
    new Error(`${where}: field 'sampling.${field}' = ${JSON.stringify(v[field])} is out of range; valid: ${RANGES[field]}`);
  const t = v.temperature;
  if (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > 10) throw bad('temperature');
  const d = v.minDistance;
  if (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > 10) throw bad('minDistance');
  const m = v.maxTries;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 1000) throw bad('maxTries');
  const mb = v.maxBacktracks;
  if (mb !== undefined && (typeof mb !== 'number' || !Number.isInteger(mb) || mb < 0 || mb > 10000)) throw bad('maxBacktracks');
  const bd = v.backtrackDepth;
  if (bd !== undefined && (typeof bd !== 'number' || !Number.isInteger(bd) || bd < 1 || bd > 1000)) throw bad('backtrackDepth');
  if (v.note !== undefined && typeof v.note !== 'string') throw new Error(`${where}: field 'sampling.note' must be a string`);
  let table: Record<string, number> | undefined;
  if (v.minDistances !== undefined) {
    const md = v.minDistances;
    if (md === null || typeof md !== 'object' || Array.isArray(md)) {
      throw new Error(`${where}: field 'sampling.minDistances' must be a table of Å per species pair, for example { "Si-O": 1.3, "O-O": 2.1, "Si-Si": 2.6 }`);
    }
    table = {};
    for (const [pair, x] of Object.entries(md as Record<string, unknown>)) {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0 || x > 10) {
        throw new Error(`${where}: field 'sampling.minDistances' pair '${pair}' = ${JSON.stringify(x)} is out of range; valid: a finite number of Å in [0, 10]`);
      }
      table[pair] = x;
    }
  }
  return {
    temperature: t, minDistance: d, maxTries: m, ...(table ? { minDistances: table } : {}),
    ...(mb !== undefined ? { maxBacktracks: mb as number } : {}), ...(bd !== undefined ? { backtrackDepth: bd as number } : {}),
    ...(typeof v.note === 'string' ? { note: v.note } : {}),
  };
}
