/**
 * @module output
 * How every command prints: with `--json`, one JSON document (or JSON lines
 * for streams) on stdout; otherwise human text and tables. Messages for the
 * user go to stderr so that stdout stays clean for pipes.
 */

export interface OutputStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export class Output {
  readonly json: boolean;
  readonly stdout: OutputStreams['stdout'];
  readonly stderr: OutputStreams['stderr'];

  constructor(streams: OutputStreams, json: boolean) {
    this.json = json;
    this.stdout = streams.stdout;
    this.stderr = streams.stderr;
  }

  /** The result of a command: `value` as JSON with --json, else the human text. */
  result(value: unknown, human: () => string): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const text = human();
      if (text !== '') this.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /** One item of a stream: a JSON line with --json, else the human line. */
  item(value: unknown, human: () => string): void {
    if (this.json) this.stdout.write(`${JSON.stringify(value)}\n`);
    else this.stdout.write(`${human()}\n`);
  }

  /** A message for the user (stderr), never part of the machine output. */
  info(message: string): void {
    this.stderr.write(`${message}\n`);
  }

  /** Whether stderr is a terminal (progress bars). */
  get interactive(): boolean {
    return this.stderr.isTTY === true;
  }
}

/** Left-aligned columns separated by two spaces; `right` lists the columns to align right (numbers). */
export function formatTable(rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, [...cell].length)));
  return rows
    .map((row) =>
      row
        .map((cell, index) => {
          const pad = ' '.repeat((widths[index] ?? 0) - [...cell].length);
          if (right.includes(index)) return pad + cell;
          return index === row.length - 1 ? cell : cell + pad;
        })
        .join('  '),
    )
    .join('\n');
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An ISO time as "2026-01-31 14:05" in UTC (stable across machines). */
export function formatTime(iso: string | null): string {
  if (iso === null) return '-';
  return iso.replace('T', ' ').slice(0, 16);
}
