/**
 * Files are never half-written: writes go to a temporary name in the same
 * folder and are renamed when complete. Checked with an injected failure (the
 * data source throws half-way) everywhere, and with a real full disk (a 64 KiB
 * tmpfs, when the tests run as root; skipped with the reason otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFileWriter, loadTrajectory, saveTrajectory, writeFileAtomic, writeFileAtomicSync } from '../../src/node/index.js';
import { trajectoryFromArrays } from '../../src/structure/index.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'repap-atomic-'));
}

/** A periodic trajectory of `frames` frames of `atoms` Si atoms (about 60 bytes per atom in extxyz). */
function traj(frames: number, atoms: number) {
  const positions = Array.from({ length: frames }, (_, f) => Array.from({ length: atoms }, (_, a) => [(a * 0.731 + f) % 10, (a * 0.377) % 10, (a * 0.113) % 10]));
  return trajectoryFromArrays({ positions, species: 'Si', cell: [[10, 0, 0], [0, 10, 0], [0, 0, 10]] });
}

describe('atomic writes', () => {
  it('writes the whole file under its name and leaves no temporary file', async () => {
    const dir = tempDir();
    await writeFileAtomic(join(dir, 'sub/a.txt'), 'hello');
    writeFileAtomicSync(join(dir, 'b.txt'), new Uint8Array([1, 2, 3]));
    expect(readFileSync(join(dir, 'sub/a.txt'), 'utf8')).toBe('hello');
    expect([...readFileSync(join(dir, 'b.txt'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir).sort()).toEqual(['b.txt', 'sub']);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['a.txt']);
  });
  it('a failure half-way (the producer throws) leaves no partial file and the old file untouched', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.extxyz');
    writeFileSync(path, 'old content\n');
    const w = await AtomicFileWriter.open(path);
    await w.write('3\nfirst frame...\n');
    expect(existsSync(w.temporaryPath)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('old content\n'); // nothing visible under the name yet
    await w.abort();
    expect(readdirSync(dir)).toEqual(['out.extxyz']);
    expect(readFileSync(path, 'utf8')).toBe('old content\n');
    await expect(w.write('more')).rejects.toThrow(/write after commit or abort/);
  });
  it('the file appears complete at commit, atomically replacing the old one', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'old');
    const w = await AtomicFileWriter.open(path);
    for (let i = 0; i < 100; i++) await w.write(`line ${i}\n`);
    expect(readFileSync(path, 'utf8')).toBe('old');
    await w.commit();
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(101);
    expect(w.bytesWritten).toBe(readFileSync(path).length);
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });
  it('an unwritable place fails naming the file and the reason', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'afile'), 'x');
    await expect(writeFileAtomic(join(dir, 'afile/out.txt'), 'x')).rejects.toThrow(/afile\/out\.txt: cannot write the file \((ENOTDIR|EEXIST)/);
    expect(() => writeFileAtomicSync(join(dir, 'afile/out.txt'), 'x')).toThrow(/afile\/out\.txt: cannot write the file/);
    await expect(saveTrajectory(join(dir, 'no/such/a.extxyz'), traj(1, 2))).rejects.toThrow(/a\.extxyz: cannot write the file \(ENOENT: the folder does not exist\)/);
  });
});

describe('saveTrajectory writes extxyz in pieces (bounded memory for any number of frames)', () => {
  it('a trajectory of several pieces reads back the same, plain and as a multi-member .gz that Python reads too', async () => {
    const dir = tempDir();
    // 30 atoms: 2,000 frames per 4 MB piece, so 4,100 frames are three pieces
    const n = 4100 * 30 * 3;
    const t = trajectoryFromArrays({ positions: new Float64Array(n).map((_, i) => (i * 0.7371) % 10), species: new Array(30).fill('Si'), cell: [[10, 0, 0], [0, 10, 0], [0, 0, 10]] });
    for (const name of ['many.extxyz', 'many.extxyz.gz']) {
      await saveTrajectory(join(dir, name), t);
      const back = await loadTrajectory(join(dir, name));
      expect(back.nFrames, name).toBe(4100);
      let differ = 0;
      for (let i = 0; i < n; i++) if (back.positions[i] !== t.positions[i]) differ++;
      expect(differ, name).toBe(0);
    }
    const gz = readFileSync(join(dir, 'many.extxyz.gz'));
    let members = 0;
    for (let i = 0; i + 2 < gz.length; i++) if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 8) members++;
    expect(members).toBeGreaterThanOrEqual(3);
    const py = spawnSync('python3', ['-c', 'import gzip,sys; print(gzip.open(sys.argv[1], "rt").read().count("Lattice="))', join(dir, 'many.extxyz.gz')], { encoding: 'utf8' });
    if (py.status === 0) expect(py.stdout.trim()).toBe('4100');
    expect(readdirSync(dir).sort()).toEqual(['many.extxyz', 'many.extxyz.gz']);
  });
});

/** A 64 KiB tmpfs: needs root and mount(8); null with the reason when it cannot be mounted. */
function mountTinyDisk(dir: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'not root on Linux: cannot mount a tiny tmpfs to fill';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount -t tmpfs failed (${String((e as { stderr?: Buffer }).stderr ?? e).trim().slice(0, 120)})`;
  }
}

describe('a full disk', () => {
  const dir = join(tempDir(), 'tiny');
  mkdirSync(dir);
  const skip = mountTinyDisk(dir);
  afterAll(() => {
    if (!skip) execFileSync('umount', [dir]);
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });
  beforeAll(() => {
    if (skip) console.warn(`full-disk tests skipped: ${skip}`);
  });
  it.skipIf(skip !== null)('saveTrajectory fails with the file named (ENOSPC) and leaves no partial file; a small file still fits', async () => {
    const path = join(dir, 'big.extxyz');
    await expect(saveTrajectory(path, traj(20, 200))).rejects.toThrow(/big\.extxyz: cannot write the file \(ENOSPC: no space left on the device\); no partial file was left/);
    expect(readdirSync(dir)).toEqual([]);
    await saveTrajectory(join(dir, 'small.extxyz'), traj(1, 4));
    expect(readdirSync(dir)).toEqual(['small.extxyz']);
  });
  it.skipIf(skip !== null)('a streamed write that runs out of space removes its temporary file; the old file stays', async () => {
    const path = join(dir, 'stream.txt');
    writeFileSync(path, 'previous run\n');
    const w = await AtomicFileWriter.open(path);
    let error: Error | null = null;
    try {
      for (let i = 0; i < 1000; i++) await w.write('x'.repeat(1000) + '\n');
      await w.commit();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/stream\.txt: cannot write the file \(ENOSPC/);
    expect(readdirSync(dir).filter((f) => f !== 'small.extxyz')).toEqual(['stream.txt']);
    expect(readFileSync(path, 'utf8')).toBe('previous run\n');
  });
});
