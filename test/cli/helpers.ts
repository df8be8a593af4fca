/** Helpers of the CLI tests: build dist/ once, run the built `repap`, write small inputs. */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const root = resolve(__dirname, '../..');
export const cli = join(root, 'dist/cli/index.js');
export const shared = resolve(root, '../shared/data');

/**
 * Builds dist/ with tsup when the CLI entry is missing. Retries once: another
 * build running at the same time (tsup cleans dist/ first) can fail this one.
 */
export function ensureBuilt(): void {
  for (let attempt = 0; attempt < 2 && !existsSync(cli); attempt++) {
    try {
      execFileSync('npx', ['tsup'], { cwd: root, stdio: 'pipe' });
    } catch (e) {
      if (attempt === 1) throw new Error(`npx tsup failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(-2000)}`);
    }
  }
}

/** Runs the built CLI; returns exit code, stdout, stderr. */
export function repap(args: string[], options: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? root,
    encoding: 'utf8',
    env: { ...process.env, ...(options.env ?? {}) },
    timeout: options.timeout ?? 120_000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'repap-cli-'));
}

/** Frames `frames` of the 30-atom 300 K MD positions (float32 file), as an extxyz text. */
export function mdFramesExtxyz(frames: readonly number[]): string {
  const meta = JSON.parse(readFileSync(join(shared, 'a-si-30-sw-300K.json'), 'utf8')) as { cellLength: number };
  const buf = readFileSync(join(shared, 'a-si-30-sw-300K.positions.f32'));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const L = meta.cellLength;
  const lines: string[] = [];
  for (const f of frames) {
    lines.push('30', `Lattice="${L} 0.0 0.0 0.0 ${L} 0.0 0.0 0.0 ${L}" Properties=species:S:1:pos:R:3 pbc="T T T" frame=${f}`);
    for (let a = 0; a < 30; a++) {
      const o = (f * 30 + a) * 3;
      lines.push(`Si ${all[o]} ${all[o + 1]} ${all[o + 2]}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Per-frame SW energy per atom (eV) from the MD frames CSV (LAMMPS' own numbers). */
export function mdEnergyPerAtom(): Float64Array {
  const text = gunzipSync(readFileSync(join(shared, 'a-si-30-sw-300K.frames.csv.gz'))).toString('utf8');
  const lines = text.trim().split('\n').slice(1);
  const out = new Float64Array(lines.length);
  lines.forEach((l, i) => (out[i] = Number(l.split(',')[5])));
  return out;
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeFile(dir: string, name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
