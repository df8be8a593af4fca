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
import type { CliIO } from '../main.js';

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
  }, { min: 2, max: 2, names: '<generated> <reference>' });
  if (values.help) {
    io.out.write(EVAL_HELP);
    return 0;
  }
  const rMax = numberOption('eval', values, 'r-max', { min: 1e-6, max: 1e4, default: 8 });
  const nBins = numberOption('eval', values, 'bins', { min: 1, max: 1e6, integer: true, default: 160 });
  const cutoff = numberOption('eval', values, 'cutoff', { min: 0, max: 100, default: 2.9 });
  const minDistance = numberOption('eval', values, 'min-distance', { min: 0, max: 100, default: 2 });
  const seed = numberOption('eval', values, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1, default: 42 });
  const report = new CommandOutput('eval', values, io);
  if (positionals[0] === '-' && positionals[1] === '-') throw new UsageError("repap eval: only one of <generated> and <reference> can be '-' (stdin)");
  const generated = await readTrajectoryFile('eval', positionals[0], 'generated structures');
  const reference = await readTrajectoryFile('eval', positionals[1], 'reference');
  const t0 = Date.now();
  const ev = evaluate(generated, reference, { rMax, nBins, cutoff, minDistance, seed });
  report.line(`${positionals[0]} (${generated.nFrames} structures) vs ${positionals[1]} (${reference.nFrames} frames); g(r) to ${rMax} Å in ${nBins} bins\n`);
  report.line(evaluationTable(ev) + '\n\n' + evaluationNotes(ev));
  report.line(`\nevaluated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await report.emit({ command: ['repap', 'eval', ...argv].join(' '), generatedFile: positionals[0], referenceFile: positionals[1], ...ev });
  return 0;
}
