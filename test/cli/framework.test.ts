/** In-process tests of the CLI building blocks: option parsing, progress bar, asset location. */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, choiceOption, numberOption, parseCommand } from '../../src/cli/args.js';
import { ProgressBar, formatDuration } from '../../src/cli/progress.js';
import { assetPath, packageRoot } from '../../src/cli/assets.js';
import { meanStd, randomStructures } from '../../src/cli/stats.js';
import { main, type CliIO } from '../../src/cli/main.js';
import { CONVERT_HELP, DEMO_HELP, EVAL_HELP, INFO_HELP, MAIN_HELP, RDF_HELP, SAMPLE_HELP, TRAIN_HELP } from '../../src/cli/help.js';

/** A CliIO that collects what a command writes to stdout and stderr. */
function captureIO(): CliIO & { text: { out: string; err: string } } {
  const text = { out: '', err: '' };
  const stream = (key: 'out' | 'err') => ({ write: (s: string | Uint8Array) => ((text[key] += String(s)), true) }) as unknown as CliIO['out'];
  return { out: stream('out'), err: stream('err'), text };
}

describe('option parsing', () => {
  const spec = { n: { type: 'string' as const, short: 'n' }, help: { type: 'boolean' as const } };
  it('reads numbers and checks their range', () => {
    const { values } = parseCommand('x', ['-n', '12', 'file'], spec, { min: 1, max: 1, names: '<file>' });
    expect(numberOption('x', values, 'n', { min: 1, integer: true, default: 3 })).toBe(12);
    expect(numberOption('x', {}, 'n', { min: 1, default: 3 })).toBe(3);
    expect(numberOption('x', { n: '1_000' }, 'n', { default: 3 })).toBe(1000);
    for (const bad of ['', 'abc', '1e999', '0', '2.5']) {
      expect(() => numberOption('x', { n: bad }, 'n', { min: 1, integer: true, default: 3 })).toThrow(UsageError);
    }
    expect(() => numberOption('x', { n: '0' }, 'n', { min: 1, max: 5, default: 3 })).toThrow(/--n is '0'; expected a number from 1 to 5/);
  });
  it('rejects unknown options and wrong positional counts with UsageError', () => {
    expect(() => parseCommand('x', ['--nope'], spec, { min: 0, max: 0, names: '' })).toThrow(UsageError);
    expect(() => parseCommand('x', [], spec, { min: 1, max: 1, names: '<file>' })).toThrow(/expected 1 argument \(<file>\) but got 0/);
    // --help is parsed as a flag and lifts the positional count (so `repap x --help` needs no <file>)
    const help = parseCommand('x', ['--help'], spec, { min: 1, max: 1, names: '<file>' });
    expect(help.values.help).toBe(true);
    expect(help.positionals).toEqual([]);
    expect(parseCommand('x', ['f'], spec, { min: 1, max: 1, names: '<file>' }).values.help).toBeUndefined();
  });
  it('--help prints the command\'s help to stdout and nothing else, and exits 0', async () => {
    const helps: Record<string, string> = { demo: DEMO_HELP, train: TRAIN_HELP, sample: SAMPLE_HELP, rdf: RDF_HELP, eval: EVAL_HELP, info: INFO_HELP, convert: CONVERT_HELP };
    for (const [name, text] of Object.entries(helps)) {
      expect(text).toMatch(new RegExp(`^Usage: repap ${name}\\b`));
      for (const argv of [[name, '--help'], [name, '-h'], ['help', name]]) {
        const io = captureIO();
        expect(await main(argv, io)).toBe(0);
        expect(io.text.out).toBe(text);
        expect(io.text.err).toBe('');
      }
    }
    const io = captureIO();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.text.out).toBe(MAIN_HELP);
    for (const name of Object.keys(helps)) expect(MAIN_HELP).toContain(name);
  });
  it('checks choices', () => {
    expect(choiceOption('x', { b: 'cpu' }, 'b', ['cpu', 'wasm'], 'wasm')).toBe('cpu');
    expect(choiceOption('x', {}, 'b', ['cpu', 'wasm'], 'wasm')).toBe('wasm');
    expect(() => choiceOption('x', { b: 'gpu' }, 'b', ['cpu', 'wasm'], 'wasm')).toThrow(/expected one of cpu, wasm/);
  });
});

describe('ProgressBar', () => {
  it('draws on a TTY and clears the line at the end', () => {
    let text = '';
    const tty = { isTTY: true, columns: 100, write: (s: string) => (text += s) };
    const bar = new ProgressBar('train', 10, tty);
    bar.update(10, 'loss 0.5');
    expect(text).toMatch(/train \[#+\] 100% 10\/10 ETA 0s loss 0\.5/);
    bar.finish();
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
  });
  it('keeps the ETA on an 80-column terminal however long the label and status are', () => {
    const bar = new ProgressBar('sampling (min distance 2 Å) of a very long label indeed', 1_000_000, { isTTY: true, columns: 80, write: () => 0 });
    bar.update(123_456);
    const status = 'epoch 3/10 loss 0.12345 val 0.23456 1234.5 seq/s and more words that do not fit anywhere';
    for (const cols of [40, 60, 80]) {
      const line = bar.formatLine(cols, status, Date.now() + 60_000);
      expect(line.length, `${cols} columns`).toBeLessThanOrEqual(cols - 1);
      expect(line, `${cols} columns`).toMatch(/ 12% 123456\/1000000 ETA (\d+m\d\ds|\d+s|\d+h\d\dm)/);
    }
    // with room to spare, the whole status is shown after the ETA
    expect(bar.formatLine(300, 'loss 0.5')).toMatch(/ETA \S+ loss 0\.5$/);
  });
  it('writes plain progress lines to a log (not a TTY) every logInterval seconds, and nothing for short runs', () => {
    let text = '';
    const log = { isTTY: false, write: (s: string) => (text += s) };
    const quiet = new ProgressBar('train', 10, log, { logInterval: 3600 });
    for (let i = 0; i <= 10; i++) quiet.update(i);
    quiet.finish();
    expect(text).toBe('');
    expect(quiet.active).toBe(false);
    const chatty = new ProgressBar('sampling', 10, log, { logInterval: 1e-9 });
    const t0 = Date.now();
    while (Date.now() === t0) { /* let the clock tick once */ }
    chatty.update(4, 'loss 0.5');
    chatty.update(10);
    chatty.finish();
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^sampling: 40% 4\/10, \S+ elapsed, ETA \S+, loss 0\.5$/);
    expect(lines[lines.length - 1]).toMatch(/^sampling: done, 10\/10 in \S+$/);
    expect(text).not.toContain('\r');
    expect(text).not.toContain('\x1b');
  });
  it('formats durations', () => {
    expect(formatDuration(5.4)).toBe('5s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3 * 3600 + 120)).toBe('3h02m');
    expect(formatDuration(NaN)).toBe('--');
  });
});

describe('assets', () => {
  it('finds the package root from the source tree and the shipped reference', () => {
    expect(packageRoot()).toBe(join(__dirname, '../..'));
    expect(existsSync(assetPath('reference.f32'))).toBe(true);
  });
});

describe('statistics', () => {
  it('meanStd ignores non-finite values', () => {
    const s = meanStd([1, 2, 3, NaN, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect([s.min, s.max]).toEqual([1, 4]);
  });
  it('random structures are uniform in the cell and reproducible', () => {
    const like = { nFrames: 1, nAtoms: 10, positions: new Float64Array(30), cell: [[4, 0, 0], [0, 5, 0], [0, 0, 6]] as [[number, number, number], [number, number, number], [number, number, number]], pbc: [true, true, true] as [boolean, boolean, boolean], species: new Array(10).fill('Si'), info: [{}] };
    const a = randomStructures(like, 2000, 7);
    const b = randomStructures(like, 2000, 7);
    expect(a.positions).toEqual(b.positions);
    const L = [4, 5, 6];
    for (let axis = 0; axis < 3; axis++) {
      const v: number[] = [];
      for (let i = axis; i < a.positions.length; i += 3) v.push(a.positions[i]);
      const s = meanStd(v);
      expect(s.min).toBeGreaterThanOrEqual(0);
      expect(s.max).toBeLessThan(L[axis]);
      // uniform on [0, L): mean L/2, std L/sqrt(12); 20,000 samples
      expect(Math.abs(s.mean - L[axis] / 2)).toBeLessThan(0.03 * L[axis]);
      expect(Math.abs(s.std - L[axis] / Math.sqrt(12))).toBeLessThan(0.03 * L[axis]);
    }
  });
});
