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
import { loadModel } from '../../node/index.js';
import { choiceOption, numberOption, parseCommand, requireInput } from '../args.js';
import { SAMPLE_HELP } from '../help.js';
import { ProgressBar } from '../progress.js';
import { writeText } from '../files.js';
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
  }, { min: 1, max: 1, names: '<model>' });
  if (values.help) {
    io.out.write(SAMPLE_HELP);
    return 0;
  }
  const n = numberOption('sample', values, 'n', { min: 1, max: 10_000_000, integer: true, default: 100 });
  const seed = numberOption('sample', values, 'seed', { min: 0, max: 2 ** 32 - 1, integer: true, default: 42 });
  const temperature = numberOption('sample', values, 'temperature', { min: 0.01, max: 100, default: 1 });
  const minDistance = numberOption('sample', values, 'min-distance', { min: 0, max: 100, default: 0 });
  const batchSize = numberOption('sample', values, 'batch', { min: 1, max: 100_000, integer: true, default: 100 });
  const backend = choiceOption<BackendName>('sample', values, 'backend', BACKEND_NAMES, 'wasm');
  const engine = choiceOption<SamplerEngine>('sample', values, 'engine', ['auto', 'wasm', 'js', 'tfjs', 'rerun'], 'auto');
  const threads = numberOption('sample', values, 'threads', { min: 1, max: 64, integer: true, default: Math.min(2, availableParallelism()) });
  const out = resolve(typeof values.out === 'string' ? values.out : 'generated.extxyz');
  const dir = requireInput('sample', positionals[0], 'model folder', 'directory');
  requireInput('sample', resolve(dir, 'model.json'), 'model file');
  await useBackend(backend);
  const model = await loadModel(dir);
  try {
    const sampler = new ConditionalSampler(model, { engine, threads });
    const bar = new ProgressBar('sampling', n, io.err);
    const { trajectory, stats } = await sampler.sample(n, {
      seed,
      temperature,
      minDistance,
      batchSize: Math.min(batchSize, n),
      onProgress: (d) => bar.update(d),
    });
    bar.finish();
    writeText(out, writeExtxyz(trajectory, { precision: 6 }));
    io.out.write(`generated ${n} structures of ${trajectory.nAtoms} atoms in ${stats.seconds.toFixed(2)} s (${(n / stats.seconds).toFixed(0)} structures/s, engine ${stats.engine}, seed ${stats.seed})\n`);
    if (minDistance > 0) {
      io.out.write(`resampling at ${minDistance} Å: ${(100 * stats.replacementRate).toFixed(2)} % of atoms redrawn; ${stats.violatingStructures.length} structures still have a closer pair\n`);
    }
    io.out.write(`wrote ${out}\n`);
    return 0;
  } finally {
    model.dispose();
  }
}
