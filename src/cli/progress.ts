/**
 * Progress of a long command. On a terminal: one line redrawn in place at
 * most ten times a second, fitted to the terminal width with the ETA always
 * visible (a long status is shortened, never the ETA). Elsewhere (pipes, CI
 * and batch-job logs): a plain line every `logInterval` seconds (default 10,
 * `REPAP_PROGRESS_INTERVAL` overrides it; 0 switches the lines off), so short
 * runs stay quiet and long ones leave a trace in the log.
 *
 * @module
 */

/** The writable side a progress bar draws on (process.stderr by default). */
export interface ProgressStream {
  /** True when the stream is an interactive terminal. */
  readonly isTTY?: boolean;
  /** Terminal width in columns. */
  readonly columns?: number;
  /** Writes text. */
  write(text: string): unknown;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** Options of {@link ProgressBar}. */
export interface ProgressOptions {
  /**
   * Seconds between plain progress lines when the stream is not a terminal
   * (0: none). Default: `REPAP_PROGRESS_INTERVAL` from the environment, else 10.
   */
  readonly logInterval?: number;
}

function defaultLogInterval(): number {
  const env = typeof process !== 'undefined' ? process.env.REPAP_PROGRESS_INTERVAL : undefined;
  const v = env === undefined || env === '' ? NaN : Number(env);
  return Number.isFinite(v) && v >= 0 ? v : 10;
}

/** A progress bar over `total` units of work. */
export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private lastLog: number;
  private readonly start = Date.now();
  private drawn = false;
  private logged = false;
  private readonly tty: boolean;
  private readonly logInterval: number;

  /**
   * @param label   short text before the bar (for example `'sampling'`)
   * @param total   units of work (structures, sequences); > 0
   * @param stream  where to draw (a bar on a TTY, plain lines otherwise)
   * @param options how often plain lines are written
   */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    options: ProgressOptions = {},
  ) {
    this.tty = !!stream.isTTY && total > 0;
    this.logInterval = options.logInterval ?? defaultLogInterval();
    this.lastLog = this.start;
  }

  /** True when the bar draws in place (the stream is a TTY). */
  get active(): boolean {
    return this.tty;
  }

  private eta(now: number): number {
    const frac = this.done / this.total;
    const elapsed = (now - this.start) / 1000;
    return frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
  }

  /**
   * The bar line for a terminal of `cols` columns (at most `cols - 1`
   * characters): label, bar, percentage, count and ETA always; the status
   * shortened (then the label) to fit.
   */
  formatLine(cols: number, status = '', now = Date.now()): string {
    const width = Math.max(40, cols) - 1;
    const frac = this.total > 0 ? this.done / this.total : 0;
    const core = ` ${(100 * frac).toFixed(0).padStart(3)}% ${this.done}/${this.total} ETA ${formatDuration(this.eta(now))}`;
    const minBar = 10;
    let line: string;
    if (width - core.length >= 8 + 3 + minBar) {
      // label, a bar of 10 to 30 cells, the core; the status gets what is left
      let label = this.label;
      const maxLabel = width - core.length - minBar - 3;
      if (label.length > maxLabel) label = label.slice(0, maxLabel - 1) + '~';
      const room = width - label.length - core.length - 3;
      const barWidth = Math.max(minBar, Math.min(30, room - (status ? Math.min(status.length + 1, room - minBar) : 0)));
      const filled = Math.round(frac * barWidth);
      line = `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${core}`;
    } else {
      // too narrow for a bar: the label (shortened) and the core
      const room = width - core.length;
      const label = room <= 1 ? '' : this.label.length > room ? this.label.slice(0, room - 1) : this.label;
      line = `${label}${core}`;
    }
    if (status) {
      const left = width - line.length - 1;
      if (left >= 4) line += ' ' + (status.length > left ? status.slice(0, left - 1) + '~' : status);
    }
    return line.slice(0, width);
  }

  /**
   * Sets the amount of work done and an optional status text (loss, rate).
   * Redraws at most every 100 ms on a TTY; elsewhere writes a plain line every
   * `logInterval` seconds.
   */
  update(done: number, status = ''): void {
    this.done = Math.min(done, this.total);
    const now = Date.now();
    if (!this.tty) {
      if (this.logInterval > 0 && now - this.lastLog >= this.logInterval * 1000 && this.done < this.total) {
        this.lastLog = now;
        this.logged = true;
        const pct = (100 * this.done) / this.total;
        this.stream.write(
          `${this.label}: ${pct.toFixed(0)}% ${this.done}/${this.total}, ${formatDuration((now - this.start) / 1000)} elapsed, ETA ${formatDuration(this.eta(now))}${status ? `, ${status}` : ''}\n`,
        );
      }
      return;
    }
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const cols = this.stream.columns && this.stream.columns >= 40 ? this.stream.columns : 80;
    this.stream.write(`\r\x1b[2K${this.formatLine(cols, status, now)}`);
    this.drawn = true;
  }

  /** Clears the bar line on a TTY (call before printing results); in a log, closes with a "done" (or "stopped", when the work did not complete) line when progress lines were written. */
  finish(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    if (!this.tty && this.logged) {
      this.stream.write(`${this.label}: ${this.done >= this.total ? 'done' : 'stopped'}, ${this.done}/${this.total} in ${formatDuration(this.elapsed)}\n`);
    }
    this.drawn = false;
    this.logged = false;
  }

  /** Seconds since the bar was created. */
  get elapsed(): number {
    return (Date.now() - this.start) / 1000;
  }
}
