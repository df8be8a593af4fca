/**
 * File helpers of the CLI: read a trajectory (extxyz, POSCAR, LAMMPS dump, or
 * raw float32 frames with a JSON sidecar; `.gz` allowed; `-` for stdin) or a
 * model folder with errors that name the file; check every output before the
 * work starts; write every output atomically (a temporary name in the same
 * folder, renamed when complete); and the `--json [file|-]` output of every
 * command.
 *
 * @module
 */
import { accessSync, closeSync, constants, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Trajectory } from '../structure/trajectory.js';
import { loadModel, loadTrajectory, type LoadTrajectoryOptions, type TrajectoryFormat } from '../node/index.js';
import { temporaryPathFor, writeFileAtomic, writeFileAtomicSync } from '../node/atomic-write.js';
import type { RePAPModel } from '../model/repap-model.js';
import { requireInput, UsageError, type ParsedArgs } from './args.js';
import { packageVersion } from './assets.js';
import type { CliIO } from './main.js';
import { cliHint } from './hints.js';

/** Reads all of stdin into a buffer. */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/**
 * Reads stdin as a trajectory of `format` (default extxyz) through a
 * temporary file, so that every reader (and gzip detection) works as for a
 * named file.
 */
async function loadStdin(command: string, format: TrajectoryFormat | undefined): Promise<Trajectory> {
  const bytes = await readStdin();
  if (bytes.length === 0) throw new UsageError(`repap ${command}: '-' reads the trajectory from stdin, but stdin is empty; pipe a file in or name it`);
  const dir = await mkdtemp(join(tmpdir(), 'repap-stdin-'));
  try {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
    const file = join(dir, `stdin${gz ? '.gz' : ''}`);
    await writeFile(file, bytes);
    const t = await loadTrajectory(file, { format: format ?? 'extxyz' });
    return t;
  } catch (e) {
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0].replace(/^[^:]*stdin(\.gz)?/, 'stdin');
    throw new UsageError(`repap ${command}: ${msg}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads the trajectory at `path` for `command`: checks it exists (a
 * `UsageError`, exit code 2, otherwise), then reads it with `loadTrajectory`.
 * `-` reads stdin (extxyz unless `options.format` says otherwise; gzip is
 * recognised by its magic bytes). A file that cannot be read as a trajectory
 * is a `UsageError` too: the user fixes it by changing the input.
 */
export async function readTrajectoryFile(
  command: string,
  path: string,
  what = 'trajectory',
  options: LoadTrajectoryOptions = {},
): Promise<Trajectory> {
  if (path === '-') return loadStdin(command, options.format);
  requireInput(command, path, what);
  try {
    return await loadTrajectory(path, options);
  } catch (e) {
    // A file that cannot be read as a trajectory is the user's to fix, like a missing one.
    const msg = cliHint(command, ((e as Error)?.message ?? String(e)).split('\n')[0]).message;
    throw new UsageError(`repap ${command}: ${msg.includes(path) ? msg : `${path}: ${msg}`}`);
  }
}

/**
 * Reads a model folder for `command`: a missing folder, a missing or corrupt
 * model.json, weights.bin or repap.json is a `UsageError` (exit code 2)
 * naming the file.
 */
export async function readModelFolder(command: string, dir: string, what = 'model folder'): Promise<RePAPModel> {
  requireInput(command, dir, what, 'directory');
  try {
    return await loadModel(dir);
  } catch (e) {
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0].replace(/^loadModel: /, '');
    throw new UsageError(`repap ${command}: ${msg.includes(dir) ? msg : `${dir}: ${msg}`}`);
  }
}

/**
 * Writes a text file atomically (a temporary name in the same folder, renamed
 * when complete), creating its folder. A failure names the file and leaves
 * no partial file.
 */
export function writeText(path: string, text: string): void {
  writeFileAtomicSync(path, text);
}

/** Async {@link writeText}. */
export async function writeTextAsync(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text);
}

/**
 * The nearest folder at or above `path` that exists; throws a
 * {@link UsageError} naming `option` when something on the way is a file.
 */
function nearestFolder(command: string, option: string, path: string, original: string): string {
  let p = path;
  for (;;) {
    if (existsSync(p)) {
      if (!statSync(p).isDirectory()) {
        throw new UsageError(`repap ${command}: ${option} '${original}' cannot be created: '${p}' is a file, not a folder; choose another ${option}`);
      }
      return p;
    }
    const up = dirname(p);
    if (up === p) return p;
    p = up;
  }
}

/** Creates and removes a probe file in `dir`: the only check that holds for root, read-only mounts and ACLs. */
function probeWritable(command: string, option: string, dir: string, original: string): void {
  const probe = temporaryPathFor(join(dir, 'repap-write-check'));
  try {
    accessSync(dir, constants.W_OK);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(`repap ${command}: ${option} '${original}' is not writable (${code} in '${dir}'); choose a folder you can write to`);
  }
}

/**
 * Checks, before any work, that the output `path` given by `option` (for
 * example `--out`) can be written: for `kind: 'file'` that it is not a folder
 * and that its folder exists or can be created and is writable; for
 * `kind: 'folder'` that it is not a file and is (or can be created in) a
 * writable folder. Creates nothing. Returns the absolute path.
 *
 * @throws UsageError naming the option and the path.
 */
export function checkOutput(command: string, option: string, path: string, kind: 'file' | 'folder'): string {
  const abs = resolve(path);
  if (kind === 'file') {
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      throw new UsageError(`repap ${command}: ${option} '${path}' is a folder; expected a file name`);
    }
    probeWritable(command, option, nearestFolder(command, option, dirname(abs), path), path);
  } else {
    if (path === '-') {
      throw new UsageError(`repap ${command}: ${option} - means stdout, but ${command} writes several files; give a folder`);
    }
    if (existsSync(abs) && !statSync(abs).isDirectory()) {
      throw new UsageError(`repap ${command}: ${option} '${path}' is a file; expected a folder (it is created when missing)`);
    }
    probeWritable(command, option, nearestFolder(command, option, abs, path), path);
  }
  return abs;
}

/**
 * The `--json [file|-]` output of a command and where its text goes: with
 * `--json -` (or `--json` alone) the JSON document is the only thing on
 * stdout and the human-readable lines go to stderr; with `--json FILE` the
 * lines stay on stdout and the document is written atomically to FILE.
 */
export class CommandOutput {
  /** Where the JSON goes: null (no --json), '-' (stdout) or an absolute file path. */
  readonly json: string | null;

  constructor(
    private readonly command: string,
    values: ParsedArgs['values'],
    private readonly io: CliIO,
  ) {
    const raw = values.json;
    if (raw === undefined) this.json = null;
    else if (raw === '-' || raw === '') this.json = '-';
    else this.json = checkOutput(command, '--json', String(raw), 'file');
  }

  /** Prints one human-readable line (stdout, or stderr when the JSON goes to stdout). */
  line(text = ''): void {
    (this.json === '-' ? this.io.err : this.io.out).write(text + '\n');
  }

  /**
   * Emits the JSON document `{ schema: 'repap.<command>/1', repapVersion,
   * ...body }` when `--json` was given; otherwise nothing.
   */
  async emit(body: Record<string, unknown>): Promise<void> {
    if (this.json === null) return;
    const doc = JSON.stringify({ schema: `repap.${this.command}/1`, repapVersion: packageVersion(), ...body }, null, 2) + '\n';
    if (this.json === '-') this.io.out.write(doc);
    else {
      await writeTextAsync(this.json, doc);
      this.line(`wrote ${this.json}`);
    }
  }
}
