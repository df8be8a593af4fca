/**
 * File-format benchmark: reading the 30-atom x 40,000-frame extxyz (44 MB of
 * text, 16.6 MB gzipped) with repap, side by side with ASE 3.22 (Debian
 * python3-ase) on the same text, plus the peak memory of `loadTrajectory`
 * measured in a fresh child process.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readExtxyz, writeExtxyz, ExtxyzReader } from '../src/io/index.js';
import { loadTrajectory } from '../src/node/trajectory-files.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(HERE, '../../shared/data');
const GZ = resolve(DATA, 'a-si-30-sw-300K.extxyz.gz');
const PYTHON = '/usr/bin/python3';
/** Frames given to ASE (it takes about 5.6 s for all 40,000; a tenth keeps the bench short). */
const PEER_FRAMES = 4000;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void, repeats: number): number {
  const ts: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return median(ts);
}

/** Child mode: load the file once and print memory figures as JSON. */
async function memoryChild(path: string, dtype: 'float64' | 'float32'): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const live = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const before = process.memoryUsage().rss;
  const liveBefore = live();
  // sample the live JS memory (V8 heap in use + ArrayBuffers) after every text piece
  let livePeak = liveBefore;
  const push = ExtxyzReader.prototype.push;
  ExtxyzReader.prototype.push = function (this: ExtxyzReader, piece: string, last?: boolean) {
    push.call(this, piece, last);
    livePeak = Math.max(livePeak, live());
  };
  const t0 = performance.now();
  const traj = await loadTrajectory(path, { dtype });
  const seconds = (performance.now() - t0) / 1000;
  livePeak = Math.max(livePeak, live());
  ExtxyzReader.prototype.push = push;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage().rss;
  const liveAfter = live();
  console.log(JSON.stringify({ seconds, before, peakRss, after, livePeak: livePeak - liveBefore, liveRetained: liveAfter - liveBefore, positionsBytes: traj.positions.byteLength, nFrames: traj.nFrames }));
}

interface MemoryFigures { seconds: number; before: number; peakRss: number; after: number; livePeak: number; liveRetained: number; positionsBytes: number }

function measureMemory(dtype: 'float64' | 'float32'): MemoryFigures {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--io-memory-child', GZ, dtype], {
    encoding: 'utf8',
    cwd: resolve(HERE, '..'),
  });
  if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function asePeer(text: string): number | null {
  const probe = spawnSync(PYTHON, ['-c', 'import ase'], { encoding: 'utf8' });
  if (probe.status !== 0) return null;
  const script = `
import sys, io, time
from ase.io import read
text = sys.stdin.read()
ts = []
for _ in range(3):
    t0 = time.perf_counter()
    read(io.StringIO(text), index=':', format='extxyz')
    ts.append(time.perf_counter() - t0)
print(sorted(ts)[1])
`;
  const r = spawnSync(PYTHON, ['-c', script], { input: text, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) return null;
  return Number(r.stdout.trim().split('\n').pop());
}

/**
 * Runs the io benchmark and returns a markdown table: seconds and MB/s for
 * `readExtxyz` (float64 and float32), `loadTrajectory` on the .gz (gunzip
 * included), `writeExtxyz`, ASE on a 4,000-frame slice with the ratio, and
 * peak memory beyond the decompressed text.
 */
export async function benchIo(): Promise<string> {
  const gz = readFileSync(GZ);
  const text = gunzipSync(gz).toString('utf8');
  const mb = text.length / 1e6;
  const rows: string[] = [
    '| case | frames | seconds | MB/s (text) | notes |',
    '|---|---|---|---|---|',
  ];
  let traj = readExtxyz(text);
  const t64 = time(() => { traj = readExtxyz(text); }, 5);
  rows.push(`| repap readExtxyz, float64 | ${traj.nFrames} | ${t64.toFixed(3)} | ${(mb / t64).toFixed(0)} | text already in memory |`);
  const t32 = time(() => { readExtxyz(text, { dtype: 'float32' }); }, 5);
  rows.push(`| repap readExtxyz, float32 | ${traj.nFrames} | ${t32.toFixed(3)} | ${(mb / t32).toFixed(0)} | |`);
  const tl: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await loadTrajectory(GZ);
    tl.push((performance.now() - t0) / 1000);
  }
  const tLoad = median(tl);
  rows.push(`| repap loadTrajectory(.extxyz.gz) | ${traj.nFrames} | ${tLoad.toFixed(3)} | ${(mb / tLoad).toFixed(0)} | read + gunzip + decode + parse (${(gz.length / 1e6).toFixed(1)} MB gz) |`);
  let out = '';
  const tw = time(() => { out = writeExtxyz(traj); }, 3);
  rows.push(`| repap writeExtxyz | ${traj.nFrames} | ${tw.toFixed(3)} | ${(out.length / 1e6 / tw).toFixed(0)} | exact shortest-form numbers |`);
  // peer on a slice
  const lines = text.split('\n', PEER_FRAMES * (traj.nAtoms + 2));
  const slice = lines.join('\n') + '\n';
  const sliceMb = slice.length / 1e6;
  const tSlice = time(() => { readExtxyz(slice); }, 5);
  rows.push(`| repap readExtxyz, slice | ${PEER_FRAMES} | ${tSlice.toFixed(4)} | ${(sliceMb / tSlice).toFixed(0)} | |`);
  const tAse = asePeer(slice);
  if (tAse !== null) {
    rows.push(`| ASE ase.io.read(StringIO, ':') | ${PEER_FRAMES} | ${tAse.toFixed(3)} | ${(sliceMb / tAse).toFixed(1)} | **repap ${(tAse / tSlice).toFixed(0)}x faster** |`);
  } else {
    rows.push(`| ASE | – | – | – | skipped: ${PYTHON} has no ase |`);
  }
  const mem = [measureMemory('float64'), measureMemory('float32')];
  const MiB = (b: number) => (b / 2 ** 20).toFixed(1);
  const memRows = [
    '',
    '| loadTrajectory(.extxyz.gz), fresh process | seconds | positions MiB | peak RSS − start MiB | peak live JS memory − start MiB (/ positions) | retained after GC MiB (/ positions) |',
    '|---|---|---|---|---|---|',
  ];
  for (const [name, m] of [['float64', mem[0]], ['float32', mem[1]]] as const) {
    const peakExtra = m.peakRss - m.before;
    const ratio = (b: number) => (b / m.positionsBytes).toFixed(2);
    memRows.push(
      `| ${name} | ${m.seconds.toFixed(3)} | ${MiB(m.positionsBytes)} | ${MiB(peakExtra)} | ${MiB(m.livePeak)} (${ratio(m.livePeak)}) | ${MiB(m.liveRetained)} (${ratio(m.liveRetained)}) |`,
    );
  }
  memRows.push(
    '',
    `The file is streamed (gunzip -> 64 KiB text pieces -> ExtxyzReader), so the ${MiB(text.length)} MiB of text are never held at once. ` +
      'Live JS memory = V8 heap in use + ArrayBuffers, sampled after each piece (it includes garbage not yet collected); ' +
      'peak RSS also counts heap pages V8 reserved and zlib state. Retained = positions + one info record per frame.',
  );
  return rows.concat(memRows).join('\n');
}

if (process.argv.includes('--io-memory-child')) {
  const i = process.argv.indexOf('--io-memory-child');
  await memoryChild(process.argv[i + 1], process.argv[i + 2] as 'float64' | 'float32');
}
