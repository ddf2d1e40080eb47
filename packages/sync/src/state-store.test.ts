/**
 * @module state-store.test
 * The base as the engine sees it through the state store: folder moves
 * (quick and path-by-path cases give the same result), subtree deletes,
 * the move of an older state file's rows, and listing fingerprints (with
 * the base size recorded beside them) that never outlive a base write.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type BaseEntry, StateStore } from './state-store.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function stateFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-state-'));
  dirs.push(dir);
  return join(dir, 'state.sqlite');
}

function entry(path: string, kind: BaseEntry['kind'] = 'file', id = path): BaseEntry {
  return { path, kind, hash: kind === 'file' ? `hash of ${path}` : null, size: 1, mtimeMs: 1000, aId: `a:${id}`, aRevision: 'ra', bId: `b:${id}`, bRevision: 'rb' };
}

/** path → aId of every base entry. */
function ids(store: StateStore): Record<string, string | null> {
  return Object.fromEntries([...store.loadBase()].map(([path, base]) => [path, base.aId]));
}

async function storeWith(paths: Array<[string, BaseEntry['kind']]>): Promise<StateStore> {
  const store = StateStore.open(await stateFile());
  for (const [path, kind] of paths) store.putBase(entry(path, kind));
  return store;
}

describe('state store base', () => {
  it('moves a folder with everything below it; other rows keep their paths', async () => {
    const store = await storeWith([
      ['docs', 'folder'],
      ['docs/a.txt', 'file'],
      ['docs/sub', 'folder'],
      ['docs/sub/b.txt', 'file'],
      ['docs.txt', 'file'],
      ['docsx/c.txt', 'file'],
    ]);
    store.moveBase('docs', 'papers/2026');
    expect(ids(store)).toEqual({
      'docs.txt': 'a:docs.txt',
      'docsx/c.txt': 'a:docsx/c.txt',
      'papers/2026': 'a:docs',
      'papers/2026/a.txt': 'a:docs/a.txt',
      'papers/2026/sub': 'a:docs/sub',
      'papers/2026/sub/b.txt': 'a:docs/sub/b.txt',
    });
    expect(store.loadBaseEntry('papers/2026/sub/b.txt')?.hash).toBe('hash of docs/sub/b.txt');
    expect(store.loadBaseEntry('docs/a.txt')).toBeNull();
    expect([...store.loadBase().keys()]).toEqual([...store.loadBase().keys()].sort());
    store.close();
  });

  it('a move onto a folder that holds rows keeps them, except where a moved row lands', async () => {
    const store = await storeWith([
      ['from', 'folder'],
      ['from/same.txt', 'file'],
      ['from/only-from.txt', 'file'],
      ['to', 'folder'],
      ['to/same.txt', 'file'],
      ['to/only-to.txt', 'file'],
    ]);
    store.moveBase('from', 'to');
    expect(ids(store)).toEqual({ to: 'a:from', 'to/same.txt': 'a:from/same.txt', 'to/only-from.txt': 'a:from/only-from.txt', 'to/only-to.txt': 'a:to/only-to.txt' });
    store.close();
  });

  it('moves a file, renames by case, and moves a folder up into its parent', async () => {
    const store = await storeWith([
      ['x.txt', 'file'],
      ['Docs', 'folder'],
      ['Docs/a.txt', 'file'],
      ['p', 'folder'],
      ['p/q', 'folder'],
      ['p/q/r.txt', 'file'],
    ]);
    store.moveBase('x.txt', 'Docs/x.txt');
    store.moveBase('Docs', 'docs');
    store.moveBase('p/q', 'p');
    expect(ids(store)).toEqual({ docs: 'a:Docs', 'docs/a.txt': 'a:Docs/a.txt', 'docs/x.txt': 'a:x.txt', p: 'a:p/q', 'p/r.txt': 'a:p/q/r.txt' });
    store.close();
  });

  it('deletes a subtree, and forgetPath forgets exactly one path', async () => {
    const store = await storeWith([
      ['a', 'folder'],
      ['a/b', 'folder'],
      ['a/b/c.txt', 'file'],
      ['a.txt', 'file'],
      ['keep/d.txt', 'file'],
    ]);
    store.forgetPath('keep/d.txt');
    store.deleteBase('a');
    expect(ids(store)).toEqual({ 'a.txt': 'a:a.txt' });
    expect(store.baseSize()).toBe(1);
    store.close();
  });

  it('reads the rows of a state file written with whole paths as keys', async () => {
    const file = await stateFile();
    const old = new Database(file);
    old.exec(`CREATE TABLE base (path TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, hash TEXT, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
      a_id TEXT, a_rev TEXT, b_id TEXT, b_rev TEXT) WITHOUT ROWID`);
    const insert = old.prepare('INSERT INTO base VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('docs', 'folder', null, 0, 5, '1', '1:0:5', '2', '2:0:5');
    insert.run('docs/x.txt', 'file', 'abc', 3, 7, '3', '3:3:7', '4', '4:3:7');
    old.close();
    const store = StateStore.open(file);
    expect(store.loadBaseEntry('docs/x.txt')).toEqual({ path: 'docs/x.txt', kind: 'file', hash: 'abc', size: 3, mtimeMs: 7, aId: '3', aRevision: '3:3:7', bId: '4', bRevision: '4:3:7' });
    expect(store.baseSize()).toBe(2);
    store.close();
  });

  it('stored listing fingerprints are dropped by every kind of base write, also from another connection', async () => {
    const file = await stateFile();
    const store = StateStore.open(file);
    store.putBase(entry('d', 'folder'));
    store.putBase(entry('d/x.txt'));
    const writes: Array<(other: StateStore) => void> = [
      (other) => other.putBase(entry('y.txt')),
      (other) => other.forgetPath('y.txt'),
      (other) => other.moveBase('d', 'e'),
      (other) => other.deleteBase('e'),
    ];
    const sizes = [2, 3, 2, 2, 0];
    for (const [index, write] of writes.entries()) {
      store.putListingFingerprints({ a: 'fa', b: 'fb' });
      expect(store.listingFingerprints()).toEqual({ a: 'fa', b: 'fb' });
      expect(store.baseSize()).toBe(sizes[index]); // recorded with the fingerprints
      const other = StateStore.open(file);
      write(other);
      other.close();
      expect(store.listingFingerprints()).toBeNull();
      expect(store.baseSize()).toBe(sizes[index + 1]); // counted again: the recorded size went with the fingerprints
    }
    store.close();
  });
});
