/**
 * @module drivers/local-scan.test
 * The columnar scan of a local folder: every listed path is found again by
 * path (names of any script, in folders of any depth), what is not there is
 * not found, the worker-thread walk lists exactly what the in-thread walk
 * lists, a walk that outgrows its size hint lists the same, a size past
 * 4 GiB is listed exactly, two walks at once (a thread and the calling thread) both list
 * everything, the fingerprint follows the listing, and what is neither a
 * file nor a folder is listed as not synced.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalScan, racyWindowMs } from './local-scan.js';
import { walkBeside, walkHere, walkInThread } from './local-scan-thread.js';
import type { WalkRequest } from './local-scan-walk.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const names = ['a.txt', 'A.txt', 'a-b', 'a.b', 'ab', 'é.txt', 'e\u0301.txt', '😀.txt', '\uffef.txt', 'z'];
const hourAgo = Math.floor(Date.now() / 1000) - 3600;

async function tree(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ferry-scan-'));
  dirs.push(root);
  for (const folder of ['', 'a', 'a/b', 'a.b']) {
    await mkdir(join(root, folder), { recursive: true });
    for (const name of names) {
      const file = join(root, folder, `${name}.f`);
      await writeFile(file, name);
      await utimes(file, hourAgo, hourAgo);
    }
  }
  await writeFile(join(root, '.ferry-tmp-123'), 'temp');
  await symlink('a.txt.f', join(root, 'link'));
  return root;
}

function request(root: string): WalkRequest {
  return { root, now: Date.now(), tempPrefix: '.ferry-tmp-', staleTempMs: 600_000, racyWindowMs, sizeHint: 0 };
}

describe('local scan', () => {
  it('finds every listed path again and nothing else', async () => {
    const root = await tree();
    const scan = new LocalScan(await walkHere(request(root), undefined), Date.now(), 1);
    const paths = scan.entries().map((entry) => entry.path);
    expect(paths).toHaveLength(3 + names.length * 4);
    expect(paths).not.toContain('link');
    expect(paths).not.toContain('.ferry-tmp-123');
    for (const [index, path] of paths.entries()) expect(scan.find(path)).toBe(index);
    for (const missing of ['b.txt.f', 'a/b/c', 'a/ab', 'a.b/😀.txt', 'a/b/A.txt', 'nope/a.txt.f', 'a/b/z.f/x']) expect(scan.find(missing)).toBe(-1);
    expect(scan.findIn('a/b', '😀.txt.f')).toBe(paths.indexOf('a/b/😀.txt.f'));
  });

  it('lists the same in a worker thread, and the fingerprint follows sizes, renames and racy files', async () => {
    const root = await tree();
    const fingerprint = async (skip?: () => boolean): Promise<string | null> => new LocalScan(await walkHere(request(root), skip), Date.now(), 1).fingerprint();
    const here = new LocalScan(await walkHere(request(root), undefined), Date.now(), 1);
    const there = new LocalScan(await walkInThread(request(root)), Date.now(), 1);
    expect(there.entries()).toEqual(here.entries());
    expect(there.fingerprint()).toMatch(/^[0-9a-f]{64}$/);
    expect(there.fingerprint()).toBe(here.fingerprint());

    await writeFile(join(root, 'a/z.f'), 'longer');
    await utimes(join(root, 'a/z.f'), hourAgo, hourAgo);
    const resized = await fingerprint();
    expect(resized).not.toBe(here.fingerprint());
    await rename(join(root, 'a/z.f'), join(root, 'a/y.f'));
    expect(await fingerprint()).not.toBe(resized);

    await writeFile(join(root, 'a/new.f'), 'just now');
    expect(await fingerprint()).toBeNull();
    expect(await fingerprint(() => false)).toBeNull();
  });

  it('two large walks at once: one in a worker thread, the other beside it, both complete', async () => {
    const [first, second] = [await tree(), await tree()];
    const expected = new LocalScan(await walkHere(request(first), undefined), Date.now(), 1).entries().map((entry) => entry.path);
    const scans = await Promise.all([walkBeside(request(first)), walkBeside(request(second))]);
    for (const columns of scans) expect(new LocalScan(columns, Date.now(), 1).entries().map((entry) => entry.path)).toEqual(expected);
  });

  it('a walk that outgrows its expected size grows its columns (in resizable buffers) and lists the same', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-scan-'));
    dirs.push(root);
    for (let folder = 0; folder < 25; folder++) {
      await mkdir(join(root, `d${folder}`));
      for (let file = 0; file < 100; file++) await writeFile(join(root, `d${folder}`, `${file % 7 === 0 ? 'é😀' : 'f'}${'-long'.repeat(8)}${file}.txt`), `${folder}/${file}`);
    }
    const sized = await walkHere({ ...request(root), sizeHint: 3_000 }, undefined);
    const grown = await walkHere({ ...request(root), sizeHint: 0 }, undefined);
    const grownInThread = await walkInThread({ ...request(root), sizeHint: 0 });
    expect(grown.mtimes.buffer.resizable && grown.names.buffer.resizable).toBe(true);
    const paths = (columns: typeof sized): string[] => new LocalScan(columns, Date.now(), 1).entries().map((entry) => entry.path);
    expect(paths(sized)).toHaveLength(25 * 101);
    expect(paths(grown)).toEqual(paths(sized));
    expect(paths(grownInThread)).toEqual(paths(sized));
    const scan = new LocalScan(grownInThread, Date.now(), 1);
    const last = `d24/é😀${'-long'.repeat(8)}98.txt`;
    expect(scan.find(last)).toBe(paths(sized).indexOf(last));
    expect(scan.find(last)).toBeGreaterThan(0);
  });

  it('a size past 4 GiB widens the size column, and the listing says it exactly', async () => {
    const root = await tree();
    const narrow = await walkHere(request(root), undefined);
    expect(narrow.sizes.BYTES_PER_ELEMENT).toBe(4);
    const huge = 5 * 1024 ** 3 + 7;
    const handle = await open(join(root, 'a/b/huge.bin'), 'w');
    await handle.truncate(huge); // sparse: no disk space used
    await handle.close();
    await utimes(join(root, 'a/b/huge.bin'), hourAgo, hourAgo);
    const columns = await walkInThread(request(root));
    expect(columns.sizes.BYTES_PER_ELEMENT).toBe(8);
    const scan = new LocalScan(columns, Date.now(), 1);
    expect(scan.entry(scan.find('a/b/huge.bin')).size).toBe(huge);
    expect(scan.entry(scan.find('a/b/z.f')).size).toBe(1);
    const others = (entries: ReturnType<LocalScan['entries']>): typeof entries => entries.filter((entry) => entry.path !== 'a/b/huge.bin' && entry.path !== 'a/b'); // the folder's mtime moved
    expect(others(scan.entries())).toEqual(others(new LocalScan(narrow, Date.now(), 1).entries()));
    expect(scan.fingerprint()).not.toBe(new LocalScan(narrow, Date.now(), 1).fingerprint());
  });

  it('entries that are neither files nor folders are listed as not synced, with why, unless ignored; in a thread too', async () => {
    const root = await tree();
    const made = spawnSync('mkfifo', [join(root, 'a/pipe')]);
    expect(made.status).toBe(0);
    const expected = [
      { path: 'link', reason: 'a symbolic link: not synced' },
      { path: 'a/pipe', reason: 'not a file or folder (a socket, pipe or device): not synced' },
    ];
    const here = new LocalScan(await walkHere(request(root), undefined), Date.now(), 1);
    expect(here.notSynced()).toEqual({ listed: expected, count: 2 });
    expect(here.entries().map((entry) => entry.path)).not.toContain('a/pipe');
    expect(new LocalScan(await walkInThread(request(root)), Date.now(), 1).notSynced()).toEqual({ listed: expected, count: 2 });
    const ignoringLinks = new LocalScan(await walkHere(request(root), (path) => path === 'link'), Date.now(), 1);
    expect(ignoringLinks.notSynced()).toEqual({ listed: [expected[1]], count: 1 });
  });

  it('an unreadable root is reported as unavailable', async () => {
    await expect(walkInThread(request(join(tmpdir(), 'ferry-scan-missing-root')))).rejects.toMatchObject({ code: 'unavailable' });
  });
});
