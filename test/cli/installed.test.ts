/**
 * The packed package (npm pack) finds its shipped assets when installed: the
 * tarball holds assets/, and `repap demo` run from node_modules/repap/dist
 * reads the MD reference from there (with a tiny model of the same system
 * when the embedded one is not there yet).
 */
import { beforeAll, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, mdFramesExtxyz, repap, root, tempDir, writeFile } from './helpers.js';

let dir = '';
let installed = '';

beforeAll(() => {
  ensureBuilt();
  dir = tempDir();
  const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()!;
  const nm = join(dir, 'app/node_modules');
  mkdirSync(join(nm, 'repap'), { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, tgz), '-C', join(nm, 'repap'), '--strip-components=1']);
  // Dependencies from the repository's node_modules, as an install would provide them.
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies)) {
    const target = join(nm, dep);
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', dep), target, 'dir');
  }
  installed = join(nm, 'repap');
}, 300_000);

it('the tarball ships dist/cli, the reference subset and the bin entry', () => {
  expect(existsSync(join(installed, 'dist/cli/index.js'))).toBe(true);
  expect(readFileSync(join(installed, 'dist/cli/index.js'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  expect(readdirSync(join(installed, 'assets/a-si-30-sw-300K'))).toEqual(expect.arrayContaining(['reference.f32', 'reference.json']));
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  expect(pkg.bin).toEqual({ repap: './dist/cli/index.js' });
});

it('repap demo from node_modules reads the shipped reference', () => {
  let model = join(installed, 'assets/a-si-30-sw-300K/model');
  if (!existsSync(join(model, 'model.json'))) {
    const tiny = writeFile(dir, 'tiny.extxyz', mdFramesExtxyz(Array.from({ length: 40 }, (_, i) => 300 * i)));
    model = join(dir, 'tiny-model');
    const t = repap(['train', tiny, '--out', model, '--units', '8', '--batch', '16']);
    expect(t.code, t.err).toBe(0);
  }
  const out = join(dir, 'out');
  const r = spawnSync(process.execPath, [join(installed, 'dist/cli/index.js'), 'demo', '-n', '20', '--out', out, '--model', model], {
    cwd: join(dir, 'app'),
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/vs 2000 held-out MD frames/);
  expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).md.nStructures).toBe(2000);
});
