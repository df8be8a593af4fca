/**
 * `npm run bench -- backends`: the same RePAP network on every tfjs backend available here, in Node
 * (cpu, wasm, webgpu through Dawn, tensorflow when tfjs-node is installed) and in headless chromium
 * (webgpu, webgl, wasm, cpu through the demo page). Three tasks:
 *
 * - forward: teacher-forced `network.predict` on a batch of 32 sequences (async read-back), sequences/s;
 * - train: one epoch on a small set (batch 32), sequences/s;
 * - sample: `ConditionalSampler` with `engine: 'tfjs'` (the steps run as tfjs ops on the backend),
 *   constraint resampling off (`minDistance: 0`) so that every backend does the same work, structures/s.
 *
 * Knobs (environment): REPAP_BENCH_UNITS (256, the paper's network), REPAP_BENCH_TRAIN (64 frames),
 * REPAP_BENCH_SAMPLE (32 structures), REPAP_BENCH_BROWSER=0 to leave out the browser rows.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { probeBackend, useBackend, type BackendName } from '../src/backend/index.js';
import { AxisProjectionEncoder } from '../src/encoding/index.js';
import { RePAPModel } from '../src/model/index.js';
import { loadModel, saveModel } from '../src/node/index.js';
import { ConditionalSampler } from '../src/sampling/index.js';
import type { Cell, Trajectory } from '../src/structure/index.js';

const UNITS = Number(process.env.REPAP_BENCH_UNITS ?? 256);
const N_TRAIN = Number(process.env.REPAP_BENCH_TRAIN ?? 64);
const N_SAMPLE = Number(process.env.REPAP_BENCH_SAMPLE ?? 32);
const BROWSER = process.env.REPAP_BENCH_BROWSER !== '0';
const FORWARD_BATCH = 32;
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ASSET = fileURLToPath(new URL('../assets/a-si-30-sw-300K/', import.meta.url));

interface Row {
  where: string;
  backend: string;
  forward: number | string;
  train: number | string;
  sample: number | string;
  note: string;
}

function frames(n: number): { trajectory: Trajectory; bytes: Buffer; meta: Record<string, unknown> } {
  const meta = JSON.parse(readFileSync(join(ASSET, 'reference.json'), 'utf8')) as { nAtoms: number; cell: Cell };
  const bytes = readFileSync(join(ASSET, 'reference.f32')).subarray(0, n * meta.nAtoms * 3 * 4);
  const positions = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return {
    trajectory: {
      nFrames: n,
      nAtoms: meta.nAtoms,
      positions,
      cell: meta.cell,
      pbc: [true, true, true],
      species: new Array<string>(meta.nAtoms).fill('Si'),
      info: Array.from({ length: n }, () => ({})),
    },
    bytes,
    meta,
  };
}

function short(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  if (/OffscreenCanvas/.test(m)) return 'n/a: needs synchronous reads (no OffscreenCanvas in Node)';
  if (/createBuffer failed.*mappedAtCreation/.test(m)) return 'failed: WebGPU createBuffer error (device lost)';
  return `failed: ${m.replace(/^page\.evaluate: /, '').slice(0, 80)}`;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** Forward pass throughput: sequences/s of teacher-forced prediction, read back asynchronously. */
async function forward(model: RePAPModel): Promise<number> {
  const c = model.encoder;
  const steps = c.sequenceLength - 1;
  const x = new Float32Array(FORWARD_BATCH * steps * c.inputSize);
  const idx = new Int32Array(8);
  for (let b = 0; b < FORWARD_BATCH; b++) {
    for (let t = 0; t < steps; t++) {
      const m = c.activeInputs(t, (b * 13 + t * 7) % c.gridSize, idx);
      for (let a = 0; a < m; a++) x[(b * steps + t) * c.inputSize + idx[a]] = 1;
    }
  }
  const once = async (): Promise<void> => {
    const y = tf.tidy(() => model.network.predict(tf.tensor3d(x, [FORWARD_BATCH, steps, c.inputSize])) as tf.Tensor);
    await y.data();
    y.dispose();
  };
  await once(); // warm-up: kernels, shader compilation
  let reps = 0;
  const s = await timed(async () => {
    const t0 = performance.now();
    do {
      await once();
      reps++;
    } while (performance.now() - t0 < 1500 && reps < 20);
  });
  return (reps * FORWARD_BATCH) / s;
}

async function nodeRows(dir: string, train: Trajectory): Promise<Row[]> {
  const rows: Row[] = [];
  const icd = process.env.VK_ICD_FILENAMES ?? (existsSync(SWIFTSHADER_ICD) ? SWIFTSHADER_ICD : undefined);
  for (const backend of ['cpu', 'wasm', 'webgpu', 'tensorflow'] as BackendName[]) {
    const probe = await probeBackend(backend, { vulkanICD: icd });
    if (!probe.available) {
      const why = probe.reason!.replace(/^useBackend\('[a-z]+'\): /, '').split('. ')[0];
      rows.push({ where: 'Node', backend, forward: '-', train: '-', sample: '-', note: `unavailable: ${why}` });
      continue;
    }
    await useBackend(backend, { vulkanICD: icd });
    const note = backend === 'webgpu' ? `Dawn on ${icd?.includes('swiftshader') ? 'SwiftShader (software Vulkan, CPU)' : 'the system Vulkan driver'}` : '';
    const row: Row = { where: 'Node', backend, forward: '-', train: '-', sample: '-', note };
    const model = await loadModel(dir);
    try {
      try {
        row.forward = await forward(model);
      } catch (e) {
        row.forward = short(e);
      }
      try {
        const s = await timed(async () => {
          await model.train(train, { epochs: 1, batchSize: 32, split: { train: train.nFrames, validation: 0, test: 0 }, seed: 1 });
        });
        row.train = train.nFrames / s;
      } catch (e) {
        row.train = short(e);
      }
      try {
        const sampler = new ConditionalSampler(model, { engine: 'tfjs' });
        await sampler.sample(2, { seed: 2, minDistance: 0 });
        const s = await timed(async () => {
          await sampler.sample(N_SAMPLE, { seed: 1, minDistance: 0 });
        });
        row.sample = N_SAMPLE / s;
      } catch (e) {
        row.sample = short(e);
      }
    } finally {
      model.dispose();
    }
    rows.push(row);
  }
  // The library's own stepping kernel, independent of the tfjs backend, for scale.
  await useBackend('cpu');
  const model = await loadModel(dir);
  try {
    const sampler = new ConditionalSampler(model);
    await sampler.sample(2, { seed: 2, minDistance: 0 });
    let engine = '';
    const s = await timed(async () => {
      engine = (await sampler.sample(N_SAMPLE, { seed: 1, minDistance: 0 })).stats.engine;
    });
    rows.push({ where: 'Node', backend: `(any; engine ${engine})`, forward: '-', train: '-', sample: N_SAMPLE / s, note: "ConditionalSampler's default engine, no tfjs ops" });
  } finally {
    model.dispose();
  }
  return rows;
}

async function browserRows(root: string): Promise<Row[]> {
  if (!BROWSER) return [];
  if (!existsSync(CHROMIUM)) {
    return [{ where: 'chromium', backend: '-', forward: '-', train: '-', sample: '-', note: `${CHROMIUM} not found` }];
  }
  const { chromium } = await import('playwright-core');
  const { buildDemo } = await import('../examples/browser/build.mjs');
  const { startDemoServer } = await import('../examples/browser/serve.mjs');
  await buildDemo({ outdir: join(root, 'site'), from: process.env.REPAP_DEMO_FROM === 'src' ? 'src' : 'dist' });
  const rows: Row[] = [];
  const profile = mkdtempSync(join(tmpdir(), 'repap-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  try {
    const page = await context.newPage();
    for (const isolated of [true, false]) {
      const server = await startDemoServer({ root: join(root, 'site'), models: join(root, 'models'), port: 0, isolated });
      try {
        const backends = isolated ? ['webgpu', 'webgl', 'wasm', 'cpu'] : ['wasm'];
        for (const backend of backends) {
          await page.goto(`${server.url}?backend=${backend}&n=${N_SAMPLE}&seed=1&minDistance=0&model=models/bench/`);
          await page.click('#generate');
          await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as { __repap: { status: string } }).__repap.status), null, {
            timeout: 600_000,
          });
          const state = await page.evaluate(() => (window as unknown as { __repap: Record<string, unknown> }).__repap);
          let train: number | string;
          try {
            train = await page.evaluate(
              ([b, n]) => (window as unknown as { __repapBench: { trainEpoch(b: string, u: string, n: number): Promise<number> } }).__repapBench.trainEpoch(b as string, 'models/bench/', n as number),
              [backend, N_TRAIN] as const,
            );
          } catch (e) {
            train = short(e);
          }
          const note = [
            backend === 'webgpu' || backend === 'webgl' ? 'SwiftShader (software GPU on the CPU)' : '',
            backend === 'wasm' ? (isolated ? `COOP/COEP on: threaded SIMD binary, ${String(state.wasmThreads)} thread(s)` : 'COOP/COEP off: SIMD, 1 thread') : '',
          ]
            .filter(Boolean)
            .join('; ');
          rows.push({
            where: 'chromium',
            backend: String(state.backend ?? backend),
            forward: '-',
            train,
            sample: state.status === 'done' ? Number(state.structuresPerSecond) : `failed: ${String(state.error).slice(0, 90)}`,
            note,
          });
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return rows;
}

function fmt(v: number | string): string {
  if (typeof v === 'string') return v;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/**
 * Runs the backend benchmark and returns a markdown table: forward, training and sampling throughput of
 * the same RePAP network on every backend available here, in Node and in headless chromium.
 */
export async function benchBackends(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'repap-bench-backends-'));
  const previous = tf.getBackend();
  try {
    const data = frames(Math.max(N_TRAIN, 200));
    const train: Trajectory = { ...data.trajectory, nFrames: N_TRAIN, positions: data.trajectory.positions.subarray(0, N_TRAIN * data.trajectory.nAtoms * 3), info: data.trajectory.info.slice(0, N_TRAIN) };
    // One set of weights for every backend: created (and fitted to the cell) on cpu, saved, loaded per backend.
    await useBackend('cpu');
    const encoder = AxisProjectionEncoder.fit(data.trajectory);
    const base = RePAPModel.create(encoder, { units: UNITS, seed: 1 });
    await base.train(train, { epochs: 1, batchSize: 32, split: { train: N_TRAIN, validation: 0, test: 0 }, seed: 1, maxBatchesPerEpoch: 1 });
    const dir = join(root, 'models', 'bench');
    await saveModel(base, dir);
    base.dispose();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'reference.f32'), data.bytes);
    writeFileSync(join(dir, 'reference.json'), JSON.stringify({ ...data.meta, nFrames: data.trajectory.nFrames, shape: [data.trajectory.nFrames, data.trajectory.nAtoms, 3] }));

    const rows = [...(await nodeRows(dir, train)), ...(await browserRows(root))];
    const header =
      `RePAP network 2 x LSTM ${UNITS} (input ${encoder.inputSize}, grid ${encoder.gridSize}, ${encoder.sequenceLength} tokens). ` +
      `forward: teacher-forced predict, batch ${FORWARD_BATCH}; train: one epoch of ${N_TRAIN} frames, batch 32; ` +
      `sample: ${N_SAMPLE} structures, engine 'tfjs', minDistance 0. Higher is better.\n\n`;
    const lines = [
      '| where | backend | forward (seq/s) | train epoch (seq/s) | sample (structures/s) | note |',
      '|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.where} | ${r.backend} | ${fmt(r.forward)} | ${fmt(r.train)} | ${fmt(r.sample)} | ${r.note} |`),
    ];
    return header + lines.join('\n');
  } finally {
    if (previous) await tf.setBackend(previous);
    rmSync(root, { recursive: true, force: true });
  }
}
