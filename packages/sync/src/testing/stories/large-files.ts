/**
 * @module testing/stories/large-files
 * Big files stream through in chunks (resumable uploads, upload sessions)
 * and arrive intact; renaming one transfers nothing; an unchanged file's
 * hash is not computed again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs } from '../harness.js';
import { openPair, pairLabel, type PairKinds } from './story-pair.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function largeFileStories(pair: PairKinds): void {
  describe(`large files, ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    it('a 24 MiB file is copied intact with byte progress, and renaming it transfers nothing', { timeout: 60_000 }, async () => {
      const h = await openPair(pair);
      const content = new Uint8Array(randomBytes(24 * 1024 * 1024));
      await h.a.write('video.bin', content);
      const byteCounts: number[] = [];
      const summary = await h.sync({ onProgress: (progress) => byteCounts.push(progress.bytesDone) });
      expect(summary.bytes).toBe(content.length);
      expect(summary.failed).toBe(0);
      expect(byteCounts.at(-1)).toBe(content.length);
      expect(sha256(await h.b.readBytes('video.bin'))).toBe(sha256(content));
      await h.a.move('video.bin', 'movies/video.bin');
      const rename = await h.sync();
      expect(rename).toMatchObject({ moved: 1, bytes: 0 });
      expect(sha256(await h.b.readBytes('movies/video.bin'))).toBe(sha256(content));
    });

    it('the hash of a file in the base is not recomputed when it did not change', async () => {
      const h = await openPair(pair);
      await h.a.write('big.bin', new Uint8Array(randomBytes(1024 * 1024)));
      await h.sync();
      let hashed = 0;
      const original = h.a.driver.hash.bind(h.a.driver);
      h.a.driver.hash = async (entry) => {
        hashed++;
        return original(entry);
      };
      await h.settle(); // a local file is no longer "racy": its revision is stable
      await h.sync();
      const before = hashed;
      await h.sync();
      expect(hashed).toBe(before);
      await h.expectTrees({ 'big.bin': (await h.a.files())['big.bin'] as string });
    });
  });
}
