/**
 * A one-line progress bar for terminals. It redraws in place at most ten
 * times a second on a TTY and prints nothing at all when the stream is not a
 * TTY (pipes, CI logs, tests), so logs stay clean.
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

/** A progress bar over `total` units of work. */
export class ProgressBar {
  private done = 0;
  private lastDraw = 0;
  private readonly start = Date.now();
  private drawn = false;
  private readonly enabled: boolean;

  /**
   * @param label  short text before the bar (for example `'sampling'`)
   * @param total  units of work (structures, sequences); > 0
   * @param stream where to draw; nothing is drawn unless `stream.isTTY`
   */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
  ) {
    this.enabled = !!stream.isTTY && total > 0;
  }

  /** True when the bar draws (the stream is a TTY). */
  get active(): boolean {
    return this.enabled;
  }

  /** Sets the amount of work done and an optional status text (loss, rate); redraws at most every 100 ms. */
  update(done: number, status = ''): void {
    this.done = Math.min(done, this.total);
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && this.done < this.total) return;
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000;
    const frac = this.done / this.total;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : NaN;
    const cols = this.stream.columns && this.stream.columns >= 40 ? this.stream.columns : 80;
    const tail = ` ${(100 * frac).toFixed(0).padStart(3)}% ${this.done}/${this.total}${status ? ' ' + status : ''} ETA ${formatDuration(eta)}`;
    const barWidth = Math.max(10, Math.min(30, cols - this.label.length - tail.length - 4));
    const filled = Math.round(frac * barWidth);
    let line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Clears the bar line (call before printing results). */
  finish(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** Seconds since the bar was created. */
  get elapsed(): number {
    return (Date.now() - this.start) / 1000;
  }
}
