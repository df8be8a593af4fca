/**
 * The demo's pipeline: load a model directory over HTTP, sample structures on the active tfjs backend,
 * compute radial distribution functions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { minimumDistances, radialDistribution } from 'repap/analysis';
import { writeExtxyz } from 'repap/io';
import { RePAPModel } from 'repap/model';
import { ConditionalSampler } from 'repap/sampling';
import type { Cell, Trajectory } from 'repap/structure';

/** Generated structures as one flat array. */
export interface Generated {
  positions: Float32Array | Float64Array;
  nStructures: number;
  nAtoms: number;
  cell: [number, number, number][];
  /** Sampling wall time in seconds (model loading excluded). */
  seconds: number;
  engine: string;
  /** Temperature, minimum distance (Å) and tries used (the model's stored defaults unless overridden); absent for MD frames. */
  sampling?: { temperature: number; minDistance: number; maxTries: number };
}

/** g(r) as plain arrays. */
export interface Curve {
  r: number[];
  g: number[];
}

/** RDF range and bins: 0.05 Å bins, as the MD references in the data set. */
const R_MAX = 6;
const N_BINS = 120;

interface ReferenceMeta {
  nAtoms: number;
  nFrames: number;
  cell: [number, number, number][];
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res;
}

/**
 * The folder holding the MD reference frames (`reference.json` + `reference.f32`) of a model: the model
 * directory itself, or its parent (the package's layout: `assets/<name>/model/` beside `assets/<name>/reference.*`).
 * Null when neither has them.
 */
async function referenceFolder(modelUrl: string): Promise<string | null> {
  for (const dir of [modelUrl, new URL('../', modelUrl).href]) {
    const res = await fetch(new URL('reference.json', dir), { method: 'HEAD' });
    if (res.ok) return dir;
  }
  return null;
}

/** The reference frames (`reference.json` + `reference.f32`) of a model directory or its parent, as g(r); null when absent. */
export async function loadReference(modelUrl: string): Promise<Curve | null> {
  const dir = await referenceFolder(modelUrl);
  if (dir === null) return null;
  const meta = (await (await fetchOk(new URL('reference.json', dir).href)).json()) as ReferenceMeta;
  const bytes = await (await fetchOk(new URL('reference.f32', dir).href)).arrayBuffer();
  const positions = new Float32Array(bytes);
  if (positions.length !== meta.nFrames * meta.nAtoms * 3) {
    throw new Error(`reference.f32 in ${modelUrl} holds ${positions.length} floats; reference.json says ${meta.nFrames} x ${meta.nAtoms} x 3`);
  }
  return rdfOf({ positions, nStructures: meta.nFrames, nAtoms: meta.nAtoms, cell: meta.cell, seconds: 0, engine: '' });
}

/** The generated structures as an extxyz text (species Si, the model's cell, periodic). */
export function toExtxyz(gen: Generated): string {
  return writeExtxyz(asTrajectory(gen));
}

/** Smallest minimum-image pair distance of each generated structure (Å). */
export function closestPairs(gen: Generated): number[] {
  return Array.from(minimumDistances(asTrajectory(gen)));
}

function asTrajectory(gen: Generated): Trajectory {
  return {
    nFrames: gen.nStructures,
    nAtoms: gen.nAtoms,
    positions: gen.positions,
    cell: gen.cell as Cell,
    pbc: [true, true, true],
    species: new Array<string>(gen.nAtoms).fill('Si'),
    info: Array.from({ length: gen.nStructures }, () => ({})),
  };
}

/**
 * Teacher-forced network outputs of the model at `modelUrl` for the first frame of its MD reference, computed by
 * the tfjs-layers network on the active backend: `[(T - 1) * G]` values. Comparing backends on
 * the same input isolates the numerics of a backend from the randomness of sampling.
 */
export async function referenceProbabilities(modelUrl: string): Promise<number[]> {
  const dir = await referenceFolder(modelUrl);
  if (dir === null) throw new Error(`${modelUrl}: no reference.json beside the model`);
  const meta = (await (await fetchOk(new URL('reference.json', dir).href)).json()) as ReferenceMeta;
  const bytes = await (await fetchOk(new URL('reference.f32', dir).href)).arrayBuffer();
  const frame: Trajectory = {
    nFrames: 1,
    nAtoms: meta.nAtoms,
    positions: new Float32Array(bytes, 0, meta.nAtoms * 3),
    cell: meta.cell as Cell,
    pbc: [true, true, true],
    species: new Array<string>(meta.nAtoms).fill('Si'),
    info: [{}],
  };
  const model = await loadModel(modelUrl);
  try {
    const encoder = model.encoder;
    const T = encoder.sequenceLength, K = encoder.inputSize;
    const cells = encoder.tokenCells(encoder.orderedCoordinates(frame, [0]));
    const x = new Float32Array((T - 1) * K);
    const idx = new Int32Array(16);
    for (let t = 0; t < T - 1; t++) {
      const m = encoder.activeInputs(t, cells[t]!, idx);
      for (let a = 0; a < m; a++) x[t * K + idx[a]!] += 1;
    }
    const input = tf.tensor3d(x, [1, T - 1, K]);
    const out = model.network.predict(input) as tf.Tensor;
    try {
      return Array.from(await out.data());
    } finally {
      tf.dispose([input, out]);
    }
  } finally {
    model.dispose();
  }
}

/** Sampler engines the page can use; `tfjs` runs the network steps on the picked tfjs backend. */
export type PageEngine = 'tfjs' | 'auto' | 'js' | 'wasm';

/**
 * Loads the model directory at `modelUrl` over HTTP: `RePAPModel.load` on its model.json (whose
 * `userDefinedMetadata.repap` holds the encoder), or, for a directory whose model.json lacks it, the
 * network from model.json + weights.bin and the metadata from repap.json.
 */
export async function loadModel(modelUrl: string): Promise<RePAPModel> {
  const modelJson = new URL('model.json', modelUrl).href;
  const head = await fetch(modelJson, { method: 'HEAD' });
  if (!head.ok) {
    throw new Error(
      `No model at ${modelUrl}: model.json answers HTTP ${head.status}. A model directory holds model.json, weights.bin and ` +
        "repap.json (as saveModel from 'repap/node' writes them); the server maps /models/ to the package's assets/ folder.",
    );
  }
  try {
    return await RePAPModel.load(modelJson);
  } catch (err) {
    const metaRes = await fetch(new URL('repap.json', modelUrl));
    if (!metaRes.ok) throw err;
    const handler = tf.io.http(modelJson);
    if (!handler.load) throw err;
    const artifacts = await handler.load();
    return RePAPModel.fromArtifacts(artifacts, await metaRes.json(), modelUrl);
  }
}

/**
 * Samples `n` structures from the model at `modelUrl` on the active tfjs backend. A warm-up of two
 * structures (shader compilation on webgpu/webgl) runs first and is not timed.
 */
export async function generate(
  modelUrl: string,
  n: number,
  seed: number,
  engine: PageEngine = 'tfjs',
  minDistance?: number,
): Promise<Generated> {
  const model = await loadModel(modelUrl);
  try {
    if (!model.cell) throw new Error(`${modelUrl}: the model has no cell; train it on a periodic trajectory`);
    const sampler = new ConditionalSampler(model, { engine });
    // Temperature, minimum distance and tries: the model's stored sampling defaults unless the page overrides them.
    const overrides = minDistance === undefined ? {} : { minDistance };
    await sampler.sample(Math.min(2, n), { seed: seed + 1, ...overrides });
    const t0 = performance.now();
    const { trajectory, stats } = await sampler.sample(n, { seed, ...overrides });
    const seconds = (performance.now() - t0) / 1000;
    return {
      positions: trajectory.positions,
      nStructures: trajectory.nFrames,
      nAtoms: trajectory.nAtoms,
      cell: model.cell.map((row: readonly number[]) => [...row]) as [number, number, number][],
      seconds,
      engine: stats.engine,
      sampling: { temperature: stats.settings.temperature, minDistance: stats.settings.minDistance, maxTries: stats.settings.maxTries },
    };
  } finally {
    model.dispose();
  }
}

/** Ensemble g(r) of all frames (every periodic image within R_MAX; LAMMPS normalisation), as plain arrays. */
export function rdfOf(gen: Generated): Curve {
  const { r, g } = radialDistribution(asTrajectory(gen), { rMax: R_MAX, nBins: N_BINS });
  return { r: Array.from(r), g: Array.from(g) };
}

/**
 * Benchmark hook: trains the model at `modelUrl` for one epoch on the first `frames` reference frames of its
 * directory (batch 32) on the active backend and returns training sequences per second. On a cross-origin
 * isolated page the training kernel runs on 2 threads (Web Workers sharing its memory), else on one.
 */
export async function trainEpoch(modelUrl: string, frames: number): Promise<number> {
  const metaRes = await fetchOk(new URL('reference.json', modelUrl).href);
  const meta = (await metaRes.json()) as ReferenceMeta;
  const bytes = await (await fetchOk(new URL('reference.f32', modelUrl).href)).arrayBuffer();
  const n = Math.min(frames, meta.nFrames);
  const trajectory: Trajectory = {
    nFrames: n,
    nAtoms: meta.nAtoms,
    positions: new Float32Array(bytes, 0, n * meta.nAtoms * 3),
    cell: meta.cell as Cell,
    pbc: [true, true, true],
    species: new Array<string>(meta.nAtoms).fill('Si'),
    info: Array.from({ length: n }, () => ({})),
  };
  const model = await loadModel(modelUrl);
  try {
    const t0 = performance.now();
    const threads = crossOriginIsolated ? Math.min(2, navigator.hardwareConcurrency || 1) : 1;
    await model.train(trajectory, { epochs: 1, batchSize: 32, split: { train: n, validation: 0, test: 0 }, seed: 1, threads });
    return n / ((performance.now() - t0) / 1000);
  } finally {
    model.dispose();
  }
}
