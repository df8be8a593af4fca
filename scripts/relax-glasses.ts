/**
 * Relaxes MD frames of the 64 a-Si glasses (../shared/data/a-si-30-sw-300K-glasses)
 * with relaxStructures (FIRE, fmax 1e-3 eV/Å) and with LAMMPS (`min_style fire`,
 * `minimize 0 1e-3`, `min_modify norm max`) on the same frames, and reports:
 * how often each reaches the glass's inherent-structure energy (sidecar JSON) to
 * 1 meV/atom, how often the two agree, and how many distinct minima each glass's
 * frames fall into (energies more than 1e-6 eV/atom apart, and distinct
 * structures by groupStructures at its default tolerance).
 *
 *   npx tsx scripts/relax-glasses.ts [framesPerGlass=2] [--fixture]
 *
 * `--fixture` writes test/fixtures/lammps-sw-glass-minima.json (the LAMMPS
 * energies of the frames, read by test/analysis/relax.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupStructures, structureFingerprint } from '../src/analysis/fingerprint.js';
import { relaxStructures } from '../src/analysis/relax.js';
import { loadTrajectory } from '../src/node/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA = resolve(HERE, '../../shared/data');
const per = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 2);
const writeFixture = process.argv.includes('--fixture');

const all = await loadTrajectory(join(DATA, 'a-si-30-sw-300K-glasses.extxyz.gz'));
const meta = JSON.parse(readFileSync(join(DATA, 'a-si-30-sw-300K-glasses.json'), 'utf8')) as {
  glasses: { id: string; inherentEnergyPerAtom_eV: number }[];
};
const n = all.nAtoms;
const framesPerGlass = all.nFrames / meta.glasses.length;
const idx: number[] = [];
for (let g = 0; g < meta.glasses.length; g++) {
  for (let k = 0; k < per; k++) idx.push(g * framesPerGlass + Math.floor((k * framesPerGlass) / per) + 7);
}
const pos = new Float64Array(idx.length * n * 3);
idx.forEach((f, i) => pos.set(all.positions.subarray(f * n * 3, (f + 1) * n * 3), i * n * 3));
const sample = { ...all, nFrames: idx.length, positions: pos, info: idx.map((f) => all.info[f]) };

const c0 = process.cpuUsage();
const ours = relaxStructures(sample);
const cu = process.cpuUsage(c0);
const cpu = (cu.user + cu.system) / 1e6;

const dir = mkdtempSync(join(tmpdir(), 'repap-relax-'));
writeFileSync(join(dir, 'frames.f64'), new Uint8Array(pos.buffer));
const res = spawnSync('/usr/bin/python3', [resolve(HERE, '../bench/peers/lammps_relax.py')], {
  input: JSON.stringify({ mode: 'minimize', positions: join(dir, 'frames.f64'), nFrames: idx.length, nAtoms: n, cell: all.cell!.flat(), fmax: 1e-3, maxiter: 10000 }),
  encoding: 'utf8', maxBuffer: 1 << 28,
});
rmSync(dir, { recursive: true, force: true });
if (res.status !== 0) throw new Error(`LAMMPS peer failed: ${res.stderr}`);
const lmp = JSON.parse(res.stdout) as { energies: number[]; iterations: number[]; cpu: number };

let oursAtInherent = 0, lmpAtInherent = 0, agree = 0;
const minima: number[] = [];
const structures: number[] = [];
for (let g = 0; g < meta.glasses.length; g++) {
  const ref = meta.glasses[g].inherentEnergyPerAtom_eV;
  const es: number[] = [];
  for (let k = 0; k < per; k++) {
    const i = g * per + k;
    const eo = ours.frames.energyAfter[i] / n, el = lmp.energies[i] / n;
    if (Math.abs(eo - ref) <= 1e-3) oursAtInherent++;
    if (Math.abs(el - ref) <= 1e-3) lmpAtInherent++;
    if (Math.abs(eo - el) <= 1e-6) agree++;
    es.push(eo);
  }
  es.sort((a, b) => a - b);
  let distinct = 1;
  for (let k = 1; k < es.length; k++) if (es[k] - es[k - 1] > 1e-6) distinct++;
  minima.push(distinct);
  const fps = Array.from({ length: per }, (_, k) => structureFingerprint(ours.trajectory, g * per + k));
  const rep = groupStructures(fps);
  structures.push(rep.filter((r, k) => r === k).length);
}
const histogram = (xs: number[]): string => {
  const h = new Map<number, number>();
  for (const m of xs) h.set(m, (h.get(m) ?? 0) + 1);
  return `${[...h].sort((a, b) => a[0] - b[0]).map(([m, c]) => `${m}: ${c} glasses`).join(', ')}; mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)}`;
};
const total = idx.length;
console.log(`${total} frames (${per} per glass)`);
console.log(`reach the glass's inherent energy to 1 meV/atom: repap ${(100 * oursAtInherent / total).toFixed(1)} %, LAMMPS ${(100 * lmpAtInherent / total).toFixed(1)} %`);
console.log(`repap and LAMMPS minima agree to 1e-6 eV/atom: ${(100 * agree / total).toFixed(1)} %`);
console.log(`distinct minima per glass (energies 1e-6 eV/atom apart): ${histogram(minima)}`);
console.log(`distinct relaxed structures per glass (groupStructures): ${histogram(structures)}`);
const steps = ours.frames.steps.reduce((a, b) => a + b, 0) / total;
const iters = lmp.iterations.reduce((a, b) => a + b, 0) / total;
console.log(`mean FIRE steps: repap ${steps.toFixed(1)}, LAMMPS ${iters.toFixed(1)}; minimisations per CPU-s: repap ${(total / cpu).toFixed(0)}, LAMMPS ${(total / lmp.cpu).toFixed(0)}`);
if (writeFixture) {
  const out = {
    generator: `scripts/relax-glasses.ts ${per} --fixture`,
    lammps: 'min_style fire, min_modify norm max, minimize 0 1e-3 10000 100000; pair_style sw, Si.sw',
    source: 'a-si-30-sw-300K-glasses.extxyz.gz (file frame indices)',
    frames: idx,
    energy: lmp.energies,
  };
  writeFileSync(resolve(HERE, '../test/fixtures/lammps-sw-glass-minima.json'), JSON.stringify(out) + '\n');
  console.log('wrote test/fixtures/lammps-sw-glass-minima.json');
}
