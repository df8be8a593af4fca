/**
 * Command-line argument helpers on top of `node:util` `parseArgs`: typed
 * number options with range checks, and one error type for "the user typed
 * something wrong" that the entry point prints as one line (exit code 2).
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { existsSync, statSync } from 'node:fs';

/** A mistake in the command line or a missing input file: printed as one line, exit code 2. */
export class UsageError extends Error {
  /** Marks the error as the user's to fix, not a bug. */
  readonly isUsageError = true;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Option spec in `node:util` `parseArgs` form. */
export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

/** Parsed options and positionals of one sub-command. */
export interface ParsedArgs {
  /** Option values by long name (strings, booleans, or undefined when absent). */
  readonly values: Record<string, string | boolean | undefined>;
  /** Positional arguments in order. */
  readonly positionals: string[];
}

/**
 * Parses `argv` (the words after the sub-command) strictly: unknown options,
 * a missing option value or a wrong number of positionals throw a
 * {@link UsageError} that names the command and the offending word.
 */
export function parseCommand(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
  positionals: { min: number; max: number; names: string },
): ParsedArgs {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  const args = joinNegativeValues(options.json ? normalizeJsonOption(argv) : [...argv], options);
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (e) {
    const lines = (e as Error).message.split('\n');
    const dash = lines.find((l) => l.startsWith('To specify an option argument starting with a dash'));
    const msg = lines[0].replace(/\. To specify a positional argument.*$/, '') + (dash ? ` ${dash.replace(/^To specify/, 'to give')}` : '');
    throw new UsageError(`repap ${command}: ${msg} (see 'repap ${command} --help')`);
  }
  const n = parsed.positionals.length;
  if (!parsed.values.help && (n < positionals.min || n > positionals.max)) {
    const want = positionals.min === positionals.max ? `${positionals.min}` : `${positionals.min} to ${positionals.max}`;
    throw new UsageError(
      `repap ${command}: expected ${want} argument${positionals.max === 1 ? '' : 's'} (${positionals.names}) but got ${n}${n > 0 ? `: ${parsed.positionals.join(' ')}` : ''} (see 'repap ${command} --help')`,
    );
  }
  return parsed;
}

/**
 * A value option followed by a negative number or slice (`--frames -1`,
 * `--r-max -3`, `--frames -100:`) takes it as its value, as a user means;
 * `node:util` would otherwise refuse it as ambiguous. Returns the arguments
 * with those pairs joined as `--name=value`.
 */
export function joinNegativeValues(argv: readonly string[], options: OptionSpec): string[] {
  const byShort = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) if (o.short) byShort.set(`-${o.short}`, name);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : byShort.get(a);
    const next = argv[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|:)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * Rewrites every `flag` of `argv` that takes an OPTIONAL value into
 * `flag=VALUE` form: the next word becomes its value when `takesNext(word)`
 * says so, otherwise the value is `missing`. Words after `--` stay as they are.
 */
export function normalizeOptionalValue(
  argv: readonly string[],
  flag: string,
  takesNext: (next: string) => boolean,
  missing: string,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a !== flag) {
      out.push(a);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && takesNext(next)) {
      out.push(`${flag}=${next}`);
      i++;
    } else out.push(`${flag}=${missing}`);
  }
  return out;
}

/**
 * `--json` takes an optional value: `--json` alone and `--json -` mean
 * stdout, `--json=FILE` and `--json FILE.json` a file. Any other word after
 * `--json` stays a positional argument. Returns the arguments with every
 * `--json` in `--json=VALUE` form.
 */
export function normalizeJsonOption(argv: readonly string[]): string[] {
  return normalizeOptionalValue(argv, '--json', (next) => next === '-' || /\.json$/i.test(next), '-');
}

/** Limits of {@link numberOption}. */
export interface NumberLimits {
  /** Smallest allowed value (inclusive). */
  readonly min?: number;
  /** Largest allowed value (inclusive). */
  readonly max?: number;
  /** Require a whole number. */
  readonly integer?: boolean;
  /** Value when the option is absent. */
  readonly default: number;
}

/** Reads `--name <number>`, checking it is a finite number within the limits; throws {@link UsageError} otherwise. */
export function numberOption(command: string, values: ParsedArgs['values'], name: string, limits: NumberLimits): number {
  const raw = values[name];
  if (raw === undefined) return limits.default;
  const text = String(raw).trim().replace(/_/g, '');
  const v = text === '' ? NaN : Number(text);
  const what = limits.integer ? 'a whole number' : 'a number';
  const range =
    limits.min !== undefined && limits.max !== undefined
      ? ` from ${limits.min} to ${limits.max}`
      : limits.min !== undefined
        ? ` >= ${limits.min}`
        : limits.max !== undefined
          ? ` <= ${limits.max}`
          : '';
  if (!Number.isFinite(v) || (limits.integer && !Number.isInteger(v)) || (limits.min !== undefined && v < limits.min) || (limits.max !== undefined && v > limits.max)) {
    throw new UsageError(`repap ${command}: --${name} is '${String(raw)}'; expected ${what}${range}`);
  }
  return v;
}

/** Reads `--name <text>` restricted to `choices`; throws {@link UsageError} naming the choices otherwise. */
export function choiceOption<T extends string>(command: string, values: ParsedArgs['values'], name: string, choices: readonly T[], fallback: T): T {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) {
    throw new UsageError(`repap ${command}: --${name} is '${String(raw)}'; expected one of ${choices.join(', ')}`);
  }
  return raw as T;
}

/** Checks that `path` is an existing file (or directory when `kind` says so); throws {@link UsageError} otherwise. */
export function requireInput(command: string, path: string, what: string, kind: 'file' | 'directory' | 'any' = 'file'): string {
  if (!existsSync(path)) throw new UsageError(`repap ${command}: ${what} '${path}' does not exist`);
  const st = statSync(path);
  if (kind === 'file' && !st.isFile()) throw new UsageError(`repap ${command}: ${what} '${path}' is not a file`);
  if (kind === 'directory' && !st.isDirectory()) throw new UsageError(`repap ${command}: ${what} '${path}' is not a directory`);
  return path;
}
