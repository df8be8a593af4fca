/**
 * `structureMonitor`: a training monitor (`TrainOptions.monitor`) that, after
 * every epoch, samples structures from the current weights and scores them
 * against validation frames, so that the kept epoch is chosen by the
 * structures the model makes rather than by the validation loss.
 *
 * @module
 */
import type { GenerativeModelSource } from '../model/source.js';
import type { MonitorValue, TrainingMonitor } from '../model/train-options.js';
import type { Trajectory } from '../structure/trajectory.js';
import type { FrameSelection } from '../analysis/validate.js';
import { radialDistribution, type RdfResult } from '../analysis/rdf.js';
import { rdfError } from '../analysis/rdf-error.js';
import { ConditionalSampler } from './conditional-sampler.js';

/** Name of the figure {@link structureMonitor} computes (recorded in the training history). */
export const STRUCTURE_MONITOR_NAME = 'structure';

/** Options of {@link structureMonitor}. */
export interface StructureMonitorOptions {
  /** Structures sampled after every epoch (100). */
  structures?: number;
  /** Seed of the sampling, the same after every epoch so that epochs are compared on the same random stream (42). */
  seed?: number;
  /** Reference frames to score against (default: all frames of `reference`), for example the validation frames. */
  frames?: FrameSelection;
  /** Largest RDF distance, Å (8). */
  rMax?: number;
  /** RDF bins (160, 0.05 Å each at rMax 8). */
  nBins?: number;
}

/**
 * A training monitor that scores structures sampled from the model's current
 * weights against reference (validation) frames; pass it as
 * `TrainOptions.monitor` to keep the epoch whose structures are closest to the
 * reference, as Keras `ModelCheckpoint(monitor=..., save_best_only=True)`.
 *
 * After every epoch it samples `structures` structures with the model's
 * sampling defaults (temperature, tries, minimum distance per species pair),
 * always with the same seed, and computes
 *
 * - `value`: the sum over species pairs (A-A, A-B, B-B, ...) of the partial
 *   Err_RDF (poster weighting, `rdfError`) of the sampled structures against
 *   the reference frames, on `nBins` bins to `rMax`; for one species, the total
 *   Err_RDF. Smaller is better (`mode: 'min'`). Pairs closer than the table
 *   put g(r) where the reference has none, at small r where the poster
 *   weighting 1/k is largest, so the figure also punishes invalid structures.
 * - `details`: `valid` (the share of structures that met every constraint
 *   within the tries), `errRdf:<A-B>` per pair, and `seconds`.
 *
 * The model is read at each call (the weights of the epoch just finished).
 *
 * @example
 * ```ts
 * const monitor = structureMonitor(model, glasses, { frames: validationRows, structures: 100 });
 * await model.train(data, { epochs: 30, split, monitor, earlyStopping: { patience: 5 } });
 * ```
 * @throws Error when the reference is not a trajectory of the species the model generates, or an option is out of range.
 */
export function structureMonitor(model: GenerativeModelSource, reference: Trajectory, options: StructureMonitorOptions = {}): TrainingMonitor {
  const FN = 'structureMonitor';
  const structures = options.structures ?? 100;
  const seed = options.seed ?? 42;
  const rMax = options.rMax ?? 8;
  const nBins = options.nBins ?? 160;
  if (!Number.isInteger(structures) || structures < 1) throw new Error(`${FN}: options.structures = ${String(structures)}; expected an integer >= 1`);
  if (!Number.isInteger(seed)) throw new Error(`${FN}: options.seed = ${String(seed)}; expected an integer`);
  if (!(rMax > 0 && Number.isFinite(rMax))) throw new Error(`${FN}: options.rMax = ${String(rMax)}; expected a distance > 0 in Å`);
  if (!Number.isInteger(nBins) || nBins < 1) throw new Error(`${FN}: options.nBins = ${String(nBins)}; expected an integer >= 1`);
  if (reference === null || typeof reference !== 'object' || !Array.isArray(reference.species)) {
    throw new Error(`${FN}: reference is ${String(reference)}; expected a Trajectory of frames to score against (for example the validation frames)`);
  }
  const codec = model?.codec;
  if (!codec) throw new Error(`${FN}: model must be a GenerativeModelSource (for example the RePAPModel being trained)`);
  const generatedSpecies = [...codec.orderedSpecies].sort().join(', ');
  const referenceSpecies = [...reference.species].sort().join(', ');
  if (generatedSpecies !== referenceSpecies) {
    throw new Error(`${FN}: the reference frames hold the atoms ${summary(reference.species)} but the model generates ${summary(codec.orderedSpecies)}; score against frames of the model's structures`);
  }
  const kinds = [...new Set(reference.species)].sort();
  const pairs: [string, string][] = [];
  if (kinds.length === 1) pairs.push([kinds[0]!, kinds[0]!]);
  else for (let a = 0; a < kinds.length; a++) for (let b = a; b < kinds.length; b++) pairs.push([kinds[a]!, kinds[b]!]);
  const rdfOf = (t: Trajectory, pair: [string, string], frames?: FrameSelection): RdfResult =>
    radialDistribution(t, { rMax, nBins, ...(frames !== undefined ? { frames } : {}), ...(kinds.length > 1 ? { species: pair } : {}) });
  const referenceRdf = pairs.map((p) => rdfOf(reference, p, options.frames));
  return {
    name: STRUCTURE_MONITOR_NAME,
    mode: 'min',
    async evaluate(): Promise<MonitorValue> {
      const t0 = performance.now();
      const { trajectory, stats } = await new ConditionalSampler(model).sample(structures, { seed });
      const details: Record<string, number> = { valid: 1 - stats.violatingStructures.length / structures };
      let value = 0;
      pairs.forEach((p, i) => {
        const e = rdfError(referenceRdf[i]!, rdfOf(trajectory, p));
        details[`errRdf:${p[0]}-${p[1]}`] = e;
        value += e;
      });
      details.seconds = (performance.now() - t0) / 1000;
      return { value, details };
    },
  };
}

/** `48 O + 24 Si` (species in alphabetical order). */
function summary(species: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of species) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([s, n]) => `${n} ${s}`).join(' + ');
}
