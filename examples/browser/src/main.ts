/**
 * The browser demo: pick a tfjs backend, load a trained RePAP model over HTTP, sample structures, and
 * compare their radial distribution function with the molecular-dynamics reference.
 *
 * Query parameters (all optional) preset the form: `?backend=wasm&n=64&seed=1&model=models/x/model/&run=1`
 * (`run=1` generates on load).
 */
import * as tf from '@tensorflow/tfjs-core';
// Browser bundles register the optional backends by importing them; useBackend then selects them by name.
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { useBackend, type BackendName } from 'repap/backend';
import { lineChart } from 'repap/plot';
import { mountStructureView } from './view3d.js';
import {
  closestPairs, generate, loadReference, rdfOf, referenceProbabilities, toExtxyz, trainEpoch, type Generated, type PageEngine,
} from './pipeline.js';

/** What the page exposes for tests and for the console. */
export interface DemoState {
  status: 'idle' | 'running' | 'done' | 'error';
  error: string | null;
  /** Backend picked in the form. */
  picked: string | null;
  /** Backend tfjs actually used (`tf.getBackend()` after generation). */
  backend: string | null;
  /** Ensemble g(r) of the generated structures. */
  rdf: { r: number[]; g: number[] } | null;
  /** g(r) of the reference (MD) frames, or null without a reference in the model directory. */
  referenceRdf: { r: number[]; g: number[] } | null;
  structuresPerSecond: number | null;
  nStructures: number;
  seed: number | null;
  /** Sampling engine reported by the sampler. */
  engine: string | null;
  /** True when the page is cross-origin isolated (COOP/COEP), which lets the wasm backend use threads. */
  crossOriginIsolated: boolean;
  /** Threads of the wasm backend (1 without cross-origin isolation). */
  wasmThreads: number | null;
  /** What executes the GPU backends: the WebGPU adapter or the WebGL renderer (SwiftShader = software on the CPU). */
  device: string | null;
  /** First generated structure (Å, flat xyz), for checks. */
  firstStructure: number[] | null;
  /** Every generated structure (Å, flat xyz, structure after structure), for checks. */
  positions: number[] | null;
  /** Smallest minimum-image pair distance of each generated structure (Å). */
  closestPairs: number[] | null;
  /** Sampling settings used (the model's stored defaults unless the query overrides them). */
  sampling: { temperature: number; minDistance: number; maxTries: number } | null;
}

declare global {
  interface Window {
    __repap: DemoState;
    /** Benchmark hooks (bench/backends.ts): one training epoch on the picked backend. */
    __repapBench: { trainEpoch(backend: BackendName, modelUrl: string, frames: number): Promise<number> };
    /** Test hook: the network's teacher-forced outputs on the first MD reference frame, on `backend`. */
    __repapProbe: { networkOutputs(backend: BackendName, modelUrl: string): Promise<number[]> };
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const backendSelect = $<HTMLSelectElement>('backend');
const countInput = $<HTMLInputElement>('count');
const seedInput = $<HTMLInputElement>('seed');
const modelInput = $<HTMLInputElement>('model');
const button = $<HTMLButtonElement>('generate');
const downloadButton = $<HTMLButtonElement>('download');
const statusEl = $<HTMLDivElement>('status');
const statsEl = $<HTMLDivElement>('stats');
const chartEl = $<HTMLDivElement>('chart');
const viewEl = document.getElementById('view') as unknown as SVGSVGElement;

const state: DemoState = {
  status: 'idle',
  error: null,
  picked: null,
  backend: null,
  rdf: null,
  referenceRdf: null,
  structuresPerSecond: null,
  nStructures: 0,
  seed: null,
  engine: null,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  wasmThreads: null,
  device: null,
  firstStructure: null,
  positions: null,
  closestPairs: null,
  sampling: null,
};
let lastGenerated: Generated | null = null;
window.__repap = state;

const params = new URLSearchParams(location.search);
if (params.has('backend')) backendSelect.value = params.get('backend')!;
if (params.has('n')) countInput.value = params.get('n')!;
if (params.has('seed')) seedInput.value = params.get('seed')!;
if (params.has('model')) modelInput.value = params.get('model')!;

/** Describes the GPU behind the webgpu or webgl backend, or null for the CPU backends. */
async function describeDevice(backend: string): Promise<string | null> {
  try {
    if (backend === 'webgpu') {
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
      const info = (await gpu?.requestAdapter())?.info;
      if (!info) return null;
      return [info.vendor, info.architecture, info.description].filter((x) => x).join(' / ') || null;
    }
    if (backend === 'webgl') {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : null;
    }
  } catch {
    /* informational only */
  }
  return null;
}

function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.className = error ? 'error' : '';
}

const referenceCache = new Map<string, Promise<{ r: number[]; g: number[] } | null>>();

async function run(): Promise<void> {
  const picked = backendSelect.value as BackendName;
  const n = Number(countInput.value);
  const seed = Number(seedInput.value);
  const modelUrl = new URL(modelInput.value.endsWith('/') ? modelInput.value : `${modelInput.value}/`, location.href).href;
  Object.assign(state, { status: 'running', error: null, picked, backend: null, rdf: null, structuresPerSecond: null, seed, positions: null, closestPairs: null });
  button.disabled = true;
  downloadButton.disabled = true;
  lastGenerated = null;
  try {
    if (!Number.isInteger(n) || n < 1) throw new Error(`structures must be a positive integer (got ${countInput.value})`);
    if (!Number.isInteger(seed)) throw new Error(`seed must be an integer (got ${seedInput.value})`);
    setStatus(`Starting the ${picked} backend ...`);
    // The wasm binaries are copied next to main.js by the build.
    // With cross-origin isolation the wasm backend can use threads: one per core unless ?threads= says otherwise.
    const threads = Number(params.get('threads') ?? navigator.hardwareConcurrency ?? 1);
    await useBackend(picked, { wasmPaths: new URL('./', location.href).href, wasmThreads: Math.max(1, Math.floor(threads)) });
    state.wasmThreads = picked === 'wasm' ? getThreadsCount() : null;
    state.device = await describeDevice(picked);
    setStatus(`Loading ${modelUrl} and sampling ${n} structures on ${tf.getBackend()} ...`);
    if (!referenceCache.has(modelUrl)) referenceCache.set(modelUrl, loadReference(modelUrl));
    const engine = (params.get('engine') ?? 'tfjs') as PageEngine;
    // Unset: the model's stored sampling defaults (repap.json 'sampling').
    const minDistance = params.get('minDistance') === null ? undefined : Number(params.get('minDistance'));
    const gen: Generated = await generate(modelUrl, n, seed, engine, minDistance);
    state.backend = tf.getBackend();
    state.engine = gen.engine;
    state.nStructures = gen.nStructures;
    state.structuresPerSecond = gen.nStructures / gen.seconds;
    const rdf = rdfOf(gen);
    state.rdf = rdf;
    state.referenceRdf = await referenceCache.get(modelUrl)!;
    state.firstStructure = Array.from(gen.positions.subarray(0, gen.nAtoms * 3));
    state.positions = Array.from(gen.positions);
    state.closestPairs = closestPairs(gen);
    state.sampling = gen.sampling ?? null;
    lastGenerated = gen;
    downloadButton.disabled = false;
    const series = [{ label: `generated (${gen.nStructures}, ${state.backend})`, x: rdf.r, y: rdf.g }];
    if (state.referenceRdf) series.push({ label: 'MD reference', x: state.referenceRdf.r, y: state.referenceRdf.g });
    chartEl.innerHTML = lineChart(series, { xLabel: 'r (Å)', yLabel: 'g(r)', referenceY: 1, width: 680, height: 400 });
    mountStructureView(viewEl, {
      positions: state.firstStructure,
      cell: gen.cell,
      bondCutoff: 2.9,
    });
    statsEl.innerHTML =
      `<span>backend <b>${state.backend}</b></span>` +
      `<span>engine <b>${gen.engine}</b></span>` +
      `<span><b>${state.structuresPerSecond.toFixed(1)}</b> structures/s</span>` +
      `<span><b>${gen.nStructures}</b> structures in ${gen.seconds.toFixed(2)} s</span>` +
      (state.device ? `<span>device <b>${state.device.replace(/[<>&]/g, '')}</b></span>` : '') +
      `<span>closest pair <b>${Math.min(...state.closestPairs).toFixed(2)}</b> Å</span>` +
      `<span>cross-origin isolated <b>${state.crossOriginIsolated ? 'yes' : 'no'}</b>${state.wasmThreads ? ` (wasm threads ${state.wasmThreads})` : ''}</span>`;
    setStatus(
      `Done: ${gen.nStructures} structures on ${state.backend} at temperature ${gen.sampling?.temperature}, ` +
        `minimum distance ${gen.sampling?.minDistance} Å, at most ${gen.sampling?.maxTries} draws per atom.`,
    );
    state.status = 'done';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    state.status = 'error';
    state.error = message;
    setStatus(message, true);
  } finally {
    button.disabled = false;
  }
}

button.addEventListener('click', () => void run());
downloadButton.addEventListener('click', () => {
  if (!lastGenerated) return;
  const url = URL.createObjectURL(new Blob([toExtxyz(lastGenerated)], { type: 'chemical/x-extxyz' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `repap-${lastGenerated.nStructures}-seed${state.seed}-${state.backend}.extxyz`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});
window.__repapProbe = {
  async networkOutputs(backend, modelUrl) {
    await useBackend(backend, { wasmPaths: new URL('./', location.href).href });
    return referenceProbabilities(new URL(modelUrl, location.href).href);
  },
};
window.__repapBench = {
  async trainEpoch(backend, modelUrl, frames) {
    await useBackend(backend, { wasmPaths: new URL('./', location.href).href });
    return trainEpoch(new URL(modelUrl, location.href).href, frames);
  },
};
if (params.get('run') === '1') void run();
