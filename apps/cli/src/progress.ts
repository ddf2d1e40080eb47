/**
 * @module progress
 * A one-line progress bar on stderr (files, bytes, speed) for uploads and
 * downloads, drawn only when stderr is a terminal and at most ten times a second.
 */
import { formatBytes } from './output.js';

export interface ProgressTarget {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressTotals {
  files: number;
  bytes: number;
}

export class TransferProgress {
  private files = 0;
  private bytes = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  readonly enabled: boolean;

  constructor(
    private readonly target: ProgressTarget,
    private readonly totals: ProgressTotals,
    private readonly verb: string,
  ) {
    this.enabled = target.isTTY === true;
  }

  addBytes(count: number): void {
    this.bytes += count;
    this.draw(false);
  }

  fileDone(): void {
    this.files += 1;
    this.draw(false);
  }

  /** Writes a line above the bar (e.g. a warning) without garbling it. */
  note(line: string): void {
    this.clear();
    this.target.write(`${line}\n`);
    this.draw(true);
  }

  /** Clears the bar and prints the summary line. */
  finish(): void {
    if (!this.enabled) return;
    this.clear();
    const seconds = Math.max((Date.now() - this.started) / 1000, 0.001);
    this.target.write(`${this.verb} ${this.files} file${this.files === 1 ? '' : 's'}, ${formatBytes(this.bytes)} in ${seconds.toFixed(1)} s\n`);
  }

  private clear(): void {
    if (this.enabled && this.drawn) this.target.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const ratio = this.totals.bytes > 0 ? Math.min(this.bytes / this.totals.bytes, 1) : this.files / Math.max(this.totals.files, 1);
    const width = 24;
    const filled = Math.round(ratio * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const text =
      `${this.verb} ${bar} ${String(Math.round(ratio * 100)).padStart(3)}%  ` +
      `${this.files}/${this.totals.files} files  ${formatBytes(this.bytes)}/${formatBytes(this.totals.bytes)}  ${formatBytes(this.bytes / seconds)}/s`;
    // A terminal that reports no width (some ptys say 0) gets 80 columns.
    const columns = this.target.columns !== undefined && this.target.columns > 20 ? this.target.columns : 80;
    this.target.write(`\r\x1b[2K${text.slice(0, columns - 1)}`);
    this.drawn = true;
  }
}

/** A pass-through stream that reports how many bytes went by. */
export function countingStream(onBytes: (count: number) => void): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      onBytes(chunk.byteLength);
      controller.enqueue(chunk);
    },
  });
}
