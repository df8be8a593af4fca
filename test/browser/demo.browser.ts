/**
 * The demo page in a real browser: Debian's chromium, headless, driven by playwright-core (never a
 * downloaded browser). For webgpu, webgl and wasm: generate, check the backend really in use, compare the
 * ensemble RDF with a cpu run of the same seed, save a screenshot.
 *
 * Run with `npm run test:browser`. Screenshots go to out/browser/ (or $REPAP_SCREENSHOT_DIR).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../examples/browser/build.mjs';
import { startDemoServer } from '../../examples/browser/serve.mjs';
import { createTinyModelDir } from './tiny-model.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, generateOnPage, rmsDiff, type Curve } from './page.js';

const SHOTS = resolve(process.env.REPAP_SCREENSHOT_DIR ?? join(__dirname, '../../out/browser'));
const N = 96;
const SEED = 7;

interface DemoState {
  status: string;
  error: string | null;
  picked: string | null;
  backend: string | null;
  rdf: Curve | null;
  referenceRdf: Curve | null;
  structuresPerSecond: number | null;
  nStructures: number;
  engine: string | null;
  crossOriginIsolated: boolean;
  wasmThreads: number | null;
  device: string | null;
}

const missing = chromiumMissing;

let context: BrowserContext;
let page: Page;
let profile: string;
let modelsDir: string;
const servers: { url: string; close: () => Promise<void> }[] = [];
let isolatedUrl = '';
let plainUrl = '';

async function generate(base: string, backend: string, seed: number, n = N): Promise<DemoState> {
  await page.goto(`${base}?backend=${backend}&n=${n}&seed=${seed}&model=models/tiny/`);
  return generateOnPage<DemoState>(page, backend);
}

describe.skipIf(missing !== null)('demo page in chromium', () => {
  let cpu: DemoState;
  let noise: number;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'repap-demo-'));
    // The package as users get it (dist/, built by `npm run test:browser`); REPAP_DEMO_FROM=src bundles the sources.
    await buildDemo({ outdir: join(out, 'site'), from: process.env.REPAP_DEMO_FROM === 'src' ? 'src' : 'dist' });
    modelsDir = join(out, 'models');
    await createTinyModelDir(join(modelsDir, 'tiny'));
    const isolated = await startDemoServer({ root: join(out, 'site'), models: modelsDir, port: 0, isolated: true });
    const plain = await startDemoServer({ root: join(out, 'site'), models: modelsDir, port: 0, isolated: false });
    servers.push(isolated, plain);
    isolatedUrl = isolated.url;
    plainUrl = plain.url;
    profile = mkdtempSync(join(tmpdir(), 'repap-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await context.newPage();
    mkdirSync(SHOTS, { recursive: true });
    cpu = await generate(isolatedUrl, 'cpu', SEED);
    // Sampling noise of the ensemble RDF: two cpu ensembles of N structures with different seeds.
    const other = await generate(isolatedUrl, 'cpu', SEED + 1);
    noise = rmsDiff(cpu.rdf!, other.rdf!);
    console.log(`cpu: ${cpu.structuresPerSecond!.toFixed(1)} structures/s; RDF noise between two seeds (rms) = ${noise.toFixed(4)}`);
  });

  afterAll(async () => {
    await context?.close();
    for (const s of servers) await s.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('serves a cross-origin isolated page (COOP/COEP)', async () => {
    expect(cpu.crossOriginIsolated).toBe(true);
    expect(cpu.rdf!.g.some((g) => g > 0.5)).toBe(true);
  });

  for (const backend of ['webgpu', 'webgl', 'wasm']) {
    it(`generates on ${backend} and matches the cpu ensemble RDF`, async () => {
      // webgpu reads each sampling step asynchronously (docs/backends.md): fewer structures there
      const n = backend === 'webgpu' ? 16 : N;
      const state = await generate(isolatedUrl, backend, SEED, n);
      expect(state.picked).toBe(backend);
      expect(state.backend).toBe(backend);
      expect(state.nStructures).toBe(n);
      const d = rmsDiff(state.rdf!, cpu.rdf!);
      console.log(
        `${backend}: ${state.structuresPerSecond!.toFixed(1)} structures/s (engine ${state.engine}${state.device ? `, device ${state.device}` : ''}); ` +
          `RDF rms diff vs cpu = ${d.toFixed(4)}`,
      );
      // Same seed: structures agree until a float difference flips one sampled cell, after which the rest
      // of that structure is an independent draw. So the ensemble RDF differs from cpu's by at most the
      // sampling noise of an ensemble of n structures, which the two-seed cpu comparison measures (scaled
      // by sqrt(N / n) for fewer structures). 3x that
      // allows for the noise of the noise estimate; a broken kernel (wrong gates, garbage outputs) moves
      // g(r) far beyond it.
      expect(d).toBeLessThanOrEqual(3 * noise * Math.sqrt(N / n) + 1e-9);
      await page.screenshot({ path: join(SHOTS, `demo-${backend}.png`), fullPage: true });
    });
  }

  it('says what is missing for a model directory without a model', async () => {
    await page.goto(`${isolatedUrl}?backend=wasm&n=4&seed=1&model=models/none/`);
    await page.click('#generate');
    await page.waitForFunction(() => ['done', 'error'].includes((window as unknown as { __repap: DemoState }).__repap.status));
    const state = await page.evaluate(() => (window as unknown as { __repap: DemoState }).__repap);
    expect(state.status).toBe('error');
    expect(state.error).toMatch(/No model at .*models\/none\/: model\.json answers HTTP 404.*model\.json, weights\.bin and repap\.json/);
    expect(await page.textContent('#status')).toContain('No model at');
  });

  it('reports wasm speed with and without cross-origin isolation', async () => {
    const withIso = await generate(isolatedUrl, 'wasm', SEED);
    const without = await generate(plainUrl, 'wasm', SEED);
    expect(withIso.crossOriginIsolated).toBe(true);
    expect(without.crossOriginIsolated).toBe(false);
    expect(without.wasmThreads).toBe(1);
    console.log(
      `wasm: ${withIso.structuresPerSecond!.toFixed(1)} structures/s isolated (${withIso.wasmThreads} threads), ` +
        `${without.structuresPerSecond!.toFixed(1)} structures/s without COOP/COEP (1 thread)`,
    );
  });
});
