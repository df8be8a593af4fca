/**
 * `repap demo`: generate an a-Si ensemble with the embedded model and compare
 * it with held-out MD frames. Writes generated.extxyz, rdf.svg, report.json.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { useBackend, BACKEND_NAMES, type BackendName } from '../../backend/index.js';
import { ConditionalSampler, type SamplerEngine } from '../../sampling/index.js';
import { saveTrajectory } from '../../node/index.js';
import { lineChart } from '../../plot/svg.js';
import { choiceOption, numberOption, parseCommand, requireInput } from '../args.js';
import { DEMO_HELP } from '../help.js';
import { assetPath, packageVersion } from '../assets.js';
import { loadEmbeddedReference } from '../reference.js';
import { evaluate, evaluationNotes, evaluationTable, summarizeSet } from '../evaluate.js';
import { demoRelaxation } from '../demo-relaxation.js';
import { snapToGrid } from '../stats.js';
import { ProgressBar } from '../progress.js';
import { checkOutput, CommandOutput, readModelFolder, writeText } from '../files.js';
import type { CliIO } from '../main.js';
import { glassesDemo } from '../glasses-demo.js';

/**
 * How the model was trained, from `training.json` next to the model folder
 * (the embedded set) or inside it (`repap train`): command, seed, backend.
 * Null when neither exists or it cannot be read.
 */
function trainingProvenance(modelDir: string): { command?: unknown; seed?: unknown; backend?: unknown; file: string } | null {
  for (const file of [join(modelDir, 'training.json'), join(modelDir, '..', 'training.json')]) {
    if (!existsSync(file)) continue;
    try {
      const t = JSON.parse(readFileSync(file, 'utf8')) as { command?: unknown; seed?: unknown; backend?: unknown };
      return { command: t.command, seed: t.seed, backend: t.backend, file };
    } catch {
      return null;
    }
  }
  return null;
}

/** The sampling temperature stored with the embedded model (`assets/.../sampling.json`), if any. */
function embeddedTemperature(): number | undefined {
  const file = assetPath('sampling.json');
  if (!existsSync(file)) return undefined;
  const t = (JSON.parse(readFileSync(file, 'utf8')) as { temperature?: unknown }).temperature;
  return typeof t === 'number' && t > 0 ? t : undefined;
}

/** Runs `repap demo`; returns the exit code. */
export async function demoCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommand('demo', argv, {
    help: { type: 'boolean', short: 'h' },
    n: { type: 'string', short: 'n' },
    seed: { type: 'string' },
    out: { type: 'string', short: 'o' },
    backend: { type: 'string' },
    engine: { type: 'string' },
    threads: { type: 'string' },
    'min-distance': { type: 'string' },
    temperature: { type: 'string' },
    model: { type: 'string' },
    json: { type: 'string' },
  }, { min: 0, max: 0, names: 'none' });
  if (values.help) {
    io.out.write(DEMO_HELP);
    return 0;
  }
  const n = numberOption('demo', values, 'n', { min: 1, max: 1_000_000, integer: true, default: 1000 });
  const seed = numberOption('demo', values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true, default: 42 });
  const minDistanceFlag = values['min-distance'] === undefined ? undefined : numberOption('demo', values, 'min-distance', { min: 0, max: 10, default: 2 });
  const backend = choiceOption<BackendName>('demo', values, 'backend', BACKEND_NAMES, 'wasm');
  const engine = choiceOption<SamplerEngine>('demo', values, 'engine', ['auto', 'wasm', 'js', 'tfjs', 'rerun'], 'auto');
  const threads = numberOption('demo', values, 'threads', { min: 1, max: 64, integer: true, default: Math.min(2, availableParallelism()) });
  // every output is checked before the work starts
  const outDir = checkOutput('demo', '--out', typeof values.out === 'string' ? values.out : 'repap-out', 'folder');
  const jsonOut = new CommandOutput('demo', values, io);
  if (values.model === 'glasses') {
    // The multi-glass model: sampled at its stored defaults, judged against the glasses it never saw.
    return glassesDemo(argv, io, {
      n: values.n === undefined ? 200 : n,
      seed,
      outDir,
      backend,
      engine,
      threads,
      ...(values.temperature !== undefined ? { temperature: numberOption('demo', values, 'temperature', { min: 0.01, max: 100, default: 1 }) } : {}),
      ...(minDistanceFlag !== undefined ? { minDistance: minDistanceFlag } : {}),
      bootstrap: 200,
      jsonOut,
    });
  }
  const modelDir = typeof values.model === 'string' ? resolve(values.model) : assetPath('model');
  // The embedded model ships the temperature chosen on validation frames (scripts/evaluate-embedded.ts).
  const tuned = typeof values.model === 'string' ? undefined : embeddedTemperature();
  const temperatureFlag = values.temperature === undefined ? undefined : numberOption('demo', values, 'temperature', { min: 0.01, max: 100, default: 1 });
  if (typeof values.model === 'string') requireInput('demo', join(modelDir, 'model.json'), 'model file');
  else if (!existsSync(join(modelDir, 'model.json'))) {
    throw new Error(`the embedded model is missing (${modelDir}/model.json); the package is incomplete, reinstall it`);
  }

  const tStart = Date.now();
  const activeBackend = await useBackend(backend);
  const model = await readModelFolder('demo', modelDir);
  // Unset flags take the model's stored sampling defaults (repap.json 'sampling').
  const temperature = temperatureFlag ?? model.samplingDefaults?.temperature ?? tuned ?? 1;
  const minDistance = minDistanceFlag ?? model.samplingDefaults?.minDistance ?? 2;
  const reference = loadEmbeddedReference();
  try {
    const sampler = new ConditionalSampler(model, { engine, threads });
    const bar1 = new ProgressBar('sampling (no resampling)', n, io.err);
    // Results do not depend on the batch size (one random stream per structure); large
    // batches keep both threads busy.
    const batchSize = Math.min(n, 500);
    const raw = await sampler.sample(n, { seed, batchSize, minDistance: 0, temperature, onProgress: (d) => bar1.update(d) });
    bar1.finish();
    const bar2 = new ProgressBar(`sampling (min distance ${minDistance} Å)`, n, io.err);
    const res = await sampler.sample(n, { seed, batchSize, minDistance, temperature, onProgress: (d) => bar2.update(d) });
    bar2.finish();
    const generated = res.trajectory;

    const tEval = Date.now();
    const ev = evaluate(generated, reference, { seed });
    const rawSet = summarizeSet(raw.trajectory, ev.rdf.reference, ev.settings);
    const onGrid = summarizeSet(snapToGrid(reference, model.codec), ev.rdf.reference, ev.settings);
    // Relaxation rows: the first 200 structures relaxed with Stillinger-Weber (a subset keeps the demo fast).
    const relaxation = demoRelaxation(generated, reference, seed, io.err, 200);
    const evalSeconds = (Date.now() - tEval) / 1000;
    const totalSeconds = (Date.now() - tStart) / 1000;

    // in pieces, atomically: any --n at bounded text size
    await mkdir(outDir, { recursive: true });
    await saveTrajectory(join(outDir, 'generated.extxyz'), generated, { precision: 6 });
    writeText(
      join(outDir, 'rdf.svg'),
      lineChart(
        [
          { label: `generated (${n}, RePAP)`, x: ev.r, y: ev.rdf.generated, color: '#D55E00' },
          { label: `MD (${reference.nFrames} frames, 300 K)`, x: ev.r, y: ev.rdf.reference, color: '#0072B2', dash: '7 4' },
          { label: 'random positions', x: ev.r, y: ev.rdf.random, color: '#7f7f7f', width: 1.5 },
        ],
        { title: 'a-Si, 30 atoms, Stillinger-Weber: radial distribution function', xLabel: 'r (Å)', yLabel: 'g(r)', referenceY: 1, xRange: [0, ev.settings.rMax] },
      ),
    );
    const report = {
      repapVersion: packageVersion(),
      command: ['repap', 'demo', ...argv].join(' '),
      settings: { n, temperature, backend: activeBackend, engine: res.stats.engine, threads, ...ev.settings, seed, minDistance },
      model: modelDir.startsWith(assetPath()) ? 'embedded: assets/a-si-30-sw-300K/model' : modelDir,
      training: trainingProvenance(modelDir),
      reference: 'embedded: assets/a-si-30-sw-300K/reference.f32 (2,000 held-out MD frames)',
      resampling: {
        withoutResampling: { closePairPercent: rawSet.summary.closePairPercent, seconds: raw.stats.seconds },
        withResampling: {
          closePairPercent: ev.generated.closePairPercent,
          replacementRate: res.stats.replacementRate,
          resampledAtoms: res.stats.resampledAtoms,
          redraws: res.stats.redraws,
          violatingStructures: res.stats.violatingStructures.length,
          seconds: res.stats.seconds,
        },
      },
      timing: {
        totalSeconds,
        samplingSeconds: raw.stats.seconds + res.stats.seconds,
        structuresPerSecond: n / res.stats.seconds,
        structuresPerSecondWithoutResampling: n / raw.stats.seconds,
        evaluationSeconds: evalSeconds,
      },
      generated: ev.generated,
      generatedWithoutResampling: rawSet.summary,
      md: ev.reference,
      mdOnGrid: onGrid.summary,
      relaxation: { relaxed: relaxation.relaxed, inTrainingGlass: relaxation.inTrainingGlass, seconds: relaxation.seconds, ensemble: relaxation.report },
      random: ev.random,
      idealGasErrRdf: ev.idealGasErrRdf,
      rdf: { r: ev.r, generated: ev.rdf.generated, generatedWithoutResampling: Array.from(rawSet.g), md: ev.rdf.reference, mdOnGrid: Array.from(onGrid.g), random: ev.rdf.random },
    };
    writeText(join(outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');

    const o = (s: string): void => jsonOut.line(s);
    o(`RePAP demo: ${n} a-Si structures (30 atoms) from ${typeof values.model === 'string' ? modelDir : 'the embedded model'} vs ${reference.nFrames} held-out MD frames`);
    o(`g(r) to ${ev.settings.rMax} Å in ${ev.settings.nBins} bins; seed ${seed}; backend ${activeBackend} (sampler engine ${res.stats.engine})`);
    o(
      `sampling: temperature ${temperature} (${temperatureFlag !== undefined ? '--temperature' : model.samplingDefaults ? "the model's stored default" : tuned !== undefined ? 'sampling.json' : 'default'}), ` +
        `minimum distance ${minDistance} Å (${minDistanceFlag !== undefined ? '--min-distance' : model.samplingDefaults ? "the model's stored default" : 'default'}), ` +
        `at most ${res.stats.settings.maxTries} draws per atom` +
        (res.stats.settings.maxBacktracks > 0 ? `, at most ${res.stats.settings.maxBacktracks} backtracks of ${res.stats.settings.backtrackDepth} atoms per structure\n` : '\n'),
    );
    o(evaluationTable(ev, [{ name: 'raw', summary: rawSet.summary }, { name: 'MD on grid', summary: onGrid.summary }], 'generated'));
    o('');
    o(`generated: with minimum-distance resampling at ${minDistance} Å; raw: the same seed without resampling.`);
    o(`MD on grid: the MD frames moved to the centres of the model's grid cells (${model.codec.gridSize} per axis), the best a perfect model can do on this grid.`);
    o(evaluationNotes(ev));
    o('');
    o(relaxation.text);
    o('');
    o(
      `resampling: ${(100 * res.stats.replacementRate).toFixed(2)} % of atoms redrawn (${res.stats.resampledAtoms} of ${res.stats.placedAtoms}), ` +
        (res.stats.settings.maxBacktracks > 0 ? `${(res.stats.backtracks / n).toFixed(2)} backtracks per structure, ` : '') +
        `${res.stats.violatingStructures.length} structures still with a pair < ${minDistance} Å`,
    );
    o(`time: ${totalSeconds.toFixed(1)} s in all; sampling ${(n / res.stats.seconds).toFixed(0)} structures/s with resampling, ${(n / raw.stats.seconds).toFixed(0)} without`);
    o(`wrote ${join(outDir, 'generated.extxyz')}, rdf.svg, report.json`);
    // --json: the same document as report.json
    await jsonOut.emit(report);
    return 0;
  } finally {
    model.dispose();
  }
}
