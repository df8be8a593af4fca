/** Helpers of the CLI tests: build dist/ once, run the built `repap`, write small inputs. */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliIO } from '../../src/cli/main.js';

export const root = resolve(__dirname, '../..');
export const cli = join(root, 'dist/cli/index.js');

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

/**
 * Frames `frames` (0-1999) of the packaged 30-atom 300 K MD reference (assets/a-si-30-sw-300K/reference.f32:
 * source frames 36000, 36002, ..., 39998 of the run), as an extxyz text.
 */
export function mdFramesExtxyz(frames: readonly number[]): string {
  const meta = JSON.parse(readFileSync(join(root, 'assets/a-si-30-sw-300K/reference.json'), 'utf8')) as { cellLength: number; nFrames: number };
  const buf = readFileSync(join(root, 'assets/a-si-30-sw-300K/reference.f32'));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const L = meta.cellLength;
  const lines: string[] = [];
  for (const f of frames) {
    if (!(f >= 0 && f < meta.nFrames)) throw new Error(`mdFramesExtxyz: frame ${f} is not in the reference (0-${meta.nFrames - 1})`);
    lines.push('30', `Lattice="${L} 0.0 0.0 0.0 ${L} 0.0 0.0 0.0 ${L}" Properties=species:S:1:pos:R:3 pbc="T T T" frame=${f}`);
    for (let a = 0; a < 30; a++) {
      const o = (f * 30 + a) * 3;
      lines.push(`Si ${all[o]} ${all[o + 1]} ${all[o + 2]}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * LAMMPS' SW energy per atom (eV) of reference frames 0, 10, 20, ... (test/fixtures/a-si-30-sw-300K.reference-energy.csv,
 * from the run's frames CSV): a map from reference frame to energy.
 */
export function mdEnergyPerAtom(): Map<number, number> {
  const lines = readFileSync(join(root, 'test/fixtures/a-si-30-sw-300K.reference-energy.csv'), 'utf8').trim().split('\n').slice(1);
  return new Map(lines.map((l) => {
    const [frame, , e] = l.split(',');
    return [Number(frame), Number(e)] as [number, number];
  }));
}

/** Writes `text` to `dir/name` and returns the path. */
export function writeFile(dir: string, name: string, text: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/**
 * Runs one CLI command in-process (no build needed): exit code, stdout, stderr.
 * A thrown error (a usage error) becomes exit code 2 with its message appended to stderr.
 */
export async function runInProcess(
  command: (argv: string[], io: CliIO) => Promise<number>,
  argv: string[],
): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '', e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  try {
    const code = await command(argv, { out, err });
    return { code, out: o, err: e };
  } catch (x) {
    return { code: 2, out: o, err: e + (x as Error).message };
  }
}
