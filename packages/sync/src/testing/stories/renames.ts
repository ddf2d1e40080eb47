/**
 * @module testing/stories/renames
 * Renames and moves follow stable ids (inodes, node ids, provider file ids)
 * and are not re-copied; renames and edits or deletes on the other side
 * combine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs } from '../harness.js';
import { bothCaseSensitive, openPair, pairLabel, type PairKinds } from './story-pair.js';

export function renameStories(pair: PairKinds): void {
  describe(`renames and moves, ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    it('a renamed file is renamed on the other side, not copied', async () => {
      const h = await openPair(pair);
      await h.a.write('old.txt', 'content');
      await h.sync();
      await h.a.move('old.txt', 'new.txt');
      const summary = await h.sync();
      expect(summary).toMatchObject({ moved: 1, copied: 0, deleted: 0, bytes: 0 });
      await h.expectTrees({ 'new.txt': 'content' });
      await h.expectConverged();
    });

    it('a moved folder of many files is one move and transfers no bytes', async () => {
      const h = await openPair(pair);
      for (let index = 0; index < (pair.manyFiles ?? 200); index++) await h.a.write(`project/src/f${index}.txt`, `file ${index}`);
      await h.sync();
      await h.b.move('project', 'archive/project-2025');
      const summary = await h.sync();
      expect(summary).toMatchObject({ moved: 1, copied: 0, deleted: 0, bytes: 0 });
      expect((await h.a.files())['archive/project-2025/src/f7.txt']).toBe('file 7');
      await h.expectConverged();
    });

    it('a rename on one side and an edit on the other both land', async () => {
      const h = await openPair(pair);
      await h.a.write('notes.txt', 'v1');
      await h.sync();
      await h.a.move('notes.txt', 'notes-renamed.txt');
      await h.b.write('notes.txt', 'v2 edited on b');
      await h.sync();
      await h.expectTrees({ 'notes-renamed.txt': 'v2 edited on b' });
      await h.expectConverged();
    });

    it('a case-only rename works', async () => {
      const h = await openPair(pair);
      await h.a.write('readme.md', 'x');
      await h.sync();
      await h.a.move('readme.md', 'README.md');
      const summary = await h.sync();
      expect(summary.moved).toBe(1);
      await h.expectTrees({ 'README.md': 'x' });
      await h.expectConverged();
    });

    it('the same rename on both sides needs no action', async () => {
      const h = await openPair(pair);
      await h.a.write('a.txt', 'x');
      await h.sync();
      await h.a.move('a.txt', 'b.txt');
      await h.b.move('a.txt', 'b.txt');
      const summary = await h.sync();
      expect(summary.records).toEqual([]);
      await h.expectTrees({ 'b.txt': 'x' });
      await h.expectConverged();
    });

    it('different renames of the same file on both sides end with one name (side a wins)', async () => {
      const h = await openPair(pair);
      await h.a.write('a.txt', 'x');
      await h.sync();
      await h.a.move('a.txt', 'from-a.txt');
      await h.b.move('a.txt', 'from-b.txt');
      await h.sync();
      await h.expectTrees({ 'from-a.txt': 'x' });
      await h.expectConverged();
    });

    it('a file moved into a new folder follows', async () => {
      const h = await openPair(pair);
      await h.a.write('loose.txt', 'x');
      await h.sync();
      await h.b.move('loose.txt', 'new/deeper/loose.txt');
      const summary = await h.sync();
      expect(summary.copied).toBe(0);
      await h.expectTrees({ 'new/deeper/loose.txt': 'x' });
      await h.expectConverged();
    });

    it('a rename of a file the other side deleted brings the file back under its new name', async () => {
      const h = await openPair(pair);
      await h.a.write('a.txt', 'x');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.a.move('a.txt', 'b.txt');
      await h.b.delete('a.txt');
      await h.sync();
      await h.expectTrees({ 'b.txt': 'x', 'keep.txt': 'k' });
      await h.expectConverged();
    });

    it('a file moved into a folder that the other side moved into a new folder ends up inside it, once', async () => {
      // "A.txt" sorts before "b": the file's move is planned first and must wait for the folder's.
      const h = await openPair(pair);
      await h.a.write('A.txt', 'x');
      await h.a.write('b/keep.txt', 'k');
      await h.sync();
      await h.b.move('A.txt', 'b/A.txt');
      await h.a.move('b', 'archive/b');
      const summary = await h.sync();
      expect(summary).toMatchObject({ moved: 2, copied: 0, deleted: 0 });
      await h.expectTrees({ 'archive/b/A.txt': 'x', 'archive/b/keep.txt': 'k' });
      await h.expectConverged();
    });

    // The story needs two folders whose names differ only by case ("dir1", "DIR1") on both sides.
    if (bothCaseSensitive(pair)) {
      it('a folder renamed on one side is not confused with another folder the other side renamed to its old name', async () => {
        const h = await openPair(pair);
        await h.a.write('dir1/x.txt', 'x');
        await h.a.write('DIR1/y.txt', 'y');
        await h.sync();
        await h.b.delete('dir1');
        await h.b.move('DIR1', 'dir1');
        await h.a.move('dir1', 'renamed');
        const summary = await h.sync();
        expect(summary.failed).toBe(0);
        // The rename on a brings the folder b deleted back under its new name; b's rename of DIR1 travels.
        await h.expectTrees({ 'dir1/y.txt': 'y', 'renamed/x.txt': 'x' });
        await h.expectConverged();
      });
    }

    it('a renamed file whose modification time changed too is still a rename (its content shows it is the same file)', async () => {
      const h = await openPair(pair);
      await h.a.write('a.txt', 'content');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.a.move('a.txt', 'b.txt');
      await h.settle(); // every local file gets another modification time; contents stay
      const summary = await h.sync();
      expect(summary).toMatchObject({ moved: 1, copied: 0, deleted: 0 });
      await h.expectTrees({ 'b.txt': 'content', 'keep.txt': 'k' });
      await h.expectConverged();
    });
  });
}
