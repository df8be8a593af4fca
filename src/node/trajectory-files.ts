/**
 * Loading and saving trajectory files in Node: the format comes from the
 * file name, `.gz` files are (de)compressed with node:zlib.
 *
 * @module
 */
import { readFile, access, open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, gzipSync } from 'node:zlib';
import { basename, dirname, join } from 'node:path';
import type { Trajectory } from '../structure/trajectory.js';
import type { PositionsDtype } from '../structure/build.js';
import { ExtxyzReader, writeExtxyz } from '../io/extxyz.js';
import { readPoscar, writePoscar } from '../io/poscar.js';
import { readLammpsDump } from '../io/lammps-dump.js';
import { readRawFrames, writeRawFrames } from '../io/raw.js';
import { AtomicFileWriter, writeFileAtomic } from './atomic-write.js';

/** The formats {@link loadTrajectory} and {@link saveTrajectory} know. */
export type TrajectoryFormat = 'extxyz' | 'poscar' | 'lammps-dump' | 'raw';

/** Options of {@link loadTrajectory}. */
export interface LoadTrajectoryOptions {
  /** The format, when the file name does not tell it. */
  format?: TrajectoryFormat;
  /** Element type of the positions. Default `'float64'` (raw frames: the file's own type). */
  dtype?: PositionsDtype;
  /** POSCAR: species per count for VASP 4 files without a species line. */
  species?: readonly string[];
  /** LAMMPS dump: chemical symbol of each atom type, `{ 1: 'Si' }` or `['Si']`. */
  typeToSpecies?: Record<number, string> | readonly string[];
  /** Raw frames: path of the JSON sidecar. Default: found next to the positions file (see {@link loadTrajectory}). */
  sidecar?: string;
}

/** Options of {@link saveTrajectory}. */
export interface SaveTrajectoryOptions {
  /** The format, when the file name does not tell it. */
  format?: TrajectoryFormat;
  /** POSCAR: the frame to write (required for several frames; -1 = last). */
  frame?: number;
  /** POSCAR: `'cartesian'` (default) or `'direct'`. */
  coordinates?: 'cartesian' | 'direct';
  /** extxyz: decimals for positions (default: shortest exact form). */
  precision?: number;
}

const KNOWN =
  '.extxyz, .xyz (extxyz); POSCAR*, CONTCAR*, .vasp, .poscar (poscar); .lammpstrj, .dump, dump.* (lammps-dump); .f32, .f64 + a .json sidecar (raw); each optionally .gz';

/**
 * The format a file name implies (ignoring a trailing `.gz`), or null.
 * `a.extxyz` -> extxyz, `CONTCAR` -> poscar, `run.lammpstrj` -> lammps-dump,
 * `x.positions.f32` -> raw.
 */
export function formatFromPath(path: string): TrajectoryFormat | null {
  const name = basename(path).replace(/\.gz$/i, '');
  const lower = name.toLowerCase();
  if (lower.endsWith('.extxyz') || lower.endsWith('.xyz')) return 'extxyz';
  if (/^(poscar|contcar)/i.test(name) || lower.endsWith('.vasp') || lower.endsWith('.poscar')) return 'poscar';
  if (lower.endsWith('.lammpstrj') || lower.endsWith('.dump') || lower.startsWith('dump.')) return 'lammps-dump';
  if (lower.endsWith('.f32') || lower.endsWith('.f64')) return 'raw';
  return null;
}

function pickFormat(path: string, format: TrajectoryFormat | undefined, verb: string): TrajectoryFormat {
  if (format !== undefined) {
    if (!['extxyz', 'poscar', 'lammps-dump', 'raw'].includes(format)) {
      throw new Error(`${path}: format ${JSON.stringify(format)} is unknown; expected 'extxyz', 'poscar', 'lammps-dump' or 'raw'`);
    }
    return format;
  }
  const f = formatFromPath(path);
  if (!f) {
    throw new Error(`${path}: cannot tell the file format from the name; known names: ${KNOWN}. Rename the file or ${verb} with { format: 'extxyz' | 'poscar' | 'lammps-dump' | 'raw' }`);
  }
  return f;
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** Sidecar candidates for `dir/name.positions.f32`: `name.positions.f32.json`, `name.positions.json`, `name.json`. */
function sidecarCandidates(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path).replace(/\.gz$/i, '');
  const stem = name.replace(/\.f(32|64)$/i, '');
  const out = [join(dir, `${name}.json`), join(dir, `${stem}.json`)];
  if (stem.endsWith('.positions')) out.push(join(dir, `${stem.slice(0, -'.positions'.length)}.json`));
  return out;
}

/**
 * Decompresses a gzip file by streaming it into one buffer sized from the
 * gzip trailer (ISIZE), so neither the whole compressed file nor a list of
 * output chunks is held next to the result.
 */
async function gunzipFile(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    let out = Buffer.allocUnsafe(0);
    if (size >= 18) {
      const tail = Buffer.alloc(4);
      await fh.read(tail, 0, 4, size - 4);
      out = Buffer.allocUnsafe(tail.readUInt32LE(0));
    }
    let used = 0;
    const gunzip = createGunzip();
    const input = fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false });
    input.on('error', (e) => gunzip.destroy(e));
    input.pipe(gunzip);
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (used + chunk.length > out.length) {
        // multi-member gzip (ISIZE is the last member's size) or > 4 GiB: grow
        const bigger = Buffer.allocUnsafe(Math.max(2 * out.length, used + chunk.length, 1 << 16));
        out.copy(bigger, 0, 0, used);
        out = bigger;
      }
      chunk.copy(out, used);
      used += chunk.length;
    }
    return used === out.length ? out : out.subarray(0, used);
  } finally {
    await fh.close();
  }
}

async function readBytes(path: string): Promise<Buffer> {
  const gz = /\.gz$/i.test(path);
  try {
    return gz ? await gunzipFile(path) : await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR' || err.code === 'EPERM') {
      throw new Error(`${path}: cannot read the file (${err.code}); check the path`);
    }
    if (gz) {
      throw new Error(`${path}: not a valid gzip file (${err.message}); the file is corrupt or not compressed (drop the .gz from its name)`);
    }
    throw new Error(`${path}: cannot read the file (${err.code ?? err.message}); check the path`);
  }
}

/**
 * Streams an extxyz file (optionally gzipped) through {@link ExtxyzReader}:
 * the whole text is never held, only the positions and the frame in flight.
 */
async function streamExtxyz(path: string, dtype: PositionsDtype | undefined): Promise<Trajectory> {
  const gz = /\.gz$/i.test(path);
  let expectedLength = 0;
  try {
    const { size } = await stat(path);
    expectedLength = size;
    if (gz && size >= 18) {
      const fh = await open(path, 'r');
      try {
        const tail = Buffer.alloc(4);
        await fh.read(tail, 0, 4, size - 4);
        expectedLength = tail.readUInt32LE(0);
      } finally {
        await fh.close();
      }
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${path}: cannot read the file (${err.code ?? err.message}); check the path`);
  }
  const reader = new ExtxyzReader({ source: path, expectedLength, ...(dtype ? { dtype } : {}) });
  const decoder = new StringDecoder('utf8');
  // 64 KiB text pieces: small strings and buffers die young (cheap scavenges) instead of piling up in
  // large-object space; pieces over 1 MB would also become external strings, and mixing string kinds slows the parser
  const file = createReadStream(path, { highWaterMark: gz ? 1 << 18 : 1 << 16 });
  let input: AsyncIterable<Buffer> = file;
  if (gz) {
    const gunzip = createGunzip({ chunkSize: 1 << 16 });
    file.on('error', (e) => gunzip.destroy(e));
    input = file.pipe(gunzip);
  }
  try {
    for await (const chunk of input) reader.push(decoder.write(chunk));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR' || err.code === 'EPERM') {
      throw new Error(`${path}: cannot read the file (${err.code}); check the path`);
    }
    if (gz && (err.code?.startsWith('Z_') || /incorrect header|unexpected end|invalid/i.test(err.message))) {
      throw new Error(`${path}: not a valid gzip file (${err.message}); the file is corrupt or not compressed (drop the .gz from its name)`);
    }
    throw e;
  }
  const rest = decoder.end();
  if (rest) reader.push(rest);
  return reader.finish();
}

/**
 * Loads a trajectory file, picking the format from the name:
 * `.extxyz`/`.xyz` (extxyz), `POSCAR*`/`CONTCAR*`/`.vasp` (POSCAR),
 * `.lammpstrj`/`.dump` (LAMMPS text dump), `.f32`/`.f64` with a JSON
 * sidecar (raw frames; the sidecar is `NAME.json` next to
 * `NAME.positions.f32`, or `options.sidecar`). Any of them may end in `.gz`.
 *
 * ```ts
 * const traj = await loadTrajectory('a-si-30-sw-300K.extxyz.gz');
 * ```
 *
 * @throws Error naming the path and the fix: unknown extension (lists the
 *   known ones and the `format` option), unreadable or corrupt file, and the
 *   reader's own errors (which name `path:line`).
 */
export async function loadTrajectory(path: string, options: LoadTrajectoryOptions = {}): Promise<Trajectory> {
  const format = pickFormat(path, options.format, 'load it');
  if (format === 'raw') {
    let sidecarPath = options.sidecar;
    if (!sidecarPath) {
      for (const c of sidecarCandidates(path)) {
        if (await exists(c)) { sidecarPath = c; break; }
      }
    }
    if (!sidecarPath) {
      throw new Error(`${path}: raw frames need a JSON sidecar (shape, species, cell); none of ${sidecarCandidates(path).join(', ')} exists. Pass { sidecar: 'path/to.json' }`);
    }
    const [bytes, meta] = await Promise.all([readBytes(path), readBytes(sidecarPath)]);
    return readRawFrames(bytes, meta.toString('utf8'), { source: path, ...(options.dtype ? { dtype: options.dtype } : {}) });
  }
  if (format === 'extxyz') return streamExtxyz(path, options.dtype);
  const text = (await readBytes(path)).toString('utf8');
  const dtype = options.dtype ? { dtype: options.dtype } : {};
  switch (format) {
    case 'poscar':
      return readPoscar(text, { source: path, ...dtype, ...(options.species ? { species: options.species } : {}) });
    case 'lammps-dump':
      return readLammpsDump(text, { source: path, ...dtype, ...(options.typeToSpecies ? { typeToSpecies: options.typeToSpecies } : {}) });
  }
}

/** Frames `[f0, f1)` of `traj` as a trajectory of views (no copy of the positions). */
function frameWindow(traj: Trajectory, f0: number, f1: number): Trajectory {
  const n = traj.nAtoms;
  let arrays: Trajectory['arrays'];
  if (traj.arrays) {
    const out: Record<string, NonNullable<Trajectory['arrays']>[string]> = {};
    for (const [name, a] of Object.entries(traj.arrays)) {
      const per = n * a.nCols;
      const data = Array.isArray(a.data) ? a.data.slice(f0 * per, f1 * per) : (a.data as Float64Array).subarray(f0 * per, f1 * per);
      out[name] = { type: a.type, nCols: a.nCols, data };
    }
    arrays = out;
  }
  return {
    ...traj,
    nFrames: f1 - f0,
    positions: traj.positions.subarray(f0 * n * 3, f1 * n * 3),
    info: traj.info.slice(f0, f1),
    ...(arrays ? { arrays } : {}),
  };
}

/**
 * Writes extxyz through an {@link AtomicFileWriter} in pieces of about 4 MB
 * of text; `.gz` compresses each piece as one gzip member (a multi-member
 * file, which gzip, Python and ASE read as one).
 */
async function saveExtxyzPieces(path: string, traj: Trajectory, precision: number | undefined): Promise<void> {
  const opts = precision !== undefined ? { precision } : {};
  const gz = /\.gz$/i.test(path);
  const framesPerPiece = Math.max(1, Math.floor(4e6 / (60 * traj.nAtoms + 200)));
  const w = await AtomicFileWriter.open(path, { mkdir: false });
  try {
    for (let f = 0; f === 0 || f < traj.nFrames; f += framesPerPiece) {
      const text = writeExtxyz(frameWindow(traj, f, Math.min(traj.nFrames, f + framesPerPiece)), opts);
      await w.write(gz ? gzipSync(Buffer.from(text, 'utf8')) : text);
    }
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  }
}

/**
 * Saves a trajectory, picking the format from the name: extxyz
 * (`.extxyz`/`.xyz`), POSCAR (`POSCAR*`, `CONTCAR*`, `.vasp`; one frame, see
 * `frame`), or raw frames (`.f32`/`.f64`, plus a `.json` sidecar next to it).
 * A trailing `.gz` compresses the file.
 *
 * The file is written to a temporary name in the same folder and renamed
 * when complete, so a failed save (a full disk) leaves no partial file and
 * an existing file of that name untouched.
 *
 * @throws Error naming the path and the fix for an unknown or read-only
 *   format (LAMMPS dumps are read only) or an unwritable path (with the
 *   reason, e.g. `ENOSPC: no space left on the device`).
 */
export async function saveTrajectory(path: string, traj: Trajectory, options: SaveTrajectoryOptions = {}): Promise<void> {
  const format = pickFormat(path, options.format, 'save it');
  let data: string | Uint8Array;
  const extra: Array<[string, string]> = [];
  switch (format) {
    case 'extxyz':
      // written in pieces of frames: any number of frames at bounded memory (one string of the
      // whole file fails beyond ~512 MB with "Invalid string length")
      await saveExtxyzPieces(path, traj, options.precision);
      return;
    case 'poscar':
      data = writePoscar(traj, {
        ...(options.frame !== undefined ? { frame: options.frame } : {}),
        ...(options.coordinates ? { coordinates: options.coordinates } : {}),
      });
      break;
    case 'raw': {
      const name = basename(path).replace(/\.gz$/i, '');
      const dtype = /\.f32$/i.test(name) ? 'float32' : 'float64';
      const { bytes, sidecar } = writeRawFrames(traj, { dtype });
      data = bytes;
      extra.push([sidecarCandidates(path)[1], JSON.stringify({ ...sidecar, positionsFile: basename(path) }, null, 2) + '\n']);
      break;
    }
    case 'lammps-dump':
      throw new Error(`${path}: repap reads LAMMPS dumps but does not write them; save as .extxyz, POSCAR or .f32 instead (or pass { format: 'extxyz' })`);
  }
  let out: Uint8Array = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (/\.gz$/i.test(path)) out = gzipSync(out);
  // each file goes to a temporary name in its folder and is renamed when complete
  await writeFileAtomic(path, out, { mkdir: false });
  for (const [p, text] of extra) await writeFileAtomic(p, text, { mkdir: false });
}
