/**
 * The relaxation rows of `repap demo`: relaxes the first structures of the
 * generated set (and a sample of the MD reference) with Stillinger-Weber and
 * reports, through `evaluateEnsemble`, the energy after relaxation, the RMS
 * displacement and the share that relaxed into the training glass (one of the
 * inherent structures shipped in `assets/a-si-30-sw-300K/inherent.extxyz`,
 * found by `scripts/inherent-structures.ts`).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { evaluateEnsemble, type EnsembleReport } from '../analysis/index.js';
import { readExtxyz } from '../io/index.js';
import type { Trajectory } from '../structure/trajectory.js';
import { assetPath } from './assets.js';
import { ensembleTable, stageProgress } from './ensemble-table.js';
import { takeFrames } from './frames.js';
import type { ProgressStream } from './progress.js';

/** The minima of the embedded model's training glass (assets/a-si-30-sw-300K/inherent.extxyz). */
export function loadTrainingGlassMinima(): Trajectory {
  const file = assetPath('inherent.extxyz');
  return readExtxyz(readFileSync(file, 'utf8'), { source: file });
}

/** What {@link demoRelaxation} returns. */
export interface DemoRelaxation {
  /** The evaluateEnsemble report of the relaxed subset. */
  readonly report: EnsembleReport;
  /** Generated structures relaxed (the first ones of the set). */
  readonly relaxed: number;
  /** Share of them that relaxed into a minimum of the training glass. */
  readonly inTrainingGlass: number;
  /** The rows as text, with the lines that explain them. */
  readonly text: string;
  /** Wall-clock seconds. */
  readonly seconds: number;
}

/**
 * Relaxes the first `count` generated structures and `count / 2` reference
 * frames, and scores them against the training glass's minima.
 */
export function demoRelaxation(generated: Trajectory, reference: Trajectory, seed: number, stream: ProgressStream, count = 200): DemoRelaxation {
  const t0 = Date.now();
  const n = Math.min(count, generated.nFrames);
  const gen = takeFrames(generated, Int32Array.from({ length: n }, (_, k) => k));
  const m = Math.min(reference.nFrames, count);
  const ref = takeFrames(reference, Int32Array.from({ length: m }, (_, k) => Math.floor(((k + 0.5) * reference.nFrames) / m)));
  const training = loadTrainingGlassMinima();
  const progress = stageProgress(stream);
  const report = evaluateEnsemble(gen, ref, {
    relax: true, training, seed, referenceRelaxFrames: Math.max(2, Math.floor(m / 2)), onProgress: progress.onProgress,
  });
  progress.finish();
  const inTrainingGlass = 1 - (report.generated.novelty?.value ?? 0);
  const table = ensembleTable(report, {
    only: ['E before relax, mean', 'E after relax', 'RMS displacement', 'not converged', 'unique', 'novel', 'stable', 'S.U.N.'],
  });
  const matched = report.perStructure.trainingMatch ?? [];
  const text = [
    table,
    '',
    `relaxation (Stillinger-Weber, FIRE to fmax ${report.settings.fmax} eV/Å) of the first ${n} generated structures and ${m} MD frames, to keep the demo fast;`,
    `relaxed into the training glass: ${matched.filter((x) => x >= 0).length} of ${n} (${(100 * inTrainingGlass).toFixed(1)} %), matching one of its ${training.nFrames} minima (assets/a-si-30-sw-300K/inherent.extxyz);`,
    `novel = relaxed into a minimum that is not the training glass's; MD vs MD: the MD frames split in two halves.`,
  ].join('\n');
  return { report, relaxed: n, inTrainingGlass, text, seconds: (Date.now() - t0) / 1000 };
}
