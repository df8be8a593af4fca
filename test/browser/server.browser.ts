/**
 * The demo's static server: cross-origin isolation headers, content types for wasm and model files,
 * and no files outside the served folders.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer } from '../../examples/browser/serve.mjs';

/** A raw GET (fetch would normalise `..` away before sending). */
function get(url: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('demo server', () => {
  let dir: string;
  let isolated: { url: string; close: () => Promise<void> };
  let plain: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'repap-serve-'));
    mkdirSync(join(dir, 'site'));
    mkdirSync(join(dir, 'models', 'm'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'site', 'a.wasm'), new Uint8Array([0, 97, 115, 109]));
    writeFileSync(join(dir, 'models', 'm', 'model.json'), '{"format":"layers-model"}');
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    isolated = await startDemoServer({ root: join(dir, 'site'), models: join(dir, 'models'), port: 0 });
    plain = await startDemoServer({ root: join(dir, 'site'), models: join(dir, 'models'), port: 0, isolated: false });
  });

  afterAll(async () => {
    await isolated?.close();
    await plain?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends COOP/COEP (cross-origin isolation) unless told not to', async () => {
    const a = await get(isolated.url, '/');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toMatch(/text\/html/);
    expect(a.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(a.headers['cross-origin-embedder-policy']).toBe('require-corp');
    const b = await get(plain.url, '/');
    expect(b.status).toBe(200);
    expect(b.headers['cross-origin-opener-policy']).toBeUndefined();
    expect(b.headers['cross-origin-embedder-policy']).toBeUndefined();
  });

  it('serves wasm as application/wasm and model directories under /models/', async () => {
    expect((await get(isolated.url, '/a.wasm')).headers['content-type']).toBe('application/wasm');
    const m = await get(isolated.url, '/models/m/model.json');
    expect(m.status).toBe(200);
    expect(JSON.parse(m.body)).toEqual({ format: 'layers-model' });
    expect((await get(isolated.url, '/models/m/missing.bin')).status).toBe(404);
  });

  it('serves nothing outside its folders', async () => {
    for (const path of ['/../secret.txt', '/models/../../secret.txt', '/%2e%2e/secret.txt']) {
      const r = await get(isolated.url, path);
      expect([403, 404]).toContain(r.status);
      expect(r.body).not.toContain('outside');
    }
    // An encoded slash survives URL normalisation and decodes to '../': the server's own check refuses it.
    for (const path of ['/..%2fsecret.txt', '/models/..%2f..%2fsecret.txt']) {
      const r = await get(isolated.url, path);
      expect(r.status).toBe(403);
      expect(r.body).not.toContain('outside');
    }
  });
});
