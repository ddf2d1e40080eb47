/**
 * @module progress.test
 * The progress bar draws on a terminal only, and says files, bytes and speed.
 */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatTable } from './output.js';
import { TransferProgress } from './progress.js';

function terminal(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, target: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
}

describe('TransferProgress', () => {
  it('shows files, bytes and speed on a terminal, then a summary', () => {
    const { writes, target } = terminal(true);
    const progress = new TransferProgress(target, { files: 2, bytes: 2048 }, 'Uploaded');
    progress.addBytes(1024);
    progress.fileDone();
    progress.note('Skipped a socket');
    progress.finish();
    const text = writes.join('');
    expect(text).toMatch(/Uploaded \[#+\.*\]\s+50%\s+0\/2 files\s+1\.0 KiB\/2\.0 KiB\s+\S+ \S+\/s/);
    expect(text).toContain('Skipped a socket\n');
    expect(writes.at(-1)).toMatch(/^Uploaded 1 file, 1\.0 KiB in \d+\.\d s\n$/);
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { writes, target } = terminal(false);
    const progress = new TransferProgress(target, { files: 1, bytes: 10 }, 'Downloaded');
    progress.addBytes(10);
    progress.fileDone();
    progress.finish();
    expect(writes).toEqual([]);
  });
});

describe('human formats', () => {
  it('formats sizes and aligns tables', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(300_000)).toBe('293 KiB');
    expect(formatTable([['a', '1', 'x'], ['long', '100', 'y']], [1])).toBe('a       1  x\nlong  100  y');
  });
});
