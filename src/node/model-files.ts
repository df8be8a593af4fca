/**
 * A `RePAPModel` as a directory in Node: `model.json` (tfjs layers format),
 * `weights.bin` and `repap.json` (encoder and metadata), written and read
 * with node:fs. No tfjs-node needed.
 *
 * @module
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RePAPModel } from '../model/repap-model.js';

/** File names inside a model directory. */
export const MODEL_FILES = {
  /** The tfjs layers topology and weights manifest (and a copy of the repap metadata, for HTTP loading). */
  modelJson: 'model.json',
  /** The weights, float32 little-endian, in manifest order. */
  weights: 'weights.bin',
  /** Encoder, first coordinates, cell, config and training information. */
  metadata: 'repap.json',
} as const;

function weightBytes(data: tf.io.WeightData): Uint8Array {
  const buf = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(buf as ArrayBuffer);
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/**
 * Writes `model` into `dir` (created if missing): `model.json`, `weights.bin`
 * and `repap.json`. Existing files of those names are overwritten.
 */
export async function saveModel(model: RePAPModel, dir: string): Promise<void> {
  if (!(model instanceof RePAPModel)) throw new Error('saveModel: model must be a RePAPModel');
  const artifacts = await model.toArtifacts();
  const { weightData, weightSpecs, userDefinedMetadata, ...rest } = artifacts;
  const metadata = (userDefinedMetadata as { repap: unknown }).repap;
  const modelJson = {
    modelTopology: rest.modelTopology,
    format: rest.format ?? 'layers-model',
    generatedBy: rest.generatedBy,
    convertedBy: rest.convertedBy ?? null,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: weightSpecs ?? [] }],
    userDefinedMetadata: { repap: metadata },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MODEL_FILES.weights), weightData ? weightBytes(weightData) : new Uint8Array(0));
  await writeFile(join(dir, MODEL_FILES.modelJson), JSON.stringify(modelJson));
  await writeFile(join(dir, MODEL_FILES.metadata), JSON.stringify(metadata, null, 1));
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `loadModel: ${path} is missing; a model directory holds ${Object.values(MODEL_FILES).join(', ')} (written by saveModel)`
        : `loadModel: cannot read ${path}: ${(e as Error).message}`,
    );
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`loadModel: ${path} is not valid JSON (${(e as Error).message}); the file is corrupt`);
  }
}

/**
 * Reads a model directory written by {@link saveModel}. Errors name the file
 * and what is wrong (missing file, invalid JSON, truncated `weights.bin`,
 * unsupported format version, network that does not fit the encoder).
 */
export async function loadModel(dir: string): Promise<RePAPModel> {
  const modelPath = join(dir, MODEL_FILES.modelJson);
  const weightsPath = join(dir, MODEL_FILES.weights);
  const metaPath = join(dir, MODEL_FILES.metadata);
  const modelJson = parseJson(await readText(modelPath), modelPath) as Partial<tf.io.ModelJSON> | null;
  if (modelJson === null || typeof modelJson !== 'object' || !modelJson.modelTopology) {
    throw new Error(`loadModel: ${modelPath} has no modelTopology; it is not a tfjs layers model.json`);
  }
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new Error(`loadModel: ${modelPath} has no weightsManifest`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group.paths) || !group.paths.every((p) => p === MODEL_FILES.weights) || !Array.isArray(group.weights)) {
      throw new Error(`loadModel: ${modelPath} lists weight files [${String(group.paths)}]; expected only ${MODEL_FILES.weights}`);
    }
    specs.push(...group.weights);
  }
  const metadata = parseJson(await readText(metaPath), metaPath);
  let weights: Buffer;
  try {
    weights = await readFile(weightsPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `loadModel: ${weightsPath} is missing; saveModel writes it next to model.json`
        : `loadModel: cannot read ${weightsPath}: ${(e as Error).message}`,
    );
  }
  let need = 0;
  for (const s of specs) {
    const bytes = DTYPE_BYTES[s.dtype];
    if (bytes === undefined || s.quantization) {
      throw new Error(`loadModel: ${modelPath}: weight ${s.name} has dtype ${s.dtype}${s.quantization ? ' (quantized)' : ''}; expected float32`);
    }
    need += s.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  if (weights.byteLength !== need) {
    throw new Error(
      `loadModel: ${weightsPath} has ${weights.byteLength} bytes but ${modelPath} describes ${need} bytes of weights; ` +
        (weights.byteLength < need ? 'the file is truncated' : 'the files belong to different models'),
    );
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy ?? undefined,
    weightSpecs: specs,
    weightData,
  };
  return RePAPModel.fromArtifacts(artifacts, metadata, `model directory ${dir} (${MODEL_FILES.metadata}, ${MODEL_FILES.modelJson})`);
}
