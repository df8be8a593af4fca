import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AxisProjectionEncoder } from '../../src/encoding/index.js';
import { fusedKernelSupport, RePAPModel } from '../../src/model/index.js';
import { toyTrajectory, useTf } from './fixtures.js';

// A runtime without WebAssembly SIMD: every module fails validation. Detection is lazy
// and cached per process, and this file runs in its own process.
const validate = WebAssembly.validate;

describe('training where the fused kernel cannot run', () => {
  beforeAll(async () => {
    await useTf('cpu');
    (WebAssembly as { validate: (b: BufferSource) => boolean }).validate = () => false;
  });
  afterAll(() => {
    (WebAssembly as { validate: typeof validate }).validate = validate;
  });

  it('falls back to the tfjs path with one notice, and refuses an explicit kernel path with the reason', async () => {
    expect(fusedKernelSupport().simd).toBe(false);
    const traj = toyTrajectory(24, 4, 4);
    const model = RePAPModel.create(AxisProjectionEncoder.fit(traj, { gridSize: 8 }), { units: 8 });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const split = { train: 16, validation: 4, test: 4 };
    const h1 = await model.train(traj, { split });
    const h2 = await model.train(traj, { split });
    expect([h1.path, h2.path]).toEqual(['fast', 'fast']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^repap: the fused training kernel cannot run \(this runtime has no WebAssembly SIMD\); training on the tfjs path$/);
    await expect(model.train(traj, { split, path: 'kernel' })).rejects.toThrow(/path 'kernel' cannot run: this runtime has no WebAssembly SIMD; use path 'fast'/);
    warn.mockRestore();
    model.dispose();
  });
});
