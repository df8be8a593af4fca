/**
 * `repap convert <in> <out>`: converts between trajectory formats with an
 * optional frame selection, as `ase convert -n 0:1000:10 in out` does.
 *
 * @module
 */
import { formatFromPath, saveTrajectory, type TrajectoryFormat } from '../../node/index.js';
import { writeExtxyz } from '../../io/index.js';
import { choiceOption, numberOption, parseCommand, UsageError } from '../args.js';
import { CONVERT_HELP } from '../help.js';
import { checkOutput, CommandOutput, readTrajectoryFile } from '../files.js';
import { selectFrameSpec, takeFrames } from '../frames.js';
import { FORMATS, readOptions } from './info.js';
import type { CliIO } from '../main.js';

/** Runs `repap convert`; returns the exit code. */
export async function convertCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('convert', argv, {
    help: { type: 'boolean', short: 'h' },
    frames: { type: 'string' },
    format: { type: 'string' },
    'output-format': { type: 'string' },
    species: { type: 'string' },
    precision: { type: 'string' },
    json: { type: 'string' },
  }, { min: 2, max: 2, names: '<input> <output>' });
  if (values.help) {
    io.out.write(CONVERT_HELP);
    return 0;
  }
  const [input, output] = positionals;
  const toStdout = output === '-';
  const report = new CommandOutput('convert', values, io);
  if (toStdout && report.json === '-') throw new UsageError("repap convert: the output '-' and --json - both write to stdout; send one of them to a file");
  const precision = values.precision === undefined ? undefined : numberOption('convert', values, 'precision', { min: 1, max: 17, integer: true, default: 0 });
  // the output is checked before the input is read
  const outPath = toStdout ? '-' : checkOutput('convert', 'the output', output, 'file');
  let outFormat: TrajectoryFormat | null;
  if (values['output-format'] !== undefined) outFormat = choiceOption<TrajectoryFormat>('convert', values, 'output-format', FORMATS, 'extxyz');
  else outFormat = toStdout ? 'extxyz' : formatFromPath(output);
  if (outFormat === null) {
    throw new UsageError(`repap convert: cannot tell the output format from '${output}'; name it .extxyz, .xyz, POSCAR, .vasp or .f32 (optionally .gz), or pass --output-format`);
  }
  if (outFormat === 'lammps-dump') throw new UsageError('repap convert: LAMMPS dumps are read, not written; write .extxyz, POSCAR or .f32');
  if (toStdout && outFormat !== 'extxyz') throw new UsageError(`repap convert: only extxyz goes to stdout ('-'); got --output-format ${outFormat}`);
  const options = readOptions('convert', values, input);
  let traj = await readTrajectoryFile('convert', input, 'input', options);
  const nIn = traj.nFrames;
  if (typeof values.frames === 'string') traj = takeFrames(traj, selectFrameSpec('convert', values.frames, traj.nFrames));
  if (outFormat === 'poscar' && traj.nFrames > 1) {
    throw new UsageError(`repap convert: a POSCAR holds one frame but ${traj.nFrames} are selected; pick one with --frames (e.g. --frames -1 for the last)`);
  }
  if (toStdout) {
    const text = writeExtxyz(traj, precision !== undefined ? { precision } : {});
    io.out.write(text);
  } else {
    await saveTrajectory(outPath, traj, { format: outFormat, ...(precision !== undefined ? { precision } : {}) });
  }
  const msg = `converted ${traj.nFrames} of ${nIn} frames (${traj.nAtoms} atoms) from ${input} to ${toStdout ? 'stdout' : outPath} (${outFormat})`;
  if (toStdout) io.err.write(msg + '\n');
  else report.line(msg);
  await report.emit({
    command: ['repap', 'convert', ...argv].join(' '),
    input,
    output: outPath,
    outputFormat: outFormat,
    inputFrames: nIn,
    frames: traj.nFrames,
    atoms: traj.nAtoms,
    frameSelection: typeof values.frames === 'string' ? values.frames : ':',
  });
  return 0;
}
