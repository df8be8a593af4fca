/**
 * Model folders are written as a whole and never mixed: the swap leaves the
 * old folder loadable when a save fails before it; parts of different saves
 * are refused, naming the files; checkpoints round trip through disk and
 * resume exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { RePAPModel, type TrainingCheckpoint, type TrainOptions } from '../../src/model/index.js';
import { CHECKPOINT_FILES, MODEL_FILES, ModelFolderError, loadCheckpoint, loadModel, saveCheckpoint, saveModel } from '../../src/node/model-files.js';
import { toyTrajectory, useTf } from './fixtures.js';

const traj = toyTrajectory(40, 3, 4);
const encoder = AxisProjectionEncoder.fit(traj, { gridSize: 8 });
const opts: TrainOptions = { epochs: 2, batchSize: 4, seed: 3, split: { train: 28, validation: 8, test: 4 } };
let tmp: string;

async function trained(seed: number, epochs = 1): Promise<RePAPModel> {
  const m = RePAPModel.create(encoder, { units: 6, seed });
  await m.train(traj, { ...opts, epochs });
  return m;
}

function predictions(m: RePAPModel): number[] {
  return Array.from(m.predictProbabilities([1, 2, 3, 4], 1));
}

describe('model folders', () => {
  beforeAll(async () => {
    await useTf('cpu');
    tmp = mkdtempSync(join(tmpdir(), 'repap-folder-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('every file carries the same save identifier and the weights hash; extra files travel in the same swap and others are kept', async () => {
    const dir = join(tmp, 'ids');
    const m = await trained(1);
    await saveModel(m, dir, { files: { 'training.json': '{"a":1}' } });
    writeFileSync(join(dir, 'notes.txt'), 'kept');
    await saveModel(m, dir);
    const meta = JSON.parse(readFileSync(join(dir, MODEL_FILES.metadata), 'utf8'));
    const mj = JSON.parse(readFileSync(join(dir, MODEL_FILES.modelJson), 'utf8'));
    expect(meta.integrity.id).toMatch(/^[0-9a-f]{16}$/);
    expect(mj.userDefinedMetadata.repap.integrity).toEqual(meta.integrity);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('kept');
    expect(readFileSync(join(dir, 'training.json'), 'utf8')).toBe('{"a":1}');
    // Nothing temporary is left beside the folder.
    expect(readdirSync(tmp).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(predictions(await loadModel(dir))).toEqual(predictions(m));
  });

  it('parts of different saves are refused, naming the files', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    const ma = await trained(1);
    const mb = await trained(2);
    await saveModel(ma, a);
    await saveModel(mb, b);
    // New weights with old JSON (same architecture, so the sizes agree).
    copyFileSync(join(b, MODEL_FILES.weights), join(a, MODEL_FILES.weights));
    await expect(loadModel(a)).rejects.toThrow(/weights\.bin does not belong to .*repap\.json and .*model\.json .*different saves/);
    await saveModel(ma, a);
    // model.json of another save than repap.json.
    copyFileSync(join(b, MODEL_FILES.modelJson), join(a, MODEL_FILES.modelJson));
    const err = await loadModel(a).catch((e: unknown) => e as ModelFolderError);
    expect(err).toBeInstanceOf(ModelFolderError);
    expect((err as ModelFolderError).code).toBe('EBADMODEL');
    expect((err as Error).message).toMatch(/repap\.json \(save [0-9a-f]{16}\) and .*model\.json \(save [0-9a-f]{16}\) do not belong together/);
  });

  it('missing parts are errors with code ENOENT naming the file', async () => {
    const dir = join(tmp, 'missing');
    await saveModel(await trained(1), dir);
    unlinkSync(join(dir, MODEL_FILES.weights));
    const e1 = (await loadModel(dir).catch((e: unknown) => e)) as ModelFolderError;
    expect(e1.code).toBe('ENOENT');
    expect(e1.message).toMatch(/weights\.bin is missing/);
    unlinkSync(join(dir, MODEL_FILES.modelJson));
    const e2 = (await loadModel(dir).catch((e: unknown) => e)) as ModelFolderError;
    expect([e2.code, /model\.json is missing/.test(e2.message)]).toEqual(['ENOENT', true]);
    const e3 = (await loadModel(join(tmp, 'nowhere')).catch((e: unknown) => e)) as ModelFolderError;
    expect([e3.code, /does not exist/.test(e3.message)]).toEqual(['ENOENT', true]);
  });

  it('a save that fails before the swap leaves the old folder as it was, loadable, and no temporary folder', async () => {
    const dir = join(tmp, 'crash');
    const old = await trained(1);
    await saveModel(old, dir);
    const before = readFileSync(join(dir, MODEL_FILES.weights));
    const fresh = await trained(2);
    await expect(saveModel(fresh, dir, { onStage: (s) => { if (s === 'written') throw new Error('crash'); } })).rejects.toThrow('crash');
    expect(readFileSync(join(dir, MODEL_FILES.weights)).equals(before)).toBe(true);
    expect(predictions(await loadModel(dir))).toEqual(predictions(old));
    expect(readdirSync(tmp).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a process killed in the middle of a save leaves the old folder loadable', async () => {
    const dir = join(tmp, 'killed');
    const old = await trained(1);
    await saveModel(old, dir);
    // A child process saves another model into the same folder and is killed (SIGKILL) once
    // the new folder is complete, before the swap.
    const script = `
      import '@tensorflow/tfjs-backend-cpu';
      import * as tf from '@tensorflow/tfjs-core';
      import { AxisProjectionEncoder } from './src/encoding/index.ts';
      import { RePAPModel } from './src/model/index.ts';
      import { saveModel } from './src/node/model-files.ts';
      import { toyTrajectory } from './test/model/fixtures.ts';
      await tf.setBackend('cpu');
      const traj = toyTrajectory(40, 3, 4);
      const m = RePAPModel.create(AxisProjectionEncoder.fit(traj, { gridSize: 8 }), { units: 6, seed: 9 });
      await saveModel(m, ${JSON.stringify(dir)}, { onStage: (s) => { if (s === 'written') process.kill(process.pid, 'SIGKILL'); } });
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    expect(predictions(await loadModel(dir))).toEqual(predictions(old));
    // The killed save's folder is left beside it under a temporary name, never under the model's.
    expect(readdirSync(tmp).some((n) => n.startsWith('.killed.') && n.endsWith('.tmp'))).toBe(true);
  }, 60_000);

  it('a folder lost between the two renames of a swap: loadModel names what the interrupted save left', async () => {
    const dir = join(tmp, 'between');
    await saveModel(await trained(1), dir);
    // The state after the first rename (old folder moved aside) and before the second.
    renameSync(dir, join(tmp, '.between.123-abcd.old'));
    await expect(loadModel(dir)).rejects.toThrow(/does not exist.*an interrupted save left .*\.between\.123-abcd\.old: rename the \.old folder/);
    renameSync(join(tmp, '.between.123-abcd.old'), dir);
  });

  it('a checkpoint written to disk and read back resumes exactly like the in-memory one', async () => {
    const dir = join(tmp, 'ckpt');
    const a = RePAPModel.create(encoder, { units: 6, seed: 4 });
    await a.train(traj, { ...opts, epochs: 3 });
    const b = RePAPModel.create(encoder, { units: 6, seed: 4 });
    const ctl = new AbortController();
    let cp: TrainingCheckpoint | null = null;
    await b.train(traj, {
      ...opts,
      epochs: 3,
      signal: ctl.signal,
      callbacks: [{ onBatchEnd: (i, l) => void (l.epoch === 1 && i === 4 && ctl.abort()) }],
      checkpoint: async (s) => {
        cp = s;
        await saveCheckpoint(b, s, dir);
      },
    });
    expect(cp!.reason).toBe('aborted');
    expect(existsSync(join(dir, CHECKPOINT_FILES.state))).toBe(true);
    const { model: c, checkpoint } = await loadCheckpoint(dir);
    expect(checkpoint.epoch).toBe(1);
    expect(checkpoint.batch).toBe(5);
    const h = await c.train(traj, { ...opts, epochs: 3, resume: checkpoint });
    expect(h.stopReason).toBe('completed');
    expect(predictions(c)).toEqual(predictions(a));
    // A damaged checkpoint is refused.
    writeFileSync(join(dir, CHECKPOINT_FILES.arrays), new Uint8Array(8));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/checkpoint\.bin does not belong to .*checkpoint\.json/);
  });
});
