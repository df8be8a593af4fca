/**
 * Training throughput of the paper's network (30 atoms -> T = 90 tokens, 89
 * steps, input 139, 2 x LSTM 256, dropout 0.5, ReLU, Dense 256 -> 50 without
 * bias, sigmoid, MSE, RMSprop), in sequences per second of one training pass,
 * side by side in the same run with the same network in PyTorch
 * (`bench/peers/train_lstm.py`, `/usr/bin/python3`, one thread).
 *
 * Rows: the fused WebAssembly training kernel (the default path; 1 and 2
 * threads), its training step alone with and without fused multiply-add (what
 * Node 20's relaxed-SIMD flag buys), RePAPModel's fast sequence-level tfjs
 * path on wasm and cpu (batch 32, 64, 128), tfjs-layers' own LSTM training
 * (the generic path, one batch) for reference, the 216-atom set (T = 647) on
 * the kernel against PyTorch, and the peak RSS of runs on the full
 * 40,000-frame set and on the 216-atom set. GFLOP/s are set against two peaks
 * measured in the same run: the machine's float32 matrix-product peak (numpy,
 * one thread) and the WebAssembly SIMD128 peak of the CPU (independent
 * multiply-adds on registers), with the load average at the start and end.
 * GFLOP/s counts 2 x multiply-adds of the recurrent, layer-2 input and
 * read-out products, forward and backward (3x forward): ~0.42 GFLOP per sequence.
 *
 * WebAssembly SIMD is 128 bits wide (4 floats), PyTorch's sgemm on an AVX-512
 * machine 512 bits wide: the kernel's ceiling is the SIMD128 peak, about half
 * the numpy peak here. See docs/backends.md.
 */
import v8 from 'node:v8';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/backend/index.js';
import { AxisProjectionEncoder } from '../src/encoding/index.js';
import { RePAPModel, type TrainOptions } from '../src/model/index.js';
import { loadTrajectory } from '../src/node/index.js';
import { enableWasmRelaxedSimd, wasmRelaxedSimdSupported } from '../src/wasm/detect.js';
import { assemble, FnBuilder, I32, V128 } from '../src/wasm/emit.js';
import { FusedLSTMTrainer } from '../src/model/kernel/fused-trainer.js';
import type { StackBatch } from '../src/model/lstm-stack.js';
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
  threads?: number;
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

async function tfjsRow(backend: 'wasm' | 'cpu', batch: number, batches: number, path: 'kernel' | 'fast' | 'generic', threads = 1): Promise<Row> {
  const generic = path === 'generic';
  const how: TrainOptions = { path, ...(path === 'kernel' ? { threads } : {}) };
  await useBackend(backend);
  const frames = batch * (batches + 2);
  const traj = randomTrajectory(frames);
  const encoder = AxisProjectionEncoder.fit(traj);
  const model = RePAPModel.create(encoder);
  let c0 = 0;
  let w0 = 0;
  let c1 = NaN;
  let w1 = NaN;
  if (generic) {
    // warm-up (kernels, optimiser state) on a small batch, then the timed pass
    const warm = Math.min(batch, 8);
    await model.train(traj, { epochs: 1, batchSize: warm, split: { train: warm, validation: 0, test: 0 }, ...how });
    c0 = cpuSeconds();
    w0 = performance.now();
    await model.train(traj, { epochs: 1, batchSize: batch, split: { train: batch * batches, validation: 0, test: 0 }, shuffle: false, ...how });
  } else {
    // One pass of 1 + batches batches, timed from the end of the first to the end
    // of the last: steady state, as PyTorch is timed after warm-up steps (the
    // first batch carries the set-up: the kernel's compile and memory, the first
    // touch of its pages; the end of the run saves the optimiser state once).
    await model.train(traj, {
      epochs: 1,
      batchSize: batch,
      split: { train: batch * (batches + 1), validation: 0, test: 0 },
      shuffle: false,
      ...how,
      callbacks: [
        {
          onBatchEnd: (b: number) => {
            if (b === 0) {
              c0 = cpuSeconds();
              w0 = performance.now();
            } else {
              c1 = cpuSeconds();
              w1 = performance.now();
            }
          },
        },
      ],
    });
  }
  const wall = ((Number.isNaN(w1) ? performance.now() : w1) - w0) / 1000;
  const cpu = (Number.isNaN(c1) ? cpuSeconds() : c1) - c0;
  model.dispose();
  return {
    engine: generic ? 'tfjs-layers LSTM (generic path)' : path === 'kernel' ? 'repap fused wasm kernel' : 'repap fast LSTM path (tfjs)',
    threads: path === 'kernel' ? threads : 1,
    backend: path === 'kernel' ? (wasmRelaxedSimdSupported() ? 'wasm SIMD + FMA' : 'wasm SIMD') : backend,
    batch,
    seqPerSec: (batch * batches) / wall,
    seqPerCpuSec: (batch * batches) / cpu,
    rssMb: process.memoryUsage().rss / 1e6,
  };
}

function torchRows(batches: number[], n: number, steps = 89): Row[] | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(
    PYTHON,
    [new URL('./peers/train_lstm.py', import.meta.url).pathname, '--batches', batches.join(','), '--n', String(n), '--steps', String(steps)],
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
  enableWasmRelaxedSimd((flag) => v8.setFlagsFromString(flag));
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

/**
 * The 216-atom set (1,000 frames, T = 648 tokens, 647 steps): a few batches of
 * 32 on the kernel with 2 threads, training only; peak RSS of the process.
 */
export async function set216(): Promise<{ rssMb: number; seqPerSec: number; seqPerCpuSec: number; frames: number }> {
  enableWasmRelaxedSimd((flag) => v8.setFlagsFromString(flag));
  await useBackend('wasm');
  const traj = await loadTrajectory(new URL('../../shared/data/a-si-216-sw-300K.extxyz.gz', import.meta.url).pathname);
  const encoder = AxisProjectionEncoder.fit(traj);
  const model = RePAPModel.create(encoder);
  const quick = process.env.REPAP_BENCH_QUICK === '1';
  const batches = quick ? 2 : 4;
  // timed from the end of the first batch (which carries the set-up) to the end of the last, as the paper-network rows
  let c0 = 0;
  let w0 = 0;
  let c1 = 0;
  let w1 = 0;
  const start = {
    onBatchEnd: (b: number) => {
      if (b === 0) [c0, w0] = [cpuSeconds(), performance.now()];
      else [c1, w1] = [cpuSeconds(), performance.now()];
    },
  };
  await model.train(traj, { epochs: 1, batchSize: 32, split: { train: 900, validation: 0, test: 0 }, maxBatchesPerEpoch: batches + 1, threads: 2, callbacks: [start] });
  const wall = (w1 - w0) / 1000;
  const n = batches * 32;
  const cpu = c1 - c0;
  model.dispose();
  return { rssMb: process.resourceUsage().maxRSS / 1024, seqPerSec: n / wall, seqPerCpuSec: n / cpu, frames: traj.nFrames };
}

/**
 * The WebAssembly SIMD128 ceiling of this CPU: GFLOP per CPU second of a loop
 * of 10 independent f32x4 fused multiply-adds (or multiply + add) on
 * registers, twice per iteration, no memory traffic. No 128-bit kernel can
 * beat it; the products of the training kernel are measured against it.
 */
export function wasmSimdPeak(fma: boolean): number {
  const f = new FnBuilder('peak', [I32]);
  const i = f.local(I32);
  const acc = Array.from({ length: 10 }, () => f.local(V128));
  const a = f.local(V128), b = f.local(V128);
  f.vconst(1.0000001).set(a).vconst(0.9999999).set(b);
  f.forLoop(i, () => f.get(0), () => {
    for (let r = 0; r < 2; r++) {
      for (const c of acc) {
        if (fma) f.get(a).get(b).get(c).simd(0x105).set(c);
        else f.get(c).get(a).get(b).fmul().fadd().set(c);
      }
    }
  });
  f.i32(0).get(acc[0]!);
  for (let k = 1; k < acc.length; k++) f.get(acc[k]!).fadd();
  f.vstore(0);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const ex = new WebAssembly.Instance(new WebAssembly.Module(assemble([f], { initial: 1, shared: false }) as Uint8Array<ArrayBuffer>), { env: { memory } }).exports as { peak(n: number): void };
  ex.peak(100_000); // tier up to the optimising compiler
  // the best of several short runs: on a loaded machine most runs are disturbed, the best one is not
  const n = 2_000_000;
  let best = 0;
  for (let rep = 0; rep < 12; rep++) {
    const c0 = cpuSeconds();
    ex.peak(n);
    best = Math.max(best, (n * 2 * acc.length * 8) / (cpuSeconds() - c0) / 1e9);
  }
  return best;
}

/**
 * The fused kernel's training step alone (no data pipeline, no model): the
 * paper network on random one-hot inputs, dropout masks and targets, one
 * thread, with or without fused multiply-add. Sequences per CPU second.
 */
export function kernelStepRate(batch: number, fma: boolean, steps = 3): number {
  const S = 89, G = 50, U = 256, D = G + S;
  let x = 12345;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const trainer = new FusedLSTMTrainer(
    { inputDim: D, nActive: 2, units: U, layers: 2, gridSize: G, hiddenActivation: 'relu', outputActivation: 'sigmoid', loss: 'mse', readoutBias: false, optimizer: 'rmsprop', learningRate: 1e-3 },
    { threads: 1, fma, batchSize: batch, steps: S },
  );
  const weights = trainer.weightShapes.map((shape) => Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) }, () => (rnd() - 0.5) * 0.1));
  trainer.setWeights(weights);
  const R = S * batch;
  const active = new Int32Array(2 * R);
  for (let t = 0; t < S; t++) {
    for (let b = 0; b < batch; b++) {
      active[t * batch + b] = Math.floor(rnd() * G);
      active[R + t * batch + b] = G + t;
    }
  }
  const data: StackBatch = {
    steps: S, batch, nActive: 2, active,
    targets: Float32Array.from({ length: R * G }, rnd),
    dropoutMasks: [Float32Array.from({ length: R * U }, () => (rnd() < 0.5 ? 2 : 0))],
  };
  trainer.step(data);
  const c0 = cpuSeconds();
  for (let k = 0; k < steps; k++) trainer.step(data);
  const cpu = cpuSeconds() - c0;
  trainer.dispose();
  return (steps * batch) / cpu;
}

/** float32 matrix-product peak of this machine: numpy (OpenBLAS), one thread, 2048 x 2048, GFLOP per CPU second and per wall second. */
function numpyPeak(): { cpu: number; wall: number } | string {
  const code = [
    'import numpy as np, time, json',
    'a = np.random.rand(2048, 2048).astype(np.float32); b = np.random.rand(2048, 2048).astype(np.float32)',
    'a @ b',
    'c0 = time.process_time(); w0 = time.perf_counter()',
    'for _ in range(6): a @ b',
    'f = 6 * 2 * 2048 ** 3 / 1e9',
    'print(json.dumps({"cpu": f / (time.process_time() - c0), "wall": f / (time.perf_counter() - w0)}))',
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) return `numpy failed: ${(r.stderr || '').trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim()) as { cpu: number; wall: number };
}

function inChild<T>(name: string): T | string {
  const script = `import('${new URL('./train.ts', import.meta.url).href}').then((m) => m.${name}()).then((r) => console.log(JSON.stringify(r)))`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) return `failed: ${(r.stderr || '').trim().split('\n').at(-1)}`;
  return JSON.parse(line) as T;
}

function fullSetPeakInChild(): { rssMb: number; seqPerSec: number } | string {
  return inChild('fullSetPeak');
}

/** Runs the training benchmark; returns a markdown table. */
export async function benchTrain(): Promise<string> {
  // fused multiply-add in the kernel: relaxed SIMD ships in Node >= 22; Node 20 has it behind a V8 flag
  enableWasmRelaxedSimd((flag) => v8.setFlagsFromString(flag));
  const quick = process.env.REPAP_BENCH_QUICK === '1';
  const S = 89;
  const flop = flopPerSequence(S, 256, 50);
  const load0 = os.loadavg()[0]!;
  const peak = numpyPeak();
  const simdPeak = { fma: wasmRelaxedSimdSupported() ? wasmSimdPeak(true) : null, plain: wasmSimdPeak(false) };
  // fused multiply-add cannot be slower than multiply + add: the larger is the ceiling (the other is noise)
  const simdPeakCpu = Math.max(simdPeak.fma ?? 0, simdPeak.plain);
  const rows: Row[] = [];
  const torchBy = new Map<number, Row>();
  let torchError: string | null = null;
  // PyTorch and repap alternate per batch size, so that both see similar load on a shared machine.
  for (const batch of [32, 64, 128]) {
    const torch = torchRows([batch], quick ? 3 : 8);
    if (typeof torch === 'string') torchError = torch;
    else {
      for (const r of torch) {
        torchBy.set(r.batch, r);
        rows.push(r);
      }
    }
    const n = quick ? 2 : batch === 128 ? 2 : 4;
    rows.push(await tfjsRow('wasm', batch, n, 'kernel', 1));
    rows.push(await tfjsRow('wasm', batch, n, 'kernel', 2));
    if (batch !== 128) {
      // the kernel's step alone, with and without fused multiply-add (what the V8 flag buys)
      for (const fma of wasmRelaxedSimdSupported() ? [true, false] : [false]) {
        rows.push({
          engine: 'fused wasm kernel, training step alone',
          threads: 1,
          backend: fma ? 'wasm SIMD + FMA' : 'wasm SIMD (mul + add)',
          batch,
          seqPerSec: NaN,
          seqPerCpuSec: kernelStepRate(batch, fma, quick ? 2 : 4),
          rssMb: process.memoryUsage().rss / 1e6,
        });
      }
      rows.push(await tfjsRow('wasm', batch, quick ? 1 : 2, 'fast'));
    }
  }
  if (!quick) for (const batch of [32, 64]) rows.push(await tfjsRow('cpu', batch, 1, 'fast'));
  rows.push(await tfjsRow('wasm', 32, 1, 'generic'));
  const big = existsSync(new URL('../../shared/data/a-si-216-sw-300K.extxyz.gz', import.meta.url).pathname)
    ? inChild<{ rssMb: number; seqPerSec: number; seqPerCpuSec: number; frames: number }>('set216')
    : 'skipped: ../shared/data/a-si-216-sw-300K.extxyz.gz not found';
  const bigTorch = torchRows([32], quick ? 1 : 2, 647);
  const full = fullSetPeakInChild();
  const peakCpu = typeof peak === 'string' ? null : peak.cpu;
  const lines = [
    `Paper network (input 139, 2 x LSTM 256, T = 89 steps, Dense 256 -> 50, RMSprop), one training pass, ${(flop / 1e9).toFixed(2)} GFLOP per sequence. tfjs ${tf.version_core}.`,
    '',
    typeof peak === 'string'
      ? `Machine peak: ${peak}`
      : `Machine peak (float32 2048 x 2048 matrix product, numpy/OpenBLAS, 1 thread, same run): ${peak.cpu.toFixed(0)} GFLOP/CPU-s (${peak.wall.toFixed(0)} GFLOP/s wall). ` +
          'The WebAssembly kernel computes 4 floats per instruction (SIMD128), a quarter of this AVX-512 peak at best.',
    '',
    `WebAssembly SIMD128 peak of this CPU (10 independent f32x4 multiply-adds on registers, same run): ${simdPeak.fma ? `${simdPeak.fma.toFixed(1)} GFLOP/CPU-s with fused multiply-add, ` : ''}` +
      `${simdPeak.plain.toFixed(1)} with multiply + add. Load average (1 min) at the start: ${load0.toFixed(1)} on ${os.cpus().length} cores.`,
    '',
    'seq/s: wall clock; seq/CPU-s: per CPU second of the process, all its threads (what one idle core does; robust to other load on a shared machine). ' +
      'Ratios against PyTorch (1 thread) at the same batch size: per CPU second, and wall clock.',
    '',
    '| engine | backend | threads | batch | seq/s | seq/CPU-s | GFLOP/CPU-s | % of numpy peak | % of SIMD128 peak | vs PyTorch per CPU-s | vs PyTorch wall | RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const peer = torchBy.get(r.batch);
    const native = r.backend === 'native';
    const ratio = peer && !native ? `${(r.seqPerCpuSec / peer.seqPerCpuSec).toFixed(2)}x` : '';
    const wallRatio = peer && !native && Number.isFinite(r.seqPerSec) ? `${(r.seqPerSec / peer.seqPerSec).toFixed(2)}x` : '';
    const gflop = (r.seqPerCpuSec * flop) / 1e9;
    lines.push(
      `| ${r.engine} | ${r.backend} | ${r.threads ?? 1} | ${r.batch} | ${Number.isFinite(r.seqPerSec) ? r.seqPerSec.toFixed(1) : '-'} | ${r.seqPerCpuSec.toFixed(1)} | ` +
        `${gflop.toFixed(1)} | ${peakCpu ? `${((100 * gflop) / peakCpu).toFixed(0)} %` : ''} | ${native ? '' : `${((100 * gflop) / simdPeakCpu).toFixed(0)} %`} | ${ratio} | ${wallRatio} | ${r.rssMb.toFixed(0)} |`,
    );
  }
  if (torchError) lines.push('', `PyTorch peer not run: ${torchError}`);
  const flop216 = flopPerSequence(647, 256, 50);
  lines.push('');
  if (typeof big === 'string') lines.push(`216-atom set: ${big}`);
  else {
    const t = typeof bigTorch === 'string' ? null : bigTorch[0]!;
    lines.push(
      `216-atom set (${big.frames} frames, T = 647 steps, ${(flop216 / 1e9).toFixed(2)} GFLOP per sequence), kernel, 2 threads, batch 32, training only: ` +
        `${big.seqPerSec.toFixed(1)} seq/s wall, ${big.seqPerCpuSec.toFixed(1)} seq/CPU-s (${((big.seqPerCpuSec * flop216) / 1e9).toFixed(1)} GFLOP/CPU-s), peak RSS ${big.rssMb.toFixed(0)} MB (own process, data included)` +
        (t ? `; PyTorch (1 thread, same shapes): ${t.seqPerSec.toFixed(1)} seq/s, ${t.seqPerCpuSec.toFixed(1)} seq/CPU-s, peak RSS ${t.rssMb.toFixed(0)} MB.` : `; PyTorch ${String(bigTorch)}.`),
    );
  }
  lines.push(
    '',
    typeof full === 'string'
      ? `Full-set memory run ${full}`
      : `Full set (50,000 frames encoded, 40k train / 500 validation / 500 test, default path (kernel, 2 threads), batch 64, 3 training batches + validation + test losses): ` +
          `peak RSS ${full.rssMb.toFixed(0)} MB (own process), ${full.seqPerSec.toFixed(1)} seq/s.`,
    '',
    `Load average (1 min) at the end: ${os.loadavg()[0]!.toFixed(1)}.`,
  );
  return lines.join('\n');
}
