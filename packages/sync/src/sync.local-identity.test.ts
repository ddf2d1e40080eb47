/**
 * @module sync.local-identity.test — a local file keeps its identity (inode +
 * birth time) through an edit and a rename, and a new file that got a deleted
 * file's inode is not taken for it. The pairs live in the OS temp dir: its
 * file system (ext4 here) gives a deleted file's inode to the next new file.
 */
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair, type SyncPairHarness } from './testing/harness.js';

afterEach(closeAllPairs);

const onDisk = (): Promise<SyncPairHarness> => syncPair('local', 'local', { tempRoot: tmpdir() });

/** What the run did, as "action path" lines (moves as "move from → to"). */
function actions(records: ReadonlyArray<{ action: string; path: string; to?: string }>): string[] {
  return records.map((record) => (record.to === undefined ? `${record.action} ${record.path}` : `${record.action} ${record.path} → ${record.to}`));
}

describe('local file identity across edits and renames', () => {
  it('a file edited in place and then renamed is moved on the other side, then updated — not deleted and re-created', async () => {
    const h = await onDisk();
    await h.a.write('docs/report.txt', 'first draft');
    await h.sync();
    await h.a.write('docs/report.txt', 'second draft, quite a bit longer than the first');
    await h.a.move('docs/report.txt', 'docs/report-final.txt');
    const summary = await h.sync();
    expect(summary).toMatchObject({ moved: 1, copied: 1, deleted: 0, conflicts: 0 });
    expect(summary.records.map((record) => record.action)).toEqual(['move', 'copy']);
    await h.expectTrees({ 'docs/report-final.txt': 'second draft, quite a bit longer than the first' });
    await h.expectConverged();
  });

  it('a file edited and moved into another folder follows there with its new content', async () => {
    const h = await onDisk();
    await h.b.write('inbox/todo.md', '- one');
    await h.sync();
    await h.b.write('inbox/todo.md', '- one\n- two\n- three');
    await h.b.move('inbox/todo.md', 'done/todo.md');
    const summary = await h.sync();
    expect(summary).toMatchObject({ moved: 1, copied: 1, deleted: 0 });
    await h.expectTrees({ 'done/todo.md': '- one\n- two\n- three' });
    await h.expectConverged();
  });

  it('edited and renamed on one side while the other side edits it too: both versions are kept', async () => {
    const h = await onDisk();
    await h.a.write('plan.txt', 'v1');
    await h.sync();
    await h.a.write('plan.txt', 'v2 written on a, then renamed');
    await h.a.move('plan.txt', 'plan-2027.txt');
    await h.b.write('plan.txt', 'v2 written on b');
    const summary = await h.sync();
    expect(summary).toMatchObject({ moved: 1, deleted: 0, failed: 0 });
    expect(summary.conflicts).toBe(1);
    const files = await h.a.files();
    expect(Object.keys(files)).toHaveLength(2);
    expect(files['plan-2027.txt']).toBeDefined();
    expect(Object.values(files).sort()).toEqual(['v2 written on a, then renamed', 'v2 written on b']);
    const copyName = Object.keys(files).find((path) => path !== 'plan-2027.txt') ?? '';
    expect(copyName).toMatch(/^plan-2027 \(conflicted copy .*\)\.txt$/);
    await h.expectConverged();
  });

  it('a deleted file and a new file that got its inode travel as a delete and a new file, not as a move', async () => {
    const h = await onDisk();
    await h.a.write('old.txt', 'the old file');
    await h.sync();
    await h.a.delete('old.txt'); // on ext4 new.txt gets old.txt's inode
    await h.a.write('new.txt', 'a brand new file of another size');
    const summary = await h.sync();
    expect(actions(summary.records).sort()).toEqual(['copy new.txt', 'delete old.txt']);
    await h.expectTrees({ 'new.txt': 'a brand new file of another size' });
    await h.expectConverged();
  });

  it('a new file that got a deleted file’s inode does not take the place of that file’s edit on the other side', async () => {
    const h = await onDisk();
    await h.a.write('shared.txt', 'original');
    await h.sync();
    await h.a.delete('shared.txt');
    await h.a.write('fresh.txt', 'something else entirely');
    await h.b.write('shared.txt', 'original, edited on b');
    const summary = await h.sync();
    expect(summary).toMatchObject({ moved: 0, deleted: 0, conflicts: 0 });
    await h.expectTrees({ 'fresh.txt': 'something else entirely', 'shared.txt': 'original, edited on b' });
    await h.expectConverged();
  });
});
