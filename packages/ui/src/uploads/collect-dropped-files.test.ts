/**
 * @module uploads/collect-dropped-files.test
 * A dropped folder arrives as a tree of FileSystem entries: every file inside
 * it is uploaded with its path, even when the browser hands a directory's
 * entries over in several batches (Chrome gives at most 100 at a time).
 * Browsers cannot synthesise a folder drop, so the entries here are
 * stand-ins with the FileSystem API's shape.
 */
import { describe, expect, it } from 'vitest';
import { collectDroppedFiles } from './collect-dropped-files.js';

interface StandInEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  file?(success: (file: File) => void): void;
  createReader?(): { readEntries(success: (batch: StandInEntry[]) => void): void };
}

function fileEntry(name: string, content: string): StandInEntry {
  return { name, isFile: true, isDirectory: false, file: (success) => success(new File([content], name)) };
}

function folderEntry(name: string, children: StandInEntry[], batchSize = 2): StandInEntry {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader() {
      let offset = 0;
      return {
        readEntries(success) {
          const batch = children.slice(offset, offset + batchSize);
          offset += batch.length;
          queueMicrotask(() => success(batch));
        },
      };
    },
  };
}

function dropOf(items: { entry: StandInEntry | null; file?: File }[]): DataTransfer {
  return {
    items: items.map(({ entry, file }) => ({ kind: 'file', webkitGetAsEntry: () => entry, getAsFile: () => file ?? null })),
  } as unknown as DataTransfer;
}

describe('collectDroppedFiles', () => {
  it('walks a dropped folder, keeping each file path, across several read batches', async () => {
    const photos = folderEntry('photos', [
      fileEntry('a.jpg', 'A'),
      fileEntry('b.jpg', 'BB'),
      fileEntry('c.jpg', 'CCC'),
      folderEntry('2024', [fileEntry('d.jpg', 'DDDD')]),
      folderEntry('empty', []),
    ]);
    const collected = await collectDroppedFiles(dropOf([{ entry: photos }, { entry: fileEntry('notes.txt', 'hi') }]));
    expect(collected.map((item) => [item.relativePath, item.file.size])).toEqual([
      ['photos/a.jpg', 1],
      ['photos/b.jpg', 2],
      ['photos/c.jpg', 3],
      ['photos/2024/d.jpg', 4],
      ['notes.txt', 2],
    ]);
  });

  it('takes plain files when the browser gives no entry', async () => {
    const collected = await collectDroppedFiles(dropOf([{ entry: null, file: new File(['x'], 'loose.txt') }]));
    expect(collected.map((item) => item.relativePath)).toEqual(['loose.txt']);
  });
});
