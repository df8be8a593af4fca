/**
 * A `RePAPModel` as tf.io artifacts: the metadata (`repap.json`), its
 * validation, and the network topology and weights.
 *
 * @module
 */
import type { SamplingDefaults } from './sampling-defaults.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { AxisProjectionEncoder } from '../encoding/encoder.js';
import type { EncoderJSON } from '../encoding/config.js';
import type { TrainedOrdering } from '../encoding/groups.js';
import type { Cell, Pbc } from '../structure/trajectory.js';
import type { RePAPModelConfig } from './config.js';
import type { TrainingInfo } from './train-options.js';

/** Format tag and version of `repap.json` (the model metadata). */
export const MODEL_FORMAT = 'repap-model';
/** Current version of the model metadata format. Loading another version is an error. */
export const MODEL_FORMAT_VERSION = 1;

/**
 * What ties the files of a saved model folder together: written by
 * `saveModel` into `repap.json` and `model.json`, checked by `loadModel`.
 */
export interface ModelIntegrity {
  /** An identifier of this save, the same in every file of the folder. */
  id: string;
  /** SHA-256 (hex) of `weights.bin`. */
  weightsSha256: string;
}

/** The model metadata (`repap.json`, and `userDefinedMetadata.repap` of the tf.io artifacts). */
export interface ModelMetadata {
  /** Always `'repap-model'`. */
  format: typeof MODEL_FORMAT;
  /** {@link MODEL_FORMAT_VERSION}. */
  version: number;
  /** The encoder. */
  encoder: EncoderJSON;
  /** The network config. */
  config: RePAPModelConfig;
  /** Whether the network came from a user factory. */
  customNetwork: boolean;
  /** Empirical first coordinates (Å) of the training frames. */
  firstCoordinates: number[];
  /** Training cell. */
  cell: Cell | null;
  /** Training periodicity. */
  pbc: Pbc;
  /** Training summary. */
  training: TrainingInfo;
  /** Sampling defaults chosen for the model (temperature, minimum distance, tries); absent when none were stored. */
  sampling?: SamplingDefaults;
  /** The grouped ordering the training sequences were encoded with; absent for the encoder's own ordering (and in older folders). */
  ordering?: TrainedOrdering;
  /** Set by `saveModel`: the identity of the saved folder's parts (absent in older folders). */
  integrity?: ModelIntegrity;
}

/** The network's topology and weights as tf.io artifacts (no metadata). */
export async function networkArtifacts(network: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await network.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return captured! as tf.io.ModelArtifacts;
}

/** Rebuilds the network of tf.io artifacts (the metadata is ignored); `where` names the source. */
export async function networkFromArtifacts(artifacts: tf.io.ModelArtifacts, encoder: AxisProjectionEncoder, where: string): Promise<tfl.LayersModel> {
  const { userDefinedMetadata: _drop, ...plain } = artifacts;
  let network: tfl.LayersModel;
  try {
    network = await tfl.loadLayersModel(tf.io.fromMemory(plain as tf.io.ModelArtifacts));
  } catch (e) {
    throw new Error(`${where}: cannot rebuild the network: ${(e as Error).message}`);
  }
  try {
    checkNetworkShape(network, encoder, where);
  } catch (e) {
    network.dispose();
    throw e;
  }
  return network;
}

/** The tf.io handler of a URL, with an error that says what works. */
export function resolveHandler(url: string, kind: 'save' | 'load'): tf.io.IOHandler {
  const handlers = kind === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
  if (handlers.length === 0) {
    throw new Error(
      `RePAPModel.${kind}: no tf.io handler for '${url}'; use 'indexeddb://name' or 'http(s)://...' in a browser, ` +
        "or saveModel/loadModel from 'repap/node' for a directory",
    );
  }
  return handlers[0]!;
}

/** Throws unless the network maps `[batch, steps, inputSize]` to `[batch, steps, gridSize]` of the encoder. */
export function checkNetworkShape(network: tfl.LayersModel, encoder: AxisProjectionEncoder, where: string): void {
  const inShape = network.inputs[0]?.shape;
  const outShape = network.outputs[0]?.shape;
  if (!inShape || inShape.length !== 3 || inShape[2] !== encoder.inputSize) {
    throw new Error(
      `${where}: the network input is ${JSON.stringify(inShape)} but the encoder's input size is ${encoder.inputSize} ` +
        '(expected [batch, steps, inputSize]); the network and encoder do not belong together',
    );
  }
  if (!outShape || outShape.length !== 3 || outShape[2] !== encoder.gridSize) {
    throw new Error(
      `${where}: the network output is ${JSON.stringify(outShape)} but the encoder's grid size is ${encoder.gridSize} ` +
        '(expected [batch, steps, gridSize]); the network and encoder do not belong together',
    );
  }
}

/** Validates the metadata object; errors name `where` and the field. */
export function checkMetadata(meta: unknown, where: string): ModelMetadata {
  if (meta === null || typeof meta !== 'object') {
    throw new Error(`${where}: no repap metadata (expected an object with format '${MODEL_FORMAT}')`);
  }
  const m = meta as Partial<ModelMetadata>;
  if (m.format !== MODEL_FORMAT) {
    throw new Error(`${where}: format is ${JSON.stringify(m.format)}, expected '${MODEL_FORMAT}'`);
  }
  if (m.version !== MODEL_FORMAT_VERSION) {
    throw new Error(
      `${where}: format version ${JSON.stringify(m.version)} is not supported (this repap reads version ${MODEL_FORMAT_VERSION}); ` +
        'save the model again with a matching repap version',
    );
  }
  if (!m.encoder || typeof m.encoder !== 'object') throw new Error(`${where}: missing field 'encoder'`);
  if (!m.config || typeof m.config !== 'object') throw new Error(`${where}: missing field 'config'`);
  if (!Array.isArray(m.firstCoordinates) || m.firstCoordinates.some((v) => typeof v !== 'number')) {
    throw new Error(`${where}: field 'firstCoordinates' must be an array of numbers`);
  }
  if (!Array.isArray(m.pbc) || m.pbc.length !== 3) throw new Error(`${where}: field 'pbc' must be 3 booleans`);
  if (m.cell !== null && !(Array.isArray(m.cell) && m.cell.length === 3)) {
    throw new Error(`${where}: field 'cell' must be null or 3 lattice vectors`);
  }
  if (typeof m.customNetwork !== 'boolean') throw new Error(`${where}: field 'customNetwork' must be a boolean`);
  if (!m.training || typeof m.training !== 'object') throw new Error(`${where}: missing field 'training'`);
  if (m.integrity !== undefined && (typeof m.integrity?.id !== 'string' || typeof m.integrity?.weightsSha256 !== 'string')) {
    throw new Error(`${where}: field 'integrity' must be { id, weightsSha256 } (strings)`);
  }
  return m as ModelMetadata;
}
