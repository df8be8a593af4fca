/**
 * A `RePAPModel` as a directory in Node: `model.json` (tfjs layers format),
 * `weights.bin` and `repap.json` (encoder and metadata), written and read
 * with node:fs. No tfjs-node needed.
 *
 * A folder is written as a whole: the files go into a new folder beside the
 * old one, which is then swapped in by renames, so that a save interrupted at
 * any point leaves the old model loadable. Every file of a saved folder
 * carries the same identifier and the SHA-256 of `weights.bin`;
 * {@link loadModel} refuses parts that do not belong together.
 *
 * Training checkpoints (`saveCheckpoint` / `loadCheckpoint`) are a model
 * folder plus `checkpoint.json` and `checkpoint.bin` (optimiser state, the
 * data order, best weights).
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RePAPModel } from '../model/repap-model.js';
import type { ModelMetadata } from '../model/serialization.js';
import type { OptimizerSlot, TrainingCheckpoint } from '../model/train-options.js';

/** File names inside a model directory. */
export const MODEL_FILES = {
  /** The tfjs layers topology and weights manifest (and a copy of the repap metadata, for HTTP loading). */
  modelJson: 'model.json',
  /** The weights, float32 little-endian, in manifest order. */
  weights: 'weights.bin',
  /** Encoder, first coordinates, cell, config and training information. */
  metadata: 'repap.json',
} as const;

/** File names of a training checkpoint, beside the model files of its folder. */
export const CHECKPOINT_FILES = {
  /** Position in the run, RNG state, loop bookkeeping, and the layout of checkpoint.bin. */
  state: 'checkpoint.json',
  /** Float32 arrays: the data order, the optimiser state and the best weights. */
  arrays: 'checkpoint.bin',
} as const;

/**
 * An error about a model folder (a missing part, parts of different saves, a
 * corrupt file). `code` is `'ENOENT'` for a missing file or folder and
 * `'EBADMODEL'` otherwise; the message names the files.
 */
export class ModelFolderError extends Error {
  /** `'ENOENT'` (missing) or `'EBADMODEL'` (corrupt or mismatched). */
  readonly code: 'ENOENT' | 'EBADMODEL';
  constructor(message: string, code: 'ENOENT' | 'EBADMODEL' = 'EBADMODEL') {
    super(message);
    this.name = 'ModelFolderError';
    this.code = code;
  }
}

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /**
   * More files written into the same folder in the same swap (name -> text or
   * bytes), e.g. `training.json`; plain names only.
   */
  files?: Record<string, string | Uint8Array>;
  /**
   * Called after each stage of the save (`'written'`: the new folder is
   * complete beside the old one; `'swapped'`: it replaced the old one). A
   * throw aborts the save there (tests of crash safety).
   * @internal
   */
  onStage?: (stage: 'written' | 'swapped') => void;
}

function weightBytes(data: tf.io.WeightData): Uint8Array {
  const buf = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(buf as ArrayBuffer);
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

function sha256(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** Writes and flushes a file in a folder that is not yet visible under its final name. */
function writeFlushed(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'wx');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `files` as the folder `dir`, as a whole: into a new folder beside it
 * (`.NAME.PID-RANDOM.tmp`), flushed, then swapped in by renames. Entries of an
 * existing `dir` that are not among `files` move into the new folder. A failure
 * before the swap removes the new folder and leaves `dir` as it was.
 */
async function writeFolder(dir: string, files: Record<string, string | Uint8Array>, onStage?: (stage: 'written' | 'swapped') => void): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(target)}.${tag}.tmp`);
  const old = join(parent, `.${basename(target)}.${tag}.old`);
  await mkdir(parent, { recursive: true });
  const prior = await exists(target);
  if (prior && !(await stat(target)).isDirectory()) {
    throw new ModelFolderError(`saveModel: ${target} exists and is not a folder; give a folder path for the model`);
  }
  await mkdir(tmp);
  try {
    for (const [name, data] of Object.entries(files)) writeFlushed(join(tmp, name), data);
    onStage?.('written');
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (prior) {
    // Keep what else the folder holds (training records, checkpoints).
    for (const entry of await readdir(target)) {
      if (!(entry in files)) await rename(join(target, entry), join(tmp, entry));
    }
    await rename(target, old);
  }
  await rename(tmp, target);
  onStage?.('swapped');
  if (prior) await rm(old, { recursive: true, force: true });
}

/** The three model files of `model`, tied together by one identifier and the weights' hash. */
async function modelFiles(model: RePAPModel): Promise<{ files: Record<string, string | Uint8Array>; metadata: ModelMetadata }> {
  const artifacts = await model.toArtifacts();
  const { weightData, weightSpecs, userDefinedMetadata, ...rest } = artifacts;
  const weights = weightData ? weightBytes(weightData) : new Uint8Array(0);
  const plain = { ...((userDefinedMetadata as { repap: ModelMetadata }).repap) };
  delete plain.integrity;
  const weightsSha256 = sha256(weights);
  const id = sha256(weightsSha256, JSON.stringify(rest.modelTopology), JSON.stringify(plain)).slice(0, 16);
  const metadata: ModelMetadata = { ...plain, integrity: { id, weightsSha256 } };
  const modelJson = {
    modelTopology: rest.modelTopology,
    format: rest.format ?? 'layers-model',
    generatedBy: rest.generatedBy,
    convertedBy: rest.convertedBy ?? null,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: weightSpecs ?? [] }],
    userDefinedMetadata: { repap: metadata },
  };
  return {
    metadata,
    files: {
      [MODEL_FILES.weights]: weights,
      [MODEL_FILES.modelJson]: JSON.stringify(modelJson),
      [MODEL_FILES.metadata]: JSON.stringify(metadata, null, 1),
    },
  };
}

/**
 * Writes `model` as the folder `dir`: `model.json`, `weights.bin` and
 * `repap.json` (plus `options.files`), as a whole: a new folder is written
 * beside the old one and swapped in, so that an interrupted save leaves the
 * old model loadable. Other files already in `dir` are kept.
 */
export async function saveModel(model: RePAPModel, dir: string, options: SaveModelOptions = {}): Promise<void> {
  if (!(model instanceof RePAPModel)) throw new Error('saveModel: model must be a RePAPModel');
  const { files } = await modelFiles(model);
  for (const name of Object.keys(options.files ?? {})) {
    if (name !== basename(name) || name.startsWith('.') || name in files) {
      throw new Error(`saveModel: options.files has '${name}'; expected a plain file name other than ${Object.values(MODEL_FILES).join(', ')}`);
    }
  }
  await writeFolder(dir, { ...files, ...(options.files ?? {}) }, options.onStage);
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ModelFolderError(`loadModel: ${path} is missing; ${what}`, 'ENOENT');
    }
    throw new ModelFolderError(`loadModel: cannot read ${path}: ${(e as Error).message}`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFolderError(`loadModel: ${path} is not valid JSON (${(e as Error).message}); the file is corrupt`);
  }
}

/**
 * Reads a model directory written by {@link saveModel}. Errors
 * ({@link ModelFolderError}) name the file and what is wrong: a missing file,
 * invalid JSON, a truncated `weights.bin`, files of different saves (their
 * identifiers or the weights' hash disagree), an unsupported format version,
 * a network that does not fit the encoder. Folders written before the
 * identifiers existed load without that check.
 */
export async function loadModel(dir: string): Promise<RePAPModel> {
  if (!(await exists(dir))) {
    // A save killed between its two renames leaves the old folder as .NAME.*.old and the new one as .NAME.*.tmp.
    const target = resolve(dir);
    let left: string[] = [];
    try {
      left = (await readdir(dirname(target))).filter((n) => n.startsWith(`.${basename(target)}.`) && (n.endsWith('.old') || n.endsWith('.tmp')));
    } catch {
      // the parent is missing too
    }
    throw new ModelFolderError(
      `loadModel: the model folder ${dir} does not exist (saveModel or 'repap train --out' writes one)` +
        (left.length ? `; an interrupted save left ${left.map((n) => join(dirname(target), n)).join(', ')}: rename the .old folder (the previous model) or the .tmp folder (the complete new one) to ${basename(target)}` : ''),
      'ENOENT',
    );
  }
  const modelPath = join(dir, MODEL_FILES.modelJson);
  const weightsPath = join(dir, MODEL_FILES.weights);
  const metaPath = join(dir, MODEL_FILES.metadata);
  const holds = `a model folder holds ${Object.values(MODEL_FILES).join(', ')} (written by saveModel)`;
  const modelJson = parseJson(await readText(modelPath, holds), modelPath) as Partial<tf.io.ModelJSON> | null;
  if (modelJson === null || typeof modelJson !== 'object' || !modelJson.modelTopology) {
    throw new ModelFolderError(`loadModel: ${modelPath} has no modelTopology; it is not a tfjs layers model.json`);
  }
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new ModelFolderError(`loadModel: ${modelPath} has no weightsManifest`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group.paths) || !group.paths.every((p) => p === MODEL_FILES.weights) || !Array.isArray(group.weights)) {
      throw new ModelFolderError(`loadModel: ${modelPath} lists weight files [${String(group.paths)}]; expected only ${MODEL_FILES.weights}`);
    }
    specs.push(...group.weights);
  }
  const metadata = parseJson(await readText(metaPath, holds), metaPath) as ModelMetadata | null;
  let weights: Buffer;
  try {
    weights = await readFile(weightsPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? new ModelFolderError(`loadModel: ${weightsPath} is missing; ${holds}`, 'ENOENT')
      : new ModelFolderError(`loadModel: cannot read ${weightsPath}: ${(e as Error).message}`);
  }
  let need = 0;
  for (const s of specs) {
    const bytes = DTYPE_BYTES[s.dtype];
    if (bytes === undefined || s.quantization) {
      throw new ModelFolderError(`loadModel: ${modelPath}: weight ${s.name} has dtype ${s.dtype}${s.quantization ? ' (quantized)' : ''}; expected float32`);
    }
    need += s.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  if (weights.byteLength !== need) {
    throw new ModelFolderError(
      `loadModel: ${weightsPath} has ${weights.byteLength} bytes but ${modelPath} describes ${need} bytes of weights; ` +
        (weights.byteLength < need ? 'the file is truncated' : 'the files belong to different models'),
    );
  }
  checkParts(dir, metadata, (modelJson.userDefinedMetadata as { repap?: ModelMetadata } | undefined)?.repap, weights);
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

/** Throws unless repap.json, model.json and weights.bin come from one save. */
function checkParts(dir: string, meta: ModelMetadata | null, inModelJson: ModelMetadata | undefined, weights: Uint8Array): void {
  const a = meta && typeof meta === 'object' ? meta.integrity : undefined;
  const b = inModelJson && typeof inModelJson === 'object' ? inModelJson.integrity : undefined;
  if (!a && !b) return; // written before the identifiers existed
  const mix = `the folder mixes files of different saves; save the model again (saveModel or 'repap train')`;
  if (!a || !b || a.id !== b.id) {
    throw new ModelFolderError(
      `loadModel: ${join(dir, MODEL_FILES.metadata)} (save ${a?.id ?? 'without an identifier'}) and ${join(dir, MODEL_FILES.modelJson)} ` +
        `(save ${b?.id ?? 'without an identifier'}) do not belong together: ${mix}`,
    );
  }
  const actual = sha256(weights);
  if (actual !== a.weightsSha256) {
    throw new ModelFolderError(
      `loadModel: ${join(dir, MODEL_FILES.weights)} does not belong to ${join(dir, MODEL_FILES.metadata)} and ${join(dir, MODEL_FILES.modelJson)} ` +
        `(its SHA-256 is ${actual.slice(0, 16)}..., save ${a.id} recorded ${a.weightsSha256.slice(0, 16)}...): ${mix}`,
    );
  }
}

/** The arrays of a checkpoint in checkpoint.bin, in order, with their layout. */
function checkpointArrays(cp: TrainingCheckpoint): { arrays: Float32Array[]; layout: { what: string; length: number; shape?: number[]; name?: string }[] } {
  const arrays: Float32Array[] = [];
  const layout: { what: string; length: number; shape?: number[]; name?: string }[] = [];
  arrays.push(Float32Array.from(cp.order));
  layout.push({ what: 'order', length: cp.order.length });
  for (const s of cp.optimizer) {
    arrays.push(s.values);
    layout.push({ what: 'optimizer', length: s.values.length, shape: s.shape, name: s.name });
  }
  for (const w of cp.bestWeights ?? []) {
    arrays.push(w);
    layout.push({ what: 'best', length: w.length });
  }
  return { arrays, layout };
}

/**
 * Writes a training checkpoint as the folder `dir`, as a whole (see
 * {@link saveModel}): the model with the checkpoint's current weights, plus
 * `checkpoint.json` and `checkpoint.bin`. `model` gives the architecture and
 * metadata; its weights are not changed.
 */
export async function saveCheckpoint(model: RePAPModel, checkpoint: TrainingCheckpoint, dir: string, options: SaveModelOptions = {}): Promise<void> {
  const keep = model.copyWeights();
  let files: Record<string, string | Uint8Array>;
  try {
    model.setWeightsFrom(checkpoint.weights);
    files = (await modelFiles(model)).files;
  } finally {
    model.setWeightsFrom(keep);
  }
  const { arrays, layout } = checkpointArrays(checkpoint);
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  for (const a of arrays) {
    bin.set(a, off);
    off += a.length;
  }
  const binBytes = new Uint8Array(bin.buffer);
  const { weights: _w, bestWeights: _b, optimizer: _o, order: _order, ...rest } = checkpoint;
  // JSON has no Infinity: the best validation loss before any epoch is stored as null.
  const loop = { ...rest.loop, best: Number.isFinite(rest.loop.best) ? rest.loop.best : null };
  const state = { ...rest, loop, arrays: layout, hasBestWeights: checkpoint.bestWeights !== null, arraysSha256: sha256(binBytes), model: JSON.parse(files[MODEL_FILES.metadata] as string).integrity };
  await writeFolder(dir, { ...files, [CHECKPOINT_FILES.state]: JSON.stringify(state), [CHECKPOINT_FILES.arrays]: binBytes, ...(options.files ?? {}) }, options.onStage);
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  /** The model with the checkpoint's weights. */
  model: RePAPModel;
  /** The state to pass as `TrainOptions.resume`. */
  checkpoint: TrainingCheckpoint;
}

/**
 * Reads a checkpoint folder written by {@link saveCheckpoint}: the model (to
 * train further) and the checkpoint to pass as `TrainOptions.resume`.
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const statePath = join(dir, CHECKPOINT_FILES.state);
  const binPath = join(dir, CHECKPOINT_FILES.arrays);
  let text: string;
  try {
    text = await readFile(statePath, 'utf8');
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? new ModelFolderError(`loadCheckpoint: ${statePath} is missing; ${dir} is not a training checkpoint (repap train writes one in <out>/checkpoint every epoch)`, 'ENOENT')
      : e;
  }
  const state = parseJson(text, statePath) as Record<string, unknown> & {
    format?: string;
    arrays?: { what: string; length: number; shape?: number[]; name?: string }[];
    hasBestWeights?: boolean;
    arraysSha256?: string;
    model?: { id: string };
  };
  if (state.format !== 'repap-checkpoint' || state.version !== 1 || !Array.isArray(state.arrays)) {
    throw new ModelFolderError(`loadCheckpoint: ${statePath} is not a repap checkpoint (format ${JSON.stringify(state.format)}, version ${JSON.stringify(state.version)})`);
  }
  let buf: Buffer;
  try {
    buf = await readFile(binPath);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'ENOENT' ? new ModelFolderError(`loadCheckpoint: ${binPath} is missing`, 'ENOENT') : e;
  }
  if (sha256(buf) !== state.arraysSha256) {
    throw new ModelFolderError(`loadCheckpoint: ${binPath} does not belong to ${statePath} (SHA-256 differs); the checkpoint is damaged or mixed`);
  }
  const model = await loadModel(dir);
  const metaText = await readFile(join(dir, MODEL_FILES.metadata), 'utf8');
  const id = (JSON.parse(metaText) as ModelMetadata).integrity?.id;
  if (!state.model || state.model.id !== id) {
    model.dispose();
    throw new ModelFolderError(`loadCheckpoint: ${statePath} and ${join(dir, MODEL_FILES.metadata)} are of different saves; the checkpoint is mixed`);
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  let off = 0;
  let order = new Int32Array(0);
  const optimizer: OptimizerSlot[] = [];
  const best: Float32Array[] = [];
  for (const a of state.arrays) {
    const v = all.slice(off, off + a.length);
    off += a.length;
    if (a.what === 'order') order = Int32Array.from(v);
    else if (a.what === 'optimizer') optimizer.push({ name: a.name!, shape: a.shape!, values: v });
    else best.push(v);
  }
  if (off !== all.length) {
    model.dispose();
    throw new ModelFolderError(`loadCheckpoint: ${binPath} has ${all.length} values but ${statePath} describes ${off}`);
  }
  const { arrays: _a, hasBestWeights, arraysSha256: _s, model: _m, ...rest } = state;
  const loop = rest.loop as TrainingCheckpoint['loop'];
  const checkpoint = {
    ...(rest as unknown as Omit<TrainingCheckpoint, 'weights' | 'bestWeights' | 'optimizer' | 'order'>),
    loop: { ...loop, best: loop.best === null ? Infinity : loop.best },
    order,
    optimizer,
    weights: model.copyWeights(),
    bestWeights: hasBestWeights ? best : null,
  } as TrainingCheckpoint;
  return { model, checkpoint };
}
