/** @module sync.large-files.test — big files stream through in chunks and arrive intact. */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair } from './testing/harness.js';

afterEach(closeAllPairs);

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('large files', () => {
  it('a 24 MiB file is copied intact with byte progress, and renaming it transfers nothing', async () => {
    const h = await syncPair('local', 'local');
    const content = randomBytes(24 * 1024 * 1024);
    await writeFile(join(h.dir, 'a', 'root', 'video.bin'), content);
    const byteCounts: number[] = [];
    const summary = await h.sync({ onProgress: (progress) => byteCounts.push(progress.bytesDone) });
    expect(summary.bytes).toBe(content.length);
    expect(byteCounts.at(-1)).toBe(content.length);
    expect(sha256(await readFile(join(h.dir, 'b', 'root', 'video.bin')))).toBe(sha256(content));
    await h.a.move('video.bin', 'movies/video.bin');
    const rename = await h.sync();
    expect(rename).toMatchObject({ moved: 1, bytes: 0 });
  });

  it('the hash of a file in the base is not recomputed when it did not change', async () => {
    const h = await syncPair('local', 'local');
    await writeFile(join(h.dir, 'a', 'root', 'big.bin'), randomBytes(1024 * 1024));
    await h.sync();
    let hashed = 0;
    const original = h.a.driver.hash.bind(h.a.driver);
    h.a.driver.hash = async (entry) => {
      hashed++;
      return original(entry);
    };
    const { utimes } = await import('node:fs/promises');
    const old = new Date(Date.now() - 60_000);
    await utimes(join(h.dir, 'a', 'root', 'big.bin'), old, old); // no longer "racy": revision is stable
    await h.sync();
    const before = hashed;
    await h.sync();
    expect(hashed).toBe(before);
  });
});
