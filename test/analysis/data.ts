/**
 * Test data loaders for the analysis tests. They read ../shared/data directly
 * (independent of the package's io layer), so the analysis tests check the
 * analysis layer only. Without ../shared they read the small fixture of the same
 * name in test/fixtures/shared-head (the first frames; see test/support/shared-data.ts).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHARED_DATA, SHARED_HEAD, dataFile, sharedDataFull, sharedDataMissing } from '../support/shared-data';
import type { Cell, Trajectory } from '../../src/structure/trajectory';

export const DATA = SHARED_DATA;

/**
 * How many frames of set `name` a test can check: `want` with ../shared/data, the fixture's 5 frames
 * without it (when test/fixtures/shared-head has the set), else 0 (the reason is printed).
 */
export function framesToCheck(name: string, want: number): number {
  const file = `${name}.extxyz.gz`;
  if (sharedDataFull(file)) return want;
  sharedDataMissing(file);
  return existsSync(resolve(SHARED_HEAD, file)) ? Math.min(want, 5) : 0;
}

/** Builds a periodic single-species trajectory from flat positions. */
export function makeTrajectory(
  positions: Float64Array | Float32Array,
  nAtoms: number,
  cell: Cell | null,
  species: string | readonly string[] = 'Si',
  info?: Record<string, number>[],
): Trajectory {
  const nFrames = positions.length / (nAtoms * 3);
  return {
    nFrames,
    nAtoms,
    positions,
    cell,
    pbc: cell === null ? [false, false, false] : [true, true, true],
    species: typeof species === 'string' ? new Array(nAtoms).fill(species) : [...species],
    info: info ?? Array.from({ length: nFrames }, () => ({})),
  };
}

/** The raw float32 set (`NAME.positions.f32` + `NAME.json`), optionally only the first `maxFrames` frames. */
export function loadF32(name: string, maxFrames?: number): Trajectory {
  const meta = JSON.parse(readFileSync(dataFile(`${name}.json`), 'utf8'));
  const buf = readFileSync(dataFile(meta.positionsFile));
  const [nFramesAll, nAtoms] = meta.shape as [number, number, number];
  const nFrames = Math.min(nFramesAll, maxFrames ?? nFramesAll);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + nFrames * nAtoms * 3 * 4));
  return makeTrajectory(all, nAtoms, meta.cell as Cell);
}

/**
 * Minimal reader for the data set's extxyz.gz files (count line, comment line with
 * Lattice= and energy=, then `Si x y z` lines). Decimal numbers are parsed as
 * integer / 10^d, which is the correctly rounded float64 of the text, like parseFloat.
 */
export function loadExtxyzGz(name: string, maxFrames = Infinity): Trajectory & { energies: Float64Array } {
  const buf = gunzipSync(readFileSync(dataFile(`${name}.extxyz.gz`)));
  const n = buf.length;
  let p = 0;
  const lineEnd = () => {
    const e = buf.indexOf(10, p);
    return e < 0 ? n : e;
  };
  const readNumber = (): number => {
    while (buf[p] === 32 || buf[p] === 9) p++;
    let sign = 1;
    if (buf[p] === 45) {
      sign = -1;
      p++;
    } else if (buf[p] === 43) p++;
    let mant = 0;
    let dec = 0;
    let seenDot = false;
    for (;;) {
      const c = buf[p];
      if (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        if (seenDot) dec++;
      } else if (c === 46) seenDot = true;
      else break;
      p++;
    }
    return (sign * mant) / 10 ** dec;
  };
  const chunks: Float64Array[] = [];
  const energies: number[] = [];
  let nAtoms = -1;
  let cell: Cell | null = null;
  while (p < n && chunks.length < maxFrames) {
    let e = lineEnd();
    const count = parseInt(buf.toString('latin1', p, e), 10);
    if (!Number.isFinite(count)) break;
    if (nAtoms < 0) nAtoms = count;
    if (count !== nAtoms) throw new Error(`test data ${name}: frame ${chunks.length} has ${count} atoms`);
    p = e + 1;
    e = lineEnd();
    const comment = buf.toString('latin1', p, e);
    if (cell === null) {
      const lat = /Lattice="([^"]+)"/.exec(comment)![1].trim().split(/\s+/).map(Number);
      cell = [
        [lat[0], lat[1], lat[2]],
        [lat[3], lat[4], lat[5]],
        [lat[6], lat[7], lat[8]],
      ];
    }
    energies.push(Number(/(?:^|\s)energy=(\S+)/.exec(comment)![1]));
    p = e + 1;
    const frame = new Float64Array(count * 3);
    for (let a = 0; a < count; a++) {
      while (buf[p] === 32) p++;
      while (buf[p] !== 32 && buf[p] !== 9) p++; // species
      frame[a * 3] = readNumber();
      frame[a * 3 + 1] = readNumber();
      frame[a * 3 + 2] = readNumber();
      p = lineEnd() + 1;
    }
    chunks.push(frame);
  }
  const positions = new Float64Array(chunks.length * nAtoms * 3);
  chunks.forEach((c, i) => positions.set(c, i * nAtoms * 3));
  return Object.assign(makeTrajectory(positions, nAtoms, cell), { energies: Float64Array.from(energies) });
}

/** Columns of a `NAME.frames.csv.gz` file by header name. */
export function loadFramesCsv(name: string): Record<string, Float64Array> {
  const text = gunzipSync(readFileSync(dataFile(`${name}.frames.csv.gz`))).toString('utf8');
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  const cols: Record<string, Float64Array> = {};
  for (const h of header) cols[h] = new Float64Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const parts = lines[i].split(',');
    for (let c = 0; c < header.length; c++) cols[header[c]][i - 1] = Number(parts[c]);
  }
  return cols;
}

/** A reference RDF CSV: header comments and the r_center, g columns. */
export function loadRdfCsv(file: string): { comments: string[]; r: Float64Array; g: Float64Array } {
  const lines = readFileSync(dataFile(`rdf/${file}`), 'utf8').trim().split('\n');
  const comments = lines.filter((l) => l.startsWith('#'));
  const rows = lines.filter((l) => !l.startsWith('#') && !l.startsWith('r_center'));
  const r = new Float64Array(rows.length);
  const g = new Float64Array(rows.length);
  rows.forEach((l, i) => {
    const [a, b] = l.split(',');
    r[i] = Number(a);
    g[i] = Number(b);
  });
  return { comments, r, g };
}
