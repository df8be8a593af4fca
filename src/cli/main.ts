/**
 * The `repap` command: dispatches to the sub-commands and turns every error
 * into one line on stderr (exit code 2 for a wrong command line or a missing
 * file, 1 for anything else). Set `REPAP_DEBUG=1` to see stack traces.
 *
 * @module
 */
import { UsageError } from './args.js';
import { MAIN_HELP } from './help.js';
import { packageVersion } from './assets.js';
import { cliHint } from './hints.js';

/** Where a command prints: results to `out`, progress and errors to `err`. */
export interface CliIO {
  /** Results (tables, file names). */
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Progress bars and errors. */
  readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** A sub-command: gets its own arguments, returns the exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  train: async () => (await import('./commands/train.js')).trainCommand,
  sample: async () => (await import('./commands/sample.js')).sampleCommand,
  rdf: async () => (await import('./commands/rdf.js')).rdfCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  relax: async () => (await import('./commands/relax.js')).relaxCommand,
  info: async () => (await import('./commands/info.js')).infoCommand,
  convert: async () => (await import('./commands/convert.js')).convertCommand,
};

/** True for errors a user fixes by changing their input (not bugs): usage errors and missing files. */
function isUserInputError(e: unknown): boolean {
  if (e instanceof UsageError) return true;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  // EBADMODEL: a model folder with a corrupt or mismatched part (ModelFolderError).
  return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EBADMODEL';
}

/**
 * Runs the `repap` command line (`argv` without `node` and the script) and
 * returns the process exit code. Never throws.
 */
export async function main(argv: readonly string[], io: CliIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  const args = [...argv];
  const name = args.shift();
  try {
    if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
      if (name === 'help' && args[0] && COMMANDS[args[0]]) return await (await COMMANDS[args[0]]())(['--help'], io);
      io.out.write(MAIN_HELP);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      io.out.write(`${packageVersion()}\n`);
      return 0;
    }
    const load = COMMANDS[name];
    if (!load) {
      throw new UsageError(`repap: unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(', ')} (see 'repap --help')`);
    }
    return await (await load())(args, io);
  } catch (e) {
    const err = e as Error;
    if (process.env.REPAP_DEBUG) io.err.write(`${err?.stack ?? String(e)}\n`);
    // library messages name API options; say what the command line has instead
    const hint = cliHint(name ?? '', (err?.message ?? String(e)).split('\n')[0]);
    let msg = hint.message;
    if (!msg.startsWith('repap')) msg = `repap${name && COMMANDS[name] ? ' ' + name : ''}: ${msg}`;
    io.err.write(`${msg}\n`);
    return isUserInputError(e) || hint.userInput ? 2 : 1;
  }
}
