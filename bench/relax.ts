/**
 * Potentials and relaxation, side by side with LAMMPS (Debian `lmp`, one
 * process, one thread) in the same run:
 *
 * - Stillinger-Weber energy + forces on 30-atom and 216-atom a-Si frames, and
 *   Vashishta on 72-atom a-SiO2 frames (10 Å cutoff, every image):
 *   repap's `stillingerWeber()` / `vashishta()` Potentials against LAMMPS `rerun` of the same
 *   positions (process CPU, and LAMMPS's own loop time, which includes parsing
 *   its dump). ASE has no Stillinger-Weber calculator of its own (only through
 *   LAMMPS), so LAMMPS is the peer.
 * - Relaxation of 1,000 30-atom glass frames to fmax 1e-3 eV/Å: relaxStructures
 *   (FIRE, and L-BFGS) against LAMMPS `min_style fire`, `min_modify norm max`, `minimize 0 1e-3`,
 *   as minimisations per CPU second; also how often the two reach the same minimum.
 *
 * Per-CPU-second figures use `process.cpuUsage()` for repap and the child
 * process's rusage for LAMMPS, so they hold on a loaded machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { flatCell, relaxStructures, stillingerWeber, vashishta } from '../src/analysis/index.js';
import type { Cell, Trajectory } from '../src/structure/trajectory.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(HERE, '../../shared/data');
const PEER = resolve(HERE, 'peers/lammps_relax.py');

/** The first `maxFrames` frames of a data set's extxyz.gz (count, comment with Lattice=, `El x y z` lines), every `stride`-th. */
function loadExtxyzGz(name: string, maxFrames: number, stride = 1): Trajectory {
  const lines = gunzipSync(readFileSync(resolve(DATA, `${name}.extxyz.gz`))).toString('latin1').split('\n');
  const nAtoms = Number(lines[0]);
  const lat = /Lattice="([^"]+)"/.exec(lines[1])![1].trim().split(/\s+/).map(Number);
  const available = Math.floor(lines.length / (nAtoms + 2));
  const nFrames = Math.min(maxFrames, Math.floor((available - 1) / stride) + 1);
  const positions = new Float64Array(nFrames * nAtoms * 3);
  for (let f = 0; f < nFrames; f++) {
    for (let a = 0; a < nAtoms; a++) {
      const parts = lines[f * stride * (nAtoms + 2) + 2 + a].trim().split(/\s+/);
      for (let k = 0; k < 3; k++) positions[(f * nAtoms + a) * 3 + k] = Number(parts[k + 1]);
    }
  }
  const cell: Cell = [[lat[0], lat[1], lat[2]], [lat[3], lat[4], lat[5]], [lat[6], lat[7], lat[8]]];
  const species = lines.slice(2, 2 + nAtoms).map((l) => l.trim().split(/\s+/)[0]);
  return { nFrames, nAtoms, positions, cell, pbc: [true, true, true], species, info: Array.from({ length: nFrames }, () => ({})) };
}

interface PeerResult { cpu: number; wall: number; loop: number; energies: number[]; iterations?: number[] }

function lammps(mode: 'rerun' | 'minimize', t: Trajectory, extra: Record<string, unknown> = {}): PeerResult {
  const dir = mkdtempSync(join(tmpdir(), 'repap-bench-relax-'));
  try {
    const file = join(dir, 'frames.f64');
    const pos = t.positions instanceof Float64Array ? t.positions : Float64Array.from(t.positions);
    writeFileSync(file, new Uint8Array(pos.buffer, pos.byteOffset, pos.byteLength));
    const res = spawnSync('/usr/bin/python3', [PEER], {
      input: JSON.stringify({ mode, positions: file, nFrames: t.nFrames, nAtoms: t.nAtoms, cell: Array.from(flatCell(t.cell)), ...extra }),
      encoding: 'utf8', maxBuffer: 1 << 28,
    });
    if (res.status !== 0) throw new Error(`LAMMPS peer failed: ${(res.stderr || res.error?.message || '').trim().split('\n').pop()}`);
    return JSON.parse(res.stdout) as PeerResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Runs the benchmark; returns markdown tables (printed by bench/run.ts). */
export async function benchRelax(): Promise<string> {
  const out: string[] = [];
  // 1. Energy + forces.
  const sw = stillingerWeber();
  const vsh = vashishta();
  const VASHISHTA = { pair: ['pair_style vashishta', 'pair_coeff * * /usr/share/lammps/potentials/SiO.1990.vashishta Si O'], types: ['Si', 'O'] };
  const sets = [
    { label: 'SW, 30 atoms', t: loadExtxyzGz('a-si-30-sw-300K', 4000, 10), repeats: 5, pot: sw, peer: {} },
    { label: 'SW, 216 atoms', t: loadExtxyzGz('a-si-216-sw-300K', 200, 5), repeats: 3, pot: sw, peer: {} },
    { label: 'Vashishta SiO2, 72 atoms', t: loadExtxyzGz('a-sio2-72-vashishta-300K-glasses', 100, 50), repeats: 1, pot: vsh, peer: VASHISHTA },
  ];
  out.push('### Energy and forces (one thread)', '');
  out.push('| frames | repap evals/CPU-s | repap evals/s (wall) | repap M pairs/CPU-s | LAMMPS rerun evals/CPU-s (process) | LAMMPS evals/s (its loop) | ratio per CPU-s | max abs(E diff) eV |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const { label, t, repeats, pot, peer: peerPair } of sets) {
    const n = t.nAtoms;
    const cell = flatCell(t.cell);
    const f = new Float64Array(3 * n);
    const e = new Float64Array(t.nFrames);
    for (let k = 0; k < 50; k++) pot.energyAndForces(t.positions.subarray(0, 3 * n), cell, t.pbc, t.species, f); // JIT warm-up
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let r = 0; r < repeats; r++) {
      for (let fr = 0; fr < t.nFrames; fr++) e[fr] = pot.energyAndForces(t.positions.subarray(fr * 3 * n, (fr + 1) * 3 * n), cell, t.pbc, t.species, f);
    }
    const cpu = cpuSeconds(c0);
    const wall = (performance.now() - w0) / 1000;
    const evals = repeats * t.nFrames;
    const peer = lammps('rerun', t, { repeats, species: t.species, ...peerPair });
    let diff = 0;
    for (let fr = 0; fr < t.nFrames; fr++) diff = Math.max(diff, Math.abs(peer.energies[fr] - e[fr]));
    const pairs = (evals * n * (n - 1)) / 2;
    const oursRate = evals / cpu, peerRate = evals / peer.cpu;
    out.push(`| ${label} x ${fmt(evals)} | ${fmt(oursRate)} | ${fmt(evals / wall)} | ${fmt(pairs / cpu / 1e6, 1)} | ${fmt(peerRate)} | ${fmt(evals / peer.loop)} | ${fmt(oursRate / peerRate, 2)} | ${diff.toExponential(1)} |`);
  }
  out.push('', '"pairs" counts all N(N-1)/2 pairs of every frame (as the data README). ASE has no Stillinger-Weber or Vashishta calculator of its own.', '');

  // 2. Relaxation of 1,000 30-atom glass frames.
  const glasses = loadExtxyzGz('a-si-30-sw-300K-glasses', 1000, 32);
  relaxStructures({ ...glasses, nFrames: 20, positions: glasses.positions.subarray(0, 20 * 90), info: glasses.info.slice(0, 20) }); // warm-up
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const ours = relaxStructures(glasses, { fmax: 1e-3 });
  const cpu = cpuSeconds(c0);
  const wall = (performance.now() - w0) / 1000;
  const c1 = process.cpuUsage();
  const w1 = performance.now();
  const lb = relaxStructures(glasses, { fmax: 1e-3, method: 'lbfgs' });
  const cpuLb = cpuSeconds(c1);
  const wallLb = (performance.now() - w1) / 1000;
  const peer = lammps('minimize', glasses, { fmax: 1e-3, maxiter: 10000 });
  const nf = glasses.nFrames;
  let same = 0, sameLb = 0;
  for (let i = 0; i < nf; i++) {
    if (Math.abs(ours.frames.energyAfter[i] - peer.energies[i]) / 30 <= 1e-6) same++;
    if (Math.abs(lb.frames.energyAfter[i] - peer.energies[i]) / 30 <= 1e-6) sameLb++;
  }
  const stepsLb = lb.frames.steps.reduce((a, b) => a + b, 0) / nf;
  const convLb = lb.frames.converged.reduce((a, b) => a + b, 0);
  const steps = ours.frames.steps.reduce((a, b) => a + b, 0) / nf;
  const iters = peer.iterations!.reduce((a, b) => a + b, 0) / nf;
  const conv = ours.frames.converged.reduce((a, b) => a + b, 0);
  out.push(`### Relaxation of ${fmt(nf)} 30-atom a-Si glass frames to fmax 1e-3 eV/Å (fixed cell)`, '');
  out.push('| | minimisations/CPU-s | minimisations/s (wall) | mean steps | converged | CPU s |');
  out.push('|---|---|---|---|---|---|');
  out.push(`| repap relaxStructures (FIRE) | ${fmt(nf / cpu)} | ${fmt(nf / wall)} | ${fmt(steps, 1)} | ${conv} | ${fmt(cpu, 2)} |`);
  out.push(`| repap relaxStructures (method 'lbfgs') | ${fmt(nf / cpuLb)} | ${fmt(nf / wallLb)} | ${fmt(stepsLb, 1)} | ${convLb} | ${fmt(cpuLb, 2)} |`);
  out.push(`| LAMMPS min_style fire (process) | ${fmt(nf / peer.cpu)} | ${fmt(nf / peer.wall)} | ${fmt(iters, 1)} | | ${fmt(peer.cpu, 2)} |`);
  out.push(`| LAMMPS, its own loop time | | ${fmt(nf / peer.loop)} | | | |`);
  out.push('', `Ratio repap / LAMMPS per CPU-s: **${fmt(peer.cpu / cpu, 2)}** (FIRE), **${fmt(peer.cpu / cpuLb, 2)}** (L-BFGS). ` +
    `Same minimum as LAMMPS (energies within 1e-6 eV/atom): ${fmt((100 * same) / nf, 1)} % of frames (FIRE), ${fmt((100 * sameLb) / nf, 1)} % (L-BFGS).`);
  return out.join('\n');
}
