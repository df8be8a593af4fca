/**
 * `repap rdf <trajectory>`: g(r) averaged over frames, written as CSV and SVG
 * into the `--out` folder.
 *
 * @module
 */
import { basename, extname, join } from 'node:path';
import { radialDistribution, rdfPeaks } from '../../analysis/index.js';
import { lineChart } from '../../plot/svg.js';
import { numberOption, parseCommand, UsageError } from '../args.js';
import { RDF_HELP } from '../help.js';
import { checkOutput, CommandOutput, readTrajectoryFile, writeText } from '../files.js';
import type { CliIO } from '../main.js';

/** The file stem of a trajectory: `run.extxyz.gz` -> `run`, `-` (stdin) -> `stdin`. */
export function trajectoryStem(path: string): string {
  if (path === '-') return 'stdin';
  let stem = basename(path);
  while (extname(stem) && /^\.(gz|extxyz|xyz|f32|f64|lammpstrj|dump|vasp|poscar)$/i.test(extname(stem))) stem = stem.slice(0, -extname(stem).length);
  return stem;
}

/** Runs `repap rdf`; returns the exit code. */
export async function rdfCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('rdf', argv, {
    help: { type: 'boolean', short: 'h' },
    'r-max': { type: 'string' },
    bins: { type: 'string' },
    out: { type: 'string', short: 'o' },
    json: { type: 'string' },
  }, { min: 1, max: 1, names: '<trajectory>' });
  if (values.help) {
    io.out.write(RDF_HELP);
    return 0;
  }
  const rMax = numberOption('rdf', values, 'r-max', { min: 1e-6, max: 1e4, default: 8 });
  const nBins = numberOption('rdf', values, 'bins', { min: 1, max: 1e6, integer: true, default: 160 });
  const path = positionals[0];
  // outputs are checked before the trajectory is read
  const outDir = checkOutput('rdf', '--out', typeof values.out === 'string' ? values.out : '.', 'folder');
  const report = new CommandOutput('rdf', values, io);
  const stem = trajectoryStem(path);
  const csvPath = join(outDir, `${stem}.rdf.csv`);
  const svgPath = join(outDir, `${stem}.rdf.svg`);
  const traj = await readTrajectoryFile('rdf', path);
  const t0 = Date.now();
  let rdf;
  try {
    rdf = radialDistribution(traj, { rMax, nBins });
  } catch (e) {
    // the limits on rMax and bins, a cell without volume: the input is the user's to change
    throw new UsageError(`repap rdf: ${(e as Error).message.replace(/^radialDistribution: /, '').replace(/options\.rMax/g, '--r-max').replace(/options\.nBins/g, '--bins').replace(/options\.frames[^;)]*/g, 'fewer frames')}`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const csv = [
    `# repap rdf of ${basename(path)}: ${traj.nFrames} frames, ${traj.nAtoms} atoms, rMax ${rMax} A, ${nBins} bins of ${rMax / nBins} A`,
    '# normalisation: LAMMPS convention g_k = 2 n_k / (N (N-1) V_k / V), all periodic images counted',
    'r_center,g',
    ...Array.from(rdf.r, (r, k) => `${r},${rdf.g[k]}`),
  ].join('\n') + '\n';
  writeText(csvPath, csv);
  writeText(
    svgPath,
    lineChart([{ label: basename(path), x: rdf.r, y: rdf.g }], { title: `g(r) of ${basename(path)}`, xLabel: 'r (Å)', yLabel: 'g(r)', referenceY: 1, xRange: [0, rMax] }),
  );
  const peaks = rdfPeaks(rdf.r, rdf.g, { count: 2 });
  report.line(`g(r) of ${traj.nFrames} frames x ${traj.nAtoms} atoms in ${seconds.toFixed(2)} s`);
  peaks.positions.forEach((r, i) => report.line(`${i === 0 ? 'first' : 'second'} peak: r = ${r.toFixed(3)} Å, g = ${peaks.heights[i].toFixed(4)}`));
  report.line(`wrote ${csvPath} and ${svgPath}`);
  await report.emit({
    command: ['repap', 'rdf', ...argv].join(' '),
    trajectory: path,
    frames: traj.nFrames,
    atoms: traj.nAtoms,
    rMax,
    nBins,
    dr: rMax / nBins,
    normalization: 'lammps',
    files: { csv: csvPath, svg: svgPath },
    peaks: Array.from(peaks.positions, (r, i) => ({ r, g: peaks.heights[i] })),
    r: Array.from(rdf.r),
    g: Array.from(rdf.g),
  });
  return 0;
}
