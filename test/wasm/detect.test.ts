import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `code` (an ES module using `detect`) in a fresh Node process, where no V8 flag has been set yet; returns its JSON line. */
function fresh(code: string): Record<string, unknown> {
  const detect = new URL('../../src/wasm/detect.ts', import.meta.url).href;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `const detect = await import('${detect}');\n${code}`], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr.trim()).toBe('');
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const major = Number(process.versions.node.split('.')[0]);

describe('enableWasmRelaxedSimd', () => {
  it('turns fused multiply-add on for the process and its worker threads, setting the V8 flag only where it is needed', () => {
    const out = fresh(`
      import('node:v8').then(async ({ default: v8 }) => {
        const { Worker } = await import('node:worker_threads');
        const before = WebAssembly.validate(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, 13, 1, 11, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b]));
        const set = [];
        const on = detect.enableWasmRelaxedSimd((flag) => { set.push(flag); v8.setFlagsFromString(flag); });
        const again = detect.enableWasmRelaxedSimd((flag) => set.push('again ' + flag));
        // a worker started afterwards validates the same module (the flag is process-wide)
        const worker = await new Promise((resolve) => {
          const w = new Worker("process.getBuiltinModule('node:worker_threads').parentPort.postMessage(WebAssembly.validate(Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b, 3, 2, 1, 0, 10, 13, 1, 11, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b])))", { eval: true });
          w.once('message', (m) => { resolve(m); void w.terminate(); });
        });
        console.log(JSON.stringify({ before, on, again, set, worker, supported: detect.wasmRelaxedSimdSupported() }));
      });
    `);
    // Node 20 ships relaxed SIMD behind the flag, Node >= 22 without it
    expect(out.on).toBe(true);
    expect(out.supported).toBe(true);
    expect(out.worker).toBe(true);
    expect(out.again).toBe(true);
    if (major <= 21) {
      expect(out.before).toBe(false);
      expect(out.set).toEqual(['--experimental-wasm-relaxed-simd']);
    } else {
      expect(out.set).toEqual([]);
    }
  });
});
