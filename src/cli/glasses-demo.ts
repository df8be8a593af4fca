/**
 * `repap demo --model glasses`: the multi-glass model shipped in
 * `assets/a-si-30-sw-300K-glasses/` (trained on 52 of 64 melt-quenched a-Si
 * glasses), sampled at its stored defaults and judged with the full
 * relax-and-score evaluation against the validation glasses it never saw:
 * validity, RDF, energies before and after relaxation, novelty against the
 * training glasses' inherent structures, uniqueness.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateEnsemble } from '../analysis/index.js';
import type { BackendName } from '../backend/index.js';
import { useBackend } from '../backend/index.js';
import { writeExtxyz } from '../io/index.js';
import { loadTrajectory } from '../node/index.js';
import { lineChart } from '../plot/svg.js';
import { ConditionalSampler, type SamplerEngine } from '../sampling/index.js';
import type { Trajectory } from '../structure/trajectory.js';
import { packageRoot, packageVersion } from './assets.js';
import { ensembleNotes, ensembleTable, stageProgress } from './ensemble-table.js';
import { readModelFolder, writeText, type CommandOutput } from './files.js';
import { ProgressBar } from './progress.js';
import type { CliIO } from './main.js';

/** Name of the multi-glass set folder under `assets/`. */
export const GLASSES_SET = 'a-si-30-sw-300K-glasses';

/** Absolute path of a file under `assets/a-si-30-sw-300K-glasses/`. */
export function glassesAssetPath(...parts: string[]): string {
  return join(packageRoot(), 'assets', GLASSES_SET, ...parts);
}

/** Which glasses the shipped multi-glass model trained on, validated on and held out (`glasses.json`). */
export interface GlassSplit {
  /** Training glasses. */
  train: string[];
  /** Validation glasses (choices were made on them). */
  validation: string[];
  /** Test glasses (held out). */
  test: string[];
}

/** The frames of `t` whose info `glass` is in `glasses`. */
export function framesOfGlasses(t: Trajectory, glasses: readonly string[]): Trajectory {
  const keep: number[] = [];
  for (let f = 0; f < t.nFrames; f++) if (glasses.includes(String(t.info[f]?.glass))) keep.push(f);
  const n3 = t.nAtoms * 3;
  const positions = new Float64Array(keep.length * n3);
  keep.forEach((f, i) => positions.set(t.positions.subarray(f * n3, (f + 1) * n3), i * n3));
  return { ...t, nFrames: keep.length, positions, info: keep.map((f) => t.info[f]!) };
}

/** Mean and standard deviation of `energy / nAtoms` over the frames (eV/atom). */
function energyStats(t: Trajectory): { mean: number; std: number; n: number } {
  const e = t.info.map((i) => Number(i.energy) / t.nAtoms).filter(Number.isFinite);
  const mean = e.reduce((a, b) => a + b, 0) / e.length;
  const std = Math.sqrt(e.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, e.length - 1));
  return { mean, std, n: e.length };
}

/** Options of {@link glassesDemo}, parsed by `repap demo`. */
export interface GlassesDemoOptions {
  /** Structures to generate. */
  n: number;
  /** Seed of the sampling and of the evaluation. */
  seed: number;
  /** Output folder (checked). */
  outDir: string;
  /** tfjs backend. */
  backend: BackendName;
  /** Sampler engine. */
  engine: SamplerEngine;
  /** Threads of the wasm engine. */
  threads: number;
  /** Overrides of the stored sampling defaults. */
  temperature?: number;
  /** Override of the stored minimum distance (Å). */
  minDistance?: number;
  /** Bootstrap resamples. */
  bootstrap: number;
  /** The --json output. */
  jsonOut: CommandOutput;
}

/** Runs the multi-glass demo; returns the exit code. */
export async function glassesDemo(argv: readonly string[], io: CliIO, o: GlassesDemoOptions): Promise<number> {
  const modelDir = glassesAssetPath('model');
  if (!existsSync(join(modelDir, 'model.json'))) {
    throw new Error(`the multi-glass model is missing (${modelDir}/model.json); the package is incomplete, reinstall it`);
  }
  const tStart = Date.now();
  const activeBackend = await useBackend(o.backend);
  const model = await readModelFolder('demo', modelDir);
  const split = JSON.parse(readFileSync(glassesAssetPath('glasses.json'), 'utf8')) as GlassSplit;
  const reference = await loadTrajectory(glassesAssetPath('validation.extxyz.gz'));
  const inherent = await loadTrajectory(glassesAssetPath('inherent.extxyz.gz'));
  const trainingInherent = framesOfGlasses(inherent, split.train);
  const unseenInherent = framesOfGlasses(inherent, split.validation);
  try {
    const sampler = new ConditionalSampler(model, { engine: o.engine, threads: o.threads });
    const bar = new ProgressBar('sampling', o.n, io.err);
    const res = await sampler.sample(o.n, {
      seed: o.seed,
      batchSize: Math.min(o.n, 500),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
      ...(o.minDistance !== undefined ? { minDistance: o.minDistance } : {}),
      onProgress: (d) => bar.update(d),
    });
    bar.finish();
    const generated = res.trajectory;
    const s = res.stats.settings;
    const progress = stageProgress(io.err);
    const ensemble = evaluateEnsemble(generated, reference, {
      seed: o.seed,
      bootstrap: o.bootstrap,
      relax: true,
      training: trainingInherent,
      onProgress: progress.onProgress,
    });
    progress.finish();
    const unseen = energyStats(unseenInherent);
    const totalSeconds = (Date.now() - tStart) / 1000;
    writeText(join(o.outDir, 'generated.extxyz'), writeExtxyz(generated, { precision: 6 }));
    writeText(
      join(o.outDir, 'rdf.svg'),
      lineChart(
        [
          { label: `generated (${o.n}, multi-glass model)`, x: ensemble.curves.r, y: ensemble.curves.generated, color: '#D55E00' },
          { label: `MD, ${split.validation.length} unseen glasses`, x: ensemble.curves.r, y: ensemble.curves.reference, color: '#0072B2', dash: '7 4' },
        ],
        { title: 'a-Si, 30 atoms: generated glasses vs unseen MD glasses', xLabel: 'r (Å)', yLabel: 'g(r)', referenceY: 1 },
      ),
    );
    const report = {
      repapVersion: packageVersion(),
      command: ['repap', 'demo', ...argv].join(' '),
      model: `embedded: assets/${GLASSES_SET}/model`,
      settings: { n: o.n, seed: o.seed, backend: activeBackend, engine: res.stats.engine, threads: o.threads, sampling: s },
      reference: `embedded: assets/${GLASSES_SET}/validation.extxyz.gz (${reference.nFrames} frames of the ${split.validation.length} validation glasses ${split.validation.join(', ')})`,
      novelty: `against the inherent structures of the ${split.train.length} training glasses`,
      resampling: {
        replacementRate: res.stats.replacementRate,
        resampledAtoms: res.stats.resampledAtoms,
        backtracks: res.stats.backtracks,
        undoneAtoms: res.stats.undoneAtoms,
        violatingStructures: res.stats.violatingStructures.length,
        seconds: res.stats.seconds,
      },
      unseenInherentEnergy: unseen,
      timing: { totalSeconds, samplingSeconds: res.stats.seconds, structuresPerSecond: o.n / res.stats.seconds },
      ensemble,
    };
    writeText(join(o.outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    const line = (t: string): void => o.jsonOut.line(t);
    line(`RePAP demo: ${o.n} a-Si glasses (30 atoms) from the multi-glass model (trained on ${split.train.length} of 64 melt-quenched glasses)`);
    line(`vs ${reference.nFrames} MD frames of the ${split.validation.length} validation glasses it never saw; seed ${o.seed}; backend ${activeBackend} (engine ${res.stats.engine})`);
    line(
      `sampling: temperature ${s.temperature}, minimum distance ${s.minDistance} Å, at most ${s.maxTries} draws per atom` +
        (s.maxBacktracks > 0 ? `, at most ${s.maxBacktracks} backtracks of ${s.backtrackDepth} atoms per structure` : '') +
        ` (${(['temperature', 'minDistance', 'maxTries'] as const).every((k) => s.fromModel.includes(k)) ? 'all from the model\'s stored defaults' : s.fromModel.length ? `${s.fromModel.join(', ')} from the model's stored defaults` : 'given on the command line'})\n`,
    );
    line(ensembleTable(ensemble, { generatedName: 'generated' }));
    line('');
    line(ensembleNotes(ensemble));
    line(
      `inherent energies of the ${unseen.n} unseen glasses (LAMMPS minima): mean ${unseen.mean.toFixed(4)} eV/atom, std ${(1000 * unseen.std).toFixed(1)} meV/atom`,
    );
    line(
      `resampling: ${(100 * res.stats.replacementRate).toFixed(2)} % of atoms redrawn, ` +
        (s.maxBacktracks > 0 ? `${(res.stats.backtracks / o.n).toFixed(2)} backtracks per structure, ` : '') +
        `${res.stats.violatingStructures.length} structures still with a pair < ${s.minDistance} Å`,
    );
    line(`time: ${totalSeconds.toFixed(1)} s in all; sampling ${(o.n / res.stats.seconds).toFixed(0)} structures/s`);
    line(`wrote ${join(o.outDir, 'generated.extxyz')}, rdf.svg, report.json`);
    await o.jsonOut.emit(report);
    return 0;
  } finally {
    model.dispose();
  }
}
