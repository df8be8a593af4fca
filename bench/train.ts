/**
 * Training throughput of the paper's network (30 atoms -> T = 90 tokens, 89
 * steps, input 139, 2 x LSTM 256, dropout 0.5, ReLU, Dense 256 -> 50 without
 * bias, sigmoid, MSE, RMSprop), in sequences per second of one training pass,
 * side by side in the same run with the same network in PyTorch
 * (`bench/peers/train_lstm.py`, `/usr/bin/python3`, one thread).
 *
 * Rows: RePAPModel's fast sequence-level LSTM path on wasm and cpu (batch 32,
 * 64, 128), tfjs-layers' own LSTM training (the generic path, one batch) for
 * reference, and the peak RSS of a run on the full 40,000-frame set.
 * GFLOP/s counts 2 x multiply-adds of the recurrent, layer-2 input and
 * read-out products, forward and backward (3x forward): ~0.42 GFLOP per sequence.
 *
 * Why the fast path stays below PyTorch: ~60 % of its time is matrix products,
 * which the wasm backend (XNNPACK, SIMD128 without FMA, one thread in Node)
 * runs at ~30 GFLOP/s against ~100+ for PyTorch's AVX-512 sgemm; the rest is
 * the per-step gate arithmetic in JS and copies between JS and the wasm heap.
 * What would close it: a fused LSTM-step kernel registered as a custom tfjs
 * kernel (no per-step copies), relaxed-SIMD FMA GEMM, wasm threads (browsers
 * with cross-origin isolation), WebGPU for the large products, or tfjs-node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/backend/index.js';
import { AxisProjectionEncoder } from '../src/encoding/index.js';
import { RePAPModel } from '../src/model/index.js';
import type { Cell, Trajectory } from '../src/structure/trajectory.js';

const PYTHON = '/usr/bin/python3';
const N_ATOMS = 30;
const L = 8.43656254268594; // the a-Si 30-atom cell (Å)

/** A trajectory of random positions in the a-Si cell (throughput does not depend on the data). */
function randomTrajectory(frames: number): Trajectory {
  const positions = new Float32Array(frames * N_ATOMS * 3);
  let x = 2463534242;
  for (let i = 0; i < positions.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    positions[i] = ((x >>> 0) / 4294967296) * L;
  }
  const cell: Cell = [
    [L, 0, 0],
    [0, L, 0],
    [0, 0, L],
  ];
  return {
    nFrames: frames,
    nAtoms: N_ATOMS,
    positions,
    cell,
    pbc: [true, true, true],
    species: new Array(N_ATOMS).fill('Si'),
    info: Array.from({ length: frames }, () => ({})),
  };
}

function flopPerSequence(S: number, U: number, G: number): number {
  const forward = S * (2 * U * 4 * U + 2 * 2 * U * 4 * U + 2 * U * G);
  return 3 * forward;
}

interface Row {
  engine: string;
  backend: string;
  batch: number;
  /** Sequences per wall-clock second. */
  seqPerSec: number;
  /** Sequences per CPU second of the process (what one idle core would do). */
  seqPerCpuSec: number;
  rssMb: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function tfjsRow(backend: 'wasm' | 'cpu', batch: number, batches: number, generic: boolean): Promise<Row> {
  await useBackend(backend);
  const frames = batch * (batches + 1);
  const traj = randomTrajectory(frames);
  const encoder = AxisProjectionEncoder.fit(traj);
  const model = RePAPModel.create(encoder);
  // warm-up (kernels, optimiser state) on a small batch, then the timed pass
  const warm = Math.min(batch, 8);
  await model.train(traj, { epochs: 1, batchSize: warm, split: { train: warm, validation: 0, test: 0 }, generic });
  const c0 = cpuSeconds();
  const w0 = performance.now();
  await model.train(traj, {
    epochs: 1,
    batchSize: batch,
    split: { train: batch * batches, validation: 0, test: 0 },
    shuffle: false,
    generic,
  });
  const wall = (performance.now() - w0) / 1000;
  const cpu = cpuSeconds() - c0;
  model.dispose();
  return {
    engine: generic ? 'tfjs-layers LSTM (generic path)' : 'repap fast LSTM path',
    backend,
    batch,
    seqPerSec: (batch * batches) / wall,
    seqPerCpuSec: (batch * batches) / cpu,
    rssMb: process.memoryUsage().rss / 1e6,
  };
}

function torchRows(batches: number[], n: number): Row[] | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(
    PYTHON,
    [new URL('./peers/train_lstm.py', import.meta.url).pathname, '--batches', batches.join(','), '--n', String(n)],
    { encoding: 'utf8', timeout: 600_000 },
  );
  if (r.status !== 0) return `PyTorch peer failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { batch: number; seq_per_s: number; seq_per_cpu_s: number; peak_rss_mb: number; torch: string })
    .map((o) => ({
      engine: `PyTorch ${o.torch} (1 thread)`,
      backend: 'native',
      batch: o.batch,
      seqPerSec: o.seq_per_s,
      seqPerCpuSec: o.seq_per_cpu_s,
      rssMb: o.peak_rss_mb,
    }));
}

/**
 * Peak RSS when training a few batches on a 50,000-frame set (all frames encoded,
 * split 40k train / 500 validation / 500 test, with validation and test losses) (encoded coordinates only; batches built
 * on the fly). Measured in a child process so that other rows do not count.
 */
export async function fullSetPeak(): Promise<{ rssMb: number; seqPerSec: number }> {
  await useBackend('wasm');
  const traj = randomTrajectory(50_000);
  const encoder = AxisProjectionEncoder.fit(traj);
  const model = RePAPModel.create(encoder);
  const h = await model.train(traj, {
    epochs: 1,
    batchSize: 64,
    split: { train: 40_000, validation: 500, test: 500 },
    maxBatchesPerEpoch: 3,
  });
  model.dispose();
  return { rssMb: process.resourceUsage().maxRSS / 1024, seqPerSec: h.epochs[0]!.seqPerSec };
}

function fullSetPeakInChild(): { rssMb: number; seqPerSec: number } | string {
  const script = `import('${new URL('./train.ts', import.meta.url).href}').then((m) => m.fullSetPeak()).then((r) => console.log(JSON.stringify(r)))`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return `failed: ${(r.stderr || '').trim().split('\n').at(-1)}`;
  return JSON.parse(line) as { rssMb: number; seqPerSec: number };
}

/** Runs the training benchmark; returns a markdown table. */
export async function benchTrain(): Promise<string> {
  const quick = process.env.REPAP_BENCH_QUICK === '1';
  const S = 89;
  const flop = flopPerSequence(S, 256, 50);
  const rows: Row[] = [];
  const torchBy = new Map<number, Row>();
  let torchError: string | null = null;
  // PyTorch and tfjs alternate per batch size, so that both see similar load on a shared machine.
  for (const batch of [32, 64, 128]) {
    const torch = torchRows([batch], quick ? 3 : 8);
    if (typeof torch === 'string') torchError = torch;
    else {
      for (const r of torch) {
        torchBy.set(r.batch, r);
        rows.push(r);
      }
    }
    rows.push(await tfjsRow('wasm', batch, quick ? 2 : 4, false));
  }
  for (const batch of [32, 64]) rows.push(await tfjsRow('cpu', batch, 1, false));
  rows.push(await tfjsRow('wasm', 32, 1, true));
  const peak = fullSetPeakInChild();
  const lines = [
    `Paper network (input 139, 2 x LSTM 256, T = 89 steps, Dense 256 -> 50), one training pass, ${(flop / 1e9).toFixed(2)} GFLOP per sequence. tfjs ${tf.version_core}.`,
    '',
    'seq/s: wall clock; seq/CPU-s: per CPU second of the process (what one idle core does; robust to other load on a shared machine). ' +
      'Ratios compare seq/CPU-s with PyTorch at the same batch size.',
    '',
    '| engine | backend | batch | seq/s | seq/CPU-s | GFLOP/CPU-s | ratio vs PyTorch | RSS MB |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const peer = torchBy.get(r.batch);
    const ratio = peer && r.backend !== 'native' ? `${(r.seqPerCpuSec / peer.seqPerCpuSec).toFixed(2)}x` : '';
    lines.push(
      `| ${r.engine} | ${r.backend} | ${r.batch} | ${r.seqPerSec.toFixed(1)} | ${r.seqPerCpuSec.toFixed(1)} | ` +
        `${((r.seqPerCpuSec * flop) / 1e9).toFixed(1)} | ${ratio} | ${r.rssMb.toFixed(0)} |`,
    );
  }
  if (torchError) lines.push('', `PyTorch peer not run: ${torchError}`);
  lines.push(
    '',
    typeof peak === 'string'
      ? `Full-set memory run ${peak}`
      : `Full set (50,000 frames encoded, 40k train / 500 validation / 500 test, wasm, batch 64, 3 training batches + validation + test losses): ` +
          `peak RSS ${peak.rssMb.toFixed(0)} MB (own process), ${peak.seqPerSec.toFixed(1)} seq/s.`,
  );
  return lines.join('\n');
}
