/**
 * VASP POSCAR / CONTCAR: one structure, read and written as ASE does
 * (VASP 5 layout with a species line; VASP 4 files without one need the
 * `species` option).
 *
 * @module
 */
import type { Cell, Trajectory, Vec3 } from '../structure/trajectory.js';
import type { PositionsDtype } from '../structure/build.js';
import { validateTrajectory } from '../structure/build.js';
import { cellInverse, cellVolume } from '../structure/cell.js';
import { cursor, formatFloat, lineText, quoteToken, scanNumber, skipBlanks, speciesError, flatCellError, tokenEnd } from './scan.js';

/** Options of {@link readPoscar}. */
export interface ReadPoscarOptions {
  /** Name of the input (a file name) used in error messages. Default `'POSCAR'`. */
  source?: string;
  /**
   * Species names, one per count of the counts line, for VASP 4 files that
   * have no species line (`['Si', 'O']`). Ignored when the file has a species line.
   */
  species?: readonly string[];
  /** Element type of the positions. Default `'float64'`. */
  dtype?: PositionsDtype;
}

/** Options of {@link writePoscar}. */
export interface WritePoscarOptions {
  /** Which frame to write (negative counts from the end). Required when the trajectory has more than one frame. */
  frame?: number;
  /** `'cartesian'` (default, as ASE) or `'direct'` (fractional). */
  coordinates?: 'cartesian' | 'direct';
  /** The first (comment) line. Default: the species counts, as ASE writes (`Si30`). */
  comment?: string;
}

/** A line cursor over the text. */
class Lines {
  pos = 0;
  line = 0;
  constructor(readonly text: string, readonly source: string) {}
  /** Start index of the next line, advancing; throws at end of file. */
  next(what: string): number {
    if (this.pos >= this.text.length) {
      throw new Error(`${this.source}:${this.line + 1}: the file ends here; expected ${what}`);
    }
    const start = this.pos;
    const nl = this.text.indexOf('\n', start);
    this.pos = nl === -1 ? this.text.length : nl + 1;
    this.line++;
    return start;
  }
  where(): string {
    return `${this.source}:${this.line}`;
  }
}

function readNumbers(t: Lines, start: number, count: number, what: string, finite = true): number[] {
  const out: number[] = [];
  let i = start;
  for (let k = 0; k < count; k++) {
    i = skipBlanks(t.text, i);
    const v = scanNumber(t.text, i);
    if (!cursor.ok || (finite && !Number.isFinite(v))) {
      throw new Error(`${t.where()}: value ${k + 1} of ${what} is ${quoteToken(t.text, i)}; expected ${count} numbers (line: "${lineText(t.text, start).trim()}")`);
    }
    out.push(v);
    i = cursor.end;
  }
  return out;
}

/** Number of lines from `start` to the end of the text (a last line without a newline counts). */
function countLines(text: string, start: number): number {
  let n = 0;
  let i = start;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    n++;
    if (nl === -1) break;
    i = nl + 1;
  }
  return n;
}

function tokens(text: string, start: number): string[] {
  return lineText(text, start).trim().split(/\s+/).filter((s) => s.length > 0);
}

/**
 * Reads a VASP POSCAR or CONTCAR: comment line, scale factor (a negative
 * value is the cell volume in Å³; three values scale a, b, c separately),
 * three lattice vectors, the species line (VASP 5), the counts line, an
 * optional `Selective dynamics` line, `Direct` or `Cartesian`, then one
 * position per atom. Returns a one-frame periodic trajectory; positions are
 * Cartesian in Å. Trailing velocity blocks are ignored.
 *
 * @throws Error naming `source:line` and what is expected; a VASP 4 file
 *   without a species line and without the `species` option says how to fix it.
 */
export function readPoscar(text: string, options: ReadPoscarOptions = {}): Trajectory {
  const source = options.source ?? 'POSCAR';
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw new Error(`${source}: the file is empty; expected a POSCAR (comment, scale, 3 lattice vectors, species, counts, Direct/Cartesian, positions)`);
  }
  const t = new Lines(text, source);
  const commentStart = t.next('a comment line');
  const comment = lineText(text, commentStart).trim();
  // scale factor(s)
  const scaleStart = t.next('the scale factor');
  const scaleTokens = tokens(text, scaleStart);
  const scales = readNumbers(t, scaleStart, scaleTokens.length >= 3 ? 3 : 1, 'the scale factor');
  const rows: Vec3[] = [];
  for (let r = 0; r < 3; r++) {
    const s = t.next(`lattice vector ${'abc'[r]} (3 numbers)`);
    const v = readNumbers(t, s, 3, `lattice vector ${'abc'[r]}`);
    rows.push([v[0], v[1], v[2]]);
  }
  let cell: Cell = [rows[0], rows[1], rows[2]];
  // the factor applied to the x, y, z components of the lattice vectors and of Cartesian positions
  let cartScale: Vec3;
  if (scales.length === 3) {
    // VASP 6: three factors scale the x, y, z Cartesian components
    if (scales.some((s) => s <= 0)) throw new Error(`${source}:2: three scale factors must be positive; got ${scales.join(' ')}`);
    cartScale = [scales[0], scales[1], scales[2]];
  } else {
    let s = scales[0];
    if (s === 0) throw new Error(`${source}:2: the scale factor is 0; expected a positive factor or a negative cell volume in Å³`);
    if (s < 0) s = Math.cbrt(-s / cellVolume(cell)); // a negative factor is the volume
    cartScale = [s, s, s];
  }
  cell = cell.map((row) => row.map((x, d) => x * cartScale[d]) as Vec3) as Cell;
  if (cell.some((row) => row.some((x) => !Number.isFinite(x))) || cartScale.some((x) => !Number.isFinite(x) || x <= 0)) {
    throw new Error(`${source}:3: the scaled lattice vectors are ${JSON.stringify(cell)}; expected finite lengths in Å (check the scale factor and lattice lines)`);
  }
  {
    const flat = flatCellError(`${source}:3`, cell, [true, true, true], 'the lattice');
    if (flat) throw flat;
  }
  // species line (VASP 5) or counts line (VASP 4)
  let lineStart = t.next('the species or counts line');
  let toks = tokens(text, lineStart);
  let names: string[];
  if (toks.length > 0 && !/^[+-]?\d/.test(toks[0])) {
    names = toks.map((s) => s.replace(/[/_].*$/, '')); // "Si_pv" or "Si/abc" (POTCAR labels) -> "Si"
    lineStart = t.next('the counts line (number of atoms per species)');
    toks = tokens(text, lineStart);
  } else if (options.species && options.species.length > 0) {
    names = options.species.slice();
  } else {
    throw new Error(
      `${source}:6: this is a VASP 4 POSCAR without a species line (line 6 holds the counts "${toks.join(' ')}"); pass the species, one per count, e.g. { species: ['Si'] }, or add a species line above the counts`,
    );
  }
  const counts = toks.map((w) => (/^\+?\d+$/.test(w) ? Number(w) : NaN));
  const countsWhere = t.where();
  if (counts.length === 0 || counts.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new Error(`${countsWhere}: the counts line is "${toks.join(' ').slice(0, 80)}"; expected non-negative whole numbers written as digits, one per species`);
  }
  if (counts.length !== names.length) {
    throw new Error(`${countsWhere}: ${counts.length} counts (${toks.join(' ')}) but ${names.length} species (${names.join(' ')}); expected one count per species`);
  }
  for (const name of names) {
    const bad = speciesError(countsWhere, name);
    if (bad) throw bad;
  }
  const nAtoms = counts.reduce((a, b) => a + b, 0);
  if (nAtoms < 1) throw new Error(`${countsWhere}: the counts add up to 0 atoms; expected at least one atom`);
  // Check the counts against the file before allocating: each atom needs a line below this one.
  const linesLeft = countLines(text, t.pos);
  if (nAtoms > linesLeft) {
    throw new Error(
      `${countsWhere}: the counts "${toks.join(' ').slice(0, 80)}" add up to ${nAtoms} atoms but only ${linesLeft} line${linesLeft === 1 ? '' : 's'} follow; expected one position line per atom (is the counts line right?)`,
    );
  }
  const species: string[] = [];
  names.forEach((name, k) => { for (let i = 0; i < counts[k]; i++) species.push(name); });
  let modeStart = t.next('Direct or Cartesian');
  let mode = lineText(text, modeStart).trim();
  let selective = false;
  if (/^s/i.test(mode)) {
    selective = true;
    modeStart = t.next('Direct or Cartesian');
    mode = lineText(text, modeStart).trim();
  }
  let cartesian: boolean;
  if (/^[ck]/i.test(mode)) cartesian = true;
  else if (/^d/i.test(mode)) cartesian = false;
  else throw new Error(`${t.where()}: found "${mode}"; expected Direct or Cartesian (or Selective dynamics before them)`);
  const positions = options.dtype === 'float32' ? new Float32Array(nAtoms * 3) : new Float64Array(nAtoms * 3);
  const tmp = new Float64Array(3);
  for (let a = 0; a < nAtoms; a++) {
    const s = t.next(`the position of atom ${a + 1} of ${nAtoms}`);
    const v = readNumbers(t, s, 3, `the position of atom ${a + 1}`);
    if (cartesian) {
      tmp[0] = v[0] * cartScale[0]; tmp[1] = v[1] * cartScale[1]; tmp[2] = v[2] * cartScale[2];
    } else {
      for (let d = 0; d < 3; d++) tmp[d] = v[0] * cell[0][d] + v[1] * cell[1][d] + v[2] * cell[2][d];
    }
    positions[3 * a] = tmp[0]; positions[3 * a + 1] = tmp[1]; positions[3 * a + 2] = tmp[2];
    if (selective) {
      // the T/F flags are read but not kept
      let i = cursor.end;
      for (let k = 0; k < 3; k++) { i = skipBlanks(text, i); i = tokenEnd(text, i); }
    }
  }
  try {
    cellInverse(cell); // the flat cells are caught above; this guards the rest (overflow)
  } catch (e) {
    throw new Error(`${source}:3: ${(e as Error).message}`);
  }
  return validateTrajectory(
    { nFrames: 1, nAtoms, positions, cell, pbc: [true, true, true], species, info: [comment ? { comment } : {}] },
    source,
  );
}

/** Runs of equal consecutive species: `['Si','Si','O']` -> `[['Si', 2], ['O', 1]]`. */
function speciesRuns(species: readonly string[]): Array<[string, number]> {
  const runs: Array<[string, number]> = [];
  for (const s of species) {
    if (runs.length > 0 && runs[runs.length - 1][0] === s) runs[runs.length - 1][1]++;
    else runs.push([s, 1]);
  }
  return runs;
}

function fmt(v: number): string {
  const s = formatFloat(v === 0 ? 0 : v);
  return s.padStart(22);
}

/**
 * Writes one frame as a VASP 5 POSCAR: comment, scale 1.0, the lattice
 * vectors, species and counts lines, `Cartesian` (default) or `Direct`, one
 * position per line. Consecutive atoms of one species form one group, so the
 * atom order is kept (`Si Si O Si` gives the groups `Si O Si`). Numbers are
 * written in the shortest form that reads back exactly.
 *
 * @throws Error when the trajectory has no cell, or has several frames and
 *   `frame` is not given.
 */
export function writePoscar(traj: Trajectory, options: WritePoscarOptions = {}): string {
  validateTrajectory(traj, 'writePoscar');
  if (!traj.cell) {
    throw new Error('writePoscar: the trajectory has no cell (cell is null); POSCAR needs lattice vectors: set a cell, e.g. a box around the molecule');
  }
  let f = options.frame;
  if (f === undefined) {
    if (traj.nFrames > 1) {
      throw new Error(`writePoscar: the trajectory has ${traj.nFrames} frames but a POSCAR holds one; pass { frame: i } (for example -1 for the last)`);
    }
    f = 0;
  }
  if (f < 0) f += traj.nFrames;
  if (!Number.isInteger(f) || f < 0 || f >= traj.nFrames) {
    throw new Error(`writePoscar: frame is ${options.frame}; expected an integer in [${-traj.nFrames}, ${traj.nFrames})`);
  }
  const coords = options.coordinates ?? 'cartesian';
  if (coords !== 'cartesian' && coords !== 'direct') {
    throw new Error(`writePoscar: coordinates is ${String(coords)}; expected 'cartesian' or 'direct'`);
  }
  const runs = speciesRuns(traj.species);
  const comment = (options.comment ?? runs.map(([s, n]) => `${s}${n}`).join('')).replace(/\n/g, ' ');
  const lines: string[] = [comment, '1.0'];
  for (const row of traj.cell) lines.push(row.map(fmt).join(''));
  lines.push(runs.map(([s]) => s.padStart(4)).join(''));
  lines.push(runs.map(([, n]) => String(n).padStart(4)).join(''));
  lines.push(coords === 'cartesian' ? 'Cartesian' : 'Direct');
  const n = traj.nAtoms;
  const p = traj.positions;
  const inv = coords === 'direct' ? cellInverse(traj.cell) : null;
  for (let a = 0; a < n; a++) {
    const o = (f * n + a) * 3;
    let x = p[o], y = p[o + 1], z = p[o + 2];
    if (inv) {
      const u = x * inv[0] + y * inv[3] + z * inv[6];
      const v = x * inv[1] + y * inv[4] + z * inv[7];
      const w = x * inv[2] + y * inv[5] + z * inv[8];
      x = u; y = v; z = w;
    }
    lines.push(fmt(x) + fmt(y) + fmt(z));
  }
  return lines.join('\n') + '\n';
}
