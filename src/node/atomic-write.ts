/**
 * Files that are never half-written: every output goes to a temporary name
 * in the same folder (`.NAME.PID-RANDOM.tmp`), is flushed to disk and then
 * renamed over `NAME`. A failure at any point (a full disk, an exception in
 * the code producing the data, a killed write) removes the temporary file and
 * leaves an existing `NAME` untouched.
 *
 * @module
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic} and {@link AtomicFileWriter}. */
export interface AtomicWriteOptions {
  /** Create the parent folder (and its parents) when missing. Default true. */
  mkdir?: boolean;
}

/** The temporary name next to `path` that a write goes to before the rename. */
export function temporaryPathFor(path: string): string {
  const rand = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return join(dirname(path), `.${basename(path)}.${process.pid}-${rand}.tmp`);
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'the file is too large for the file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'a parent of the path is a file, not a folder',
  EISDIR: 'the path is a folder',
  EIO: 'an input/output error',
};

/**
 * The error thrown when an output cannot be written: names the file, says
 * why, and that nothing was left behind.
 */
export function writeError(path: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const code = err?.code;
  const reason = code ? `${code}: ${REASONS[code] ?? err.message}` : (err?.message ?? String(e));
  const out = new Error(`${path}: cannot write the file (${reason}); no partial file was left`) as NodeJS.ErrnoException;
  if (code) out.code = code;
  (out as { cause?: unknown }).cause = e;
  return out;
}

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/**
 * Writes `data` to `path` atomically: to a temporary file in the same folder,
 * flushed, then renamed over `path`. On failure the temporary file is removed
 * and the error names `path` and the reason (for example `ENOSPC: no space
 * left on the device`).
 *
 * ```ts
 * await writeFileAtomic('out/report.json', JSON.stringify(report));
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const w = await AtomicFileWriter.open(path, options);
  try {
    await w.write(data);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}

/** Synchronous {@link writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  if (options.mkdir !== false) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw writeError(path, e);
    }
  }
  const tmp = temporaryPathFor(path);
  let fd = -1;
  try {
    fd = openSync(tmp, 'wx');
    const bytes = bytesOf(data);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd >= 0) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw writeError(path, e);
  }
}

/**
 * An output file written piece by piece (a stream of frames) that appears
 * under its name only when complete: {@link AtomicFileWriter.commit} renames
 * the temporary file, {@link AtomicFileWriter.abort} removes it. A failed
 * `write` removes it too.
 *
 * ```ts
 * const w = await AtomicFileWriter.open('generated.extxyz');
 * try {
 *   for await (const batch of sampler.stream(n)) await w.write(writeExtxyz(batch.trajectory));
 *   await w.commit();
 * } catch (e) {
 *   await w.abort();
 *   throw e;
 * }
 * ```
 */
export class AtomicFileWriter {
  private done = false;
  private written = 0;

  private constructor(
    /** The final path. */
    readonly path: string,
    /** The temporary path written until {@link AtomicFileWriter.commit}. */
    readonly temporaryPath: string,
    private readonly fh: FileHandle,
  ) {}

  /** Creates the temporary file next to `path` (and the folder, unless `mkdir: false`). */
  static async open(path: string, options: AtomicWriteOptions = {}): Promise<AtomicFileWriter> {
    const tmp = temporaryPathFor(path);
    try {
      if (options.mkdir !== false) await mkdir(dirname(path), { recursive: true });
      const fh = await open(tmp, 'wx');
      return new AtomicFileWriter(path, tmp, fh);
    } catch (e) {
      throw writeError(path, e);
    }
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /** Appends text (UTF-8) or bytes. On failure the temporary file is removed and the error names the final path. */
  async write(data: string | Uint8Array): Promise<void> {
    if (this.done) throw new Error(`${this.path}: write after commit or abort`);
    const bytes = bytesOf(data);
    try {
      let off = 0;
      while (off < bytes.length) {
        const { bytesWritten } = await this.fh.write(bytes, off, bytes.length - off);
        off += bytesWritten;
      }
      this.written += bytes.length;
    } catch (e) {
      await this.abort();
      throw writeError(this.path, e);
    }
  }

  /** Flushes the file to disk and renames it to its final name. */
  async commit(): Promise<void> {
    if (this.done) throw new Error(`${this.path}: commit after commit or abort`);
    try {
      await this.fh.sync();
      await this.fh.close();
      this.done = true;
      await rename(this.temporaryPath, this.path);
    } catch (e) {
      this.done = true;
      try { await this.fh.close(); } catch { /* closed */ }
      try { await unlink(this.temporaryPath); } catch { /* gone */ }
      throw writeError(this.path, e);
    }
  }

  /** Removes the temporary file; the final path is untouched. Safe to call twice. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    try { await this.fh.close(); } catch { /* closed */ }
    try { await unlink(this.temporaryPath); } catch { /* gone */ }
  }
}
