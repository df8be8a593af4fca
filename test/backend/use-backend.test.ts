import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, probeBackend, useBackend, type BackendName } from '../../src/backend/index.js';
import { installed, vulkanICD, webgpuSkipReason } from './env.js';

const icd = vulkanICD;
const webgpuReason = webgpuSkipReason;
const hasTfjsNode = installed('@tensorflow/tfjs-node');
if (webgpuReason) console.log(`[skip] webgpu in Node: ${webgpuReason}`);
if (!hasTfjsNode) {
  console.log(
    "[skip] useBackend('tensorflow'): @tensorflow/tfjs-node is not installed (its install script downloads libtensorflow; " +
      'install it with `npm install @tensorflow/tfjs-node@4.22.0` to run this test)',
  );
}

/** x·W + b followed by a softmax: matmul, add and a reduction, the ops an LSTM step uses. */
async function smallOp(): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const w = tf.tensor2d([0.5, -1, 0.25, 2, -0.5, 1], [3, 2]);
    return tf.softmax(tf.add(tf.matMul(x, w), tf.tensor1d([0.1, -0.2])));
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

/** The same computation in float64 JavaScript: the independent reference. */
function smallOpReference(): number[] {
  const x = [[1, 2, 3], [4, 5, 6]];
  const w = [[0.5, -1], [0.25, 2], [-0.5, 1]];
  const b = [0.1, -0.2];
  const out: number[] = [];
  for (const row of x) {
    const z = [0, 1].map((j) => row.reduce((s, v, k) => s + v * w[k][j], b[j]));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e[0] + e[1];
    out.push(e[0] / s, e[1] / s);
  }
  return out;
}

async function checkBackend(name: BackendName, options = {}): Promise<void> {
  const inUse = await useBackend(name, options);
  expect(inUse).toBe(name);
  expect(tf.getBackend()).toBe(name);
  const before = tf.memory().numTensors;
  const got = await smallOp();
  expect(tf.memory().numTensors).toBe(before);
  const ref = smallOpReference();
  // float32 kernels: a few ulps of values O(1).
  for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThan(1e-5);
}

describe('useBackend', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('selects cpu and runs an op', async () => {
    await checkBackend('cpu');
  });

  it('selects wasm in Node without path setup and runs an op', async () => {
    await checkBackend('wasm');
  });

  it.skipIf(webgpuReason !== null)('selects webgpu in Node through Dawn and runs an op', async () => {
    await checkBackend('webgpu', { vulkanICD: icd });
  });

  it.skipIf(webgpuReason !== null || typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas !== 'undefined')(
    'explains that webgpu in Node reads asynchronously only',
    async () => {
      await useBackend('webgpu', { vulkanICD: icd });
      const t = tf.tidy(() => tf.matMul(tf.ones([128, 128]), tf.ones([128, 128])));
      try {
        expect(() => t.dataSync()).toThrow(/synchronous reads \(dataSync, arraySync\) need OffscreenCanvas.*await tensor\.data\(\)/);
        const values = (await t.data()) as Float32Array;
        expect(values[0]).toBe(128);
      } finally {
        t.dispose();
      }
    },
  );

  it.skipIf(webgpuReason !== null)('says what is missing when Dawn finds no Vulkan driver (webgpu in Node)', () => {
    // A fresh Node process: the Vulkan driver is chosen when Dawn starts, once per process.
    const script = [
      `import { useBackend } from ${JSON.stringify(new URL('../../src/backend/index.ts', import.meta.url).pathname)};`,
      "try { await useBackend('webgpu'); console.log('selected'); } catch (e) { console.log('ERROR ' + e.message); }",
    ].join('\n');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    expect(out).toMatch(/ERROR useBackend\('webgpu'\): Dawn found no WebGPU adapter.*libvulkan1.*VK_ICD_FILENAMES is \/nonexistent\/icd\.json/);
  });

  it.skipIf(!hasTfjsNode)('selects tensorflow (tfjs-node) when it is installed', async () => {
    await checkBackend('tensorflow');
  });

  it.skipIf(hasTfjsNode)('says which package to install when tfjs-node is missing, and keeps the current backend', async () => {
    await useBackend('cpu');
    await expect(useBackend('tensorflow')).rejects.toThrow(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown name and lists the valid names', async () => {
    for (const bad of ['gpu', '', 'CPU', 42, undefined]) {
      await expect(useBackend(bad as unknown as BackendName)).rejects.toThrow(
        new RegExp(`unknown backend.*expected one of: ${BACKEND_NAMES.join(', ')}`),
      );
    }
  });

  it('refuses webgl in Node with the reason and the alternatives', async () => {
    await useBackend('cpu');
    await expect(useBackend('webgl')).rejects.toThrow(/WebGL needs a browser.*'webgpu'.*'wasm'/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects bad options naming the option', async () => {
    await expect(useBackend('wasm', { wasmThreads: 0 })).rejects.toThrow(/options\.wasmThreads must be a positive integer/);
    await expect(useBackend('wasm', { wasmThreads: 1.5 })).rejects.toThrow(/options\.wasmThreads/);
    await expect(useBackend('webgpu', { dawnFlags: 'backend=vulkan' as unknown as string[] })).rejects.toThrow(
      /options\.dawnFlags must be an array of strings/,
    );
    await expect(useBackend('webgpu', { vulkanICD: '' })).rejects.toThrow(/options\.vulkanICD/);
  });

  it('probeBackend reports availability and restores the active backend', async () => {
    await useBackend('cpu');
    const wasm = await probeBackend('wasm');
    expect(wasm).toEqual({ name: 'wasm', available: true, reason: null });
    expect(tf.getBackend()).toBe('cpu');
    const webgl = await probeBackend('webgl');
    expect(webgl.available).toBe(false);
    expect(webgl.reason).toMatch(/WebGL needs a browser/);
    expect(tf.getBackend()).toBe('cpu');
  });
});
