/**
 * `repap info <file>`: what a trajectory file holds (frames, atoms, species,
 * cell, pbc, info keys, energy range, extra columns), as `ase info` does.
 *
 * @module
 */
import { formatFromPath, type LoadTrajectoryOptions, type TrajectoryFormat } from '../../node/index.js';
import { cellVolume } from '../../structure/cell.js';
import type { Trajectory } from '../../structure/trajectory.js';
import { choiceOption, parseCommand, UsageError } from '../args.js';
import { INFO_HELP } from '../help.js';
import { CommandOutput, readTrajectoryFile } from '../files.js';
import type { CliIO } from '../main.js';

/** The trajectory formats the CLI reads and writes. */
export const FORMATS: readonly TrajectoryFormat[] = ['extxyz', 'poscar', 'lammps-dump', 'raw'];

/**
 * Reading options from `--format` and `--species` (symbols of LAMMPS atom
 * types 1, 2, ... or of the counts of a VASP 4 POSCAR).
 */
export function readOptions(command: string, values: Record<string, string | boolean | undefined>, path: string): LoadTrajectoryOptions {
  const format = values.format === undefined ? undefined : choiceOption<TrajectoryFormat>(command, values, 'format', FORMATS, 'extxyz');
  const opts: { format?: TrajectoryFormat; typeToSpecies?: string[]; species?: string[] } = {};
  if (format) opts.format = format;
  if (typeof values.species === 'string') {
    const list = values.species.split(',').map((s) => s.trim());
    if (list.some((s) => s === '')) throw new UsageError(`repap ${command}: --species is '${values.species}'; expected chemical symbols separated by commas, e.g. Si,O`);
    const f = format ?? (path === '-' ? 'extxyz' : formatFromPath(path));
    if (f === 'lammps-dump') opts.typeToSpecies = list;
    else if (f === 'poscar') opts.species = list;
    else throw new UsageError(`repap ${command}: --species applies to LAMMPS dumps (the symbol of each atom type) and VASP 4 POSCARs (one symbol per count); ${path} is read as ${f ?? 'an unknown format'}`);
  }
  return opts;
}

/** A summary of a trajectory: the `repap info` JSON body. */
export function describeTrajectory(traj: Trajectory): Record<string, unknown> {
  const counts: Record<string, number> = {};
  for (const s of traj.species) counts[s] = (counts[s] ?? 0) + 1;
  const keys = new Set<string>();
  for (const f of traj.info) for (const k of Object.keys(f)) keys.add(k);
  let energy: { min: number; max: number; mean: number; frames: number; perAtom: { min: number; max: number; mean: number } } | null = null;
  let lo = Infinity, hi = -Infinity, sum = 0, n = 0;
  for (const f of traj.info) {
    const e = f.energy;
    if (typeof e === 'number' && Number.isFinite(e)) {
      lo = Math.min(lo, e);
      hi = Math.max(hi, e);
      sum += e;
      n++;
    }
  }
  if (n > 0) {
    const a = traj.nAtoms;
    energy = { min: lo, max: hi, mean: sum / n, frames: n, perAtom: { min: lo / a, max: hi / a, mean: sum / n / a } };
  }
  let volume: number | null = null;
  if (traj.cell) {
    const v = Math.abs(cellVolume(traj.cell));
    volume = v > 0 ? v : null;
  }
  return {
    frames: traj.nFrames,
    atoms: traj.nAtoms,
    species: counts,
    formula: Object.entries(counts).map(([s, k]) => `${s}${k}`).join(''),
    cell: traj.cell,
    pbc: traj.pbc,
    volume,
    infoKeys: [...keys].sort(),
    arrays: Object.entries(traj.arrays ?? {}).map(([name, a]) => ({ name, type: a.type, columns: a.nCols })),
    energy,
  };
}

/** Runs `repap info`; returns the exit code. */
export async function infoCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand('info', argv, {
    help: { type: 'boolean', short: 'h' },
    format: { type: 'string' },
    species: { type: 'string' },
    json: { type: 'string' },
  }, { min: 1, max: 1, names: '<file>' });
  if (values.help) {
    io.out.write(INFO_HELP);
    return 0;
  }
  const path = positionals[0];
  const report = new CommandOutput('info', values, io);
  const options = readOptions('info', values, path);
  const format = options.format ?? (path === '-' ? 'extxyz' : formatFromPath(path));
  const traj = await readTrajectoryFile('info', path, 'file', options);
  const d = describeTrajectory(traj);
  const fmt = (v: number): string => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(4) : String(Number(v.toFixed(6))));
  report.line(`file        ${path} (${format ?? 'unknown format'})`);
  report.line(`frames      ${traj.nFrames}`);
  report.line(`atoms       ${traj.nAtoms} (${d.formula})`);
  report.line(`species     ${Object.entries(d.species as Record<string, number>).map(([s, k]) => `${s} ${k}`).join(', ')}`);
  if (traj.cell) {
    report.line(`cell (Å)    a = ${traj.cell[0].map(fmt).join(' ')}`);
    report.line(`            b = ${traj.cell[1].map(fmt).join(' ')}`);
    report.line(`            c = ${traj.cell[2].map(fmt).join(' ')}`);
    report.line(`volume      ${d.volume === null ? 'flat cell (zero volume)' : `${fmt(d.volume as number)} Å³`}`);
  } else report.line('cell        none (a molecule)');
  report.line(`pbc         ${traj.pbc.map((b) => (b ? 'T' : 'F')).join(' ')}`);
  const keys = d.infoKeys as string[];
  report.line(`info keys   ${keys.length > 0 ? keys.join(', ') : 'none'}`);
  const arrays = d.arrays as Array<{ name: string; type: string; columns: number }>;
  if (arrays.length > 0) report.line(`columns     ${arrays.map((a) => `${a.name} (${a.type} x${a.columns})`).join(', ')}`);
  const e = d.energy as { min: number; max: number; mean: number; frames: number; perAtom: { min: number; max: number; mean: number } } | null;
  if (e) {
    report.line(`energy (eV) ${fmt(e.min)} to ${fmt(e.max)}, mean ${fmt(e.mean)} (${e.frames} frames); per atom ${fmt(e.perAtom.min)} to ${fmt(e.perAtom.max)}`);
  } else report.line('energy      none (no energy= in the frames)');
  await report.emit({ command: ['repap', 'info', ...argv].join(' '), file: path, format, ...d });
  return 0;
}
