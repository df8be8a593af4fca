/**
 * RDF throughput: radialDistribution on the 30-atom x 40,000-frame and the
 * 216-atom x 1,000-frame a-Si sets, side by side with MDAnalysis InterRDF
 * (Debian python3-mdanalysis, one thread) on the same positions in the same run.
 * "pairs/s" counts all N(N-1)/2 pairs of every frame, as the data README does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { radialDistribution } from '../src/analysis/index.js';
import type { Cell, Trajectory } from '../src/structure/trajectory.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(HERE, '../../shared/data');
const PYTHON = '/usr/bin/python3';
const REPEATS = 5;
const PEER_REPEATS = 3;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The raw float32 positions + JSON sidecar of the main set. */
function loadF32(name: string): Trajectory {
  const meta = JSON.parse(readFileSync(resolve(DATA, `${name}.json`), 'utf8'));
  const buf = readFileSync(resolve(DATA, meta.positionsFile));
  const positions = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  const [nFrames, nAtoms] = meta.shape as [number, number];
  return {
    nFrames, nAtoms, positions, cell: meta.cell as Cell, pbc: [true, true, true],
    species: Array(nAtoms).fill('Si'), info: Array.from({ length: nFrames }, () => ({})),
  };
}

/** The data set's extxyz.gz (every frame: count, comment with Lattice=, `Si x y z` lines). */
function loadExtxyzGz(name: string): Trajectory {
  const lines = gunzipSync(readFileSync(resolve(DATA, `${name}.extxyz.gz`))).toString('latin1').split('\n');
  const nAtoms = Number(lines[0]);
  const lat = /Lattice="([^"]+)"/.exec(lines[1])![1].trim().split(/\s+/).map(Number);
  const nFrames = Math.floor(lines.length / (nAtoms + 2));
  const positions = new Float64Array(nFrames * nAtoms * 3);
  for (let f = 0; f < nFrames; f++) {
    for (let a = 0; a < nAtoms; a++) {
      const parts = lines[f * (nAtoms + 2) + 2 + a].trim().split(/\s+/);
      for (let k = 0; k < 3; k++) positions[(f * nAtoms + a) * 3 + k] = Number(parts[k + 1]);
    }
  }
  return {
    nFrames, nAtoms, positions, cell: [[lat[0], lat[1], lat[2]], [lat[3], lat[4], lat[5]], [lat[6], lat[7], lat[8]]],
    pbc: [true, true, true], species: Array(nAtoms).fill('Si'), info: Array.from({ length: nFrames }, () => ({})),
  };
}

const MDA_SCRIPT = `
import json, sys, time, os
import numpy as np
import warnings
warnings.filterwarnings("ignore")
import MDAnalysis as mda
from MDAnalysis.coordinates.memory import MemoryReader
from MDAnalysis.analysis.rdf import InterRDF
q = json.load(sys.stdin)
out = []
for c in q["cases"]:
    coords = np.fromfile(c["file"], dtype="<f4").reshape(c["nFrames"], c["nAtoms"], 3)
    u = mda.Universe.empty(c["nAtoms"], trajectory=True)
    L = c["L"]
    u.load_new(coords, format=MemoryReader, dimensions=np.array([L, L, L, 90, 90, 90], dtype=np.float32))
    times = []
    for r in range(q["repeats"]):
        rdf = InterRDF(u.atoms, u.atoms, nbins=c["nBins"], range=(0.0, c["rMax"]), exclusion_block=(1, 1), norm="rdf")
        t0 = time.perf_counter()
        rdf.run()
        times.append(time.perf_counter() - t0)
    out.append({"times": times, "g": rdf.results.rdf.tolist()})
print(json.dumps(out))
`;

interface Case { set: string; traj: Trajectory; rMax: number }

/** Runs the RDF benchmark; returns a markdown table (printed by bench/run.ts). */
export async function benchRdf(): Promise<string> {
  const t30 = loadF32('a-si-30-sw-300K');
  const t216 = loadExtxyzGz('a-si-216-sw-300K');
  const cases: Case[] = [
    { set: '30 atoms x 40,000 frames', traj: t30, rMax: 4.2 },
    { set: '30 atoms x 40,000 frames', traj: t30, rMax: 8 },
    { set: '216 atoms x 1,000 frames', traj: t216, rMax: 4.2 },
    { set: '216 atoms x 1,000 frames', traj: t216, rMax: 8 },
  ];

  // The same positions, as float32 files, for MDAnalysis.
  const dir = mkdtempSync(join(tmpdir(), 'repap-bench-rdf-'));
  const files = new Map<Trajectory, string>();
  for (const t of [t30, t216]) {
    const file = join(dir, `${t.nAtoms}.f32`);
    const f32 = t.positions instanceof Float32Array ? t.positions : Float32Array.from(t.positions);
    writeFileSync(file, new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
    files.set(t, file);
  }

  const ours = cases.map((c) => {
    const nBins = Math.round(c.rMax / 0.05);
    radialDistribution(c.traj, { rMax: c.rMax, nBins, frames: { stop: 50 } }); // warm-up (JIT)
    const times: number[] = [];
    let g: ArrayLike<number> = [];
    for (let r = 0; r < REPEATS; r++) {
      const t0 = performance.now();
      g = radialDistribution(c.traj, { rMax: c.rMax, nBins }).g;
      times.push((performance.now() - t0) / 1000);
    }
    return { seconds: median(times), g };
  });

  let peer: { times: number[]; g: number[] }[] | null = null;
  let peerError = '';
  const res = spawnSync(PYTHON, ['-c', MDA_SCRIPT], {
    input: JSON.stringify({
      repeats: PEER_REPEATS,
      cases: cases.map((c) => ({
        file: files.get(c.traj), nFrames: c.traj.nFrames, nAtoms: c.traj.nAtoms, L: c.traj.cell![0][0],
        rMax: c.rMax, nBins: Math.round(c.rMax / 0.05),
      })),
    }),
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
  });
  if (res.status === 0) peer = JSON.parse(res.stdout);
  else peerError = (res.stderr || res.error?.message || 'failed').trim().split('\n').pop() ?? '';
  rmSync(dir, { recursive: true, force: true });

  const rows = [
    '| set | rMax (Å) | pairs | repap (s) | repap M pairs/s | MDAnalysis InterRDF (s) | MDAnalysis M pairs/s | speed-up | max abs(g diff) vs MDAnalysis |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  cases.forEach((c, i) => {
    const pairs = (c.traj.nFrames * c.traj.nAtoms * (c.traj.nAtoms - 1)) / 2;
    const o = ours[i];
    let peerCells = ['–', '–', '–', '–'];
    if (peer) {
      const ps = median(peer[i].times);
      let diff = 0;
      for (let k = 0; k < o.g.length; k++) diff = Math.max(diff, Math.abs(o.g[k] - peer[i].g[k]));
      const half = c.rMax > c.traj.cell![0][0] / 2;
      peerCells = [
        ps.toFixed(3),
        (pairs / ps / 1e6).toFixed(1),
        `${(ps / o.seconds).toFixed(1)}x`,
        half ? `${diff.toFixed(3)} (MDAnalysis: minimum image only, rMax > L/2)` : diff.toExponential(1),
      ];
    }
    rows.push(
      `| ${c.set} | ${c.rMax} | ${(pairs / 1e6).toFixed(1)} M | ${o.seconds.toFixed(3)} | ${(pairs / o.seconds / 1e6).toFixed(1)} | ${peerCells.join(' | ')} |`,
    );
  });
  const notes = [
    '',
    `Median of ${REPEATS} runs (repap, after a warm-up) and ${PEER_REPEATS} runs (MDAnalysis \`InterRDF(...).run()\` only, Universe built beforehand), one thread each, same positions (float32 for MDAnalysis).`,
    'repap counts every periodic image within rMax in float64; MDAnalysis uses minimum-image distances, so it undercounts for rMax > L/2.',
  ];
  if (!peer) notes.push(`MDAnalysis peer not run: ${peerError}`);
  return rows.join('\n') + '\n' + notes.join('\n');
}
