/**
 * @module sync.no-change-shortcuts.test
 * The stored listing fingerprint (a re-sync that reads no base row) and the
 * scan in a worker thread never hide a change: after empty runs that took
 * the shortcut, an edit that keeps the size, an edit that keeps the mtime,
 * and a file replaced under the same name with the same size and mtime all
 * travel. A first run between two equal trees stores the fingerprints at
 * once (its next run takes the shortcut), and a change right after it travels.
 */
import { mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalDriver } from './drivers/local.js';
import { runSync, type SyncSummary } from './engine.js';
import { StateStore } from './state-store.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const hourAgo = Math.floor(Date.now() / 1000) - 3600;

interface Pair {
  readonly root: { a: string; b: string };
  readonly state: string;
  sync(): Promise<SyncSummary>;
  /** Writes a file with an old mtime (`secondsAgo` before an hour ago), so its revision is settled. */
  put(side: 'a' | 'b', path: string, content: string, mtimeSeconds?: number): Promise<void>;
  read(side: 'a' | 'b', path: string): Promise<string>;
  storedFingerprints(): Record<'a' | 'b', string> | null;
}

async function localPair(threadScanFrom: number): Promise<Pair> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-shortcuts-'));
  dirs.push(dir);
  const root = { a: join(dir, 'a'), b: join(dir, 'b') };
  await mkdir(root.a);
  await mkdir(root.b);
  const state = join(dir, 'state.sqlite');
  return {
    root,
    state,
    sync: () =>
      runSync({ a: new LocalDriver({ root: root.a, fsync: false, threadScanFrom }), b: new LocalDriver({ root: root.b, fsync: false, threadScanFrom }), state }),
    async put(side, path, content, mtimeSeconds = hourAgo) {
      const file = join(root[side], path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      await utimes(file, mtimeSeconds, mtimeSeconds);
    },
    read: (side, path) => readFile(join(root[side], path), 'utf8'),
    storedFingerprints() {
      const store = StateStore.open(state);
      try {
        return store.listingFingerprints();
      } finally {
        store.close();
      }
    },
  };
}

/** Runs until a run is empty and has stored the fingerprints, then one more that must be empty too (the shortcut). */
async function settle(pair: Pair): Promise<void> {
  await pair.sync();
  expect((await pair.sync()).records).toEqual([]);
  expect(pair.storedFingerprints()).not.toBeNull();
  expect((await pair.sync()).records).toEqual([]);
}

describe.each([
  ['in the calling thread', Number.POSITIVE_INFINITY],
  ['in worker threads', 0],
])('re-sync shortcuts, scanning %s', (_label, threadScanFrom) => {
  it('an edit that keeps the size (new mtime) travels after runs that took the shortcut', async () => {
    const pair = await localPair(threadScanFrom);
    await pair.put('a', 'docs/x.txt', 'xxxx');
    await pair.put('a', 'z.txt', 'zzzz');
    await settle(pair);
    await pair.put('a', 'docs/x.txt', 'XXXX', hourAgo - 60);
    const summary = await pair.sync();
    expect(summary.records).toEqual([expect.objectContaining({ action: 'copy', path: 'docs/x.txt', side: 'b' })]);
    expect(await pair.read('b', 'docs/x.txt')).toBe('XXXX');
    await settle(pair);
  });

  it('a first run between two equal trees stores the fingerprints at once, and an edit right after it travels', async () => {
    const pair = await localPair(threadScanFrom);
    for (const side of ['a', 'b'] as const) {
      await pair.put(side, 'docs/x.txt', 'xxxx');
      await pair.put(side, 'z.txt', 'zzzz');
    }
    expect((await pair.sync()).records).toEqual([]);
    expect(pair.storedFingerprints()).not.toBeNull();
    expect((await pair.sync()).records).toEqual([]);
    await pair.put('b', 'docs/x.txt', 'XXXX', hourAgo - 60);
    const summary = await pair.sync();
    expect(summary.records).toEqual([expect.objectContaining({ action: 'copy', path: 'docs/x.txt', side: 'a' })]);
    expect(await pair.read('a', 'docs/x.txt')).toBe('XXXX');
  });

  it('a first run that had to copy stores no fingerprints (its listings are not the new base)', async () => {
    const pair = await localPair(threadScanFrom);
    await pair.put('a', 'docs/x.txt', 'xxxx');
    await pair.put('b', 'z.txt', 'zzzz');
    expect((await pair.sync()).copied).toBe(2);
    expect(pair.storedFingerprints()).toBeNull();
    await settle(pair);
  });

  it('an edit that keeps the mtime but changes the size travels', async () => {
    const pair = await localPair(threadScanFrom);
    await pair.put('b', 'docs/y.txt', 'yyyy');
    await settle(pair);
    await pair.put('b', 'docs/y.txt', 'yyyy and more', hourAgo);
    expect((await stat(join(pair.root.b, 'docs/y.txt'))).mtimeMs).toBe(hourAgo * 1000);
    const summary = await pair.sync();
    expect(summary.records).toEqual([expect.objectContaining({ action: 'copy', path: 'docs/y.txt', side: 'a' })]);
    expect(await pair.read('a', 'docs/y.txt')).toBe('yyyy and more');
  });

  it('a file replaced under the same name with the same size and mtime travels', async () => {
    const pair = await localPair(threadScanFrom);
    await pair.put('a', 'z.txt', 'zzzz');
    await pair.put('a', 'keep.txt', 'keep');
    await settle(pair);
    await pair.put('b', 'z.txt.incoming', 'ZZZZ', hourAgo);
    await rename(join(pair.root.b, 'z.txt.incoming'), join(pair.root.b, 'z.txt'));
    const summary = await pair.sync();
    expect(summary.records).toEqual([expect.objectContaining({ action: 'copy', path: 'z.txt', side: 'a' })]);
    expect(await pair.read('a', 'z.txt')).toBe('ZZZZ');
    await settle(pair);
  });

  it('a new file, a delete and a folder rename after shortcut runs all travel', async () => {
    const pair = await localPair(threadScanFrom);
    await pair.put('a', 'docs/one.txt', '1');
    await pair.put('a', 'docs/two.txt', '2');
    await pair.put('a', 'gone.txt', 'bye');
    await settle(pair);
    await pair.put('b', 'docs/three.txt', '3');
    await rm(join(pair.root.a, 'gone.txt'));
    await rename(join(pair.root.a, 'docs'), join(pair.root.a, 'papers'));
    await pair.sync();
    for (const side of ['a', 'b'] as const) {
      expect(await pair.read(side, 'papers/one.txt')).toBe('1');
      expect(await pair.read(side, 'papers/three.txt')).toBe('3');
      await expect(stat(join(pair.root[side], 'gone.txt'))).rejects.toThrow();
      await expect(stat(join(pair.root[side], 'docs'))).rejects.toThrow();
    }
    await settle(pair);
  });
});
