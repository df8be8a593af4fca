import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync, unlinkSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel, MODEL_FORMAT_VERSION } from '../../src/model/index.js';
import { saveModel, loadModel } from '../../src/node/model-files.js';
import { toyTrajectory, useTf } from './fixtures.js';

const traj = toyTrajectory(40, 4, 4);
let tmp: string;

async function trained(config = {}): Promise<RePAPModel> {
  const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
  const model = RePAPModel.create(encoder, { units: 8, seed: 5, ...config });
  await model.train(traj, { epochs: 1, batchSize: 8, split: { train: 24, validation: 8, test: 8 } });
  return model;
}

function cellsOf(model: RePAPModel): number[] {
  return Array.from({ length: model.encoder.sequenceLength - 1 }, (_, t) => (t * 5) % model.encoder.gridSize);
}

describe('saving and loading', () => {
  beforeAll(async () => {
    await useTf('cpu');
    tmp = mkdtempSync(join(tmpdir(), 'repap-model-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('in-memory artifacts round trip gives bit-identical predictions and metadata', async () => {
    const model = await trained();
    const artifacts = await model.toArtifacts();
    const loaded = await RePAPModel.fromArtifacts(artifacts);
    const a = model.predictProbabilities(cellsOf(model));
    const b = loaded.predictProbabilities(cellsOf(model));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(loaded.firstCoordinates)).toEqual(Array.from(model.firstCoordinates));
    expect(loaded.cell).toEqual(traj.cell);
    expect(loaded.pbc).toEqual(traj.pbc);
    expect(loaded.config).toEqual(model.config);
    expect(loaded.encoder.toJSON()).toEqual(model.encoder.toJSON());
    expect(loaded.training.epochs).toBe(1);
    // the sampler's typed-array weights are identical too
    expect(loaded.stackWeights()).toEqual(model.stackWeights());
    model.dispose();
    loaded.dispose();
  });

  it('a model directory (model.json + weights.bin + repap.json) round trips bit-identically, GRU too', async () => {
    for (const cell of ['lstm', 'gru'] as const) {
      const model = await trained({ cell });
      const dir = join(tmp, `dir-${cell}`);
      await saveModel(model, dir);
      const meta = JSON.parse(readFileSync(join(dir, 'repap.json'), 'utf8'));
      expect(meta.format).toBe('repap-model');
      expect(meta.version).toBe(MODEL_FORMAT_VERSION);
      const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
      const loaded = await loadModel(dir);
      expect(Array.from(loaded.predictProbabilities(cellsOf(model)))).toEqual(Array.from(model.predictProbabilities(cellsOf(model))));
      expect(loaded.config.cell).toBe(cell);
      model.dispose();
      loaded.dispose();
    }
  });

  it('no tensors leak in save, load, toArtifacts, fromArtifacts', async () => {
    const model = await trained();
    const dir = join(tmp, 'leak');
    const before = tf.memory().numTensors;
    await saveModel(model, dir);
    await model.toArtifacts();
    expect(tf.memory().numTensors).toBe(before);
    const loaded = await loadModel(dir);
    loaded.dispose();
    const fromMem = await RePAPModel.fromArtifacts(await model.toArtifacts());
    fromMem.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  describe('corrupt or mismatched directories', () => {
    let good: string;
    beforeAll(async () => {
      const model = await trained();
      good = join(tmp, 'good');
      await saveModel(model, good);
      model.dispose();
    });
    const copy = (name: string): string => {
      const dir = join(tmp, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const f of ['model.json', 'weights.bin', 'repap.json']) writeFileSync(join(dir, f), readFileSync(join(good, f)));
      return dir;
    };

    it('missing files are named', async () => {
      for (const f of ['model.json', 'weights.bin', 'repap.json']) {
        const dir = copy(`missing-${f}`);
        unlinkSync(join(dir, f));
        await expect(loadModel(dir)).rejects.toThrow(new RegExp(`${f.replace('.', '\\.')} is missing`));
      }
    });

    it('a truncated weights.bin is reported with sizes', async () => {
      const dir = copy('truncated');
      const size = readFileSync(join(dir, 'weights.bin')).byteLength;
      truncateSync(join(dir, 'weights.bin'), size - 12);
      await expect(loadModel(dir)).rejects.toThrow(/weights\.bin has \d+ bytes .* truncated/);
    });

    it('invalid JSON is reported with the file', async () => {
      const dir = copy('badjson');
      writeFileSync(join(dir, 'repap.json'), '{"format": "repap-model", ');
      await expect(loadModel(dir)).rejects.toThrow(/repap\.json is not valid JSON/);
    });

    it('repap.json from another format version', async () => {
      const dir = copy('version');
      const meta = JSON.parse(readFileSync(join(dir, 'repap.json'), 'utf8'));
      meta.version = MODEL_FORMAT_VERSION + 1;
      writeFileSync(join(dir, 'repap.json'), JSON.stringify(meta));
      await expect(loadModel(dir)).rejects.toThrow(/repap\.json.*format version 2 is not supported/);
      meta.format = 'something-else';
      writeFileSync(join(dir, 'repap.json'), JSON.stringify(meta));
      await expect(loadModel(dir)).rejects.toThrow(/format is "something-else", expected 'repap-model'/);
    });

    it('an encoder that does not fit the network (grid size, atom count)', async () => {
      const dir = copy('mismatch');
      const other = AxisProjectionEncoder.fit(traj, { gridSize: 10 });
      const meta = JSON.parse(readFileSync(join(dir, 'repap.json'), 'utf8'));
      meta.encoder = other.toJSON();
      writeFileSync(join(dir, 'repap.json'), JSON.stringify(meta));
      await expect(loadModel(dir)).rejects.toThrow(/mismatch \(repap\.json, model\.json\): the network input is \[null,null,19\] but the encoder's input size is 21/);
      const fewer = AxisProjectionEncoder.fit(toyTrajectory(10, 3, 4), { gridSize: 8 });
      meta.encoder = fewer.toJSON();
      writeFileSync(join(dir, 'repap.json'), JSON.stringify(meta));
      await expect(loadModel(dir)).rejects.toThrow(/repap\.json.*the network input is \[null,null,19\] but the encoder's input size is 16/);
    });
  });
});

describe('tf.io handlers and encoded datasets', () => {
  beforeAll(async () => {
    await useTf('cpu');
  });

  it('save/load through a tf.io handler keeps the metadata in userDefinedMetadata.repap', async () => {
    const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
    const model = RePAPModel.create(encoder, { units: 8, seed: 2 });
    // train on an encoded dataset instead of a trajectory
    const coords = encoder.orderedCoordinates(traj);
    const h = await model.train({ coords, cell: traj.cell, pbc: traj.pbc }, { epochs: 1, batchSize: 8, split: { train: 32, validation: 8, test: 0 } });
    expect(h.testLoss).toBeNull();
    expect(model.training.sequences).toBe(32);
    let stored: tf.io.ModelArtifacts | null = null;
    const handler: tf.io.IOHandler = {
      save: async (a) => {
        stored = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
      load: async () => stored!,
    };
    await model.save(handler);
    expect((stored!.userDefinedMetadata as { repap: { format: string } }).repap.format).toBe('repap-model');
    const loaded = await RePAPModel.load(handler);
    const cells = [1, 2, 3, 4, 5];
    expect(Array.from(loaded.predictProbabilities(cells))).toEqual(Array.from(model.predictProbabilities(cells)));
    expect(await loaded.evaluate({ coords })).toBe(await model.evaluate(traj));
    await expect(model.save('nowhere://x')).rejects.toThrow(/no tf.io handler for 'nowhere:\/\/x'/);
    await expect(RePAPModel.fromArtifacts({ ...stored!, userDefinedMetadata: {} })).rejects.toThrow(/no repap metadata/);
    model.dispose();
    loaded.dispose();
  });
});

describe('loading over HTTP through tf.io', () => {
  it("RePAPModel.load('http://.../model.json') reads a directory written by saveModel", async () => {
    await useTf('cpu');
    const { createServer } = await import('node:http');
    const dir = mkdtempSync(join(tmpdir(), 'repap-http-'));
    const model = await trained();
    await saveModel(model, dir);
    const server = createServer((req, res) => {
      try {
        const body = readFileSync(join(dir, (req.url ?? '/').slice(1)));
        res.writeHead(200);
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const loaded = await RePAPModel.load(`http://127.0.0.1:${port}/model.json`);
      expect(Array.from(loaded.predictProbabilities(cellsOf(model)))).toEqual(Array.from(model.predictProbabilities(cellsOf(model))));
      expect(Array.from(loaded.firstCoordinates)).toEqual(Array.from(model.firstCoordinates));
      loaded.dispose();
    } finally {
      server.close();
      model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
