/**
 * @module testing/stories/ignore
 * `.ferryignore` (gitignore syntax): ignored paths are neither copied nor
 * deleted, on either side, also when they become ignored after a sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs } from '../harness.js';
import { openPair, pairLabel, type PairKinds } from './story-pair.js';

export function ignoreStories(pair: PairKinds): void {
  describe(`.ferryignore, ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    it('ignored files and folders are neither copied nor deleted', async () => {
      const h = await openPair(pair);
      await h.a.write('.ferryignore', 'node_modules/\n*.log\n!keep.log\n');
      await h.a.write('node_modules/pkg/index.js', 'x');
      await h.a.write('debug.log', 'noise');
      await h.a.write('keep.log', 'wanted');
      await h.a.write('src/app.ts', 'code');
      await h.sync();
      await h.expectTree('b', { '.ferryignore': 'node_modules/\n*.log\n!keep.log\n', 'keep.log': 'wanted', 'src/app.ts': 'code' });
      await h.b.write('b-side.log', 'b noise');
      await h.sync();
      expect(Object.keys(await h.a.files())).not.toContain('b-side.log');
      expect(Object.keys(await h.b.files())).toContain('b-side.log');
      expect((await h.a.files())['node_modules/pkg/index.js']).toBe('x');
    });

    it('a path that becomes ignored after it was synced is left alone on both sides', async () => {
      const h = await openPair(pair);
      await h.a.write('cache/data.bin', 'cached');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.a.write('.ferryignore', 'cache/\n');
      await h.a.delete('cache');
      await h.sync();
      expect((await h.b.files())['cache/data.bin']).toBe('cached');
    });
  });
}
