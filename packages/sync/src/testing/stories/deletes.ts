/**
 * @module testing/stories/deletes
 * Deletes travel; an edit beats a delete; the delete guard stops a run that
 * would delete most files, or everything because a listing came back empty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs } from '../harness.js';
import { openPair, pairLabel, type PairKinds } from './story-pair.js';

export function deleteStories(pair: PairKinds): void {
  describe(`deletes, ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    it('a deleted file is deleted on the other side and not brought back', async () => {
      const h = await openPair(pair);
      await h.a.write('x.txt', 'x');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.b.delete('x.txt');
      expect((await h.sync()).deleted).toBe(1);
      await h.expectTrees({ 'keep.txt': 'k' });
      await h.expectConverged();
    });

    it('an edit beats a delete', async () => {
      const h = await openPair(pair);
      await h.a.write('x.txt', 'v1');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.a.delete('x.txt');
      await h.b.write('x.txt', 'v2 edited');
      await h.sync();
      await h.expectTrees({ 'keep.txt': 'k', 'x.txt': 'v2 edited' });
      await h.expectConverged();
    });

    it('a deleted folder goes, with its files', async () => {
      const h = await openPair(pair);
      await h.a.write('old/a.txt', 'a');
      await h.a.write('old/sub/b.txt', 'b');
      await h.a.write('keep.txt', 'k');
      await h.a.write('keep2.txt', 'k');
      await h.sync();
      await h.a.delete('old');
      await h.sync();
      await h.expectTrees({ 'keep.txt': 'k', 'keep2.txt': 'k' });
      expect(await h.b.folders()).toEqual([]);
      await h.expectConverged();
    });

    it('deleting a folder that got a new file on the other side keeps the file and its folders', async () => {
      const h = await openPair(pair);
      await h.a.write('team/plans/q1.txt', 'q1');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.a.delete('team');
      await h.b.write('team/plans/q2.txt', 'new on b');
      await h.sync();
      await h.expectTrees({ 'keep.txt': 'k', 'team/plans/q2.txt': 'new on b' });
      await h.expectConverged();
    });

    it('deleted on both sides is simply forgotten', async () => {
      const h = await openPair(pair);
      await h.a.write('x.txt', 'x');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.a.delete('x.txt');
      await h.b.delete('x.txt');
      expect((await h.sync()).records).toEqual([]);
      await h.a.write('x.txt', 'created again');
      await h.sync();
      await h.expectTrees({ 'keep.txt': 'k', 'x.txt': 'created again' });
    });

    it('the delete guard stops a run that would delete more than half of the files', async () => {
      const h = await openPair(pair);
      for (let index = 0; index < 20; index++) await h.a.write(`f${index}.txt`, String(index));
      await h.sync();
      for (let index = 0; index < 15; index++) await h.a.delete(`f${index}.txt`);
      await expect(h.sync()).rejects.toThrow(/Delete guard: this run would delete 15 of 20 files on b/);
      expect(Object.keys(await h.b.files())).toHaveLength(20);
      await h.sync({ deleteGuard: { maxShare: 0.8 } });
      expect(Object.keys(await h.b.files())).toHaveLength(5);
    });

    it('an empty listing stops the run instead of deleting everything', async () => {
      const h = await openPair(pair);
      await h.a.write('x.txt', 'x');
      await h.sync();
      await h.a.delete('x.txt');
      await expect(h.sync()).rejects.toThrow(/lists no files at all/);
      await h.expectTree('b', { 'x.txt': 'x' });
      await h.sync({ deleteGuard: false });
      await h.expectTrees({});
    });

    it('a folder moved into a folder the other side deleted keeps that folder and what was moved in', async () => {
      const h = await openPair(pair);
      await h.a.write('old/a.txt', 'a');
      await h.a.write('project/p.txt', 'p');
      await h.a.write('keep.txt', 'k');
      await h.sync();
      await h.settle(); // settled local files: the moved ones look untouched once the move is planned
      await h.sync();
      await h.a.delete('old');
      await h.b.move('project', 'old/project');
      await h.sync();
      await h.expectTrees({ 'keep.txt': 'k', 'old/project/p.txt': 'p' });
      await h.expectConverged();
    });
  });
}
