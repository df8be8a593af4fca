/**
 * The ensemble evaluator: judges a set of generated structures against a
 * reference (MD frames) the way the generative-model papers for materials do:
 * validity gates, RDF / bond-angle / coordination distances, energies before and
 * after relaxation with a potential, and the stable / unique / novel (S.U.N.)
 * rates, each with a seeded bootstrap 95 % confidence interval and, beside it,
 * the same metric for the reference against itself (its floor).
 *
 * No tfjs: usable from notebooks, the browser page and the CLI.
 *
 * @module
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { Trajectory } from '../structure/trajectory.js';
import { radialDistribution } from './rdf.js';
import { rdfError } from './rdf-error.js';
import { bondAngleDistribution } from './bond-angles.js';
import { coordinationNumbers } from './coordination.js';
import { minimumDistances, pairMinimumDistances } from './distances.js';
import { pairTableOf, resolvePairTable, type PairDistanceTable } from '../structure/pair-table.js';
import { fingerprinter, groupStructures, DEFAULT_FINGERPRINT_CUTOFF, DEFAULT_SAME_STRUCTURE_TOLERANCE, type StructureFingerprint } from './fingerprint.js';
import { checkPotentialSpecies, flatCell, type Potential } from './potential.js';
import { relaxStructures, type RelaxOptions } from './relax.js';
import { stillingerWeber } from './stillinger-weber.js';
import { vashishta } from './vashishta.js';
import { checkTrajectory } from './validate.js';
import { NeighborList } from './neighbors.js';
import { imageGeometry } from './geometry.js';

const FN = 'evaluateEnsemble';

/** Stages reported by {@link EnsembleOptions.onProgress}. */
export type EnsembleStage = 'structure' | 'relax generated' | 'relax reference' | 'relax training' | 'bootstrap';

/** Options of {@link evaluateEnsemble}. */
export interface EnsembleOptions {
  /**
   * Training structures (MD frames, or their inherent structures) for novelty.
   * Frames that are not minima (largest force above 10 x fmax) are relaxed first.
   */
  readonly training?: Trajectory;
  /**
   * Relax the generated structures (and a sample of the reference, and the
   * training frames that are not minima) with the potential: `true`, or the
   * options of {@link relaxStructures} (fmax, maxSteps). Default false; without
   * relaxation the energy-after, RMS-displacement, uniqueness, novelty, stable
   * and S.U.N. figures are null.
   */
  readonly relax?: boolean | Omit<RelaxOptions, 'potential' | 'onProgress'>;
  /** Seed of the bootstrap and of the reference sample (default 42). */
  readonly seed?: number;
  /**
   * The potential for energies and relaxation. Default: Stillinger-Weber when
   * every atom is Si, Vashishta 1990 (SiO2) for Si and O; otherwise energies
   * are reported only with a potential.
   */
  readonly potential?: Potential;
  /** Bootstrap resamples for the 95 % intervals (default 200; 0 gives intervals equal to the value). */
  readonly bootstrap?: number;
  /**
   * A relaxed structure is stable when its energy per atom is at most the
   * highest inherent energy per atom of the relaxed reference sample plus this
   * margin, eV/atom (default 0.01).
   */
  readonly stableMargin?: number;
  /** Reference frames relaxed for the energy-after distribution and the floors (default 200, evenly spaced). */
  readonly referenceRelaxFrames?: number;
  /** Largest RDF distance, Å (default 8). */
  readonly rMax?: number;
  /** RDF bins (default 160). */
  readonly nBins?: number;
  /** Coordination and bond-angle cutoff for all atoms, Å (default 2.9, the first minimum of a-Si's g(r)). */
  readonly cutoff?: number;
  /** Bond-angle bins on [0°, 180°] (default 90, 2° each). */
  readonly angleBins?: number;
  /**
   * Cutoffs per species pair (`'O-Si': 2.0`) for the per-species coordination
   * and bond angles of a structure with several species. Missing pairs use the
   * first minimum after the first peak of the reference partial g(r).
   */
  readonly pairCutoffs?: Readonly<Record<string, number>>;
  /**
   * Minimum distance per species pair (`{ 'Si-O': 1.27, 'O-O': 1.98, 'Si-Si': 2.24 }`, for example a
   * model's stored `samplingDefaults.minDistances`): adds `validity.belowPairTable`, the share of
   * structures with a pair closer than its species pair's distance. Every pair of the structure's
   * species must be given; a negative value or an unknown species is an error naming the pair.
   */
  readonly minDistances?: PairDistanceTable;
  /** Fingerprint cutoff (Å) and tolerance (Å) for structure identity (defaults 6 and 0.01). */
  readonly fingerprint?: {
    /** Fingerprint cutoff, Å (default 6). */
    readonly cutoff?: number;
    /** Same-structure tolerance, Å (default 0.03). */
    readonly tolerance?: number;
  };
  /**
   * Per-frame info key that names the glass (or run) of a reference frame; the
   * floor then compares one half of the glasses with the other. Default
   * `'glass'` when every reference frame has it, else the first and second half of the frames.
   */
  readonly groupKey?: string;
  /** Progress: the stage, the items done and the total. */
  readonly onProgress?: (stage: EnsembleStage, done: number, total: number) => void;
}

/** A figure with its bootstrap 95 % interval. */
export interface Estimate {
  /** The value on the whole sample. */
  readonly value: number;
  /** 2.5 % and 97.5 % percentiles over the bootstrap resamples. */
  readonly ci: readonly [number, number];
}

/** Energy figures of one set, eV/atom. */
export interface EnergyFigures {
  /** Mean energy per atom. */
  readonly mean: Estimate;
  /** Standard deviation of the energy per atom. */
  readonly std: Estimate;
  /** Two-sample Kolmogorov-Smirnov distance to the reference energies (0 = same distribution, 1 = disjoint). */
  readonly ks: Estimate;
}

/** Per-species-pair RDF figures. */
export interface PartialRdfFigures {
  /** Species pair, for example `'O-Si'`. */
  readonly pair: string;
  /** Err_RDF, poster weighting. */
  readonly errPoster: Estimate;
  /** Err_RDF, mean weighting. */
  readonly errMean: Estimate;
  /** Position of the first g(r) maximum of this set, Å. */
  readonly firstPeak: number | null;
}

/** Coordination of centre species by neighbour species. */
export interface PartialCoordinationFigures {
  /** `'Si-O'`: Si atoms counted by their O neighbours. */
  readonly pair: string;
  /** Cutoff used, Å. */
  readonly cutoff: number;
  /** Share of centre atoms with k neighbours, keyed by k. */
  readonly fractions: Readonly<Record<string, Estimate>>;
  /** Mean coordination. */
  readonly mean: Estimate;
}

/** A bond-angle distribution for a triplet of species. */
export interface TripletAngleFigures {
  /** `'O-Si-O'`: angle at Si between two O neighbours. */
  readonly triplet: string;
  /** Mean angle, degrees. */
  readonly meanAngle: Estimate;
  /** Wasserstein-1 distance to the reference distribution, degrees. */
  readonly distance: Estimate;
}

/** Every figure of one set (the generated structures, or the reference's floor). */
export interface EnsembleFigures {
  /** Structures evaluated. */
  readonly nStructures: number;
  /** Fraction of structures with a pair closer than 1.5 Å and than 2.0 Å. */
  readonly validity: {
    /** Share with a pair closer than 1.5 Å. */
    readonly below1_5: Estimate;
    /** Share with a pair closer than 2.0 Å. */
    readonly below2_0: Estimate;
    /** Share with a pair closer than its species pair's distance in `options.minDistances` (null without it). */
    readonly belowPairTable: Estimate | null;
  };
  /** Err_RDF (poster 1/k and mean weightings) and the Euclidean distance sqrt(Σ (g - g_ref)²) over bins. */
  readonly rdf: {
    /** Err_RDF, poster weighting (bin k weighted 1/k). */
    readonly errPoster: Estimate;
    /** Err_RDF, mean over bins. */
    readonly errMean: Estimate;
    /** sqrt(Σ_k (g_k - g_ref,k)²). */
    readonly euclidean: Estimate;
  };
  /** Wasserstein-1 (earth mover's) distance between bond-angle distributions, degrees; and the mean angle. */
  readonly bondAngles: {
    /** Wasserstein-1 distance to the reference distribution, degrees. */
    readonly distance: Estimate;
    /** Mean bond angle, degrees. */
    readonly meanAngle: Estimate;
  };
  /** Share of atoms with k neighbours (keyed by k), mean coordination and the Euclidean distance between mean coordination fingerprints. */
  readonly coordination: {
    /** Share of atoms with k neighbours, keyed by k (those that occur). */
    readonly fractions: Readonly<Record<string, Estimate>>;
    /** Mean coordination number. */
    readonly mean: Estimate;
    /** Euclidean distance between the mean coordination fingerprints (shares of 0..16-fold atoms). */
    readonly distance: Estimate;
  };
  /** Energies before relaxation (null without a potential). */
  readonly energyBefore: EnergyFigures | null;
  /** Energies after relaxation (null without relaxation). */
  readonly energyAfter: EnergyFigures | null;
  /** Mean RMS displacement during relaxation, Å (null without relaxation). */
  readonly rmsDisplacement: Estimate | null;
  /** Share of relaxations that did not converge (null without relaxation). */
  readonly notConverged: Estimate | null;
  /** Share of relaxed structures that are the first of their kind in the set (null without relaxation). */
  readonly uniqueness: Estimate | null;
  /** Share of relaxed structures matching no training structure (null without relaxation or training). */
  readonly novelty: Estimate | null;
  /** Share of relaxed structures within the stable margin (null without relaxation). */
  readonly stable: Estimate | null;
  /** Share stable, unique and novel at once (null without relaxation or training). */
  readonly sun: Estimate | null;
  /** Per species pair (structures with several species; empty otherwise). */
  readonly partialRdf: readonly PartialRdfFigures[];
  /** Per centre-neighbour species pair (several species only). */
  readonly partialCoordination: readonly PartialCoordinationFigures[];
  /** Per species triplet (several species only). */
  readonly tripletAngles: readonly TripletAngleFigures[];
}

/** The report of {@link evaluateEnsemble}. */
export interface EnsembleReport {
  /** Settings used (defaults filled in). */
  readonly settings: {
    /** Bootstrap seed. */
    readonly seed: number;
    /** Bootstrap resamples. */
    readonly bootstrap: number;
    /** RDF range, Å. */
    readonly rMax: number;
    /** RDF bins. */
    readonly nBins: number;
    /** Coordination and bond-angle cutoff, Å. */
    readonly cutoff: number;
    /** Bond-angle bins on [0°, 180°]. */
    readonly angleBins: number;
    /** Stable margin, eV/atom. */
    readonly stableMargin: number;
    /** Highest relaxed-reference energy per atom plus the margin (null without relaxation), eV/atom. */
    readonly stableThreshold: number | null;
    /** Cutoff per species pair used for the per-species figures, Å. */
    readonly pairCutoffs: Readonly<Record<string, number>>;
    /** Minimum distance per species pair behind `validity.belowPairTable` (null without `options.minDistances`), Å. */
    readonly minDistances: Readonly<Record<string, number>> | null;
    /** Fingerprint cutoff, Å. */
    readonly fingerprintCutoff: number;
    /** Same-structure tolerance, Å. */
    readonly fingerprintTolerance: number;
    /** Name of the potential (null without one). */
    readonly potential: string | null;
    /** Whether structures were relaxed. */
    readonly relax: boolean;
    /** Relaxation convergence, eV/Å (null without relaxation). */
    readonly fmax: number | null;
    /** Reference frames evaluated. */
    readonly referenceFrames: number;
    /** Reference frames relaxed. */
    readonly referenceRelaxed: number;
    /** Training structures given. */
    readonly trainingFrames: number;
    /** Training structures relaxed first (0 when they were minima already). */
    readonly trainingRelaxed: number;
  };
  /** The generated structures against the reference. */
  readonly generated: EnsembleFigures;
  /**
   * The floor: one half of the reference against the other (by glass when the
   * reference frames carry {@link EnsembleOptions.groupKey}), with the same
   * definitions; uniqueness, novelty and stability are those of the relaxed reference sample.
   */
  readonly floor: EnsembleFigures;
  /** How the floor halves were made. */
  readonly floorSplit: string;
  /** The curves behind the RDF figures (means over each whole set), for plots. */
  readonly curves: {
    /** Bin centres, Å. */
    readonly r: number[];
    /** Total g(r) of the generated set and of the reference. */
    readonly generated: number[];
    /** See {@link EnsembleReport.curves}. */
    readonly reference: number[];
    /** Partial g(r) per species pair (several species only). */
    readonly partial: readonly {
      /** Species pair, for example `'O-Si'`. */
      readonly pair: string;
      /** Partial g(r) of the generated set. */
      readonly generated: number[];
      /** Partial g(r) of the reference. */
      readonly reference: number[];
    }[];
  };
  /** Per generated structure, in the order of the input. */
  readonly perStructure: {
    /** Energy per atom before relaxation, eV (null without a potential). */
    readonly energyBefore: number[] | null;
    /** Energy per atom after relaxation, eV (null without relaxation). */
    readonly energyAfter: number[] | null;
    /** RMS displacement during relaxation, Å (null without relaxation). */
    readonly rmsDisplacement: number[] | null;
    /** Whether the relaxation converged (null without relaxation). */
    readonly converged: boolean[] | null;
    /** Index of the training structure it matches, or -1 (null without relaxation or training). */
    readonly trainingMatch: number[] | null;
    /** Index of the first generated structure of its group (null without relaxation). */
    readonly group: number[] | null;
  };
}

// ---------------------------------------------------------------------------

interface Prepared {
  readonly n: number;
  readonly nAtoms: number;
  readonly g: Float64Array; // n * nBins
  readonly partialG: Float64Array[]; // per pair, n * nBins
  readonly angles: Float64Array; // n * angleBins counts
  readonly tripletAngles: Float64Array[]; // per triplet, n * angleBins counts
  readonly coord: Float64Array; // n * (KMAX + 1) fraction of atoms
  readonly partialCoord: Float64Array[]; // per centre pair, n * (KMAX + 1) fraction of centre atoms
  readonly dmin: Float64Array;
  readonly belowTable: Float64Array | null; // 1 when a pair is closer than the per-pair table, else 0
  readonly eBefore: Float64Array | null; // per atom
  readonly eAfter: Float64Array | null; // per atom, NaN where not relaxed
  readonly rmsd: Float64Array | null;
  readonly notConverged: Float64Array | null;
  readonly unique: Float64Array | null; // 1/0, NaN where not relaxed
  readonly novel: Float64Array | null;
}

const KMAX = 16;

function pickFrames(t: Trajectory, idx: ArrayLike<number>): Trajectory {
  const per = t.nAtoms * 3;
  const positions = new Float64Array(idx.length * per);
  for (let k = 0; k < idx.length; k++) for (let c = 0; c < per; c++) positions[k * per + c] = t.positions[idx[k] * per + c];
  return { ...t, nFrames: idx.length, positions, info: Array.from(idx, (i) => t.info[i] ?? {}), arrays: undefined };
}

function evenly(n: number, m: number): Int32Array {
  if (m >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: m }, (_, k) => Math.floor(((k + 0.5) * n) / m));
}

function perFrameRdf(t: Trajectory, rMax: number, nBins: number, species?: readonly [string, string]): Float64Array {
  const out = new Float64Array(t.nFrames * nBins);
  for (let f = 0; f < t.nFrames; f++) out.set(radialDistribution(t, { rMax, nBins, frames: [f], ...(species ? { species } : {}) }).g, f * nBins);
  return out;
}

/** Species-resolved neighbour counts and angles from one neighbour list per frame. */
function speciesResolved(
  t: Trajectory, kinds: readonly string[], pairCutoff: Float64Array, angleBins: number, triplets: readonly [number, number, number][],
): { coord: Float64Array[]; angles: Float64Array[] } {
  const nk = kinds.length;
  const kindOf = Int32Array.from(t.species, (s) => kinds.indexOf(s));
  let maxCut = 0;
  for (const c of pairCutoff) maxCut = Math.max(maxCut, c);
  const geom = imageGeometry(FN, t.cell, t.pbc);
  const list = new NeighborList(geom, maxCut, t.nAtoms);
  const coord = Array.from({ length: nk * nk }, () => new Float64Array(t.nFrames * (KMAX + 1)));
  const angles = triplets.map(() => new Float64Array(t.nFrames * angleBins));
  const tripletOf = new Int32Array(nk * nk * nk).fill(-1);
  triplets.forEach(([a, c, b], i) => {
    tripletOf[(c * nk + a) * nk + b] = i;
    tripletOf[(c * nk + b) * nk + a] = i;
  });
  const centreCount = new Int32Array(nk);
  for (let i = 0; i < t.nAtoms; i++) centreCount[kindOf[i]]++;
  const counts = new Int32Array(nk);
  const perDeg = angleBins / 180;
  for (let f = 0; f < t.nFrames; f++) {
    list.build(t.positions, f);
    const { start, index, dx, dy, dz, r } = list;
    for (let i = 0; i < t.nAtoms; i++) {
      const ci = kindOf[i];
      counts.fill(0);
      for (let e = start[i]; e < start[i + 1]; e++) {
        const kj = kindOf[index[e]];
        if (r[e] < pairCutoff[ci * nk + kj]) counts[kj]++;
      }
      for (let kj = 0; kj < nk; kj++) coord[ci * nk + kj][f * (KMAX + 1) + Math.min(KMAX, counts[kj])] += 1 / centreCount[ci];
      for (let e = start[i]; e < start[i + 1]; e++) {
        const kj = kindOf[index[e]];
        if (!(r[e] < pairCutoff[ci * nk + kj])) continue;
        for (let c = e + 1; c < start[i + 1]; c++) {
          const kk = kindOf[index[c]];
          if (!(r[c] < pairCutoff[ci * nk + kk])) continue;
          const tr = tripletOf[(ci * nk + kj) * nk + kk];
          if (tr < 0) continue;
          let cos = (dx[e] * dx[c] + dy[e] * dy[c] + dz[e] * dz[c]) / (r[e] * r[c]);
          cos = cos > 1 ? 1 : cos < -1 ? -1 : cos;
          angles[tr][f * angleBins + Math.min(angleBins - 1, (Math.acos(cos) * (180 / Math.PI) * perDeg) | 0)]++;
        }
      }
    }
  }
  return { coord, angles };
}

function ks(a: Float64Array, b: Float64Array): number {
  // a, b sorted ascending, no NaN.
  let i = 0, j = 0, d = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] <= b[j] ? a[i] : b[j];
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function w1(a: Float64Array, b: Float64Array, width: number): number {
  let ta = 0, tb = 0;
  for (let k = 0; k < a.length; k++) { ta += a[k]; tb += b[k]; }
  if (ta === 0 || tb === 0) return ta === tb ? 0 : 180;
  let ca = 0, cb = 0, s = 0;
  for (let k = 0; k < a.length; k++) {
    ca += a[k] / ta;
    cb += b[k] / tb;
    s += Math.abs(ca - cb) * width;
  }
  return s;
}

function meanAngle(h: Float64Array, width: number): number {
  let t = 0, s = 0;
  for (let k = 0; k < h.length; k++) { t += h[k]; s += h[k] * (k + 0.5) * width; }
  return t > 0 ? s / t : 0;
}

/** Mean of rows `idx` of a row-major matrix with `cols` columns. */
function meanRows(m: Float64Array, cols: number, idx: ArrayLike<number>): Float64Array {
  const out = new Float64Array(cols);
  for (let k = 0; k < idx.length; k++) {
    const o = idx[k] * cols;
    for (let c = 0; c < cols; c++) out[c] += m[o + c];
  }
  if (idx.length > 0) for (let c = 0; c < cols; c++) out[c] /= idx.length;
  return out;
}

function valuesAt(v: Float64Array, idx: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let k = 0; k < idx.length; k++) {
    const x = v[idx[k]];
    if (x === x) out.push(x);
  }
  return Float64Array.from(out);
}

function meanOf(v: Float64Array): number {
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k];
  return v.length ? s / v.length : 0;
}

function stdOf(v: Float64Array): number {
  if (v.length < 2) return 0;
  const m = meanOf(v);
  let s = 0;
  for (let k = 0; k < v.length; k++) s += (v[k] - m) * (v[k] - m);
  return Math.sqrt(s / (v.length - 1));
}

/** The target a sample is compared with (made from the reference, or its other half). */
interface Target {
  readonly g: Float64Array;
  readonly partialG: Float64Array[];
  readonly angles: Float64Array;
  readonly tripletAngles: Float64Array[];
  readonly coord: Float64Array;
  readonly eBefore: Float64Array | null; // sorted
  readonly eAfter: Float64Array | null; // sorted
}

function targetOf(p: Prepared, idx: ArrayLike<number>, nBins: number, angleBins: number): Target {
  const sorted = (v: Float64Array | null): Float64Array | null => {
    if (!v) return null;
    const s = valuesAt(v, idx).sort();
    return s.length ? s : null;
  };
  return {
    g: meanRows(p.g, nBins, idx),
    partialG: p.partialG.map((m) => meanRows(m, nBins, idx)),
    angles: meanRows(p.angles, angleBins, idx),
    tripletAngles: p.tripletAngles.map((m) => meanRows(m, angleBins, idx)),
    coord: meanRows(p.coord, KMAX + 1, idx),
    eBefore: sorted(p.eBefore),
    eAfter: sorted(p.eAfter),
  };
}

/** All scalar figures of a sample (flat, named), given a target. */
function scalars(p: Prepared, idx: ArrayLike<number>, t: Target, nBins: number, angleBins: number, stableThreshold: number | null): Map<string, number> {
  const m = new Map<string, number>();
  let b15 = 0, b20 = 0;
  for (let k = 0; k < idx.length; k++) {
    const d = p.dmin[idx[k]];
    if (d < 1.5) b15++;
    if (d < 2.0) b20++;
  }
  m.set('validity.below1_5', b15 / idx.length);
  m.set('validity.below2_0', b20 / idx.length);
  if (p.belowTable) {
    let bt = 0;
    for (let k = 0; k < idx.length; k++) bt += p.belowTable[idx[k]];
    m.set('validity.belowPairTable', bt / idx.length);
  }
  const g = meanRows(p.g, nBins, idx);
  m.set('rdf.errPoster', rdfError(g, t.g, { weighting: 'poster' }));
  m.set('rdf.errMean', rdfError(g, t.g, { weighting: 'mean' }));
  let e2 = 0;
  for (let k = 0; k < nBins; k++) e2 += (g[k] - t.g[k]) ** 2;
  m.set('rdf.euclidean', Math.sqrt(e2));
  const width = 180 / angleBins;
  const ang = meanRows(p.angles, angleBins, idx);
  m.set('bondAngles.distance', w1(ang, t.angles, width));
  m.set('bondAngles.meanAngle', meanAngle(ang, width));
  const fp = meanRows(p.coord, KMAX + 1, idx);
  let cd = 0, cm = 0;
  for (let k = 0; k <= KMAX; k++) {
    cd += (fp[k] - t.coord[k]) ** 2;
    cm += k * fp[k];
    m.set(`coordination.${k}`, fp[k]);
  }
  m.set('coordination.distance', Math.sqrt(cd));
  m.set('coordination.mean', cm);
  const energy = (name: string, v: Float64Array | null, ref: Float64Array | null): void => {
    if (!v || !ref) return;
    const s = valuesAt(v, idx);
    if (s.length === 0) return;
    s.sort();
    m.set(`${name}.mean`, meanOf(s));
    m.set(`${name}.std`, stdOf(s));
    m.set(`${name}.ks`, ks(s, ref));
  };
  energy('energyBefore', p.eBefore, t.eBefore);
  energy('energyAfter', p.eAfter, t.eAfter);
  const share = (name: string, v: Float64Array | null): void => {
    if (!v) return;
    const s = valuesAt(v, idx);
    if (s.length) m.set(name, meanOf(s));
  };
  share('rmsDisplacement', p.rmsd);
  share('notConverged', p.notConverged);
  share('uniqueness', p.unique);
  share('novelty', p.novel);
  if (p.eAfter && stableThreshold !== null) {
    const st = new Float64Array(p.n).fill(NaN);
    const su = new Float64Array(p.n).fill(NaN);
    for (let i = 0; i < p.n; i++) {
      if (p.eAfter[i] !== p.eAfter[i]) continue;
      st[i] = p.eAfter[i] <= stableThreshold ? 1 : 0;
      if (p.unique && p.novel) su[i] = st[i] * p.unique[i] * p.novel[i];
    }
    share('stable', st);
    if (p.unique && p.novel) share('sun', su);
  }
  p.partialG.forEach((pg, c) => {
    const gs = meanRows(pg, nBins, idx);
    m.set(`partialRdf.${c}.errPoster`, rdfError(gs, t.partialG[c], { weighting: 'poster' }));
    m.set(`partialRdf.${c}.errMean`, rdfError(gs, t.partialG[c], { weighting: 'mean' }));
  });
  p.partialCoord.forEach((pc, c) => {
    const f = meanRows(pc, KMAX + 1, idx);
    let mean = 0;
    for (let k = 0; k <= KMAX; k++) {
      m.set(`partialCoordination.${c}.${k}`, f[k]);
      mean += k * f[k];
    }
    m.set(`partialCoordination.${c}.mean`, mean);
  });
  p.tripletAngles.forEach((ta, c) => {
    const h = meanRows(ta, angleBins, idx);
    m.set(`tripletAngles.${c}.meanAngle`, meanAngle(h, width));
    m.set(`tripletAngles.${c}.distance`, w1(h, t.tripletAngles[c], width));
  });
  return m;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const x = q * (sorted.length - 1);
  const lo = Math.floor(x), hi = Math.ceil(x);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (x - lo);
}

/** Point values of a sample and their bootstrap intervals (resampling the sample's structures with replacement). */
function bootstrapped(
  p: Prepared, idx: Int32Array, t: Target, nBins: number, angleBins: number, stableThreshold: number | null, B: number, seed: number,
  onStep?: (done: number) => void,
): Map<string, Estimate> {
  const point = scalars(p, idx, t, nBins, angleBins, stableThreshold);
  const draws = new Map<string, number[]>();
  for (const k of point.keys()) draws.set(k, []);
  const rng = xoroshiro128plus(seed | 0);
  const sample = new Int32Array(idx.length);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < idx.length; k++) sample[k] = idx[Math.min(idx.length - 1, Math.floor(uniformFloat64(rng) * idx.length))];
    const s = scalars(p, sample, t, nBins, angleBins, stableThreshold);
    for (const [k, v] of s) draws.get(k)?.push(v);
    onStep?.(b + 1);
  }
  const out = new Map<string, Estimate>();
  for (const [k, v] of point) {
    const d = (draws.get(k) ?? []).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    const ci: [number, number] = d.length ? [Math.min(v, percentile(d, 0.025)), Math.max(v, percentile(d, 0.975))] : [v, v];
    out.set(k, { value: v, ci });
  }
  return out;
}

function figures(
  est: Map<string, Estimate>, n: number, pairs: readonly string[], centrePairs: readonly { name: string; cutoff: number }[],
  triplets: readonly string[], firstPeaks: (number | null)[],
): EnsembleFigures {
  const zero: Estimate = { value: 0, ci: [0, 0] };
  const get = (k: string): Estimate => est.get(k) ?? zero;
  const opt = (k: string): Estimate | null => est.get(k) ?? null;
  const fractions = (prefix: string): Record<string, Estimate> => {
    const out: Record<string, Estimate> = {};
    for (let k = 0; k <= KMAX; k++) {
      const e = est.get(`${prefix}.${k}`);
      if (e && (e.value > 0 || e.ci[1] > 0)) out[String(k)] = e;
    }
    return out;
  };
  const energy = (name: string): EnergyFigures | null =>
    est.has(`${name}.mean`) ? { mean: get(`${name}.mean`), std: get(`${name}.std`), ks: get(`${name}.ks`) } : null;
  return {
    nStructures: n,
    validity: { below1_5: get('validity.below1_5'), below2_0: get('validity.below2_0'), belowPairTable: opt('validity.belowPairTable') },
    rdf: { errPoster: get('rdf.errPoster'), errMean: get('rdf.errMean'), euclidean: get('rdf.euclidean') },
    bondAngles: { distance: get('bondAngles.distance'), meanAngle: get('bondAngles.meanAngle') },
    coordination: { fractions: fractions('coordination'), mean: get('coordination.mean'), distance: get('coordination.distance') },
    energyBefore: energy('energyBefore'),
    energyAfter: energy('energyAfter'),
    rmsDisplacement: opt('rmsDisplacement'),
    notConverged: opt('notConverged'),
    uniqueness: opt('uniqueness'),
    novelty: opt('novelty'),
    stable: opt('stable'),
    sun: opt('sun'),
    partialRdf: pairs.map((pair, c) => ({ pair, errPoster: get(`partialRdf.${c}.errPoster`), errMean: get(`partialRdf.${c}.errMean`), firstPeak: firstPeaks[c] })),
    partialCoordination: centrePairs.map((cp, c) => ({
      pair: cp.name, cutoff: cp.cutoff, fractions: fractions(`partialCoordination.${c}`), mean: get(`partialCoordination.${c}.mean`),
    })),
    tripletAngles: triplets.map((triplet, c) => ({ triplet, meanAngle: get(`tripletAngles.${c}.meanAngle`), distance: get(`tripletAngles.${c}.distance`) })),
  };
}

/**
 * The shipped potential for a set of species, or null: Stillinger-Weber for Si
 * alone, Vashishta 1990 for silicon and oxygen (either or both with O).
 *
 * @internal
 */
export function shippedPotentialFor(species: readonly string[]): Potential | null {
  const kinds = new Set(species);
  if (kinds.size === 1 && kinds.has('Si')) return stillingerWeber();
  if ([...kinds].every((k) => k === 'Si' || k === 'O')) return vashishta();
  return null;
}

function checkSameSystem(generated: Trajectory, reference: Trajectory): void {
  if (generated.nAtoms !== reference.nAtoms) {
    throw new Error(`${FN}: the generated structures have ${generated.nAtoms} atoms but the reference has ${reference.nAtoms}; evaluate against MD of the same system (same atoms and cell)`);
  }
  if ((generated.cell === null) !== (reference.cell === null)) {
    throw new Error(`${FN}: one of generated and reference has a cell and the other not; give both in the same periodic cell`);
  }
  if (generated.cell && reference.cell) {
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const a = generated.cell[i][j], b = reference.cell[i][j];
        if (Math.abs(a - b) > 1e-4 * Math.max(1, Math.abs(b))) {
          throw new Error(`${FN}: the generated cell differs from the reference cell (entry [${i}][${j}]: ${a} vs ${b} Å); evaluate against MD in the same cell`);
        }
      }
    }
  }
  const comp = (s: readonly string[]): string => [...s].sort().join(',');
  if (comp(generated.species) !== comp(reference.species)) {
    throw new Error(`${FN}: the generated structures and the reference have different compositions; evaluate against MD of the same composition`);
  }
}

function checkEnsemble(name: string, t: Trajectory | undefined): void {
  if (t === undefined || t === null || typeof t !== 'object') throw new Error(`${FN}: ${name} is ${String(t)}; expected a Trajectory`);
  if (!(t.nFrames >= 1)) throw new Error(`${FN}: ${name} is an empty ensemble (0 structures); give at least one structure`);
  checkTrajectory(`${FN} (${name})`, t);
}

/**
 * First minimum after the first maximum (above 1) of g, at a bin centre, or
 * null: the coordination cutoff a glass scientist reads off g(r). Where g is
 * flat at that minimum over several bins (a gap with no pairs at all, as
 * between silica's Si-O bonds and the next Si-O distances), the middle of the
 * flat run, not its last bin.
 * @internal
 */
export function firstMinimum(r: ArrayLike<number>, g: ArrayLike<number>): number | null {
  let k = 0;
  let peak = -1;
  for (k = 1; k < g.length - 1; k++) if (g[k] > 1 && g[k] >= g[k - 1] && g[k] > g[k + 1]) { peak = k; break; }
  if (peak < 0) return null;
  for (k = peak + 1; k < g.length - 1; k++) {
    if (g[k] <= g[k - 1] && g[k] < g[k + 1]) {
      let start = k;
      while (start > peak + 1 && g[start - 1] === g[k]) start--;
      return (r[start] + r[k]) / 2;
    }
  }
  return null;
}

function firstPeak(r: Float64Array, g: Float64Array): number | null {
  for (let k = 1; k < g.length - 1; k++) if (g[k] > 1 && g[k] >= g[k - 1] && g[k] > g[k + 1]) return r[k];
  return null;
}

interface RelaxedSet {
  eBefore: Float64Array; eAfter: Float64Array; rmsd: Float64Array; converged: Uint8Array; fps: StructureFingerprint[];
}

function relaxSet(
  t: Trajectory, potential: Potential, relaxOpts: Omit<RelaxOptions, 'potential' | 'onProgress'>, fpCutoff: number,
  onProgress?: (done: number, total: number) => void,
): RelaxedSet {
  const res = relaxStructures(t, { ...relaxOpts, potential, ...(onProgress ? { onProgress } : {}) });
  const fp = fingerprinter(res.trajectory, { cutoff: fpCutoff });
  const n = t.nAtoms;
  return {
    eBefore: Float64Array.from(res.frames.energyBefore, (e) => e / n),
    eAfter: Float64Array.from(res.frames.energyAfter, (e) => e / n),
    rmsd: Float64Array.from(res.frames.rmsDisplacement),
    converged: Uint8Array.from(res.frames.converged),
    fps: Array.from({ length: res.trajectory.nFrames }, (_, i) => fp(i)),
  };
}

/** True when the largest per-atom force of every frame is at most `fmax`. */
function allMinima(t: Trajectory, potential: Potential, fmax: number): boolean {
  const cell = flatCell(t.cell);
  const f = new Float64Array(3 * t.nAtoms);
  for (let k = 0; k < t.nFrames; k++) {
    potential.energyAndForces(t.positions.subarray(k * 3 * t.nAtoms, (k + 1) * 3 * t.nAtoms), cell, t.pbc, t.species, f);
    for (let i = 0; i < t.nAtoms; i++) if (Math.hypot(f[3 * i], f[3 * i + 1], f[3 * i + 2]) > fmax) return false;
  }
  return true;
}

/**
 * Evaluates generated structures against a reference ensemble (usually MD
 * frames of the same system) and returns one report: validity, RDF,
 * bond-angle and coordination distances, energies before and after relaxation
 * (with Kolmogorov-Smirnov distances), RMS displacement during relaxation,
 * uniqueness, novelty against `training`, stability and the S.U.N. rate, each
 * with a seeded bootstrap 95 % interval, and the same figures for one half of
 * the reference against the other (the floor no generator can beat).
 * With several species it adds partial RDFs, per-pair coordination and per-triplet bond angles.
 *
 * Definitions and the papers that use each figure: docs/guide.md, "Evaluating an ensemble".
 *
 * @param generated - the generated structures (at least one)
 * @param reference - reference frames in the same cell with the same atoms (at least two)
 * @example
 * ```ts
 * const report = evaluateEnsemble(generated, md, { relax: true, training: inherent, seed: 1 });
 * report.generated.sun?.value;          // S.U.N. rate
 * report.generated.rdf.errPoster.ci;    // its 95 % interval
 * report.floor.rdf.errPoster.value;     // MD half against MD half
 * ```
 * @throws Error for an empty ensemble, a reference with another cell, atom count
 *   or composition, a reference of one frame, or a potential that does not know a species.
 */
export function evaluateEnsemble(generated: Trajectory, reference: Trajectory, options: EnsembleOptions = {}): EnsembleReport {
  checkEnsemble('generated', generated);
  checkEnsemble('reference', reference);
  checkSameSystem(generated, reference);
  if (reference.nFrames < 2) throw new Error(`${FN}: the reference has 1 frame; give at least 2 (its floor compares two halves)`);
  const seed = options.seed ?? 42;
  const B = options.bootstrap ?? 200;
  const rMax = options.rMax ?? 8;
  const nBins = options.nBins ?? 160;
  const cutoff = options.cutoff ?? 2.9;
  const angleBins = options.angleBins ?? 90;
  const stableMargin = options.stableMargin ?? 0.01;
  const fpCutoff = options.fingerprint?.cutoff ?? DEFAULT_FINGERPRINT_CUTOFF;
  const fpTol = options.fingerprint?.tolerance ?? DEFAULT_SAME_STRUCTURE_TOLERANCE;
  for (const [name, v, int] of [['bootstrap', B, true], ['nBins', nBins, true], ['angleBins', angleBins, true]] as const) {
    if (!Number.isInteger(v) || v < (name === 'bootstrap' ? 0 : 1)) throw new Error(`${FN}: options.${name} = ${String(v)}; expected an integer >= ${name === 'bootstrap' ? 0 : 1}${int ? '' : ''}`);
  }
  for (const [name, v] of [['rMax', rMax], ['cutoff', cutoff], ['fingerprint.cutoff', fpCutoff], ['fingerprint.tolerance', fpTol]] as const) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new Error(`${FN}: options.${name} = ${String(v)}; expected a finite number > 0`);
  }
  if (typeof stableMargin !== 'number' || !Number.isFinite(stableMargin)) throw new Error(`${FN}: options.stableMargin = ${String(stableMargin)}; expected a finite number in eV/atom`);
  if (options.training) {
    checkEnsemble('training', options.training);
    if (options.training.nAtoms !== generated.nAtoms) {
      throw new Error(`${FN}: options.training has ${options.training.nAtoms} atoms but the generated structures have ${generated.nAtoms}; give training structures of the same system`);
    }
  }
  const progress = options.onProgress;
  const potential: Potential | null = options.potential ?? shippedPotentialFor(generated.species);
  if (potential) checkPotentialSpecies(FN, potential, generated.species);
  const relax = options.relax ?? false;
  if (relax && !potential) {
    throw new Error(`${FN}: options.relax needs a potential for species ${[...new Set(generated.species)].join(', ')}; pass options.potential`);
  }
  const relaxOpts = typeof relax === 'object' ? relax : {};
  const fmax = relaxOpts.fmax ?? 1e-3;

  // Species, pairs, cutoffs.
  const kinds = [...new Set(reference.species)].sort();
  const minTable = options.minDistances === undefined ? null : resolvePairTable(options.minDistances, kinds, `${FN}: options.minDistances`);
  const nk = kinds.length;
  const multi = nk > 1;
  const pairs: [string, string][] = [];
  if (multi) for (let a = 0; a < nk; a++) for (let b = a; b < nk; b++) pairs.push([kinds[a], kinds[b]]);
  const refPartialMean = multi ? pairs.map((p) => radialDistribution(reference, { rMax, nBins, species: p })) : [];
  const pairCutoff = new Float64Array(nk * nk);
  const pairCutoffs: Record<string, number> = {};
  if (multi) {
    pairs.forEach(([a, b], c) => {
      const key = `${a}-${b}`;
      const given = options.pairCutoffs?.[key] ?? options.pairCutoffs?.[`${b}-${a}`];
      if (given !== undefined && !(typeof given === 'number' && given > 0 && Number.isFinite(given))) {
        throw new Error(`${FN}: options.pairCutoffs['${key}'] = ${String(given)}; expected a distance > 0 in Å`);
      }
      const v = given ?? firstMinimum(refPartialMean[c].r, refPartialMean[c].g) ?? cutoff;
      pairCutoffs[key] = v;
      const ia = kinds.indexOf(a), ib = kinds.indexOf(b);
      pairCutoff[ia * nk + ib] = pairCutoff[ib * nk + ia] = v;
    });
  }
  // Triplets A-C-B seen in the reference (angle at C between neighbours A and B).
  const tripletIdx: [number, number, number][] = [];
  if (multi) for (let c = 0; c < nk; c++) for (let a = 0; a < nk; a++) for (let b = a; b < nk; b++) tripletIdx.push([a, c, b]);
  const centrePairs: { name: string; cutoff: number }[] = [];
  if (multi) for (let a = 0; a < nk; a++) for (let b = 0; b < nk; b++) centrePairs.push({ name: `${kinds[a]}-${kinds[b]}`, cutoff: pairCutoff[a * nk + b] });

  const prepare = (t: Trajectory, stage: EnsembleStage): Omit<Prepared, 'eAfter' | 'rmsd' | 'notConverged' | 'unique' | 'novel'> => {
    progress?.(stage, 0, t.nFrames);
    const g = perFrameRdf(t, rMax, nBins);
    const partialG = multi ? pairs.map((p) => perFrameRdf(t, rMax, nBins, p)) : [];
    const angles = new Float64Array(t.nFrames * angleBins);
    for (let f = 0; f < t.nFrames; f++) angles.set(bondAngleDistribution(t, cutoff, angleBins, { frames: [f] }).counts, f * angleBins);
    const cn = coordinationNumbers(t, cutoff);
    const coord = new Float64Array(t.nFrames * (KMAX + 1));
    for (let f = 0; f < t.nFrames; f++) for (let i = 0; i < t.nAtoms; i++) coord[f * (KMAX + 1) + Math.min(KMAX, cn[f * t.nAtoms + i])] += 1 / t.nAtoms;
    const sr = multi ? speciesResolved(t, kinds, pairCutoff, angleBins, tripletIdx) : { coord: [], angles: [] };
    const dmin = minimumDistances(t);
    let belowTable: Float64Array | null = null;
    if (minTable) {
      const pm = pairMinimumDistances(t);
      const np = pm.pairs.length;
      const limit = pm.pairs.map((key) => {
        const [a, b] = key.split('-');
        const ia = minTable.species.indexOf(a), ib = minTable.species.indexOf(b);
        return minTable.values[ia * minTable.species.length + ib];
      });
      belowTable = new Float64Array(t.nFrames);
      for (let f = 0; f < t.nFrames; f++) for (let q = 0; q < np; q++) if (pm.perFrame[f * np + q] < limit[q]) belowTable[f] = 1;
    }
    let eBefore: Float64Array | null = null;
    if (potential) {
      const cell = flatCell(t.cell);
      eBefore = new Float64Array(t.nFrames);
      for (let f = 0; f < t.nFrames; f++) {
        eBefore[f] = potential.energyAndForces(t.positions.subarray(f * 3 * t.nAtoms, (f + 1) * 3 * t.nAtoms), cell, t.pbc, t.species) / t.nAtoms;
      }
    }
    progress?.(stage, t.nFrames, t.nFrames);
    return { n: t.nFrames, nAtoms: t.nAtoms, g, partialG, angles, tripletAngles: sr.angles, coord, partialCoord: sr.coord, dmin, belowTable, eBefore };
  };

  const genBase = prepare(generated, 'structure');
  const refBase = prepare(reference, 'structure');

  // Floor halves.
  const key = options.groupKey ?? 'glass';
  const hasGroups = reference.info.length === reference.nFrames && reference.info.every((i) => i && (typeof i[key] === 'string' || typeof i[key] === 'number'));
  let halfA: number[] = [], halfB: number[] = [];
  let floorSplit: string;
  const groups = hasGroups ? [...new Set(reference.info.map((i) => String(i[key])))] : [];
  if (groups.length >= 2) {
    const inA = new Set(groups.filter((_, k) => k % 2 === 0));
    reference.info.forEach((i, f) => (inA.has(String(i[key])) ? halfA : halfB).push(f));
    floorSplit = `reference split by '${key}': ${inA.size} of its ${groups.length} values against the other ${groups.length - inA.size}`;
  } else {
    const h = Math.floor(reference.nFrames / 2);
    halfA = Array.from({ length: h }, (_, k) => k);
    halfB = Array.from({ length: reference.nFrames - h }, (_, k) => h + k);
    floorSplit = 'first half of the reference frames against the second half';
  }
  // Relaxation.
  let genRelax: RelaxedSet | null = null;
  let refRelax: RelaxedSet | null = null;
  let refRelaxIdx: Int32Array = new Int32Array(0);
  let trainFps: StructureFingerprint[] | null = null;
  let trainingRelaxed = 0;
  if (relax && potential) {
    genRelax = relaxSet(generated, potential, relaxOpts, fpCutoff, progress && ((d, t) => progress('relax generated', d, t)));
    // Half of the relaxed reference sample from each floor half, evenly spaced in each.
    const m = options.referenceRelaxFrames ?? 200;
    if (!Number.isInteger(m) || m < 2) throw new Error(`${FN}: options.referenceRelaxFrames = ${String(m)}; expected an integer >= 2`);
    const fromA = evenly(halfA.length, Math.ceil(m / 2)), fromB = evenly(halfB.length, Math.floor(m / 2));
    refRelaxIdx = Int32Array.from([...Array.from(fromA, (k) => halfA[k]), ...Array.from(fromB, (k) => halfB[k])]).sort();
    refRelax = relaxSet(pickFrames(reference, refRelaxIdx), potential, relaxOpts, fpCutoff, progress && ((d, t) => progress('relax reference', d, t)));
    if (options.training) {
      const tr = options.training;
      checkPotentialSpecies(FN, potential, tr.species);
      if (allMinima(tr, potential, 10 * fmax)) {
        const fp = fingerprinter(tr, { cutoff: fpCutoff });
        trainFps = Array.from({ length: tr.nFrames }, (_, i) => fp(i));
      } else {
        trainFps = relaxSet(tr, potential, relaxOpts, fpCutoff, progress && ((d, t) => progress('relax training', d, t))).fps;
        trainingRelaxed = tr.nFrames;
      }
    }
  }

  // Identity: groups within each set, matches against training.
  const identity = (fps: StructureFingerprint[]): { unique: Float64Array; novel: Float64Array | null; group: Int32Array; match: Int32Array | null } => {
    const group = groupStructures(fps, { tolerance: fpTol });
    const unique = Float64Array.from(group, (g, i) => (g === i ? 1 : 0));
    if (!trainFps) return { unique, novel: null, group, match: null };
    const all = groupStructures([...trainFps, ...fps], { tolerance: fpTol });
    const nt = trainFps.length;
    const match = Int32Array.from(fps, (_, i) => (all[nt + i] < nt ? all[nt + i] : -1));
    const novel = Float64Array.from(match, (m) => (m < 0 ? 1 : 0));
    return { unique, novel, group, match };
  };

  let stableThreshold: number | null = null;
  let gen: Prepared;
  let ref: Prepared;
  let genId: ReturnType<typeof identity> | null = null;
  if (genRelax && refRelax) {
    let worst = -Infinity;
    for (const e of refRelax.eAfter) worst = Math.max(worst, e);
    stableThreshold = worst + stableMargin;
    genId = identity(genRelax.fps);
    const refId = identity(refRelax.fps);
    gen = {
      ...genBase, eAfter: genRelax.eAfter, rmsd: genRelax.rmsd,
      notConverged: Float64Array.from(genRelax.converged, (c) => 1 - c), unique: genId.unique, novel: genId.novel,
    };
    const scatter = (v: ArrayLike<number> | null): Float64Array | null => {
      if (!v) return null;
      const out = new Float64Array(reference.nFrames).fill(NaN);
      refRelaxIdx.forEach((f, k) => { out[f] = v[k]; });
      return out;
    };
    ref = {
      ...refBase, eAfter: scatter(refRelax.eAfter), rmsd: scatter(refRelax.rmsd),
      notConverged: scatter(Float64Array.from(refRelax.converged, (c) => 1 - c)), unique: scatter(refId.unique), novel: scatter(refId.novel),
    };
  } else {
    gen = { ...genBase, eAfter: null, rmsd: null, notConverged: null, unique: null, novel: null };
    ref = { ...refBase, eAfter: null, rmsd: null, notConverged: null, unique: null, novel: null };
  }

  const allRef = Int32Array.from({ length: reference.nFrames }, (_, k) => k);
  const allGen = Int32Array.from({ length: generated.nFrames }, (_, k) => k);
  const target = targetOf(ref, allRef, nBins, angleBins);
  const targetB = targetOf(ref, halfB, nBins, angleBins);
  const totalSteps = 2 * B;
  const genEst = bootstrapped(gen, allGen, target, nBins, angleBins, stableThreshold, B, seed, progress && ((d) => progress('bootstrap', d, totalSteps)));
  const floorEst = bootstrapped(ref, Int32Array.from(halfA), targetB, nBins, angleBins, stableThreshold, B, seed + 1, progress && ((d) => progress('bootstrap', B + d, totalSteps)));
  const pairNames = pairs.map(([a, b]) => `${a}-${b}`);
  const tripletNames = tripletIdx.map(([a, c, b]) => `${kinds[a]}-${kinds[c]}-${kinds[b]}`);
  // Keep the triplets and centre pairs that occur in the reference.
  const refTripletTotal = target.tripletAngles.map((h) => h.reduce((s, x) => s + x, 0));
  const keepTriplet = tripletNames.map((_, c) => refTripletTotal[c] > 0);
  const meanG = (p: Prepared, c: number): Float64Array => meanRows(p.partialG[c], nBins, Int32Array.from({ length: p.n }, (_, k) => k));
  const refBaseR = radialDistribution(reference, { rMax, nBins, frames: [0] }).r;
  const r = refBaseR;
  const build = (est: Map<string, Estimate>, n: number, peaks: (number | null)[]): EnsembleFigures => {
    const f = figures(est, n, pairNames, centrePairs, tripletNames, peaks);
    return { ...f, tripletAngles: f.tripletAngles.filter((_, c) => keepTriplet[c]) };
  };
  const genPeaks = pairs.map((_, c) => firstPeak(r, meanG(gen, c)));
  const refPeaks = pairs.map((_, c) => firstPeak(r, refPartialMean[c].g));
  return {
    settings: {
      seed, bootstrap: B, rMax, nBins, cutoff, angleBins, stableMargin, stableThreshold, pairCutoffs, minDistances: minTable ? pairTableOf(minTable) : null,
      fingerprintCutoff: fpCutoff, fingerprintTolerance: fpTol, potential: potential?.name ?? null, relax: !!relax,
      fmax: relax ? fmax : null, referenceFrames: reference.nFrames, referenceRelaxed: refRelaxIdx.length,
      trainingFrames: options.training?.nFrames ?? 0, trainingRelaxed,
    },
    generated: build(genEst, generated.nFrames, genPeaks),
    floor: build(floorEst, halfA.length, refPeaks),
    floorSplit,
    curves: {
      r: Array.from(refBaseR),
      generated: Array.from(meanRows(gen.g, nBins, allGen)),
      reference: Array.from(target.g),
      partial: pairNames.map((pair, c) => ({ pair, generated: Array.from(meanG(gen, c)), reference: Array.from(target.partialG[c]) })),
    },
    perStructure: {
      energyBefore: gen.eBefore ? Array.from(gen.eBefore) : null,
      energyAfter: gen.eAfter ? Array.from(gen.eAfter) : null,
      rmsDisplacement: gen.rmsd ? Array.from(gen.rmsd) : null,
      converged: genRelax ? Array.from(genRelax.converged, (c) => c === 1) : null,
      trainingMatch: genId?.match ? Array.from(genId.match) : null,
      group: genId ? Array.from(genId.group) : null,
    },
  };
}
