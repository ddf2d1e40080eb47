/** @module sync.deletes.test — deletes travel; edits beat deletes; the delete guard stops accidents. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair } from './testing/harness.js';

afterEach(closeAllPairs);

describe('deletes', () => {
  it('a deleted file is deleted on the other side and not brought back', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('x.txt', 'x');
    await h.a.write('keep.txt', 'k');
    await h.sync();
    await h.b.delete('x.txt');
    expect((await h.sync()).deleted).toBe(1);
    await h.expectTrees({ 'keep.txt': 'k' });
    await h.expectConverged();
  });

  it('an edit beats a delete', async () => {
    const h = await syncPair('local', 'local');
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
    const h = await syncPair('local', 'local');
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
    const h = await syncPair('local', 'local');
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
    const h = await syncPair('local', 'local');
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
    const h = await syncPair('local', 'local');
    for (let index = 0; index < 20; index++) await h.a.write(`f${index}.txt`, String(index));
    await h.sync();
    for (let index = 0; index < 15; index++) await h.a.delete(`f${index}.txt`);
    await expect(h.sync()).rejects.toThrow(/Delete guard: this run would delete 15 of 20 files on b/);
    expect(Object.keys(await h.b.files())).toHaveLength(20);
    await h.sync({ deleteGuard: { maxShare: 0.8 } });
    expect(Object.keys(await h.b.files())).toHaveLength(5);
  });

  it('an empty listing stops the run instead of deleting everything', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('x.txt', 'x');
    await h.sync();
    await h.a.delete('x.txt');
    await expect(h.sync()).rejects.toThrow(/lists no files at all/);
    await h.expectTree('b', { 'x.txt': 'x' });
    await h.sync({ deleteGuard: false });
    await h.expectTrees({});
  });

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
  it('a folder moved into a folder the other side deleted keeps that folder and what was moved in', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('old/a.txt', 'a');
    await h.a.write('project/p.txt', 'p');
    await h.a.write('keep.txt', 'k');
    await h.sync();
    await h.settle(); // settled files: the moved ones look untouched once the move is planned
    await h.sync();
    await h.a.delete('old');
    await h.b.move('project', 'old/project');
    await h.sync();
    await h.expectTrees({ 'keep.txt': 'k', 'old/project/p.txt': 'p' });
    await h.expectConverged();
  });
});
