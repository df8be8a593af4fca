/**
 * `repap sample <model> -n N`: generate structures from a trained model folder.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { useBackend, BACKEND_NAMES, type BackendName } from '../../backend/index.js';
import { ConditionalSampler, type SamplerEngine } from '../../sampling/index.js';
import { writeExtxyz } from '../../io/index.js';
import { AtomicFileWriter } from '../../node/index.js';
import { choiceOption, numberOption, parseCommand, requireInput, UsageError } from '../args.js';
import { SAMPLE_HELP } from '../help.js';
import { ProgressBar } from '../progress.js';
import { checkOutput, CommandOutput, readModelFolder } from '../files.js';
import type { CliIO } from '../main.js';

/** Runs `repap sample`; returns the exit code. */
export async function sampleCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('sample', argv, {
    help: { type: 'boolean', short: 'h' },
    n: { type: 'string', short: 'n' },
    out: { type: 'string', short: 'o' },
    seed: { type: 'string' },
    temperature: { type: 'string' },
    'min-distance': { type: 'string' },
    batch: { type: 'string' },
    backend: { type: 'string' },
    engine: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'string' },
    'max-tries': { type: 'string' },
    'max-backtracks': { type: 'string' },
    'backtrack-depth': { type: 'string' },
  }, { min: 1, max: 1, names: '<model>' });
  if (values.help) {
    io.out.write(SAMPLE_HELP);
    return 0;
  }
  const n = numberOption('sample', values, 'n', { min: 1, max: 10_000_000, integer: true, default: 100 });
  const seed = numberOption('sample', values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true, default: 42 });
  // Unset flags take the model's stored sampling defaults (repap.json 'sampling'), else temperature 1 and no resampling.
  const temperatureFlag = values.temperature === undefined ? undefined : numberOption('sample', values, 'temperature', { min: 0.01, max: 100, default: 1 });
  const minDistanceFlag = values['min-distance'] === undefined ? undefined : numberOption('sample', values, 'min-distance', { min: 0, max: 100, default: 0 });
  const maxTriesFlag = values['max-tries'] === undefined ? undefined : numberOption('sample', values, 'max-tries', { min: 1, max: 1000, integer: true, default: 10 });
  const maxBacktracksFlag = values['max-backtracks'] === undefined ? undefined : numberOption('sample', values, 'max-backtracks', { min: 0, max: 10000, integer: true, default: 0 });
  const backtrackDepthFlag = values['backtrack-depth'] === undefined ? undefined : numberOption('sample', values, 'backtrack-depth', { min: 1, max: 1000, integer: true, default: 3 });
  const batchSize = numberOption('sample', values, 'batch', { min: 1, max: 100_000, integer: true, default: 100 });
  const backend = choiceOption<BackendName>('sample', values, 'backend', BACKEND_NAMES, 'wasm');
  const engine = choiceOption<SamplerEngine>('sample', values, 'engine', ['auto', 'wasm', 'js', 'tfjs', 'rerun'], 'auto');
  const threads = numberOption('sample', values, 'threads', { min: 1, max: 64, integer: true, default: Math.min(2, availableParallelism()) });
  // every output is checked before the model is loaded and the sampling starts
  const outArg = typeof values.out === 'string' ? values.out : 'generated.extxyz';
  const toStdout = outArg === '-';
  const out = toStdout ? '-' : checkOutput('sample', '--out', outArg, 'file');
  const report = new CommandOutput('sample', values, io);
  if (toStdout && report.json === '-') {
    throw new UsageError("repap sample: --out - and --json - both write to stdout; send one of them to a file");
  }
  // with the structures on stdout, the text goes to stderr
  const say = (line: string): void => void (toStdout ? io.err.write(line + '\n') : report.line(line));
  const dir = requireInput('sample', positionals[0], 'model folder', 'directory');
  requireInput('sample', resolve(dir, 'model.json'), 'model file');
  await useBackend(backend);
  const model = await readModelFolder('sample', dir);
  try {
    const sampler = new ConditionalSampler(model, { engine, threads });
    const stored = model.samplingDefaults;
    const temperature = temperatureFlag ?? stored?.temperature ?? 1;
    // A model of several species stores one minimum distance per species pair; --min-distance replaces it by one number.
    const minDistance = minDistanceFlag ?? stored?.minDistances ?? stored?.minDistance ?? 0;
    const minDistanceText = typeof minDistance === 'number' ? `${minDistance} Å` : `per pair ${Object.entries(minDistance).map(([k, v]) => `${k} ${v}`).join(', ')} Å`;
    const maxTries = maxTriesFlag ?? stored?.maxTries ?? 10;
    const maxBacktracks = maxBacktracksFlag ?? stored?.maxBacktracks ?? 0;
    const backtrackDepth = backtrackDepthFlag ?? stored?.backtrackDepth ?? 3;
    const origin = (flag: unknown, kept: unknown = stored): string => (flag !== undefined ? 'option' : kept !== undefined && kept !== null ? 'model default' : 'default');
    say(
      `sampling at temperature ${temperature} (${origin(temperatureFlag)}), minimum distance ${minDistanceText} (${origin(minDistanceFlag)}), ` +
        `at most ${maxTries} draws per atom (${origin(maxTriesFlag)}), ` +
        (maxBacktracks > 0
          ? `at most ${maxBacktracks} backtracks of ${backtrackDepth} atoms per structure (${origin(maxBacktracksFlag, stored?.maxBacktracks)})`
          : `no backtracking (${origin(maxBacktracksFlag, stored?.maxBacktracks)})`),
    );
    const bar = new ProgressBar('sampling', n, io.err);
    // Streamed: each batch is written as soon as it is generated (bounded memory for any n);
    // the file appears under its name only when complete.
    const writer = toStdout ? null : await AtomicFileWriter.open(out);
    let placed = 0, resampled = 0, redraws = 0, backtracks = 0, undone = 0, seconds = 0, nAtoms = 0;
    let engineName = '';
    let usedSeed = seed;
    const violating: number[] = [];
    try {
      for await (const batch of sampler.stream(n, {
        seed,
        temperature,
        minDistance,
        maxTries,
        maxBacktracks,
        backtrackDepth,
        batchSize: Math.min(batchSize, n),
        onProgress: (d) => bar.update(d),
      })) {
        const text = writeExtxyz(batch.trajectory, { precision: 6 });
        if (writer) await writer.write(text);
        else await writeStdout(io, text);
        const st = batch.stats;
        placed += st.placedAtoms;
        resampled += st.resampledAtoms;
        redraws += st.redraws;
        backtracks += st.backtracks;
        undone += st.undoneAtoms;
        seconds += st.seconds;
        engineName = st.engine;
        usedSeed = st.seed;
        nAtoms = batch.trajectory.nAtoms;
        for (const v of st.violatingStructures) violating.push(v);
      }
      if (writer) await writer.commit();
    } catch (e) {
      if (writer) await writer.abort();
      throw e;
    } finally {
      bar.finish();
    }
    const replacementRate = placed > 0 ? resampled / placed : 0;
    say(`generated ${n} structures of ${nAtoms} atoms in ${seconds.toFixed(2)} s (${(n / seconds).toFixed(0)} structures/s, engine ${engineName}, seed ${usedSeed})`);
    if (typeof minDistance !== 'number' || minDistance > 0) {
      say(
        `resampling at ${minDistanceText}: ${(100 * replacementRate).toFixed(2)} % of atoms redrawn` +
          (maxBacktracks > 0 ? `, ${(backtracks / n).toFixed(2)} backtracks per structure (${(undone / n).toFixed(2)} atoms undone)` : '') +
          `; ${violating.length} structures still have a closer pair`,
      );
    }
    if (!toStdout) say(`wrote ${out}`);
    await report.emit({
      command: ['repap', 'sample', ...argv].join(' '),
      model: resolve(dir),
      output: toStdout ? '-' : out,
      structures: n,
      atoms: nAtoms,
      seed: usedSeed,
      temperature,
      minDistance,
      maxTries,
      maxBacktracks,
      backtrackDepth,
      samplingDefaults: stored ? { ...stored } : null,
      engine: engineName,
      seconds,
      structuresPerSecond: n / seconds,
      resampling: {
        placedAtoms: placed, resampledAtoms: resampled, redraws, replacementRate, backtracks, backtracksPerStructure: backtracks / n,
        undoneAtoms: undone, violatingStructures: violating.length,
      },
    });
    return 0;
  } finally {
    model.dispose();
  }
}

/** Writes to stdout, waiting when the pipe is full (a slow reader bounds the memory too). */
async function writeStdout(io: CliIO, text: string): Promise<void> {
  if (!io.out.write(text)) await new Promise<void>((res) => io.out.once('drain', () => res()));
}
