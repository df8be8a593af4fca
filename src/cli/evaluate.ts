/**
 * The evaluation behind `repap demo` and `repap eval`: compares a set of
 * generated structures with reference MD frames through g(r), its error
 * measure, the RDF peaks, close contacts, Stillinger-Weber energy and
 * coordination, next to a random-positions baseline and the reference split
 * in two halves (the noise floor).
 *
 * @module
 */
import type { Trajectory } from '../structure/trajectory.js';
import {
  coordinationNumbers,
  minimumDistances,
  radialDistribution,
  rdfError,
  rdfPeaks,
  stillingerWeberEnergy,
} from '../analysis/index.js';
import { formatNumber, formatTable, type TableCell } from '../plot/table.js';
import { meanStd, randomStructures } from './stats.js';
import { sliceFrames } from './reference.js';

/** Settings of an evaluation. */
export interface EvaluationSettings {
  /** Largest RDF distance in Å (default 8). */
  readonly rMax: number;
  /** RDF bins (default 160, 0.05 Å). */
  readonly nBins: number;
  /** Coordination cutoff in Å (default 2.9). */
  readonly cutoff: number;
  /** Close-contact threshold in Å (default 2.0). */
  readonly minDistance: number;
  /** Seed of the random-positions baseline. */
  readonly seed: number;
  /**
   * Random structures for the baseline's g(r) (default 50,000). Random g(r) is
   * noisy at short r, where the 1/k weighting is largest: with 1,000 structures
   * its Err_RDF scatters between about 4.7 and 11.5 with the seed; with 50,000 it
   * is within a few % of the ideal-gas limit (g = 1: 5.24 for the a-Si reference).
   * The per-structure measures use the first max(1,000, generated) of them.
   */
  readonly randomStructures: number;
}

/** Default settings: the poster's comparison (rMax 8 Å, 160 bins), coordination at 2.9 Å, contacts below 2 Å. */
export const DEFAULT_EVALUATION: EvaluationSettings = Object.freeze({ rMax: 8, nBins: 160, cutoff: 2.9, minDistance: 2, seed: 42, randomStructures: 50_000 });

/** A g(r) peak. */
export interface PeakSummary {
  /** Bin centre of the maximum (Å). */
  readonly r: number;
  /** g at the maximum. */
  readonly g: number;
}

/** Everything measured on one set of structures. */
export interface EnsembleSummary {
  /** Structures in the set (for the random baseline: those behind its g(r)). */
  readonly nStructures: number;
  /** Err_RDF against the reference, poster weighting (bin k weighted by 1/k) and plain mean over bins. */
  readonly errRdf: { readonly poster: number; readonly mean: number };
  /** First and second g(r) maxima (null when g has fewer peaks). */
  readonly peaks: { readonly first: PeakSummary | null; readonly second: PeakSummary | null };
  /** Percentage of structures with a pair closer than the close-contact threshold. */
  readonly closePairPercent: number;
  /** Smallest pair distance per structure (Å): mean and minimum over structures. */
  readonly minDistance: { readonly mean: number; readonly min: number };
  /** SW energy per atom (eV): mean and standard deviation over structures; null unless every atom is Si. */
  readonly energyPerAtom: { readonly mean: number; readonly std: number } | null;
  /** Fraction of atoms with k neighbours within the cutoff, keyed by k. */
  readonly coordination: Readonly<Record<string, number>>;
  /** Mean coordination number. */
  readonly meanCoordination: number;
}

/** The comparison of generated structures with a reference. */
export interface Evaluation {
  /** The settings used. */
  readonly settings: EvaluationSettings;
  /** Bin centres (Å). */
  readonly r: number[];
  /** g(r) of each set (reference, generated, random). */
  readonly rdf: { readonly reference: number[]; readonly generated: number[]; readonly random: number[] };
  /** The generated structures. */
  readonly generated: EnsembleSummary;
  /** The reference itself; its errRdf is the first half against the second half (the noise floor). */
  readonly reference: EnsembleSummary;
  /** Err_RDF of the ideal-gas g(r) = 1 against the reference: the limit of the random baseline for infinitely many structures. */
  readonly idealGasErrRdf: { readonly poster: number; readonly mean: number };
  /** Uniformly random positions in the same cell, as many as generated. */
  readonly random: EnsembleSummary;
}

function checkComparable(a: Trajectory, b: Trajectory, aName: string, bName: string): void {
  if (a.nAtoms !== b.nAtoms) {
    throw new Error(`${aName} has ${a.nAtoms} atoms per structure but ${bName} has ${b.nAtoms}; compare structures of the same system`);
  }
  if ((a.cell === null) !== (b.cell === null)) throw new Error(`${aName} and ${bName}: one has a cell and the other not; compare structures of the same system`);
  if (a.cell && b.cell) {
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        if (Math.abs(a.cell[i][j] - b.cell[i][j]) > 1e-3 * Math.max(1, Math.abs(b.cell[i][j]))) {
          throw new Error(`${aName} and ${bName} have different cells (entry [${i}][${j}]: ${a.cell[i][j]} vs ${b.cell[i][j]} Å); compare structures in the same cell`);
        }
      }
    }
  }
}

/**
 * Summary of one set of structures against a reference g(r) (computed with the
 * same rMax and bins): computes the set's g(r) and every measure.
 */
export function summarizeSet(traj: Trajectory, gRef: ArrayLike<number>, settings: Partial<EvaluationSettings> = {}): { summary: EnsembleSummary; g: Float64Array } {
  const s: EvaluationSettings = { ...DEFAULT_EVALUATION, ...settings };
  const rdf = radialDistribution(traj, { rMax: s.rMax, nBins: s.nBins });
  if (rdf.g.length !== gRef.length) throw new Error(`reference g(r) has ${gRef.length} bins but settings ask for ${s.nBins}`);
  return { summary: summarize(traj, rdf.g, rdf.r, gRef, s), g: rdf.g };
}

/** Summary of one set given its g(r) and the reference g(r). */
function summarize(traj: Trajectory, g: ArrayLike<number>, r: ArrayLike<number>, gRef: ArrayLike<number>, s: EvaluationSettings): EnsembleSummary {
  const pk = rdfPeaks(r, g, { count: 2 });
  const peaks: PeakSummary[] = Array.from(pk.positions, (pr, i) => ({ r: pr, g: pk.heights[i] }));
  const dmin = minimumDistances(traj);
  let close = 0;
  for (let i = 0; i < dmin.length; i++) if (dmin[i] < s.minDistance) close++;
  const md = meanStd(dmin);
  let energyPerAtom: EnsembleSummary['energyPerAtom'] = null;
  if (traj.species.every((x) => x === 'Si')) {
    const e = stillingerWeberEnergy(traj);
    const perAtom = Float64Array.from(e, (v) => v / traj.nAtoms);
    const st = meanStd(perAtom);
    energyPerAtom = { mean: st.mean, std: st.std };
  }
  const cn = coordinationNumbers(traj, s.cutoff);
  const hist = new Map<number, number>();
  let sum = 0;
  for (let i = 0; i < cn.length; i++) {
    hist.set(cn[i], (hist.get(cn[i]) ?? 0) + 1);
    sum += cn[i];
  }
  const coordination: Record<string, number> = {};
  for (const k of [...hist.keys()].sort((a, b) => a - b)) coordination[String(k)] = hist.get(k)! / cn.length;
  return {
    nStructures: traj.nFrames,
    errRdf: { poster: rdfError(g, gRef, { weighting: 'poster' }), mean: rdfError(g, gRef, { weighting: 'mean' }) },
    peaks: { first: peaks[0] ? { r: peaks[0].r, g: peaks[0].g } : null, second: peaks[1] ? { r: peaks[1].r, g: peaks[1].g } : null },
    closePairPercent: (100 * close) / traj.nFrames,
    minDistance: { mean: md.mean, min: md.min },
    energyPerAtom,
    coordination,
    meanCoordination: sum / cn.length,
  };
}

/**
 * Compares `generated` with `reference` (see {@link Evaluation}). The
 * reference needs at least 2 frames (it is split in two halves).
 * @throws Error when the two sets have different atom counts or cells.
 */
export function evaluate(generated: Trajectory, reference: Trajectory, settings: Partial<EvaluationSettings> = {}): Evaluation {
  const s: EvaluationSettings = { ...DEFAULT_EVALUATION, ...settings };
  checkComparable(generated, reference, 'the generated structures', 'the reference');
  if (reference.nFrames < 2) throw new Error(`the reference has ${reference.nFrames} frame; give at least 2 (it is split in two halves)`);
  const opts = { rMax: s.rMax, nBins: s.nBins };
  const ref = radialDistribution(reference, opts);
  const gen = radialDistribution(generated, opts);
  const randomAll = randomStructures(reference, Math.max(s.randomStructures, 1), s.seed);
  const rnd = radialDistribution(randomAll, opts);
  const random = sliceFrames(randomAll, 0, Math.min(randomAll.nFrames, Math.max(1000, generated.nFrames)));
  const ones = new Float64Array(s.nBins).fill(1);
  const half = Math.floor(reference.nFrames / 2);
  const first = radialDistribution(sliceFrames(reference, 0, half), opts);
  const second = radialDistribution(sliceFrames(reference, half, reference.nFrames), opts);
  const refSummary = summarize(reference, ref.g, ref.r, ref.g, s);
  const floor = { poster: rdfError(first.g, second.g, { weighting: 'poster' }), mean: rdfError(first.g, second.g, { weighting: 'mean' }) };
  return {
    settings: s,
    r: Array.from(ref.r),
    rdf: { reference: Array.from(ref.g), generated: Array.from(gen.g), random: Array.from(rnd.g) },
    generated: summarize(generated, gen.g, gen.r, ref.g, s),
    reference: { ...refSummary, errRdf: floor },
    random: { ...summarize(random, rnd.g, rnd.r, ref.g, s), nStructures: randomAll.nFrames },
    idealGasErrRdf: { poster: rdfError(ones, ref.g, { weighting: 'poster' }), mean: rdfError(ones, ref.g, { weighting: 'mean' }) },
  };
}

/** Extra columns for the table: a named summary (for example the generated set before resampling). */
export interface ExtraColumn {
  /** Column header. */
  readonly name: string;
  /** Its summary. */
  readonly summary: EnsembleSummary;
}

const pct = (x: number): number => Math.round(x * 1000) / 10;

/**
 * The evaluation as a plain-text table: one row per measure, one column per
 * set (generated, optional extra columns, MD reference, random positions).
 */
export function evaluationTable(ev: Evaluation, extra: readonly ExtraColumn[] = [], generatedName = 'generated'): string {
  const cols: { name: string; s: EnsembleSummary; isRef?: boolean; isRandom?: boolean }[] = [
    { name: generatedName, s: ev.generated },
    ...extra.map((e) => ({ name: e.name, s: e.summary })),
    { name: 'MD', s: ev.reference, isRef: true },
    { name: 'random', s: ev.random, isRandom: true },
  ];
  const rows: TableCell[][] = [];
  const row = (label: string, f: (s: EnsembleSummary) => TableCell, skipRandom = false): void => {
    rows.push([label, ...cols.map((c) => (skipRandom && c.isRandom ? null : f(c.s)))]);
  };
  const st = ev.settings;
  row('structures', (s) => s.nStructures);
  row('Err_RDF vs MD, poster (1/k)', (s) => s.errRdf.poster);
  row('Err_RDF vs MD, mean', (s) => s.errRdf.mean);
  row('1st peak r (Å)', (s) => s.peaks.first?.r ?? null, true);
  row('1st peak g', (s) => s.peaks.first?.g ?? null, true);
  row('2nd peak r (Å)', (s) => s.peaks.second?.r ?? null, true);
  row('2nd peak g', (s) => s.peaks.second?.g ?? null, true);
  row(`pair < ${st.minDistance} Å (% structures)`, (s) => s.closePairPercent);
  row('closest pair mean/min (Å)', (s) => `${s.minDistance.mean.toFixed(2)}/${s.minDistance.min.toFixed(2)}`);
  if (ev.reference.energyPerAtom) {
    row('E_SW mean (eV/atom)', (s) => s.energyPerAtom?.mean ?? null);
    row('E_SW std (eV/atom)', (s) => s.energyPerAtom?.std ?? null);
  }
  const ks = new Set<string>();
  for (const c of cols) for (const k of Object.keys(c.s.coordination)) ks.add(k);
  for (const k of [...ks].sort((a, b) => Number(a) - Number(b))) {
    // Rows for the coordinations that occur (>= 0.5 %) outside the random baseline.
    if (cols.every((c) => c.isRandom || (c.s.coordination[k] ?? 0) < 0.005)) continue;
    row(`${k}-fold within ${st.cutoff} Å (%)`, (s) => pct(s.coordination[k] ?? 0));
  }
  row('mean coordination', (s) => s.meanCoordination);
  return formatTable(['', ...cols.map((c) => c.name)], rows, { digits: 4, align: ['left', ...cols.map(() => 'right' as const)] });
}

/** The notes printed under the table: what the MD and random columns are. */
export function evaluationNotes(ev: Evaluation): string {
  return [
    `MD: all ${ev.reference.nStructures} reference frames; its Err_RDF compares the first half with the second half (the noise floor).`,
    `random: atoms uniform in the cell, ${ev.random.nStructures} structures for g(r); the limit g(r) = 1 scores ${formatNumber(ev.idealGasErrRdf.poster)} (poster), ${formatNumber(ev.idealGasErrRdf.mean)} (mean).`,
  ].join('\n');
}
