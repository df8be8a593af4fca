/**
 * The Deno notebook's code, run in Node: its code cells joined into one ES
 * module with a small `Deno` stand-in (readFile, readTextFile,
 * jupyter.display), against the built package. Catches API drift without a
 * Deno kernel.
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, mdFramesExtxyz, repap, root, tempDir, writeFile } from './helpers.js';

const embeddedModel = join(root, 'assets/a-si-30-sw-300K/model/model.json');
let dir = '';
let modelDir = join(root, 'assets/a-si-30-sw-300K/model');

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  if (!existsSync(embeddedModel)) {
    // Before the embedded model exists: a tiny model of the same system.
    const tiny = writeFile(dir, 'tiny.extxyz', mdFramesExtxyz(Array.from({ length: 40 }, (_, i) => 200 * i)));
    modelDir = join(dir, 'model');
    const r = repap(['train', tiny, '--out', modelDir, '--units', '8', '--batch', '16', '--backend', 'cpu']);
    if (r.code !== 0) throw new Error(r.err);
  }
}, 300_000);

it('examples/repap.ipynb runs and displays an SVG g(r) chart', () => {
  const nb = JSON.parse(readFileSync(join(root, 'examples/repap.ipynb'), 'utf8')) as {
    cells: { cell_type: string; source: string[]; outputs?: unknown[] }[];
    metadata: { kernelspec: { name: string } };
  };
  expect(nb.metadata.kernelspec.name).toBe('deno');
  const code = nb.cells.filter((c) => c.cell_type === 'code');
  expect(code.length).toBeGreaterThanOrEqual(3);
  let src = code.map((c) => c.source.join('')).join('\n;\n');
  expect(src).toContain('`${assets}/model`');
  src = src
    .replace(/"\.\.\/dist\//g, `"${pathToFileURL(join(root, 'dist')).href}/`)
    .replace('`${assets}/model`', JSON.stringify(modelDir));
  const shim = `
import { readFileSync, writeFileSync } from 'node:fs';
globalThis.Deno = {
  readFile: async (u) => new Uint8Array(readFileSync(u)),
  readTextFile: async (u) => readFileSync(u, 'utf8'),
  jupyter: { display: async (bundle, opts) => writeFileSync(${JSON.stringify(join(dir, 'display.json'))}, JSON.stringify({ bundle, opts })) },
};
`;
  const file = join(dir, 'notebook.mjs');
  writeFileSync(file, shim + src);
  const out = execFileSync(process.execPath, [file], { cwd: join(root, 'examples'), encoding: 'utf8' });
  expect(out).toMatch(/Err_RDF vs MD \(poster, 1\/k\)/);
  const shown = JSON.parse(readFileSync(join(dir, 'display.json'), 'utf8'));
  expect(shown.opts).toEqual({ raw: true });
  const svg: string = shown.bundle['image/svg+xml'];
  expect(svg).toMatch(/^<svg/);
  for (const label of ['generated (RePAP)', 'MD, 300 K', 'random positions', 'r (Å)']) expect(svg).toContain(label);
});

it('examples/repap.ipynb, when committed with outputs, holds a complete run: text in every code cell, the chart as SVG, the table', () => {
  type Output = { output_type: string; text?: string[]; data?: Record<string, string | string[]> };
  const nb = JSON.parse(readFileSync(join(root, 'examples/repap.ipynb'), 'utf8')) as {
    cells: { cell_type: string; source: string[]; outputs?: Output[] }[];
  };
  const code = nb.cells.filter((c) => c.cell_type === 'code');
  const executed = code.filter((c) => (c.outputs ?? []).length > 0);
  if (executed.length === 0) return; // committed without outputs: nothing more to check
  // A partial run (scripts/execute-notebook.sh retries those) must not be committed.
  expect(executed.length).toBe(code.length);
  const outputs = code.flatMap((c) => c.outputs ?? []);
  expect(outputs.filter((o) => o.output_type === 'error')).toEqual([]);
  const join1 = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join('') : (v ?? ''));
  const svgs = outputs.map((o) => join1(o.data?.['image/svg+xml'])).filter((s) => s.length > 0);
  expect(svgs).toHaveLength(1);
  expect(svgs[0]).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  for (const label of ['generated (RePAP)', 'MD, 300 K', 'random positions', 'r (Å)']) expect(svgs[0]).toContain(label);
  const text = outputs.map((o) => (o.text ?? []).join('') + join1(o.data?.['text/plain'])).join('\n');
  expect(text).toMatch(/model: 30 atoms, grid \d+; reference: 2000 MD frames/);
  expect(text).toMatch(/200 structures in [\d.]+ s/);
  expect(text).toMatch(/Err_RDF vs MD \(poster, 1\/k\)\s+[\d.]+\s+0\s+[\d.]+/);
  // Small enough to review: no data dumps beside the chart.
  expect(readFileSync(join(root, 'examples/repap.ipynb')).byteLength).toBeLessThan(60_000);
});
