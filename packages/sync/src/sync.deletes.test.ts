/** @module sync.deletes.test — the delete stories between two local folders (testing/stories/deletes), a missing root, and inode reuse. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { deleteStories } from './testing/stories/index.js';

deleteStories({ a: 'local', b: 'local' });

describe('deletes in local folders', () => {
  afterEach(closeAllPairs);

  it('a missing root folder fails the run and changes nothing', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('x.txt', 'x');
    await h.sync();
    await rm(join(h.dir, 'a', 'root'), { recursive: true });
    await expect(h.sync({ deleteGuard: false })).rejects.toThrow(/cannot be read/);
    await h.expectTree('b', { 'x.txt': 'x' });
  });

  it('a deleted file whose inode goes to a new file is a delete and a new file, not a rename', async () => {
    // ext4 hands a freed inode to the next new file: the new file then carries the deleted file's id.
    const h = await syncPair('local', 'local');
    await h.a.write('x.txt', 'old');
    await h.a.write('keep.txt', 'k');
    await h.sync();
    await h.a.delete('x.txt');
    await h.a.write('y.txt', 'a new file, longer');
    await h.b.write('x.txt', 'edited on b');
    const summary = await h.sync();
    expect(summary.moved).toBe(0);
    // The edit on b beats the delete on a; the new file travels as itself.
    await h.expectTrees({ 'keep.txt': 'k', 'x.txt': 'edited on b', 'y.txt': 'a new file, longer' });
    await h.expectConverged();
  });
});
