/**
 * The fused training kernel on Web Workers in chromium: a page served with COOP/COEP (cross-origin
 * isolated) trains a tiny model through the package as users get it (dist/, bundled by esbuild) with
 * threads 2 and threads 1; the weights must be bit-identical and the worker must have run part of the
 * batches. A page without the headers trains on one thread and prints the notice naming both headers.
 *
 * Run with `npm run test:browser` (it builds dist/ first).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../examples/browser/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from './page.js';

const REPO = resolve(__dirname, '../..');

/** The page's script: trains a tiny model on frames of the packaged 30-atom reference (served under /models/). */
const ENTRY = `
import { useBackend } from 'repap/backend';
import { AxisProjectionEncoder } from 'repap/encoding';
import { RePAPModel } from 'repap/model';

async function train(threads) {
  await useBackend('cpu');
  const base = '/models/a-si-30-sw-300K/';
  const meta = await (await fetch(base + 'reference.json')).json();
  const bytes = await (await fetch(base + 'reference.f32')).arrayBuffer();
  const nFrames = 24;
  const trajectory = {
    nFrames,
    nAtoms: meta.nAtoms,
    positions: new Float32Array(bytes, 0, nFrames * meta.nAtoms * 3),
    cell: meta.cell,
    pbc: [true, true, true],
    species: new Array(meta.nAtoms).fill('Si'),
    info: Array.from({ length: nFrames }, () => ({})),
  };
  const encoder = AxisProjectionEncoder.fit(trajectory);
  const model = RePAPModel.create(encoder, { units: 16, layers: 2, dropout: 0.1, learningRate: 3e-3, seed: 1 });
  const losses = [];
  const history = await model.train(trajectory, {
    epochs: 2,
    batchSize: 8,
    split: { train: nFrames, validation: 0, test: 0 },
    seed: 1,
    threads,
    callbacks: [{ onBatchEnd: (_b, logs) => { losses.push(logs.batchLoss); } }],
  });
  const weights = model.copyWeights().map((w) => Array.from(new Uint32Array(w.buffer, w.byteOffset, w.length)));
  model.dispose();
  return { isolated: self.crossOriginIsolated === true, path: history.path, threads: history.threads, losses, weights };
}

if (typeof window === 'undefined') {
  // loaded as a module worker: the page's own training worker, which starts the kernel's workers itself
  self.onmessage = async (e) => {
    try {
      self.postMessage({ result: await train(e.data) });
    } catch (err) {
      self.postMessage({ error: String((err && err.stack) || err) });
    }
  };
} else {
  window.__train = train;
  window.__trainInWorker = (threads) =>
    new Promise((resolve, reject) => {
      const w = new Worker(new URL('train.js', location.href), { type: 'module' });
      w.onmessage = (e) => {
        w.terminate();
        if (e.data.error) reject(new Error(e.data.error));
        else resolve(e.data.result);
      };
      w.onerror = (e) => reject(new Error(e.message || 'the training worker failed to start'));
      w.postMessage(threads);
    });
  window.__ready = true;
}
`;

interface TrainResult {
  isolated: boolean;
  path: string;
  threads: number;
  losses: number[];
  /** Every weight's float32 bits. */
  weights: number[][];
}

const servers: { url: string; close: () => Promise<void> }[] = [];
let context: BrowserContext;
let profile: string;
let out: string;

/**
 * Opens `url` in a fresh tab, trains with `threads` (in the page, or in a worker the page starts) and
 * returns the result and the page's console warnings.
 */
async function trainOn(url: string, threads: number, where: '__train' | '__trainInWorker' = '__train'): Promise<{ result: TrainResult; warnings: string[] }> {
  const page: Page = await context.newPage();
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') warnings.push(m.text());
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true, null, { timeout: 60_000 });
    const result = await page.evaluate(([t, f]) => (window as unknown as Record<string, (t: number) => Promise<TrainResult>>)[f]!(t), [threads, where] as const);
    return { result, warnings };
  } finally {
    await page.close();
  }
}

describe.skipIf(chromiumMissing !== null)('training kernel on Web Workers in chromium', () => {
  let isolatedUrl = '';
  let plainUrl = '';
  let oneThread: Promise<{ result: TrainResult; warnings: string[] }> | null = null;
  /** The one-thread run on the isolated page (the reference), trained once. */
  const reference = () => (oneThread ??= trainOn(isolatedUrl, 1));

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'repap-train-workers-'));
    const site = join(out, 'site');
    mkdirSync(site);
    // The package as users get it: 'repap/*' resolves through package.json "exports" to dist/.
    await build({
      stdin: { contents: ENTRY, resolveDir: REPO, loader: 'js', sourcefile: 'train-page.js' },
      outfile: join(site, 'train.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      logLevel: 'error',
      logOverride: { 'ignored-bare-import': 'silent' },
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>train</title><script type="module" src="train.js"></script>');
    const isolated = await startDemoServer({ root: site, port: 0, isolated: true });
    const plain = await startDemoServer({ root: site, port: 0, isolated: false });
    servers.push(isolated, plain);
    isolatedUrl = isolated.url;
    plainUrl = plain.url;
    profile = mkdtempSync(join(tmpdir(), 'repap-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await context?.close();
    for (const s of servers) await s.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('trains on 2 threads on a cross-origin isolated page, bit-identical to 1 thread', async () => {
    const two = await trainOn(isolatedUrl, 2);
    const one = await reference();
    expect(two.result.isolated).toBe(true);
    expect(two.result.path).toBe('kernel');
    // the worker ran shards of the batches (history.threads counts threads that ran any)
    expect(two.result.threads).toBe(2);
    expect(one.result.threads).toBe(1);
    expect(two.warnings.filter((w) => w.includes('repap'))).toEqual([]);
    expect(two.result.losses.length).toBe(6);
    expect(two.result.losses.every(Number.isFinite)).toBe(true);
    expect(two.result.losses).toEqual(one.result.losses);
    expect(two.result.weights.length).toBe(one.result.weights.length);
    two.result.weights.forEach((w, i) => expect(w, `weights[${i}]`).toEqual(one.result.weights[i]));
  });

  it('trains on 2 threads inside a page\'s own worker (the workers nest), bit-identical to 1 thread', async () => {
    const inWorker = await trainOn(isolatedUrl, 2, '__trainInWorker');
    const one = await reference();
    expect(inWorker.result.isolated).toBe(true);
    expect(inWorker.result.threads).toBe(2);
    expect(inWorker.result.losses).toEqual(one.result.losses);
    inWorker.result.weights.forEach((w, i) => expect(w, `weights[${i}]`).toEqual(one.result.weights[i]));
  });

  it('trains on 1 thread with a notice naming COOP and COEP when the page is not isolated', async () => {
    const { result, warnings } = await trainOn(plainUrl, 2);
    expect(result.isolated).toBe(false);
    expect(result.path).toBe('kernel');
    expect(result.threads).toBe(1);
    const notice = warnings.filter((w) => w.startsWith('repap:'));
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatch(/1 thread/);
    expect(notice[0]).toMatch(/not cross-origin isolated/);
    expect(notice[0]).toContain('Cross-Origin-Opener-Policy: same-origin');
    expect(notice[0]).toContain('Cross-Origin-Embedder-Policy: require-corp');
  });
});
