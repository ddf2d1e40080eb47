/**
 * @module testing/stories/conflicts
 * Both sides changed the same file: both versions are kept by default (the
 * other side's as a conflicted copy), or a policy picks one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs } from '../harness.js';
import { openPair, pairLabel, type PairKinds } from './story-pair.js';

export function conflictStories(pair: PairKinds): void {
  async function editedOnBothSides(policy?: 'keep-both' | 'newer' | 'a' | 'b') {
    const h = await openPair(pair, policy === undefined ? {} : { sync: { conflictPolicy: policy } });
    await h.a.write('report.txt', 'v1');
    await h.sync();
    await h.a.write('report.txt', 'edited on a');
    await h.b.write('report.txt', 'edited on b, later');
    return h;
  }

  describe(`conflicts, ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    it('keeps both versions by default, the other side as a conflicted copy', async () => {
      const h = await editedOnBothSides();
      const summary = await h.sync();
      expect(summary.conflicts).toBe(1);
      const files = await h.a.files();
      const copyName = Object.keys(files).find((path) => path !== 'report.txt') as string;
      expect(copyName).toMatch(/^report \(conflicted copy \d{4}-\d{2}-\d{2} \d{6} from b\)\.txt$/);
      await h.expectTrees({ 'report.txt': 'edited on a', [copyName]: 'edited on b, later' });
      await h.expectConverged();
    });

    it('names the conflicted copy after the side labels', async () => {
      const h = await editedOnBothSides();
      await h.sync({ labels: { a: 'laptop', b: 'server' } });
      expect(Object.keys(await h.b.files()).some((path) => path.includes('from server).txt'))).toBe(true);
    });

    it('identical edits on both sides are not a conflict', async () => {
      const h = await openPair(pair);
      await h.a.write('x.txt', 'v1');
      await h.sync();
      await h.a.write('x.txt', 'same new text');
      await h.b.write('x.txt', 'same new text');
      const summary = await h.sync();
      expect(summary.conflicts).toBe(0);
      expect(summary.copied).toBe(0);
      await h.expectTrees({ 'x.txt': 'same new text' });
    });

    it('two different new files at the same path keep both', async () => {
      const h = await openPair(pair);
      await h.a.write('new.md', 'from a');
      await h.b.write('new.md', 'from b');
      await h.sync();
      const files = await h.b.files();
      expect(Object.values(files).sort()).toEqual(['from a', 'from b']);
      expect(files['new.md']).toBe('from a');
      await h.expectConverged();
    });

    it('policy "a" and "b" overwrite the other side', async () => {
      const h = await editedOnBothSides('a');
      await h.sync();
      await h.expectTrees({ 'report.txt': 'edited on a' });
      const h2 = await editedOnBothSides('b');
      await h2.sync();
      await h2.expectTrees({ 'report.txt': 'edited on b, later' });
    });

    it('policy "newer" keeps the most recently modified version', async () => {
      const h = await openPair(pair, { sync: { conflictPolicy: 'newer' } });
      await h.a.write('report.txt', 'v1');
      await h.sync();
      // The side that lets a client date its file gets an edit from 2020; the other side's edit, dated now, is newer.
      const older = h.a.setsModifiedTime ? h.a : h.b;
      const newer = older === h.a ? h.b : h.a;
      expect(older.setsModifiedTime).toBe(true);
      await newer.write('report.txt', 'the newer edit');
      await older.write('report.txt', 'the older edit, dated 2020', { mtimeMs: Date.UTC(2020, 0, 1) });
      await h.sync();
      await h.expectTrees({ 'report.txt': 'the newer edit' });
      await h.expectConverged();
    });

    it('a file on one side and a folder on the other keep both', async () => {
      const h = await openPair(pair);
      await h.a.write('thing', 'a file');
      await h.b.write('thing/inside.txt', 'in a folder');
      await h.sync();
      const files = await h.a.files();
      expect(files['thing/inside.txt']).toBe('in a folder');
      expect(Object.entries(files).filter(([path, text]) => path.startsWith('thing (conflicted copy') && text === 'a file')).toHaveLength(1);
      await h.expectConverged();
    });

    it('crossing renames that cannot follow each other keep the file once (a file name on a, a folder of that name on b)', async () => {
      const h = await openPair(pair);
      await h.a.write('notes.txt', 'x');
      await h.sync();
      await h.a.move('notes.txt', 'b');
      await h.b.move('notes.txt', 'b/notes.txt');
      const summary = await h.sync();
      expect(summary.failed).toBe(0);
      await h.expectTrees({ 'b/notes.txt': 'x' });
      await h.expectConverged();
    });
  });
}
