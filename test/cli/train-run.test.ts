/**
 * `repap train` as a training tool: Ctrl-C (SIGINT) saves and exits 130,
 * --resume continues to the same weights as an uninterrupted run, --max-time
 * stops cleanly, a resume with other settings names the flag, and a model
 * folder with mixed parts is refused with exit code 2.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, mdFramesExtxyz, repap, root, tempDir } from './helpers.js';
import { loadModel } from '../../src/node/model-files.js';
import { readExtxyz } from '../../src/io/index.js';
import { useTf } from '../model/fixtures.js';

const small = ['--units', '8', '--layers', '1', '--batch', '4', '--backend', 'cpu', '--seed', '3'];
let dir: string;
let data: string;

/** Runs `repap train`, sends SIGINT once the first epoch line appears, resolves with the exit code and output. */
function interrupted(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, REPAP_PROGRESS_INTERVAL: '0' } });
    let out = '';
    let err = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (!sent && /epoch 1\/\d+:/.test(err)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, out, err }));
  });
}

describe('repap train runs', () => {
  beforeAll(() => {
    ensureBuilt();
    dir = tempDir();
    data = join(dir, 'md.extxyz');
    writeFileSync(data, mdFramesExtxyz(Array.from({ length: 200 }, (_, i) => i)));
  });

  it('Ctrl-C saves the best weights and a checkpoint, exits 130; --resume ends with the weights of an uninterrupted run', async () => {
    const out = join(dir, 'int');
    const r = await interrupted(['train', data, '--out', out, '--epochs', '1000', ...small]);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/interrupted; stopping after the current batch and saving/);
    expect(r.out).toMatch(/saved the model to .* with the weights of epoch \d+ \(best validation loss\)/);
    expect(r.out).toMatch(/to continue: repap train .* --resume .*checkpoint/);
    const state = JSON.parse(readFileSync(join(out, 'checkpoint', 'checkpoint.json'), 'utf8')) as { epoch: number; batch: number; reason: string };
    expect(state.reason).toBe('aborted');
    // Finish two epochs beyond the interruption, and compare with one uninterrupted run of as many epochs.
    const epochs = String(state.epoch + 2);
    const resumed = repap(['train', data, '--out', out, '--epochs', epochs, ...small, '--resume', out], { env: { REPAP_PROGRESS_INTERVAL: '0' } });
    expect(resumed.code, resumed.err).toBe(0);
    const whole = join(dir, 'whole');
    const w = repap(['train', data, '--out', whole, '--epochs', epochs, ...small], { env: { REPAP_PROGRESS_INTERVAL: '0' } });
    expect(w.code, w.err).toBe(0);
    expect(readFileSync(join(out, 'weights.bin')).equals(readFileSync(join(whole, 'weights.bin')))).toBe(true);
    const last = (s: string): string => s.split('\n').filter((l) => l.startsWith(`epoch ${epochs}/`))[0]!.replace(/, [\d.]+ seq\/s.*$/, '');
    expect(last(resumed.err)).toBe(last(w.err));
    expect(last(w.err)).toMatch(/validation NLL [\d.]+ nats\/coordinate, [\d.]+ nats\/structure/);
  }, 240_000);

  it('--resume with another setting names the flag (exit 2); --max-time stops cleanly (exit 0) and says what was saved', () => {
    const out = join(dir, 'mt');
    const r = repap(['train', data, '--out', out, '--epochs', '1000', ...small, '--max-time', '2s']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/stopped \(max-time\): the time budget of 2 s ran out in epoch \d+ after \d+ of \d+ batches/);
    expect(r.out).toMatch(/\(max-time\)/);
    expect(existsSync(join(out, 'checkpoint', 'checkpoint.json'))).toBe(true);
    const bad = repap(['train', data, '--out', out, '--epochs', '1000', ...small.map((x) => (x === '8' ? '9' : x)), '--resume', out]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/config\.units: 8 in the checkpoint, 9 now.*--units/);
    const badTime = repap(['train', data, '--out', out, '--max-time', 'soon']);
    expect(badTime.code).toBe(2);
    expect(badTime.err).toMatch(/--max-time is 'soon'; expected a duration such as 90s, 30m, 1h/);
  }, 240_000);

  it('a network collapsed by a huge learning rate is reported (exit 1), not trained as completed; the weights from before are saved', () => {
    const out = join(dir, 'collapsed');
    const r = repap(['train', data, '--out', out, '--max-frames', '100', '--units', '8', '--epochs', '3', '--learning-rate', '10']);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toMatch(/stopped \(collapsed\): the network collapsed in epoch 1: .*sampling would fail.*learning rate \(10\) is probably too large/);
    expect(r.out).toMatch(/with the weights from before training/);
    // What was saved samples.
    const s = repap(['sample', out, '-n', '2', '--out', join(dir, 'collapsed.extxyz'), '--min-distance', '0']);
    expect(s.code, s.err).toBe(0);
  }, 120_000);

  it('a model folder with parts of different saves is refused with exit code 2, naming the files', () => {
    const a = join(dir, 'int');
    const b = join(dir, 'whole');
    expect(existsSync(join(a, 'weights.bin')) && existsSync(join(b, 'weights.bin'))).toBe(true);
    copyFileSync(join(join(dir, 'mt'), 'weights.bin'), join(b, 'weights.bin'));
    const r = repap(['sample', b, '-n', '2', '--out', join(dir, 's.extxyz')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/weights\.bin does not belong to .*repap\.json and .*model\.json/);
  });

  it('repap eval --model reports the negative log-likelihood of the reference frames, as the API computes it', async () => {
    const ref = join(dir, 'ref.extxyz');
    writeFileSync(ref, mdFramesExtxyz(Array.from({ length: 20 }, (_, i) => 1000 + i)));
    const json = join(dir, 'eval.json');
    const r = repap(['eval', ref, ref, '--model', join(dir, 'int'), '--bootstrap', '0', '--json', json]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/negative log-likelihood of the 20 reference frames under .*: [\d.]+ nats per coordinate, [\d.]+ nats per structure, -?[\d.]+ as a density per Å\^89/);
    const got = (JSON.parse(readFileSync(json, 'utf8')) as { modelNll: { perCoordinate: number; perStructure: number; structures: number } }).modelNll;
    await useTf('cpu');
    const model = await loadModel(join(dir, 'int'));
    const want = await model.negativeLogLikelihood(readExtxyz(readFileSync(ref, 'utf8')));
    model.dispose();
    expect(got.structures).toBe(20);
    expect(got.perCoordinate).toBeCloseTo(want.perCoordinate, 4);
    expect(got.perStructure).toBeCloseTo(want.perStructure, 2);
  }, 120_000);
});
