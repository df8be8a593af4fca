/**
 * Finds the inherent structures (energy minima) of the embedded a-Si glass and
 * writes them to `assets/a-si-30-sw-300K/inherent.extxyz`, for `repap demo`'s
 * "relaxed into the training glass" row: relaxes every 5th of the 2,000 shipped
 * reference frames (the same 300 K run the model was trained on) with
 * Stillinger-Weber to fmax 1e-4 eV/Å, groups them with `groupStructures`, and
 * keeps one representative per minimum with its count and energy.
 *
 *   npx tsx scripts/inherent-structures.ts
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fingerprinter, groupStructures, relaxStructures } from '../src/analysis/index.js';
import { writeExtxyz } from '../src/io/index.js';
import { loadEmbeddedReference } from '../src/cli/reference.js';

const out = resolve(import.meta.dirname, '../assets/a-si-30-sw-300K/inherent.extxyz');
const ref = loadEmbeddedReference();
const idx = Array.from({ length: 400 }, (_, k) => 5 * k);
const per = ref.nAtoms * 3;
const positions = new Float64Array(idx.length * per);
idx.forEach((f, k) => positions.set(ref.positions.subarray(f * per, (f + 1) * per), k * per));
const res = relaxStructures({ ...ref, nFrames: idx.length, positions, info: idx.map(() => ({})) }, { fmax: 1e-4 });
if (res.frames.converged.some((c) => c === 0)) throw new Error('inherent-structures: a frame did not converge');
const fp = fingerprinter(res.trajectory);
const groups = groupStructures(idx.map((_, k) => fp(k)));
const counts = new Map<number, number>();
groups.forEach((r) => counts.set(r, (counts.get(r) ?? 0) + 1));
const reps = [...counts].sort((a, b) => b[1] - a[1]);
const p = new Float64Array(reps.length * per);
reps.forEach(([r], k) => p.set(res.trajectory.positions.subarray(r * per, (r + 1) * per), k * per));
const traj = {
  ...ref, nFrames: reps.length, positions: p,
  info: reps.map(([r, c]) => ({ energy: res.frames.energyAfter[r], referenceFrame: idx[r], count: c, sampled: idx.length, fmax: 1e-4 })),
};
writeFileSync(out, writeExtxyz(traj, { precision: 10 }));
for (const [r, c] of reps) console.log(`minimum at ${(res.frames.energyAfter[r] / ref.nAtoms).toFixed(6)} eV/atom: ${c} of ${idx.length} frames (first: reference frame ${idx[r]})`);
console.log(`wrote ${out}`);
