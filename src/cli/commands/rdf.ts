/**
 * `repap rdf <trajectory>`: g(r) averaged over frames, written as CSV and SVG.
 *
 * @module
 */
import { basename, extname, resolve } from 'node:path';
import { radialDistribution, rdfPeaks } from '../../analysis/index.js';
import { lineChart } from '../../plot/svg.js';
import { numberOption, parseCommand } from '../args.js';
import { RDF_HELP } from '../help.js';
import { readTrajectoryFile, writeText } from '../files.js';
import type { CliIO } from '../main.js';

/** Runs `repap rdf`; returns the exit code. */
export async function rdfCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('rdf', argv, {
    help: { type: 'boolean', short: 'h' },
    'r-max': { type: 'string' },
    bins: { type: 'string' },
    out: { type: 'string', short: 'o' },
  }, { min: 1, max: 1, names: '<trajectory>' });
  if (values.help) {
    io.out.write(RDF_HELP);
    return 0;
  }
  const rMax = numberOption('rdf', values, 'r-max', { min: 1e-6, max: 1e4, default: 8 });
  const nBins = numberOption('rdf', values, 'bins', { min: 1, max: 1e6, integer: true, default: 160 });
  const path = positionals[0];
  const traj = await readTrajectoryFile('rdf', path);
  const t0 = Date.now();
  const rdf = radialDistribution(traj, { rMax, nBins });
  const seconds = (Date.now() - t0) / 1000;
  let stem = basename(path);
  while (extname(stem) && /^\.(gz|extxyz|xyz|f32|f64)$/.test(extname(stem))) stem = stem.slice(0, -extname(stem).length);
  const prefix = typeof values.out === 'string' ? values.out : resolve(stem + '.rdf');
  const csv = [
    `# repap rdf of ${basename(path)}: ${traj.nFrames} frames, ${traj.nAtoms} atoms, rMax ${rMax} A, ${nBins} bins of ${rMax / nBins} A`,
    '# normalisation: LAMMPS convention g_k = 2 n_k / (N (N-1) V_k / V), all periodic images counted',
    'r_center,g',
    ...Array.from(rdf.r, (r, k) => `${r},${rdf.g[k]}`),
  ].join('\n') + '\n';
  writeText(`${prefix}.csv`, csv);
  writeText(
    `${prefix}.svg`,
    lineChart([{ label: basename(path), x: rdf.r, y: rdf.g }], { title: `g(r) of ${basename(path)}`, xLabel: 'r (Å)', yLabel: 'g(r)', referenceY: 1, xRange: [0, rMax] }),
  );
  const peaks = rdfPeaks(rdf.r, rdf.g, { count: 2 });
  io.out.write(`g(r) of ${traj.nFrames} frames x ${traj.nAtoms} atoms in ${seconds.toFixed(2)} s\n`);
  peaks.positions.forEach((r, i) => io.out.write(`${i === 0 ? 'first' : 'second'} peak: r = ${r.toFixed(3)} Å, g = ${peaks.heights[i].toFixed(4)}\n`));
  io.out.write(`wrote ${prefix}.csv and ${prefix}.svg\n`);
  return 0;
}
