/**
 * Tables of one distance per pair of species (`{ 'Si-O': 1.3, 'O-O': 2.1,
 * 'Si-Si': 2.6 }`): minimum distances for the resampler and the validity
 * figures of the evaluator. A key names two species joined by `-`, in either
 * order (`'O-Si'` is `'Si-O'`).
 *
 * @module
 */

/** One distance (Å) per pair of species, keyed `'A-B'` (either order). */
export type PairDistanceTable = Readonly<Record<string, number>>;

/** A {@link PairDistanceTable} checked against a list of species, as a dense symmetric matrix. */
export interface ResolvedPairTable {
  /** The species, in the order of the matrix rows. */
  readonly species: readonly string[];
  /** `values[a * n + b]`: the distance for species `a` and `b` (Å), symmetric. */
  readonly values: Float64Array;
}

/** The canonical key of a pair: the two species in the given order of `species` (`'Si-O'` for species ['Si', 'O']). */
export function pairKey(a: string, b: string): string {
  return `${a}-${b}`;
}

function splitKey(key: string, where: string): [string, string] {
  const parts = key.split('-');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new Error(`${where}: '${key}' is not a species pair; write two element symbols joined by '-', for example 'Si-O'`);
  }
  return [parts[0].trim(), parts[1].trim()];
}

/**
 * Checks a per-pair distance table against the species of a model or a
 * structure and returns it as a matrix. `where` names the input in errors.
 *
 * @throws Error naming the pair for a key with a species not in `species` (a
 * species the model was not trained on), a pair of `species` missing from the
 * table, a negative or non-finite value, or the same pair given twice with
 * different values.
 */
export function resolvePairTable(table: PairDistanceTable, species: readonly string[], where: string): ResolvedPairTable {
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    throw new Error(`${where} must be a number of Å or a table of one per species pair, for example { 'Si-O': 1.3, 'O-O': 2.1, 'Si-Si': 2.6 } (got ${JSON.stringify(table)})`);
  }
  const list = [...new Set(species)];
  const n = list.length;
  const values = new Float64Array(n * n).fill(NaN);
  for (const [key, value] of Object.entries(table)) {
    const [a, b] = splitKey(key, where);
    const ia = list.indexOf(a), ib = list.indexOf(b);
    for (const [s, i] of [[a, ia], [b, ib]] as const) {
      if (i < 0) {
        throw new Error(`${where}: pair '${key}' names species '${s}', which the model was not trained on (its species: ${list.join(', ')}); remove the pair`);
      }
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${where}: pair '${key}' has ${JSON.stringify(value)}; give a finite distance in Å >= 0 (0 switches the check off for that pair)`);
    }
    const old = values[ia * n + ib];
    if (!Number.isNaN(old) && old !== value) {
      throw new Error(`${where}: pair '${key}' is given twice (${old} and ${value} Å, as '${a}-${b}' and '${b}-${a}'); give it once`);
    }
    values[ia * n + ib] = value;
    values[ib * n + ia] = value;
  }
  const missing: string[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) if (Number.isNaN(values[a * n + b])) missing.push(pairKey(list[a], list[b]));
  }
  if (missing.length) {
    throw new Error(`${where}: the table has no distance for ${missing.map((k) => `'${k}'`).join(', ')}; give one per pair of species (${list.join(', ')}), 0 to switch a pair off`);
  }
  return { species: list, values };
}

/** The unordered species pairs of a species list, as channels for hot loops over atom pairs. */
export interface SpeciesPairChannels {
  /** The pairs, `'A-B'` ({@link pairKey}) with A not after B in the list: A-A, A-B, B-B for two species. */
  readonly pairs: readonly string[];
  /** `index[a * n + b]` = `index[b * n + a]`: the channel of species `a` and `b` (n = the list's length). */
  readonly index: Int32Array;
}

/** The channel of every unordered pair of `species` (distinct symbols, in the order given). */
export function speciesPairChannels(species: readonly string[]): SpeciesPairChannels {
  const n = species.length;
  const pairs: string[] = [];
  const index = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      index[a * n + b] = index[b * n + a] = pairs.length;
      pairs.push(pairKey(species[a], species[b]));
    }
  }
  return { pairs, index };
}

/** Species index of every atom in the order of `resolved.species` (for hot loops over pairs). */
export function speciesIndices(resolved: ResolvedPairTable, atomSpecies: readonly string[]): Int32Array {
  const out = new Int32Array(atomSpecies.length);
  for (let i = 0; i < atomSpecies.length; i++) {
    const k = resolved.species.indexOf(atomSpecies[i]);
    if (k < 0) throw new Error(`pair table: atom ${i} is '${atomSpecies[i]}', which the table does not cover (species: ${resolved.species.join(', ')})`);
    out[i] = k;
  }
  return out;
}

/** A {@link ResolvedPairTable} back as a plain table, every value multiplied by `scale` (default 1) and rounded to 0.001 Å. */
export function pairTableOf(resolved: ResolvedPairTable, scale = 1): Record<string, number> {
  const n = resolved.species.length;
  const out: Record<string, number> = {};
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) out[pairKey(resolved.species[a], resolved.species[b])] = Math.round(resolved.values[a * n + b] * scale * 1000) / 1000;
  }
  return out;
}
