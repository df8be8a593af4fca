/**
 * `repap eval <generated> <reference>`: the demo's comparison table for any
 * pair of structure files.
 *
 * @module
 */
import { numberOption, parseCommand, UsageError } from '../args.js';
import { EVAL_HELP } from '../help.js';
import { CommandOutput, readTrajectoryFile } from '../files.js';
import { evaluate, evaluationNotes, evaluationTable } from '../evaluate.js';
import { evaluateEnsemble, radialDistribution } from '../../analysis/index.js';
import { firstMinimum } from '../../analysis/ensemble.js';
import { formatNumber } from '../../plot/table.js';
import { ensembleNotes, ensembleTable, stageProgress } from '../ensemble-table.js';
import type { CliIO } from '../main.js';
import { loadModel } from '../../node/index.js';
import { useBackend } from '../../backend/index.js';
import type { NegativeLogLikelihood } from '../../model/index.js';

/** Runs `repap eval`; returns the exit code. */
export async function evalCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('eval', argv, {
    help: { type: 'boolean', short: 'h' },
    'r-max': { type: 'string' },
    bins: { type: 'string' },
    cutoff: { type: 'string' },
    'min-distance': { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'string' },
    train: { type: 'string' },
    relax: { type: 'boolean' },
    fmax: { type: 'string' },
    'max-steps': { type: 'string' },
    bootstrap: { type: 'string' },
    'reference-relax': { type: 'string' },
    'stable-margin': { type: 'string' },
    'pair-cutoffs': { type: 'string' },
    model: { type: 'string' },
  }, { min: 2, max: 2, names: '<generated> <reference>' });
  if (values.help) {
    io.out.write(EVAL_HELP);
    return 0;
  }
  const rMax = numberOption('eval', values, 'r-max', { min: 1e-6, max: 1e4, default: 8 });
  const nBins = numberOption('eval', values, 'bins', { min: 1, max: 1e6, integer: true, default: 160 });
  // Defaults for several species are set from the data and the model below; these are a-Si's.
  const cutoffGiven = values.cutoff === undefined ? undefined : numberOption('eval', values, 'cutoff', { min: 0, max: 100, default: 2.9 });
  const minDistanceGiven = values['min-distance'] === undefined ? undefined : numberOption('eval', values, 'min-distance', { min: 0, max: 100, default: 2 });
  const seed = numberOption('eval', values, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1, default: 42 });
  const fmax = numberOption('eval', values, 'fmax', { min: 1e-8, max: 10, default: 1e-3 });
  const maxSteps = numberOption('eval', values, 'max-steps', { min: 1, max: 1e7, integer: true, default: 10_000 });
  const bootstrap = numberOption('eval', values, 'bootstrap', { min: 0, max: 100_000, integer: true, default: 200 });
  const referenceRelaxFrames = numberOption('eval', values, 'reference-relax', { min: 2, max: 1e7, integer: true, default: 200 });
  const stableMargin = numberOption('eval', values, 'stable-margin', { min: -10, max: 10, default: 0.01 });
  const pairCutoffs = parsePairCutoffs(values['pair-cutoffs']);
  const report = new CommandOutput('eval', values, io);
  if (positionals[0] === '-' && positionals[1] === '-') throw new UsageError("repap eval: only one of <generated> and <reference> can be '-' (stdin)");
  const generated = await readTrajectoryFile('eval', positionals[0], 'generated structures');
  const reference = await readTrajectoryFile('eval', positionals[1], 'reference');
  const training = typeof values.train === 'string' ? await readTrajectoryFile('eval', values.train, 'training structures') : undefined;
  // --model of several species: validity at its stored minimum distance per species pair.
  let minDistances: Readonly<Record<string, number>> | undefined;
  if (typeof values.model === 'string') {
    await useBackend('wasm');
    const stored = await loadModel(values.model);
    minDistances = stored.samplingDefaults?.minDistances;
    stored.dispose();
  }
  // Several species (silica): the one-cutoff figures use the first minimum of the reference's total g(r)
  // (per-pair cutoffs: the first minima of its partial g(r), in evaluateEnsemble), and the close-pair
  // row the smallest distance of the model's per-pair table, instead of a-Si's 2.9 and 2.0 Å.
  const several = new Set(reference.species).size > 1;
  const total = several && cutoffGiven === undefined ? radialDistribution(reference, { rMax, nBins }) : null;
  const cutoff = cutoffGiven ?? (total ? firstMinimum(total.r, total.g) : null) ?? 2.9;
  const minDistance = minDistanceGiven ?? (minDistances ? Math.min(...Object.values(minDistances)) : 2);
  const t0 = Date.now();
  // The random baseline's g(r) uses 50,000 structures for 30 atoms; fewer for larger ones, so that its
  // pair count stays within radialDistribution's limit (72-atom silica: 9,645).
  const randomCount = Math.max(1000, Math.min(50_000, Math.floor(5e7 / (generated.nAtoms * generated.nAtoms))));
  const ev = evaluate(generated, reference, { rMax, nBins, cutoff, minDistance, seed, randomStructures: randomCount });
  const progress = stageProgress(io.err);
  const ensemble = evaluateEnsemble(generated, reference, {
    rMax, nBins, cutoff, seed, bootstrap, stableMargin, referenceRelaxFrames, pairCutoffs,
    ...(minDistances ? { minDistances } : {}),
    relax: values.relax ? { fmax, maxSteps } : false,
    ...(training ? { training } : {}),
    onProgress: progress.onProgress,
  });
  progress.finish();
  report.line(`${positionals[0]} (${generated.nFrames} structures) vs ${positionals[1]} (${reference.nFrames} frames); g(r) to ${rMax} Å in ${nBins} bins\n`);
  if (several) {
    const pairs = Object.entries(ensemble.settings.pairCutoffs).map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ');
    report.line(
      `cutoffs: ${formatNumber(cutoff)} Å for all atoms${cutoffGiven === undefined ? ' (first minimum of the reference g(r); --cutoff to change)' : ''}; per species pair ${pairs} Å` +
        `${values['pair-cutoffs'] === undefined ? ' (first minima of the reference partial g(r); --pair-cutoffs to change)' : ''}; close pairs below ${formatNumber(minDistance)} Å` +
        `${minDistanceGiven === undefined && minDistances ? " (the smallest of the model's per-pair minimum distances)" : ''}\n`,
    );
  }
  report.line(evaluationTable(ev) + '\n\n' + evaluationNotes(ev));
  report.line('\nensemble figures with 95 % intervals (evaluateEnsemble):\n');
  report.line(ensembleTable(ensemble) + '\n\n' + ensembleNotes(ensemble));
  const notConverged = ensemble.perStructure.converged?.flatMap((c, i) => (c ? [] : [i])) ?? [];
  if (notConverged.length) report.line(`not converged in ${maxSteps} steps: ${notConverged.length} structures (${notConverged.slice(0, 20).join(', ')}${notConverged.length > 20 ? ', ...' : ''})`);
  // --model: the likelihood the model gives the reference frames (held-out data for a fair figure).
  let modelNll: NegativeLogLikelihood | null = null;
  let nllOrder = '';
  if (typeof values.model === 'string') {
    await useBackend('wasm');
    const model = await loadModel(values.model);
    try {
      modelNll = await model.negativeLogLikelihood(reference);
      // the frames are scored in the ordering the model was trained with (repap.json 'ordering')
      const o = model.trainedOrdering;
      nllOrder = o === null ? "the encoder's fixed atom ordering" : o.ordering === 'group' ? `atoms ordered per ${o.groupBy ?? 'file'} group, as trained` : `atoms ordered ${o.ordering === 'frame' ? 'per frame' : `'${o.ordering}'`}, as trained`;
    } catch (e) {
      throw new UsageError(`repap eval: --model ${values.model}: ${(e as Error).message}`);
    } finally {
      model.dispose();
    }
    const n = model.encoder.sequenceLength - 1;
    report.line(
      `\nnegative log-likelihood of the ${modelNll.structures} reference frames under ${values.model} (${nllOrder}): ${modelNll.perCoordinate.toFixed(4)} nats per coordinate, ` +
        `${modelNll.perStructure.toFixed(2)} nats per structure, ${modelNll.perStructureDensity.toFixed(2)} as a density per Å^${n} (comparable between grids)`,
    );
  }
  report.line(`\nevaluated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await report.emit({ command: ['repap', 'eval', ...argv].join(' '), generatedFile: positionals[0], referenceFile: positionals[1], trainingFile: values.train ?? null, ...ev, ensemble, modelNll });
  return 0;
}

/** `--pair-cutoffs O-Si=2.0,Si-Si=3.4` as a record; undefined when not given. */
function parsePairCutoffs(raw: unknown): Record<string, number> | undefined {
  if (raw === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const part of String(raw).split(',')) {
    const m = /^\s*([A-Z][a-z]?)-([A-Z][a-z]?)\s*=\s*([0-9.eE+-]+)\s*$/.exec(part);
    const v = m ? Number(m[3]) : NaN;
    if (!m || !(v > 0) || !Number.isFinite(v)) {
      throw new UsageError(`repap eval: --pair-cutoffs part '${part}' is not A-B=distance; give for example --pair-cutoffs O-Si=2.0,Si-Si=3.4 (Å)`);
    }
    out[`${m[1]}-${m[2]}`] = v;
  }
  return out;
}
