/**
 * `repap relax <in> --out <relaxed>`: energy minimisation of every frame at
 * fixed cell (FIRE, `relaxStructures`), with progress, a per-frame report of
 * frames that did not converge, and the relaxed frames written with their
 * energies before and after, steps and RMS displacement as per-frame keys.
 *
 * @module
 */
import { relaxStructures, type Potential } from '../../analysis/index.js';
import { shippedPotentialFor } from '../../analysis/ensemble.js';
import { saveTrajectory } from '../../node/index.js';
import { numberOption, parseCommand, UsageError } from '../args.js';
import { RELAX_HELP } from '../help.js';
import { checkOutput, CommandOutput, readTrajectoryFile } from '../files.js';
import { ProgressBar } from '../progress.js';
import type { CliIO } from '../main.js';

/** The potential for a structure's species: Stillinger-Weber for Si, Vashishta 1990 for Si and O. */
function potentialFor(species: readonly string[], input: string): Potential {
  const shipped = shippedPotentialFor(species);
  if (shipped) return shipped;
  const kinds = [...new Set(species)];
  throw new UsageError(
    `repap relax: ${input} holds ${kinds.join(', ')}; the command line relaxes Si (Stillinger-Weber) and SiO2 (Vashishta 1990) only. ` +
      `For other elements call relaxStructures(trajectory, { potential }) from the library with a potential for them`,
  );
}

/** Runs `repap relax`; returns the exit code. */
export async function relaxCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('relax', argv, {
    help: { type: 'boolean', short: 'h' },
    out: { type: 'string', short: 'o' },
    fmax: { type: 'string' },
    'max-steps': { type: 'string' },
    json: { type: 'string' },
  }, { min: 1, max: 1, names: '<input>' });
  if (values.help) {
    io.out.write(RELAX_HELP);
    return 0;
  }
  if (typeof values.out !== 'string') throw new UsageError('repap relax: give --out <file> for the relaxed structures (for example --out relaxed.extxyz)');
  const fmax = numberOption('relax', values, 'fmax', { min: 1e-8, max: 10, default: 1e-3 });
  const maxSteps = numberOption('relax', values, 'max-steps', { min: 1, max: 1e7, integer: true, default: 10_000 });
  const report = new CommandOutput('relax', values, io);
  // the output is checked before the work starts
  const outPath = checkOutput('relax', '--out', values.out, 'file');
  const input = positionals[0];
  const traj = await readTrajectoryFile('relax', input, 'input');
  const potential = potentialFor(traj.species, input);
  const bar = new ProgressBar('relaxing', traj.nFrames, io.err);
  const t0 = Date.now();
  const { trajectory, frames } = relaxStructures(traj, { fmax, maxSteps, potential, onProgress: (d) => bar.update(d) });
  bar.finish();
  const seconds = (Date.now() - t0) / 1000;
  const n = traj.nAtoms;
  const info = trajectory.info.map((i, f) => ({
    ...i,
    energy: frames.energyAfter[f],
    energyBefore: frames.energyBefore[f],
    steps: frames.steps[f],
    converged: frames.converged[f] === 1,
    fmaxAfter: frames.fmaxAfter[f],
    rmsDisplacement: frames.rmsDisplacement[f],
  }));
  await saveTrajectory(outPath, { ...trajectory, info });
  const failed: number[] = [];
  frames.converged.forEach((c, f) => {
    if (c !== 1) failed.push(f);
  });
  const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, x) => s + x, 0) / a.length;
  report.line(`relaxed ${traj.nFrames} structures of ${n} atoms from ${input} with ${potential.name} to fmax ${fmax} eV/Å in ${seconds.toFixed(1)} s`);
  report.line(`energy per atom: ${(mean(frames.energyBefore) / n).toFixed(5)} eV before, ${(mean(frames.energyAfter) / n).toFixed(5)} eV after (means); RMS displacement ${mean(frames.rmsDisplacement).toFixed(4)} Å; ${mean(frames.steps).toFixed(0)} steps per structure`);
  for (const f of failed) {
    report.line(`frame ${f}: not converged in ${maxSteps} steps (largest force ${frames.fmaxAfter[f].toExponential(2)} eV/Å); written as reached, converged=F`);
  }
  report.line(failed.length ? `${failed.length} of ${traj.nFrames} frames did not converge; raise --max-steps` : `all ${traj.nFrames} frames converged`);
  report.line(`wrote ${outPath}`);
  await report.emit({
    command: ['repap', 'relax', ...argv].join(' '),
    input, output: outPath, potential: potential.name, fmax, maxSteps, seconds,
    frames: {
      energyBefore: Array.from(frames.energyBefore), energyAfter: Array.from(frames.energyAfter), steps: Array.from(frames.steps),
      converged: Array.from(frames.converged, (c) => c === 1), fmaxAfter: Array.from(frames.fmaxAfter), rmsDisplacement: Array.from(frames.rmsDisplacement),
    },
    notConverged: failed,
  });
  return 0;
}
