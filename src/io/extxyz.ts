/**
 * Extended XYZ (extxyz), multi-frame, as ASE reads and writes it:
 *
 * ```
 * 30
 * Lattice="8.43 0.0 0.0 0.0 8.43 0.0 0.0 0.0 8.43" Properties=species:S:1:pos:R:3 energy=-121.74 pbc="T T T"
 * Si 5.614792 4.660184 4.756260
 * ...
 * ```
 *
 * @module
 */
import type { AtomArray, Cell, FrameInfo, Pbc, Positions, Trajectory } from '../structure/trajectory.js';
import type { PositionsDtype } from '../structure/build.js';
import { validateTrajectory } from '../structure/build.js';
import { chemicalSymbols } from '../structure/elements.js';
import { convertValue, escapeValue, formatInfoValue, splitKeyValues } from './keyvalue.js';
import { cursor, detach, formatFloat, formatFloat32, lineText, quoteToken, scanNumber, skipBlanks, speciesError, flatCellError, tokenEnd } from './scan.js';

/** Options of {@link readExtxyz}. */
export interface ReadExtxyzOptions {
  /** Name of the input (a file name) used in error messages. Default `'extxyz'`. */
  source?: string;
  /**
   * Element type of the positions. `'float64'` (default) keeps every digit;
   * `'float32'` halves the memory (values round to about 7 significant digits,
   * 1e-6 Å at 10 Å).
   */
  dtype?: PositionsDtype;
}

/** Options of {@link writeExtxyz}. */
export interface WriteExtxyzOptions {
  /**
   * Decimals for positions and real columns, as `%.Nf` (ASE writes `%16.8f`).
   * Default: the shortest text that reads back to exactly the stored number.
   */
  precision?: number;
  /** Write the per-frame info records (default true). */
  writeInfo?: boolean;
}

/** Column kinds of a parsed `Properties=` specification. */
const enum Kind { Species, Z, Pos, Real, Int, Logical, Str }

interface Column {
  name: string;
  kind: Kind;
  nCols: number;
  /** Target array for extra columns. */
  array?: AtomArray;
}

/** extxyz property names that ASE renames (`charge` -> `charges`). */
const ASE_ARRAY_NAMES: Record<string, string> = { charge: 'charges' };
const EXTXYZ_ARRAY_NAMES: Record<string, string> = { charges: 'charge' };

function parseProperties(spec: string, where: string): Column[] {
  const fields = spec.split(':');
  if (fields.length % 3 !== 0 || fields.length === 0) {
    throw new Error(`${where}: Properties=${spec} is not a list of name:type:ncols triples; expected for example Properties=species:S:1:pos:R:3`);
  }
  const cols: Column[] = [];
  for (let i = 0; i < fields.length; i += 3) {
    const name = fields[i];
    const type = fields[i + 1];
    const n = Number(fields[i + 2]);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`${where}: Properties column ${name} has ${fields[i + 2]} columns; expected a positive integer (Properties=${spec})`);
    }
    if (type !== 'R' && type !== 'I' && type !== 'S' && type !== 'L') {
      throw new Error(`${where}: unknown column type '${type}' for property ${name} in Properties=${spec}; expected R (real), I (integer), S (string) or L (logical)`);
    }
    let kind: Kind;
    if (name === 'species' && type === 'S' && n === 1) kind = Kind.Species;
    else if (name === 'Z' && type === 'I' && n === 1) kind = Kind.Z;
    else if (name === 'pos') {
      if (type !== 'R' || n !== 3) throw new Error(`${where}: Properties has pos:${type}:${n}; expected pos:R:3 (Cartesian positions in Å)`);
      kind = Kind.Pos;
    } else kind = type === 'R' ? Kind.Real : type === 'I' ? Kind.Int : type === 'L' ? Kind.Logical : Kind.Str;
    cols.push({ name, kind, nCols: n });
  }
  if (!cols.some((c) => c.kind === Kind.Pos)) {
    throw new Error(`${where}: Properties=${spec} has no pos:R:3 column; expected the Cartesian positions`);
  }
  if (!cols.some((c) => c.kind === Kind.Species || c.kind === Kind.Z)) {
    throw new Error(`${where}: Properties=${spec} has neither species:S:1 nor Z:I:1; expected the chemical species of each atom`);
  }
  return cols;
}

interface Header {
  info: FrameInfo;
  lattice: number[] | null;
  pbc: Pbc | null;
  properties: string;
}

/** Raw text of the previous frame's Lattice and pbc, to skip re-parsing identical values. */
interface HeaderCache { latticeRaw: string; lattice: number[] | null; pbcRaw: string; pbc: Pbc | null }

function parseHeader(line: string, where: string, cache: HeaderCache): Header {
  const info: FrameInfo = {};
  let lattice: number[] | null = null;
  let pbc: Pbc | null = null;
  let properties = 'species:S:1:pos:R:3';
  for (const [key, raw] of splitKeyValues(line)) {
    if (key === 'Lattice') {
      if (raw === cache.latticeRaw) { lattice = cache.lattice; continue; }
      const v = convertValue(raw);
      const arr = typeof v === 'number' ? [v] : v;
      if (!Array.isArray(arr) || arr.length !== 9 || arr.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
        // name the first word that is not a finite number before counting values ("abc" is one string value)
        const words = raw.trim().split(/\s+/).filter((w) => w.length > 0);
        const badWord = words.findIndex((w) => !Number.isFinite(Number(w)));
        if (badWord >= 0) {
          throw new Error(`${where}: Lattice="${raw}": value ${badWord + 1} is "${words[badWord].slice(0, 30)}", not a finite number; expected 9 numbers (the lattice vectors a, b, c, row by row, in Å)`);
        }
        throw new Error(`${where}: Lattice="${raw}" has ${words.length} value${words.length === 1 ? '' : 's'}; expected 9 finite numbers (the lattice vectors a, b, c, row by row, in Å)`);
      }
      lattice = arr as number[];
      cache.latticeRaw = raw;
      cache.lattice = lattice;
    } else if (key === 'Properties') {
      properties = raw;
    } else if (key === 'pbc') {
      if (raw === cache.pbcRaw) { pbc = cache.pbc; continue; }
      const v = convertValue(raw);
      if (Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'boolean')) pbc = v as Pbc;
      else if (typeof v === 'boolean') pbc = [v, v, v];
      else throw new Error(`${where}: pbc="${raw}"; expected three of T/F, for example pbc="T T T"`);
      cache.pbcRaw = raw;
      cache.pbc = pbc;
    } else {
      info[key] = convertValue(raw);
    }
  }
  return { info, lattice, pbc, properties };
}

/** Result of {@link scanFrames}. */
interface FrameScan { nFrames: number; nAtoms: number; end: number; endLine: number }

/**
 * Walks the count lines from `pos` (at line `line`): counts the complete
 * frames and checks their atom counts. With `final` false it stops before a
 * frame whose last line has not arrived yet (streaming); with `final` true
 * an incomplete frame is a truncated file.
 */
function scanFrames(text: string, source: string, pos: number, line: number, nAtoms: number, framesBefore: number, final: boolean): FrameScan {
  const len = text.length;
  let nFrames = 0;
  for (;;) {
    // skip blank lines between/after frames (trailing blank lines are common)
    const start = pos;
    const startLine = line;
    let p = skipBlanks(text, pos);
    while (p < len && text.charCodeAt(p) === 10) { pos = p + 1; line++; p = skipBlanks(text, pos); }
    if (p >= len) {
      if (!final) { pos = start; line = startLine; }
      break;
    }
    const frame = framesBefore + nFrames;
    const n = scanNumber(text, p);
    const after = skipBlanks(text, cursor.end);
    if (!final && after >= len) { pos = start; line = startLine; break; }
    if (!cursor.ok || !Number.isInteger(n) || n < 0 || (after < len && text.charCodeAt(after) !== 10)) {
      throw new Error(
        `${source}:${line}: expected the atom count of frame ${frame} (a line holding one integer), found "${lineText(text, pos).slice(0, 60)}"` +
          (frame > 0 ? `; frame ${frame - 1} may have more atom lines than its count says` : ''),
      );
    }
    if (nAtoms === -1) {
      if (n < 1) throw new Error(`${source}:${line}: frame 0 has 0 atoms; expected at least one atom`);
      nAtoms = n;
    } else if (n !== nAtoms) {
      throw new Error(
        `${source}:${line}: frame ${frame} has ${n} atoms but frame 0 has ${nAtoms}; a trajectory needs the same atoms in every frame (split the file, or read it with ASE)`,
      );
    }
    // the comment line and n atom lines follow; the last line of the file may lack its newline
    if (after >= len) {
      throw new Error(`${source}:${line}: frame ${frame} is truncated: the file ends after its count line; expected a comment line and ${n} atom lines`);
    }
    let q = after + 1;
    let complete = true;
    for (let k = 0; k < n + 1; k++) {
      if (q >= len) {
        if (!final) { complete = false; break; }
        throw new Error(
          `${source}:${line}: frame ${frame} is truncated: its count line says ${n} atoms but the file ends after ${Math.max(0, k - 1)} atom line${k - 1 === 1 ? '' : 's'}; expected a comment line and ${n} atom lines`,
        );
      }
      const nl = text.indexOf('\n', q);
      if (nl === -1 && !final) { complete = false; break; }
      q = nl === -1 ? len : nl + 1;
    }
    if (!complete) { pos = start; line = startLine; break; }
    nFrames++;
    pos = q;
    line += n + 2;
  }
  if (final && framesBefore + nFrames === 0) {
    throw new Error(`${source}: the file is empty; expected an extxyz frame (an atom count line, a comment line, then one line per atom)`);
  }
  return { nFrames, nAtoms, end: pos, endLine: line };
}

function capitalize(s: string): string {
  return s.length === 0 ? s : s[0].toUpperCase() + s.slice(1).toLowerCase();
}

/**
 * Reads a multi-frame extended XYZ text, as written by ASE, LAMMPS (`dump
 * xyz` with extxyz comment lines), OVITO or {@link writeExtxyz}.
 *
 * - `Lattice="ax ay az bx by bz cx cy cz"` gives the cell (rows a, b, c in Å);
 *   no Lattice gives `cell: null` (a molecule).
 * - `pbc="T T F"` gives pbc; without it pbc is T T T when a Lattice is given
 *   (as in ASE), else F F F.
 * - `Properties=species:S:1:pos:R:3:...` columns may come in any order; `Z:I:1`
 *   can replace `species`. Extra columns (`forces:R:3`, `tags:I:1`, ...) go to
 *   `arrays` (`charge` is renamed `charges`, as in ASE).
 * - Every other key=value goes to `info` of its frame, typed like ASE does:
 *   numbers, T/F (or True/False) booleans, arrays of those in quotes,
 *   else strings. `energy` is `info.energy`.
 * - Species are capitalised like ASE (`si` -> `Si`).
 *
 * Every frame must have the same atoms (count, species, order), columns and
 * cell. Reads 40,000 frames of 30 atoms (44 MB) in well under a second on one
 * core; memory is the positions plus one small info record per frame.
 *
 * @param text the file contents.
 * @throws Error naming `source:line` and what was expected, for an empty or
 *   truncated file, differing atom counts, NaN/Inf or malformed numbers, a
 *   Lattice without 9 values, an unknown column type, changing species or cell.
 */
export function readExtxyz(text: string, options: ReadExtxyzOptions = {}): Trajectory {
  if (typeof text !== 'string') throw new Error(`${options.source ?? 'extxyz'}: readExtxyz expects the file contents as a string`);
  const reader = new ExtxyzReader(options);
  reader.push(text, true);
  return reader.finish();
}

/** Options of {@link ExtxyzReader}. */
export interface ExtxyzReaderOptions extends ReadExtxyzOptions {
  /**
   * Expected length of the whole text in chars (a file size, a gzip ISIZE):
   * positions are then allocated once for about that many frames instead of
   * growing. A wrong guess costs time, not correctness.
   */
  expectedLength?: number;
}

/**
 * Incremental extxyz reader: `push` the text in pieces as they arrive (from
 * a file or gunzip stream, a fetch body), then `finish`. Only the positions,
 * the info records and the current unfinished frame are held, never the
 * whole text, so a large `.extxyz.gz` loads in about the memory of its
 * positions. Same rules and errors as {@link readExtxyz}.
 *
 * ```ts
 * const reader = new ExtxyzReader({ source: 'run.extxyz' });
 * for await (const piece of textStream) reader.push(piece);
 * const traj = reader.finish();
 * ```
 */
export class ExtxyzReader {
  private readonly source: string;
  private readonly dtype: PositionsDtype;
  private readonly expectedLength: number;
  /** Text received but not parsed yet: the unfinished frame, then newer pieces. */
  private pending: string[] = [];
  private pendingLength = 0;
  /** Pending length at which to try again after a piece completed no frame (doubles: big frames stay linear). */
  private nextTry = 0;
  private line = 1;
  private nFrames = 0;
  private nAtoms = -1;
  private capacity = 0;
  private positions: Positions = new Float64Array(0);
  private info: FrameInfo[] = [];
  private speciesRaw: string[] = [];
  private numbers: Int32Array | null = null;
  private cols: Column[] = [];
  private propertiesSpec = '';
  private lattice0: number[] | null = null;
  private pbc0: Pbc = [false, false, false];
  private arrays: Record<string, AtomArray> = {};
  private readonly cache: HeaderCache = { latticeRaw: '\u0000', lattice: null, pbcRaw: '\u0000', pbc: null };
  private finished = false;
  private result: Trajectory | null = null;

  /** Starts an empty reader. */
  constructor(options: ExtxyzReaderOptions = {}) {
    this.source = options.source ?? 'extxyz';
    this.dtype = options.dtype ?? 'float64';
    if (this.dtype !== 'float64' && this.dtype !== 'float32') {
      throw new Error(`readExtxyz: dtype is ${String(this.dtype)}; expected 'float64' or 'float32'`);
    }
    this.expectedLength = options.expectedLength ?? 0;
  }

  /**
   * Adds the next piece of text and parses every frame it completes.
   * `last` marks the final piece (then `finish` needs no more text).
   */
  push(piece: string, last = false): void {
    if (this.finished) throw new Error(`${this.source}: push after finish; start a new ExtxyzReader`);
    this.pending.push(piece);
    this.pendingLength += piece.length;
    if (!last && this.pendingLength < this.nextTry) return;
    const text = this.pending.length === 1 ? piece : this.pending.join('');
    const scan = scanFrames(text, this.source, 0, this.line, this.nAtoms, this.nFrames, last);
    if (scan.nFrames > 0) {
      if (this.nAtoms === -1) {
        this.nAtoms = scan.nAtoms;
        // size from the first frame's length and the expected total length
        let firstLength = 0;
        for (let l = 0; l < scan.nAtoms + 2 && firstLength !== -1; l++) firstLength = text.indexOf('\n', firstLength + (l > 0 ? 1 : 0));
        if (firstLength <= 0) firstLength = text.length;
        const guess = this.expectedLength > 0 ? Math.ceil((this.expectedLength / Math.max(1, firstLength)) * 1.02) + 1 : 0;
        this.grow(Math.max(scan.nFrames, guess));
      } else if (this.nFrames + scan.nFrames > this.capacity) {
        this.grow(Math.max(this.nFrames + scan.nFrames, Math.ceil(this.capacity * 1.25)));
      }
      this.parseFrames(text, this.nFrames, scan.nFrames);
      this.nFrames += scan.nFrames;
    }
    this.line = scan.endLine;
    let rest = scan.end < text.length ? text.slice(scan.end) : '';
    if (last && rest.trim().length === 0) rest = '';
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLength = rest.length;
    this.nextTry = scan.nFrames === 0 && !last ? 2 * text.length : 0;
  }

  /** Ends the input and returns the trajectory. @throws Error for an empty or truncated text. */
  finish(): Trajectory {
    if (!this.result) {
      if (this.pendingLength > 0 || this.nFrames === 0) this.push('', true);
      this.finished = true;
      this.result = this.build();
    }
    return this.result;
  }

  /** Reallocates positions and extra columns for `frames` frames. */
  private grow(frames: number): void {
    const n3 = this.nAtoms * 3;
    const old = this.positions;
    this.positions = this.dtype === 'float32' ? new Float32Array(frames * n3) : new Float64Array(frames * n3);
    this.positions.set(old.subarray(0, Math.min(old.length, this.nFrames * n3)));
    for (const c of this.cols) {
      if (!c.array) continue;
      const prev = c.array.data;
      const size = frames * this.nAtoms * c.nCols;
      const used = this.nFrames * this.nAtoms * c.nCols;
      let data: AtomArray['data'];
      if (Array.isArray(prev)) { data = prev; (data as string[]).length = size; }
      else {
        data = new (prev.constructor as new (n: number) => Float64Array | Int32Array | Uint8Array)(size);
        data.set(prev.subarray(0, used));
      }
      c.array = { type: c.array.type, nCols: c.nCols, data };
      for (const key of Object.keys(this.arrays)) if (this.arrays[key].data === prev) this.arrays[key] = c.array;
    }
    this.capacity = frames;
  }

  /** Parses `count` complete frames starting at the beginning of `text`, as frames `f0...`. */
  private parseFrames(text: string, f0: number, count: number): void {
    const source = this.source;
    const nAtoms = this.nAtoms;
    const positions = this.positions;
    const info = this.info;
    const cache = this.cache;
    let { speciesRaw, numbers, cols, propertiesSpec, lattice0, pbc0 } = this;
    const arrays = this.arrays;
    const len = text.length;
    let pos = 0;
    let line = this.line;
    let k = f0 * nAtoms * 3; // flat index into positions
    for (let f = f0; f < f0 + count; f++) {
      // count line (validated by countFrames); skip blank lines before it
      let p = skipBlanks(text, pos);
      while (text.charCodeAt(p) === 10) { pos = p + 1; line++; p = skipBlanks(text, pos); }
      let eol = text.indexOf('\n', p);
      pos = eol + 1;
      line++;
      // comment line
      eol = text.indexOf('\n', pos);
      if (eol === -1) eol = len;
      const where = `${source}:${line}`;
      const header = parseHeader(text.slice(pos, eol), where, cache);
      pos = eol + 1;
      line++;
      if (f === 0) {
        propertiesSpec = header.properties;
        cols = parseProperties(propertiesSpec, where);
        lattice0 = header.lattice;
        pbc0 = header.pbc ?? (lattice0 ? [true, true, true] : [false, false, false]);
        speciesRaw = new Array(nAtoms);
        const hasSpecies = cols.some((c) => c.kind === Kind.Species);
        for (const c of cols) {
          if (c.kind === Kind.Z) {
            numbers = new Int32Array(nAtoms);
            if (hasSpecies) { c.kind = Kind.Int; }
          }
          if (c.kind === Kind.Real || c.kind === Kind.Int || c.kind === Kind.Logical || c.kind === Kind.Str) {
            const size = this.capacity * nAtoms * c.nCols;
            const type = c.kind === Kind.Real ? 'R' : c.kind === Kind.Int ? 'I' : c.kind === Kind.Logical ? 'L' : 'S';
            const data = type === 'R' ? new Float64Array(size) : type === 'I' ? new Int32Array(size) : type === 'L' ? new Uint8Array(size) : new Array<string>(size);
            c.array = { type, nCols: c.nCols, data };
            arrays[ASE_ARRAY_NAMES[c.name] ?? c.name] = c.array;
          }
        }
        if (hasSpecies) numbers = null;
      } else {
        if (header.properties !== propertiesSpec) {
          throw new Error(`${where}: frame ${f} has Properties=${header.properties} but frame 0 has Properties=${propertiesSpec}; every frame needs the same columns`);
        }
        const lat = header.lattice;
        if (lat !== lattice0 && ((lat === null) !== (lattice0 === null) || (lat && lattice0 && lat.some((x, i) => x !== lattice0![i])))) {
          throw new Error(
            `${where}: frame ${f} has ${lat ? `Lattice="${lat.join(' ')}"` : 'no Lattice'} but frame 0 has ${lattice0 ? `Lattice="${lattice0.join(' ')}"` : 'none'}; a repap trajectory has one cell for all frames (NVT/NVE); read variable-cell runs frame by frame`,
          );
        }
        const pb = header.pbc ?? (lat ? [true, true, true] : [false, false, false]);
        if (pb[0] !== pbc0[0] || pb[1] !== pbc0[1] || pb[2] !== pbc0[2]) {
          throw new Error(`${where}: frame ${f} has pbc="${pb.map((b) => (b ? 'T' : 'F')).join(' ')}" but frame 0 has pbc="${pbc0.map((b) => (b ? 'T' : 'F')).join(' ')}"; every frame needs the same periodicity`);
        }
      }
      info[f] = header.info;
      // atom lines: the hot loop
      for (let a = 0; a < nAtoms; a++) {
        let i = pos;
        for (let ci = 0; ci < cols.length; ci++) {
          const c = cols[ci];
          const kind = c.kind;
          if (kind === Kind.Pos) {
            for (let d = 0; d < 3; d++) {
              i = skipBlanks(text, i);
              const v = scanNumber(text, i);
              if (v - v !== 0) throw badNumber(text, i, source, line, a, f, `pos ${'xyz'[d]}`, propertiesSpec, cursor.ok);
              positions[k++] = v;
              i = cursor.end;
            }
          } else if (kind === Kind.Species) {
            i = skipBlanks(text, i);
            if (f === 0) {
              const e = tokenEnd(text, i);
              if (e === i) throw missingColumn(text, pos, source, line, 'species', propertiesSpec);
              speciesRaw[a] = detach(text.slice(i, e));
              const bad = speciesError(`${source}:${line}`, capitalize(speciesRaw[a]), `atom ${a}: species`);
              if (bad) throw bad;
              i = e;
            } else {
              const s = speciesRaw[a];
              const e = i + s.length;
              const c2 = text.charCodeAt(e);
              if (!text.startsWith(s, i) || !(e >= len || c2 === 32 || c2 === 9 || c2 === 10 || c2 === 13)) {
                throw new Error(
                  `${source}:${line}: atom ${a} of frame ${f} is ${quoteToken(text, i)} but it is "${s}" in frame 0; a trajectory needs the same species in the same order in every frame`,
                );
              }
              i = e;
            }
          } else if (kind === Kind.Z) {
            i = skipBlanks(text, i);
            const z = scanNumber(text, i);
            if (!cursor.ok || !Number.isInteger(z) || z < 0 || z >= chemicalSymbols.length) {
              throw new Error(`${source}:${line}: column Z (atomic number) is ${quoteToken(text, i)}; expected an integer from 0 to ${chemicalSymbols.length - 1} (Properties=${propertiesSpec})`);
            }
            if (f === 0) numbers![a] = z;
            else if (numbers![a] !== z) {
              throw new Error(`${source}:${line}: atom ${a} of frame ${f} has Z=${z} but Z=${numbers![a]} in frame 0; a trajectory needs the same species in the same order in every frame`);
            }
            i = cursor.end;
          } else {
            const arr = c.array!;
            const base = ((f * nAtoms) + a) * c.nCols;
            for (let d = 0; d < c.nCols; d++) {
              i = skipBlanks(text, i);
              const label = c.nCols === 1 ? c.name : `${c.name}[${d}]`;
              if (kind === Kind.Real || kind === Kind.Int) {
                const v = scanNumber(text, i);
                if (!cursor.ok || (kind === Kind.Int && !Number.isInteger(v))) {
                  if (!cursor.ok && text.charCodeAt(i) !== 10 && i < len && kind === Kind.Real) {
                    // nan/inf and other spellings Python writes are accepted in extra real columns
                    const t = text.slice(i, tokenEnd(text, i)).toLowerCase();
                    const special = t === 'nan' ? NaN : t === 'inf' || t === '+inf' ? Infinity : t === '-inf' ? -Infinity : undefined;
                    if (special !== undefined) { (arr.data as Float64Array)[base + d] = special; i = tokenEnd(text, i); continue; }
                  }
                  throw new Error(
                    `${source}:${line}: column ${label} is ${quoteToken(text, i)}; expected ${kind === Kind.Int ? 'an integer' : 'a number'} (Properties=${propertiesSpec})`,
                  );
                }
                (arr.data as Float64Array | Int32Array)[base + d] = v;
                i = cursor.end;
              } else {
                const e = tokenEnd(text, i);
                if (e === i) throw missingColumn(text, pos, source, line, label, propertiesSpec);
                const t = text.slice(i, e);
                if (kind === Kind.Logical) {
                  const b = t === 'T' || t === 'True' ? 1 : t === 'F' || t === 'False' ? 0 : -1;
                  if (b < 0) throw new Error(`${source}:${line}: column ${label} is "${t}"; expected a logical T or F (Properties=${propertiesSpec})`);
                  (arr.data as Uint8Array)[base + d] = b;
                } else {
                  (arr.data as string[])[base + d] = detach(t);
                }
                i = e;
              }
            }
          }
        }
        // extra tokens at the end of the line are ignored, as ASE does
        const eolA = text.indexOf('\n', i);
        pos = eolA === -1 ? len : eolA + 1;
        line++;
      }
    }

    this.speciesRaw = speciesRaw;
    this.numbers = numbers;
    this.cols = cols;
    this.propertiesSpec = propertiesSpec;
    this.lattice0 = lattice0;
    this.pbc0 = pbc0;
  }

  private build(): Trajectory {
    const { source, nFrames, nAtoms, numbers, speciesRaw, lattice0, pbc0, arrays } = this;
    let positions = this.positions;
    if (this.capacity !== nFrames) {
      // drop the spare frames of a size guess: a view when they are few (no copy, so the
      // peak stays near one positions array), a copy otherwise
      const view = this.capacity - nFrames <= this.capacity / 16;
      positions = view ? positions.subarray(0, nFrames * nAtoms * 3) : positions.slice(0, nFrames * nAtoms * 3);
      for (const key of Object.keys(arrays)) {
        const arr = arrays[key];
        const size = nFrames * nAtoms * arr.nCols;
        const data = arr.data;
        arrays[key] = {
          type: arr.type,
          nCols: arr.nCols,
          data: Array.isArray(data) ? data.slice(0, size) : view ? (data as Float64Array).subarray(0, size) : (data as Float64Array).slice(0, size),
        };
      }
      this.positions = positions;
      this.capacity = nFrames;
    }
    const info = this.info.length === nFrames ? this.info : this.info.slice(0, nFrames);
    let species: string[];
    if (numbers) {
      species = new Array(nAtoms);
      for (let a = 0; a < nAtoms; a++) species[a] = chemicalSymbols[numbers[a]];
    } else {
      species = speciesRaw.map(capitalize);
    }
    // a Z column next to species: ASE lets the numbers win; keep them as a column otherwise
    const zCol = arrays['Z'];
    if (zCol && zCol.type === 'I') {
      const z = zCol.data as Int32Array;
      for (let a = 0; a < nAtoms; a++) species[a] = chemicalSymbols[z[a]] ?? species[a];
      delete arrays['Z'];
    }
    const cell: Cell | null = lattice0
      ? [
          [lattice0[0], lattice0[1], lattice0[2]],
          [lattice0[3], lattice0[4], lattice0[5]],
          [lattice0[6], lattice0[7], lattice0[8]],
        ]
      : null;
    if (cell) {
      const flat = flatCellError(`${source}:2`, cell, pbc0, `Lattice="${cell.flat().join(' ')}"`);
      if (flat) throw flat;
    }
    if (!cell && pbc0.some(Boolean)) {
      throw new Error(`${source}:2: pbc="${pbc0.map((b) => (b ? 'T' : 'F')).join(' ')}" but there is no Lattice; a periodic direction needs Lattice="ax ay az bx by bz cx cy cz"`);
    }
    const traj: Trajectory = {
      nFrames,
      nAtoms,
      positions,
      cell,
      pbc: pbc0,
      species,
      info,
      ...(Object.keys(arrays).length > 0 ? { arrays } : {}),
    };
    return traj;
  }
}

function missingColumn(text: string, lineStart: number, source: string, line: number, label: string, spec: string): Error {
  return new Error(`${source}:${line}: the line "${lineText(text, lineStart).slice(0, 80)}" has no column ${label}; expected the columns of Properties=${spec}`);
}

function badNumber(text: string, i: number, source: string, line: number, atom: number, frame: number, label: string, spec: string, syntaxOk: boolean): Error {
  const tok = quoteToken(text, i);
  const what = syntaxOk ? 'a finite coordinate' : 'a number';
  return new Error(`${source}:${line}: atom ${atom} of frame ${frame}: column ${label} is ${tok}; expected ${what} in Å (Properties=${spec})`);
}

function pbcText(pbc: Pbc): string {
  return `"${pbc.map((b) => (b ? 'T' : 'F')).join(' ')}"`;
}

/**
 * Writes a trajectory as multi-frame extended XYZ, the way ASE does: a
 * `Lattice="..."` (when there is a cell), `Properties=species:S:1:pos:R:3`
 * plus one column group per entry of `arrays`, the frame's info as
 * key=value pairs and `pbc="T T T"`. ASE's `ase.io.read(path, index=':')`
 * reads back the same numbers: by default every real number is written in
 * the shortest form that parses back to exactly the stored value.
 *
 * @throws Error if the trajectory is inconsistent (see `validateTrajectory`).
 */
export function writeExtxyz(traj: Trajectory, options: WriteExtxyzOptions = {}): string {
  validateTrajectory(traj, 'writeExtxyz');
  const { precision } = options;
  if (precision !== undefined && !(Number.isInteger(precision) && precision >= 0 && precision <= 20)) {
    throw new Error(`writeExtxyz: precision is ${precision}; expected an integer number of decimals from 0 to 20`);
  }
  const writeInfo = options.writeInfo ?? true;
  const { nFrames, nAtoms, positions, species } = traj;
  const fmtPos: (v: number) => string =
    precision !== undefined ? (v) => v.toFixed(precision) : positions instanceof Float32Array ? formatFloat32 : formatFloat;
  const fmtReal: (v: number) => string = precision !== undefined ? (v) => (v - v === 0 ? v.toFixed(precision) : formatFloat(v)) : formatFloat;
  const arrays = Object.entries(traj.arrays ?? {}).filter(([name]) => name !== 'species' && name !== 'pos' && name !== 'positions');
  let props = 'species:S:1:pos:R:3';
  for (const [name, arr] of arrays) props += `:${EXTXYZ_ARRAY_NAMES[name] ?? name}:${arr.type}:${arr.nCols}`;
  let head = '';
  if (traj.cell) head += `Lattice="${traj.cell.flat().map(formatFloat).join(' ')}" `;
  head += `Properties=${props}`;
  const tail = ` pbc=${pbcText(traj.pbc)}`;
  const width = Math.max(...species.map((s) => s.length));
  const padded = species.map((s) => s.padEnd(width) + ' ');
  const parts: string[] = [];
  let k = 0;
  for (let f = 0; f < nFrames; f++) {
    let infoText = '';
    if (writeInfo) {
      for (const [key, v] of Object.entries(traj.info[f])) {
        if (key === 'Lattice' || key === 'Properties' || key === 'pbc') continue;
        infoText += ` ${escapeValue(key)}=${formatInfoValue(v, formatFloat)}`;
      }
    }
    parts.push(`${nAtoms}\n${head}${infoText}${tail}\n`);
    for (let a = 0; a < nAtoms; a++) {
      let row = padded[a] + fmtPos(positions[k]) + ' ' + fmtPos(positions[k + 1]) + ' ' + fmtPos(positions[k + 2]);
      k += 3;
      for (let c = 0; c < arrays.length; c++) {
        const arr = arrays[c][1];
        const base = (f * nAtoms + a) * arr.nCols;
        for (let d = 0; d < arr.nCols; d++) {
          const v = arr.data[base + d];
          row += ' ';
          if (arr.type === 'R') row += fmtReal(v as number);
          else if (arr.type === 'I') row += String(v);
          else if (arr.type === 'L') row += v ? 'T' : 'F';
          else row += String(v);
        }
      }
      parts.push(row + '\n');
    }
  }
  return parts.join('');
}
