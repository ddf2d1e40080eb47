/** @module sync.no-change.test — the quick "nothing to do" check never hides a change, with or without ignore rules. */
import { readdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, type SyncPairHarness, syncPair } from './testing/harness.js';

/** Makes every file of both sides an hour old, so revisions are stable (not racy) and the quick check can answer "unchanged". */
async function backdate(h: SyncPairHarness): Promise<void> {
  const hourAgo = Date.now() / 1000 - 3600;
  for (const side of ['a', 'b']) {
    const root = join(h.dir, side, 'root');
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) await utimes(join(entry.parentPath, entry.name), hourAgo, hourAgo);
    }
  }
}

afterEach(closeAllPairs);

describe('re-sync with nothing to do', () => {
  it('ignored files on either side keep a re-sync empty, and the next real change still travels', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('.ferryignore', '*.log\n');
    await h.a.write('src/app.ts', 'code');
    await h.a.write('debug.log', 'noise');
    await h.sync();
    await h.b.write('b-side.log', 'b noise');
    expect((await h.sync()).records).toEqual([]);
    expect((await h.sync()).records).toEqual([]);
    await h.b.write('src/new.ts', 'new');
    await h.a.write('src/app.ts', 'edit');
    const summary = await h.sync();
    expect(summary.copied).toBe(2);
    await h.expectTree('a', { '.ferryignore': '*.log\n', 'debug.log': 'noise', 'src/app.ts': 'edit', 'src/new.ts': 'new' });
    await h.expectTree('b', { '.ferryignore': '*.log\n', 'b-side.log': 'b noise', 'src/app.ts': 'edit', 'src/new.ts': 'new' });
  });

  it('a new empty folder, a deleted file and a file replaced by a folder are each noticed after an empty run', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('docs/x.txt', 'x');
    await h.a.write('y.txt', 'y');
    await h.sync();
    expect((await h.sync()).records).toEqual([]);
    await h.b.mkdir('empty');
    expect((await h.sync()).records).toEqual([expect.objectContaining({ action: 'mkdir', path: 'empty' })]);
    await h.a.delete('docs/x.txt');
    expect((await h.sync()).deleted).toBe(1);
    await h.b.delete('y.txt');
    await h.b.write('y.txt/inside.txt', 'now a folder');
    await h.sync();
    await h.expectTree('a', { 'y.txt/inside.txt': 'now a folder' });
    expect((await h.sync()).records).toEqual([]);
  });

  it('with settled (old) files, an empty run is followed by edits, deletes, new files and renames that all travel', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('docs/x.txt', 'x');
    await h.a.write('docs/y.txt', 'y');
    await h.b.write('z.txt', 'z');
    await h.sync();
    await backdate(h);
    await h.sync(); // stores the settled revisions
    expect((await h.sync()).records).toEqual([]);
    await h.a.write('docs/x.txt', 'x, longer now');
    await h.b.delete('z.txt');
    await h.b.write('docs/new.txt', 'n');
    await h.a.move('docs/y.txt', 'y-renamed.txt');
    await backdate(h);
    const summary = await h.sync();
    // The rename travels as a move and the edit and the new file as copies. The deleted z.txt may
    // show as a move to docs/new.txt when the file system hands its inode to the new file
    // (tmpfs does); the trees below prove the outcome either way.
    expect(summary.records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'move', path: 'docs/y.txt' }),
        expect.objectContaining({ action: 'copy', path: 'docs/x.txt' }),
        expect.objectContaining({ action: 'copy', path: 'docs/new.txt' }),
      ]),
    );
    await h.expectTrees({ 'docs/x.txt': 'x, longer now', 'docs/new.txt': 'n', 'y-renamed.txt': 'y' });
    await backdate(h);
    await h.sync();
    expect((await h.sync()).records).toEqual([]);
  });
});
