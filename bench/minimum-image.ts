/**
 * Minimum-image throughput: `MinimumImage.distance2` over every pair of every
 * frame of 30-atom a-Si structures, side by side with ASE's `find_mic` (Debian
 * python3-ase, numpy-vectorised over all displacements at once) on the same
 * displacements in the same run, in three cells: the cubic MD cell, the same
 * lattice given by an unreduced skewed cell (a, 2a + b, b + c: every distance
 * must come out as in the cubic cell), and a strongly tilted slab (pbc in x and
 * y only). Both wall-clock and CPU seconds are reported, and the largest
 * difference between the two codes' distances.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MinimumImage } from '../src/structure/images.js';
import type { Cell, Pbc } from '../src/structure/trajectory.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(HERE, '../../shared/data');
const PYTHON = '/usr/bin/python3';
const FRAMES = 2000;
const REPEATS = 5;

const PEER = `
import json, sys, time
import numpy as np
from ase.geometry import find_mic
q = json.load(sys.stdin)
out = []
for c in q["cases"]:
    d = np.fromfile(c["file"], dtype="<f8").reshape(-1, 3)
    walls, cpus = [], []
    for r in range(q["repeats"]):
        w0, c0 = time.perf_counter(), time.process_time()
        _, lengths = find_mic(d, np.array(c["cell"]), c["pbc"])
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    lengths.astype("<f8").tofile(c["file"] + ".out")
    out.append({"wall": walls, "cpu": cpus})
print(json.dumps(out))
`;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs the benchmark; returns a markdown table (printed by bench/run.ts). */
export async function benchMinimumImage(): Promise<string> {
  const meta = JSON.parse(readFileSync(resolve(DATA, 'a-si-30-sw-300K.json'), 'utf8'));
  const buf = readFileSync(resolve(DATA, meta.positionsFile));
  const nAtoms = 30;
  const pos = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + FRAMES * nAtoms * 12));
  const L = (meta.cell as Cell)[0][0];
  const cases: { name: string; cell: Cell; pbc: Pbc }[] = [
    { name: 'cubic MD cell', cell: [[L, 0, 0], [0, L, 0], [0, 0, L]], pbc: [true, true, true] },
    { name: 'same lattice, unreduced (a, 2a+b, b+c)', cell: [[L, 0, 0], [2 * L, L, 0], [0, L, L]], pbc: [true, true, true] },
    { name: 'tilted slab [[L,0,0],[11L,L,0],[0,0,3L]], pbc xy', cell: [[L, 0, 0], [11 * L, L, 0], [0, 0, 3 * L]], pbc: [true, true, false] },
  ];
  const nPairs = FRAMES * (nAtoms * (nAtoms - 1)) / 2;
  const disp = new Float64Array(nPairs * 3);
  let k = 0;
  for (let f = 0; f < FRAMES; f++) {
    for (let i = 0; i < nAtoms; i++) {
      for (let j = i + 1; j < nAtoms; j++) {
        for (let a = 0; a < 3; a++) disp[k * 3 + a] = pos[(f * nAtoms + j) * 3 + a] - pos[(f * nAtoms + i) * 3 + a];
        k++;
      }
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'repap-mic-'));
  try {
    const file = join(dir, 'disp.f64');
    writeFileSync(file, Buffer.from(disp.buffer));
    const ours: { wall: number; cpu: number; d: Float64Array }[] = [];
    for (const c of cases) {
      const mi = new MinimumImage(c.cell, c.pbc);
      const d = new Float64Array(nPairs);
      const walls: number[] = [], cpus: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const w0 = performance.now(), c0 = process.cpuUsage();
        for (let p = 0; p < nPairs; p++) d[p] = mi.distance2(disp[3 * p], disp[3 * p + 1], disp[3 * p + 2]);
        const cu = process.cpuUsage(c0);
        walls.push((performance.now() - w0) / 1000);
        cpus.push((cu.user + cu.system) / 1e6);
      }
      for (let p = 0; p < nPairs; p++) d[p] = Math.sqrt(d[p]);
      ours.push({ wall: median(walls), cpu: median(cpus), d });
    }
    const rows: string[] = [];
    for (let ci = 0; ci < cases.length; ci++) {
      const c = cases[ci];
      const cfile = join(dir, `case${ci}.f64`);
      writeFileSync(cfile, readFileSync(file));
      const run = spawnSync(PYTHON, ['-c', PEER], {
        input: JSON.stringify({ repeats: 3, cases: [{ file: cfile, cell: c.cell, pbc: c.pbc }] }),
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
      });
      if (run.status !== 0) throw new Error(`ASE peer failed: ${run.stderr}`);
      const peer = (JSON.parse(run.stdout) as { wall: number[]; cpu: number[] }[])[0];
      const ref = new Float64Array(readFileSync(`${cfile}.out`).buffer.slice(0));
      let maxDiff = 0;
      for (let p = 0; p < nPairs; p++) maxDiff = Math.max(maxDiff, Math.abs(ref[p] - ours[ci].d[p]));
      const pw = median(peer.wall), pc = median(peer.cpu);
      rows.push(
        `| ${c.name} | ${(nPairs / ours[ci].wall / 1e6).toFixed(1)} M/s (${ours[ci].wall.toFixed(3)} s wall, ${ours[ci].cpu.toFixed(3)} s CPU) | ` +
          `${(nPairs / pw / 1e6).toFixed(1)} M/s (${pw.toFixed(3)} s wall, ${pc.toFixed(3)} s CPU) | ` +
          `${(pw / ours[ci].wall).toFixed(1)}x / ${(pc / ours[ci].cpu).toFixed(1)}x | ${maxDiff.toExponential(1)} |`,
      );
    }
    return [
      `${nPairs.toLocaleString('en-US')} displacements (all pairs of ${FRAMES} frames of the 30-atom a-Si set); median of ${REPEATS} runs (repap) and 3 (ASE ${PYTHON}, one thread).`,
      '',
      '| cell | repap MinimumImage.distance2 | ASE find_mic | repap faster (wall / CPU) | max abs difference (Å) |',
      '|---|---|---|---|---|',
      ...rows,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
