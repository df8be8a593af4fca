/**
 * The training cost per LSTM step of the 216-atom set against the 30-atom set
 * (docs/scale.md, "Why 216 atoms train slowly"): the same networks on the
 * fused kernel, 2 threads, a few batches each after one warm-up batch,
 * training only (no validation), CPU seconds of the process. Maintainers'
 * script: it reads the reference data (`../shared/data` beside the
 * repository, or `--data DIR`), which the package never reads at run time.
 *
 *   npx tsx scripts/train-steps-216.ts [--data DIR] [--frames 1000]
 *
 * Prints one line per set and network: sequences per wall and CPU second, and
 * LSTM steps (T - 1 per sequence) per CPU second.
 */
import v8 from 'node:v8';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AxisProjectionEncoder, RePAPModel, useBackend, type RePAPModelConfig } from '../src/index.js';
import { loadTrajectory } from '../src/node/index.js';
import { takeFrames } from '../src/cli/frames.js';
import { enableWasmRelaxedSimd } from '../src/wasm/detect.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: resolve(import.meta.dirname, '../../shared/data') },
    frames: { type: 'string', default: '1000' },
  },
});
const nFrames = Number(values.frames);
if (!Number.isInteger(nFrames) || nFrames < 100) throw new Error(`--frames ${values.frames}: give an integer of at least 100`);

enableWasmRelaxedSimd((flag) => v8.setFlagsFromString(flag));
await useBackend('wasm');
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const nets: { name: string; config: Partial<RePAPModelConfig>; grid: number; batch: number; batches: Record<number, number> }[] = [
  { name: '1 x LSTM 128, grid 200, softmax cross-entropy, batch 8', config: { layers: 1, units: 128, loss: 'softmax-crossentropy' }, grid: 200, batch: 8, batches: { 30: 120, 216: 16 } },
  { name: '2 x LSTM 256, grid 50, sigmoid + squared error (paper), batch 32', config: {}, grid: 50, batch: 32, batches: { 30: 16, 216: 2 } },
];

for (const atoms of [30, 216]) {
  const full = await loadTrajectory(resolve(values.data!, `a-si-${atoms}-sw-300K.extxyz.gz`));
  const n = Math.min(nFrames, full.nFrames);
  const traj = takeFrames(full, Int32Array.from({ length: n }, (_, i) => i));
  const steps = 3 * atoms - 1;
  for (const net of nets) {
    const model = RePAPModel.create(AxisProjectionEncoder.fit(traj, { gridSize: net.grid }), net.config);
    const options = { epochs: 1, batchSize: net.batch, split: { train: n, validation: 0, test: 0 }, threads: 2 };
    await model.train(traj, { ...options, maxBatchesPerEpoch: 1 });
    const c0 = cpuSeconds();
    const w0 = performance.now();
    await model.train(traj, { ...options, maxBatchesPerEpoch: net.batches[atoms] });
    const wall = (performance.now() - w0) / 1000;
    const cpu = cpuSeconds() - c0;
    const seqs = net.batches[atoms]! * net.batch;
    console.log(
      `${atoms} atoms (${steps} steps), ${net.name}: ${seqs} sequences, ${(seqs / wall).toFixed(1)} seq/s wall, ` +
        `${(seqs / cpu).toFixed(1)} seq/CPU-s, ${((seqs * steps) / cpu).toFixed(0)} steps/CPU-s`,
    );
    model.dispose();
  }
}
