/**
 * LAMMPS text dumps (`dump atom` / `dump custom`), multi-frame.
 *
 * @module
 */
import type { Cell, Pbc, Positions, Trajectory } from '../structure/trajectory.js';
import type { PositionsDtype } from '../structure/build.js';
import { cursor, lineText, quoteToken, scanNumber, skipBlanks, speciesError, tokenEnd } from './scan.js';
import { atomicNumber } from '../structure/elements.js';

/** Options of {@link readLammpsDump}. */
export interface ReadLammpsDumpOptions {
  /** Name of the input (a file name) used in error messages. Default `'lammps dump'`. */
  source?: string;
  /**
   * Chemical symbol of each LAMMPS atom type: `{ 1: 'Si', 2: 'O' }`, or an
   * array where index 0 is type 1 (ASE's `specorder`). Needed unless the dump
   * has an `element` column.
   */
  typeToSpecies?: Record<number, string> | readonly string[];
  /** Element type of the positions. Default `'float64'`. */
  dtype?: PositionsDtype;
}

const POSITION_SETS: Array<{ names: [string, string, string]; scaled: boolean }> = [
  { names: ['x', 'y', 'z'], scaled: false },
  { names: ['xs', 'ys', 'zs'], scaled: true },
  { names: ['xu', 'yu', 'zu'], scaled: false },
  { names: ['xsu', 'ysu', 'zsu'], scaled: true },
];

interface FrameBox {
  cell: Cell;
  origin: [number, number, number];
  pbc: Pbc;
}

/**
 * Reads a LAMMPS text dump: `ITEM: TIMESTEP`, `ITEM: NUMBER OF ATOMS`,
 * `ITEM: BOX BOUNDS` (orthogonal, or triclinic `xy xz yz`), `ITEM: ATOMS`
 * with columns in any order.
 *
 * - Positions come from `x y z`, else `xs ys zs` (scaled), else `xu yu zu`
 *   (unwrapped), else `xsu ysu zsu` (scaled unwrapped), the order ASE uses.
 * - Positions are shifted so that the box origin (xlo, ylo, zlo) is 0, the
 *   convention of every other repap reader; the origin is kept in each
 *   frame's `info.boxOrigin`, the step in `info.timestep`.
 * - Atoms are sorted by `id` when there is an id column.
 * - Species come from an `element` column, else from `type` through
 *   `typeToSpecies`.
 * - The cell is `[[lx, 0, 0], [xy, ly, 0], [xz, yz, lz]]`; pbc from the
 *   boundary flags (`pp` periodic, `f`/`s`/`m` not).
 *
 * @throws Error naming `source:line` and what is expected (missing type map,
 *   missing position columns, changing atom count or box, NaN coordinates,
 *   truncated frames, an atom count larger than the file can hold, duplicate
 *   atom ids in a frame, boundary flags other than pp / f / s / m, a bound
 *   with lo >= hi, a species that is not a chemical symbol).
 */
export function readLammpsDump(text: string, options: ReadLammpsDumpOptions = {}): Trajectory {
  const source = options.source ?? 'lammps dump';
  if (typeof text !== 'string' || text.trim().length === 0) {
    throw new Error(`${source}: the file is empty; expected a LAMMPS text dump starting with "ITEM: TIMESTEP"`);
  }
  const len = text.length;
  let pos = 0;
  let line = 0;
  const nextLine = (what: string): number => {
    if (pos >= len) throw new Error(`${source}:${line + 1}: the file ends here; expected ${what} (the frame is truncated)`);
    const start = pos;
    const nl = text.indexOf('\n', pos);
    pos = nl === -1 ? len : nl + 1;
    line++;
    return start;
  };
  const skipEmpty = (): boolean => {
    while (pos < len) {
      const p = skipBlanks(text, pos);
      if (p >= len) { pos = len; return false; }
      if (text.charCodeAt(p) !== 10) return true;
      pos = p + 1;
      line++;
    }
    return false;
  };
  const chunks: Float64Array[] = [];
  const infos: Array<Record<string, number | number[]>> = [];
  let nAtoms = -1;
  let box0: FrameBox | null = null;
  let columns0 = '';
  let species: string[] = [];
  let speciesKey: Int32Array | null = null; // type per sorted atom, to check frames agree
  let ids: Float64Array = new Float64Array(0);
  let order: Int32Array = new Int32Array(0);
  let rowTypes: Int32Array = new Int32Array(0);
  let rowElem: string[] = [];
  let rowLine: Float64Array = new Float64Array(0);
  let raw: Float64Array = new Float64Array(0);
  const map = options.typeToSpecies;
  const typeName = (t: number): string | undefined => {
    if (!map) return undefined;
    return Array.isArray(map) ? (map as readonly string[])[t - 1] : (map as Record<number, string>)[t];
  };
  while (skipEmpty()) {
    const frame = infos.length;
    // ITEM: TIMESTEP
    let s = nextLine('ITEM: TIMESTEP');
    let l = lineText(text, s).trim();
    if (!l.startsWith('ITEM: TIMESTEP')) {
      throw new Error(`${source}:${line}: found "${l.slice(0, 60)}"; expected "ITEM: TIMESTEP" (start of frame ${frame})${frame > 0 ? `; frame ${frame - 1} may have more atom lines than its NUMBER OF ATOMS` : ''}`);
    }
    s = nextLine('the timestep');
    const timestep = scanNumber(text, skipBlanks(text, s));
    if (!cursor.ok) throw new Error(`${source}:${line}: the timestep is ${quoteToken(text, s)}; expected an integer`);
    s = nextLine('ITEM: NUMBER OF ATOMS');
    l = lineText(text, s).trim();
    if (!l.startsWith('ITEM: NUMBER OF ATOMS')) throw new Error(`${source}:${line}: found "${l.slice(0, 60)}"; expected "ITEM: NUMBER OF ATOMS"`);
    s = nextLine('the number of atoms');
    const n = scanNumber(text, skipBlanks(text, s));
    if (!cursor.ok || !Number.isSafeInteger(n) || n < 1) throw new Error(`${source}:${line}: the number of atoms is ${quoteToken(text, skipBlanks(text, s))}; expected a positive whole number`);
    // Check the count against the file before allocating: an atom line holds at least "x y z" (6 characters).
    if (n > (len - pos) / 6) {
      throw new Error(`${source}:${line}: NUMBER OF ATOMS is ${n} but only ${len - pos} characters follow, too few for ${n} atom lines; the count or the file is wrong`);
    }
    if (nAtoms === -1) {
      nAtoms = n;
      ids = new Float64Array(n);
      order = new Int32Array(n);
      rowTypes = new Int32Array(n);
      rowElem = new Array(n);
      rowLine = new Float64Array(n);
      raw = new Float64Array(3 * n);
    } else if (n !== nAtoms) {
      throw new Error(`${source}:${line}: frame ${frame} (timestep ${timestep}) has ${n} atoms but frame 0 has ${nAtoms}; a trajectory needs the same atoms in every frame`);
    }
    // ITEM: BOX BOUNDS [xy xz yz] pp pp pp
    s = nextLine('ITEM: BOX BOUNDS');
    l = lineText(text, s).trim();
    if (!l.startsWith('ITEM: BOX BOUNDS')) throw new Error(`${source}:${line}: found "${l.slice(0, 60)}"; expected "ITEM: BOX BOUNDS"`);
    const boxWords = l.slice('ITEM: BOX BOUNDS'.length).trim().split(/\s+/).filter(Boolean);
    const triclinic = boxWords.length >= 3 && boxWords[0] === 'xy';
    const flags = triclinic ? boxWords.slice(3) : boxWords;
    // boundary flags: none (old dumps: periodic), or three of pp / two of f, s, m (fs, mm, ...)
    if (flags.length !== 0 && (flags.length !== 3 || flags.some((f) => !/^(pp|[fsm][fsm])$/.test(f)))) {
      throw new Error(
        `${source}:${line}: ITEM: BOX BOUNDS has boundary flags "${flags.join(' ')}"; expected three LAMMPS boundary flags, each pp (periodic) or two of f, s, m (for example "pp pp ff")`,
      );
    }
    const pbc: Pbc = [0, 1, 2].map((d) => (flags[d] ?? 'pp') === 'pp') as Pbc;
    const b: number[][] = [];
    for (let d = 0; d < 3; d++) {
      const bs = nextLine(`the ${'xyz'[d]} bounds`);
      const vals: number[] = [];
      let i = bs;
      for (let k = 0; k < (triclinic ? 3 : 2); k++) {
        i = skipBlanks(text, i);
        const v = scanNumber(text, i);
        if (!cursor.ok || !Number.isFinite(v)) {
          throw new Error(`${source}:${line}: the ${'xyz'[d]} box bound ${quoteToken(text, i)} is not a number; expected ${triclinic ? `"${'xyz'[d]}lo_bound ${'xyz'[d]}hi_bound ${['xy', 'xz', 'yz'][d]}"` : `"${'xyz'[d]}lo ${'xyz'[d]}hi"`}`);
        }
        vals.push(v);
        i = cursor.end;
      }
      if (vals[1] <= vals[0]) {
        throw new Error(`${source}:${line}: the ${'xyz'[d]} bounds are ${'xyz'[d]}lo = ${vals[0]}, ${'xyz'[d]}hi = ${vals[1]}; expected ${'xyz'[d]}lo < ${'xyz'[d]}hi`);
      }
      b.push(vals);
    }
    let xlo = b[0][0], xhi = b[0][1], ylo = b[1][0], yhi = b[1][1];
    const zlo = b[2][0], zhi = b[2][1];
    let xy = 0, xz = 0, yz = 0;
    if (triclinic) {
      xy = b[0][2]; xz = b[1][2]; yz = b[2][2];
      xlo -= Math.min(0, xy, xz, xy + xz);
      xhi -= Math.max(0, xy, xz, xy + xz);
      ylo -= Math.min(0, yz);
      yhi -= Math.max(0, yz);
    }
    const box: FrameBox = {
      cell: [[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, zhi - zlo]],
      origin: [xlo, ylo, zlo],
      pbc,
    };
    if (!box0) box0 = box;
    else if (box.cell.some((r, i) => r.some((x, j) => x !== box0!.cell[i][j])) || box.pbc.some((p, i) => p !== box0!.pbc[i])) {
      throw new Error(`${source}:${line}: frame ${frame} (timestep ${timestep}) has a different box than frame 0; a repap trajectory has one cell for all frames (NVT/NVE runs)`);
    }
    // ITEM: ATOMS columns
    s = nextLine('ITEM: ATOMS');
    l = lineText(text, s).trim();
    if (!l.startsWith('ITEM: ATOMS')) throw new Error(`${source}:${line}: found "${l.slice(0, 60)}"; expected "ITEM: ATOMS id type x y z ..."`);
    const cols = l.slice('ITEM: ATOMS'.length).trim().split(/\s+/).filter(Boolean);
    if (frame === 0) columns0 = cols.join(' ');
    else if (cols.join(' ') !== columns0) {
      throw new Error(`${source}:${line}: frame ${frame} has columns "${cols.join(' ')}" but frame 0 has "${columns0}"; every frame needs the same columns`);
    }
    const set = POSITION_SETS.find((p) => p.names.every((c) => cols.includes(c)));
    if (!set) {
      throw new Error(`${source}:${line}: ITEM: ATOMS ${cols.join(' ')} has no position columns; expected x y z, xs ys zs, xu yu zu or xsu ysu zsu`);
    }
    const cx = cols.indexOf(set.names[0]), cy = cols.indexOf(set.names[1]), cz = cols.indexOf(set.names[2]);
    const cid = cols.indexOf('id');
    const ctype = cols.indexOf('type');
    const celem = cols.indexOf('element');
    if (celem < 0 && ctype < 0) {
      throw new Error(`${source}:${line}: ITEM: ATOMS ${cols.join(' ')} has neither an element nor a type column; expected one of them to know the species`);
    }
    if (celem < 0 && !map) {
      throw new Error(
        `${source}:${line}: the dump has atom types but no element column; pass the type -> element map, e.g. { typeToSpecies: { 1: 'Si' } } (or ['Si'] for type 1)`,
      );
    }
    const maxCol = Math.max(cx, cy, cz, cid, ctype, celem);
    for (let a = 0; a < nAtoms; a++) {
      const ls = nextLine(`atom line ${a + 1} of ${nAtoms}`);
      rowLine[a] = line;
      let i = ls;
      for (let c = 0; c <= maxCol; c++) {
        i = skipBlanks(text, i);
        if (i >= len || text.charCodeAt(i) === 10) {
          throw new Error(`${source}:${line}: the atom line "${lineText(text, ls).trim()}" has ${c} columns; expected ${cols.length} (${cols.join(' ')})`);
        }
        if (c === celem) {
          const e = tokenEnd(text, i);
          rowElem[a] = text.slice(i, e);
          i = e;
          continue;
        }
        if (c !== cx && c !== cy && c !== cz && c !== cid && c !== ctype) {
          i = tokenEnd(text, i);
          continue;
        }
        const v = scanNumber(text, i);
        if (!cursor.ok || v - v !== 0) {
          throw new Error(`${source}:${line}: column ${cols[c]} is ${quoteToken(text, i)}; expected a finite number`);
        }
        if (c === cx) raw[3 * a] = v;
        else if (c === cy) raw[3 * a + 1] = v;
        else if (c === cz) raw[3 * a + 2] = v;
        else if (c === cid) ids[a] = v;
        else rowTypes[a] = v;
        i = cursor.end;
      }
    }
    // sort by id
    for (let a = 0; a < nAtoms; a++) order[a] = a;
    if (cid >= 0) {
      let sorted = true;
      for (let a = 1; a < nAtoms; a++) if (ids[a] < ids[a - 1]) { sorted = false; break; }
      if (!sorted) order.sort((p, q) => ids[p] - ids[q]);
      for (let a = 1; a < nAtoms; a++) {
        const p = order[a - 1], q = order[a];
        if (ids[p] === ids[q]) {
          const [l1, l2] = rowLine[p] < rowLine[q] ? [rowLine[p], rowLine[q]] : [rowLine[q], rowLine[p]];
          throw new Error(`${source}:${l2}: atom id ${ids[q]} appears twice in frame ${frame} (timestep ${timestep}), also on line ${l1}; every atom needs its own id`);
        }
      }
    }
    const out = new Float64Array(3 * nAtoms);
    const c = box.cell;
    for (let a = 0; a < nAtoms; a++) {
      const r = order[a];
      const u = raw[3 * r], v = raw[3 * r + 1], w = raw[3 * r + 2];
      if (set.scaled) {
        out[3 * a] = u * c[0][0] + v * c[1][0] + w * c[2][0];
        out[3 * a + 1] = u * c[0][1] + v * c[1][1] + w * c[2][1];
        out[3 * a + 2] = u * c[0][2] + v * c[1][2] + w * c[2][2];
      } else {
        out[3 * a] = u - xlo;
        out[3 * a + 1] = v - ylo;
        out[3 * a + 2] = w - zlo;
      }
    }
    // species
    if (frame === 0) {
      species = new Array(nAtoms);
      speciesKey = new Int32Array(nAtoms);
      for (let a = 0; a < nAtoms; a++) {
        const r = order[a];
        let name: string | undefined;
        if (celem >= 0) {
          name = rowElem[r];
          const bad = speciesError(`${source}:${rowLine[r]}`, name, `atom id ${ids[r]}: element`);
          if (bad) throw bad;
        } else {
          name = typeName(rowTypes[r]);
          if (name === undefined) {
            throw new Error(`${source}: atom id ${ids[r]} has type ${rowTypes[r]}, which typeToSpecies does not map; expected an entry for every type (got ${JSON.stringify(map)})`);
          }
          const bad = speciesError(`${source}: typeToSpecies`, String(name), `type ${rowTypes[r]}`);
          if (bad) throw bad;
        }
        species[a] = name;
        speciesKey[a] = ctype >= 0 ? rowTypes[r] : atomicNumber(name);
      }
    } else {
      for (let a = 0; a < nAtoms; a++) {
        const r = order[a];
        const key = ctype >= 0 ? rowTypes[r] : atomicNumber(rowElem[r]);
        if (key !== speciesKey![a]) {
          throw new Error(`${source}: frame ${frame} (timestep ${timestep}): atom ${a} (id ${ids[r]}) changed type from ${speciesKey![a]} to ${key}; a trajectory needs the same species per atom in every frame`);
        }
      }
    }
    chunks.push(out);
    infos.push({ timestep, boxOrigin: [xlo, ylo, zlo] });
  }
  if (chunks.length === 0 || !box0) throw new Error(`${source}: the file holds no frames; expected "ITEM: TIMESTEP" blocks`);
  const nFrames = chunks.length;
  const positions: Positions = options.dtype === 'float32' ? new Float32Array(nFrames * nAtoms * 3) : new Float64Array(nFrames * nAtoms * 3);
  for (let f = 0; f < nFrames; f++) positions.set(chunks[f], f * nAtoms * 3);
  return {
    nFrames,
    nAtoms,
    positions,
    cell: box0.cell,
    pbc: box0.pbc,
    species,
    info: infos,
  };
}
