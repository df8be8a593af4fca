/**
 * The demo's pipeline: load a model directory over HTTP, sample structures on the active tfjs backend,
 * compute radial distribution functions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { radialDistribution } from 'repap/analysis';
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

/** The reference frames (`reference.json` + `reference.f32`) of a model directory, as g(r); null when absent. */
export async function loadReference(modelUrl: string): Promise<Curve | null> {
  const metaRes = await fetch(new URL('reference.json', modelUrl));
  if (!metaRes.ok) return null;
  const meta = (await metaRes.json()) as ReferenceMeta;
  const bytes = await (await fetchOk(new URL('reference.f32', modelUrl).href)).arrayBuffer();
  const positions = new Float32Array(bytes);
  if (positions.length !== meta.nFrames * meta.nAtoms * 3) {
    throw new Error(`reference.f32 in ${modelUrl} holds ${positions.length} floats; reference.json says ${meta.nFrames} x ${meta.nAtoms} x 3`);
  }
  return rdfOf({ positions, nStructures: meta.nFrames, nAtoms: meta.nAtoms, cell: meta.cell, seconds: 0, engine: '' });
}

/** Stand-in generation until the model layer lands: uniformly random structures drawn with tfjs ops. */
export async function generate(modelUrl: string, n: number, seed: number): Promise<Generated> {
  let cell: [number, number, number][] = [
    [8.43656254268594, 0, 0],
    [0, 8.43656254268594, 0],
    [0, 0, 8.43656254268594],
  ];
  let nAtoms = 30;
  const metaRes = await fetch(new URL('reference.json', modelUrl));
  if (metaRes.ok) {
    const meta = (await metaRes.json()) as ReferenceMeta;
    cell = meta.cell;
    nAtoms = meta.nAtoms;
  }
  const t0 = performance.now();
  const lengths = tf.tensor1d([cell[0][0], cell[1][1], cell[2][2]]);
  const pos = tf.tidy(() => tf.mul(tf.randomUniform([n, nAtoms, 3], 0, 1, 'float32', seed), lengths));
  const positions = (await pos.data()) as Float32Array;
  pos.dispose();
  lengths.dispose();
  return { positions, nStructures: n, nAtoms, cell, seconds: (performance.now() - t0) / 1000, engine: 'uniform' };
}

/** Ensemble g(r) of all frames (every periodic image within R_MAX; LAMMPS normalisation), as plain arrays. */
export function rdfOf(gen: Generated): Curve {
  const trajectory: Trajectory = {
    nFrames: gen.nStructures,
    nAtoms: gen.nAtoms,
    positions: gen.positions,
    cell: gen.cell as Cell,
    pbc: [true, true, true],
    species: new Array<string>(gen.nAtoms).fill('Si'),
    info: new Array(gen.nStructures).fill(null).map(() => ({})),
  };
  const { r, g } = radialDistribution(trajectory, { rMax: R_MAX, nBins: N_BINS });
  return { r: Array.from(r), g: Array.from(g) };
}
