/**
 * Analysis: radial distribution functions, RDF errors and structure metrics
 * (minimum distances, coordination, bond angles, Stillinger-Weber energy).
 * Pure functions on flat typed arrays; no tfjs.
 *
 * @module
 */
export { radialDistribution } from './rdf.js';
export type { RdfNormalization, RdfOptions, RdfResult } from './rdf.js';
export type { FrameSelection, FrameSlice } from './validate.js';
export { rdfError } from './rdf-error.js';
export type { RdfCurve, RdfCurveObject, RdfErrorOptions, RdfErrorWeighting } from './rdf-error.js';
export { rdfPeaks } from './peaks.js';
export type { RdfPeaks, RdfPeaksOptions } from './peaks.js';
export { minimumDistances, pairMinimumDistances } from './distances.js';
export type { MinimumDistanceOptions, PairMinimumDistances } from './distances.js';
export { coordinationHistogram, coordinationNumbers } from './coordination.js';
export type { CoordinationOptions } from './coordination.js';
export { bondAngleDistribution } from './bond-angles.js';
export type { BondAngleDistribution, BondAngleOptions } from './bond-angles.js';
export { SILICON_SW, parseStillingerWeber, stillingerWeber, stillingerWeberEnergy, stillingerWeberForces } from './stillinger-weber.js';
export type { EnergyAndForces, StillingerWeberOptions, StillingerWeberParams } from './stillinger-weber.js';
export { parseVashishta, vashishta } from './vashishta.js';
export type { VashishtaEntry, VashishtaFile } from './vashishta.js';
export { SIO2_VASHISHTA_1990 } from './vashishta-sio2.js';
export { flatCell, checkPotentialSpecies } from './potential.js';
export type { Potential } from './potential.js';
export { FIRE_DEFAULTS, LBFGS_DEFAULTS, relaxStructures } from './relax.js';
export type { FireParams, LbfgsParams, RelaxOptions, RelaxFrames, RelaxResult } from './relax.js';
export {
  DEFAULT_FINGERPRINT_CUTOFF, DEFAULT_SAME_STRUCTURE_TOLERANCE, fingerprintDistance, fingerprinter, groupStructures, sameStructure, structureFingerprint,
} from './fingerprint.js';
export type { FingerprintChannel, FingerprintOptions, SameStructureOptions, StructureFingerprint } from './fingerprint.js';
export { evaluateEnsemble } from './ensemble.js';
export type {
  EnergyFigures, EnsembleFigures, EnsembleOptions, EnsembleReport, EnsembleStage, Estimate, PartialCoordinationFigures, PartialRdfFigures,
  TripletAngleFigures,
} from './ensemble.js';
