/**
 * The demo page as a user opens it: the default model path (the shipped model in assets/), every backend
 * with the same seed, checked against cpu. Debian's chromium, headless, driven by playwright-core.
 *
 * What is compared, per backend:
 * - the network's teacher-forced outputs on the first MD reference frame (the numerics of the backend alone,
 *   without the randomness of sampling) against cpu;
 * - the generated structures: every closest pair at least the stored minimum distance (measured by the page
 *   with `minimumDistances`), and the ensemble g(r) against cpu's within the sampling noise;
 * - the MD reference curve is on the chart, the stored sampling temperature is used, and the extxyz download
 *   holds the generated structures.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo } from '../../examples/browser/build.mjs';
import { startDemoServer } from '../../examples/browser/serve.mjs';
import { readExtxyz } from '../../src/io/index.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing, generateOnPage, rmsDiff, type Curve } from './page.js';

const SHOTS = resolve(process.env.REPAP_SCREENSHOT_DIR ?? join(__dirname, '../../out/browser'));
const N = 32;
const SEED = 3;
const stored = JSON.parse(readFileSync(join(__dirname, '../../assets/a-si-30-sw-300K/model/repap.json'), 'utf8')).sampling as {
  temperature: number;
  minDistance: number;
  maxTries: number;
};

interface DemoState {
  status: string;
  error: string | null;
  backend: string | null;
  rdf: Curve | null;
  referenceRdf: Curve | null;
  nStructures: number;
  device: string | null;
  positions: number[] | null;
  closestPairs: number[] | null;
  sampling: { temperature: number; minDistance: number; maxTries: number } | null;
}

const missing = chromiumMissing;

let context: BrowserContext;
let page: Page;
let profile = '';
let server: { url: string; close: () => Promise<void> } | null = null;

/** Opens the page with only backend, n and seed set (the default model path), presses generate, returns the state. */
async function generate(backend: string, seed: number, n = N): Promise<DemoState> {
  await page.goto(`${server!.url}?backend=${backend}&n=${n}&seed=${seed}`);
  return generateOnPage<DemoState>(page, backend);
}

async function networkOutputs(backend: string): Promise<number[]> {
  return page.evaluate(
    (b) => (window as unknown as { __repapProbe: { networkOutputs(b: string, m: string): Promise<number[]> } }).__repapProbe.networkOutputs(b, 'models/a-si-30-sw-300K/model/'),
    backend,
  );
}

describe.skipIf(missing !== null)('the demo page with the shipped model, every backend against cpu', () => {
  let cpu: DemoState;
  let cpuOutputs: number[];
  let noise: number;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'repap-demo-shipped-'));
    await buildDemo({ outdir: join(out, 'site'), from: process.env.REPAP_DEMO_FROM === 'src' ? 'src' : 'dist' });
    server = await startDemoServer({ root: join(out, 'site'), port: 0, isolated: true }); // /models/ = assets/
    profile = mkdtempSync(join(tmpdir(), 'repap-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, acceptDownloads: true });
    page = await context.newPage();
    mkdirSync(SHOTS, { recursive: true });
    cpu = await generate('cpu', SEED);
    cpuOutputs = await networkOutputs('cpu');
    noise = rmsDiff(cpu.rdf!, (await generate('cpu', SEED + 1)).rdf!);
    console.log(`cpu: RDF noise between two seeds of ${N} structures (rms) = ${noise.toFixed(4)}`);
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('the default page loads the shipped model, draws the MD reference and uses the stored sampling defaults', async () => {
    await page.goto(server!.url);
    expect(await page.inputValue('#backend')).toBe('wasm');
    expect(await page.inputValue('#model')).toBe('models/a-si-30-sw-300K/model/');
    expect(cpu.referenceRdf).not.toBeNull();
    expect(Math.max(...cpu.referenceRdf!.g)).toBeGreaterThan(3); // the MD first peak (g about 4.4)
    expect(cpu.sampling).toEqual({ temperature: stored.temperature, minDistance: stored.minDistance, maxTries: stored.maxTries });
    expect(cpu.nStructures).toBe(N);
    expect(Math.min(...cpu.closestPairs!)).toBeGreaterThanOrEqual(stored.minDistance - 1e-9);
  });

  for (const backend of ['wasm', 'webgl', 'webgpu']) {
    it(`${backend}: the network agrees with cpu and the structures keep the minimum distance and the cpu g(r)`, async () => {
      const outputs = await networkOutputs(backend);
      expect(outputs.length).toBe(cpuOutputs.length);
      let worst = 0;
      for (let i = 0; i < outputs.length; i++) worst = Math.max(worst, Math.abs(outputs[i] - cpuOutputs[i]));
      // webgpu reads every step asynchronously (about 0.1 s a step on SwiftShader): 8 structures there
      const n = backend === 'webgpu' ? 8 : N;
      const state = await generate(backend, SEED, n);
      const below = state.closestPairs!.filter((d) => d < stored.minDistance - 1e-9).length;
      const d = rmsDiff(state.rdf!, cpu.rdf!);
      console.log(
        `${backend}${state.device ? ` (${state.device})` : ''}: network outputs max |diff| vs cpu = ${worst.toExponential(2)}; ` +
          `closest pair ${Math.min(...state.closestPairs!).toFixed(3)} Å, ${below} of ${n} below ${stored.minDistance} Å; RDF rms diff vs cpu = ${d.toFixed(4)}`,
      );
      await page.screenshot({ path: join(SHOTS, `shipped-${backend}.png`), fullPage: true });
      expect(state.backend).toBe(backend);
      // float32 on every backend: the sigmoid outputs agree to about 1e-6; 1e-4 allows for GPU transcendental functions
      expect(worst).toBeLessThan(1e-4);
      expect(state.nStructures).toBe(n);
      expect(below).toBe(0);
      // the noise of an ensemble of n structures scales as 1/sqrt(n)
      expect(d).toBeLessThanOrEqual(3 * noise * Math.sqrt(N / n) + 1e-9);
    });
  }

  it('download extxyz saves the generated structures', async () => {
    const state = await generate('wasm', SEED);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const path = await download.path();
    const t = readExtxyz(readFileSync(path!, 'utf8'));
    expect(t.nFrames).toBe(N);
    expect(t.nAtoms).toBe(30);
    let worst = 0;
    for (let i = 0; i < t.positions.length; i++) worst = Math.max(worst, Math.abs(t.positions[i] - state.positions![i]));
    expect(worst).toBeLessThan(1e-6);
    expect(download.suggestedFilename()).toBe(`repap-${N}-seed${SEED}-wasm.extxyz`);
  });
});
