/**
 * @module sync.first-sync.test — the first sync of two folders that already
 * hold (some of) the same files: what is alike is taken as agreed without a
 * transfer, everything else is synced as on any run, and later runs build on
 * what the first one recorded.
 */
import { join } from 'node:path';
import { FerryError } from '@ferry/core/errors';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriverEntry } from './driver.js';
import { LocalDriver } from './drivers/local.js';
import { runSync } from './engine.js';
import { closeAllPairs, syncPair } from './testing/harness.js';

afterEach(closeAllPairs);

const tree: Record<string, string> = {
  'readme.md': '# project',
  'src/main.ts': 'console.log(1);',
  'src/lib/util.ts': 'export const x = 1;',
  'assets/logo.svg': '<svg/>',
};

describe('first sync of folders that already hold the same files', () => {
  it('two copies of one tree: nothing is transferred, the next run has nothing to do, and later edits and renames travel', async () => {
    const h = await syncPair('local', 'local');
    for (const [path, content] of Object.entries(tree)) {
      await h.a.write(path, content);
      await h.b.write(path, content);
    }
    await h.b.mkdir('empty-folder');
    await h.a.mkdir('empty-folder');
    const first = await h.sync();
    expect(first).toMatchObject({ copied: 0, moved: 0, deleted: 0, conflicts: 0, failed: 0, bytes: 0 });
    expect(first.records).toEqual([]);
    await h.expectConverged();

    await h.b.write('src/main.ts', 'console.log(2);');
    await h.a.move('src/lib', 'src/library');
    const later = await h.sync();
    expect(later).toMatchObject({ copied: 1, moved: 1, deleted: 0, conflicts: 0 });
    await h.expectTrees({ 'readme.md': '# project', 'src/main.ts': 'console.log(2);', 'src/library/util.ts': 'export const x = 1;', 'assets/logo.svg': '<svg/>' });
    await h.expectConverged();
  });

  it('trees that only partly agree: equal files stay as they are, the rest is synced as usual', async () => {
    const h = await syncPair('local', 'local');
    for (const [path, content] of Object.entries(tree)) {
      await h.a.write(path, content);
      await h.b.write(path, content);
    }
    await h.a.write('only-on-a.txt', 'from a');
    await h.b.write('notes/only-on-b.txt', 'from b');
    await h.a.write('plan.txt', 'plan as written on a');
    await h.b.write('plan.txt', 'plan as written on b');
    await h.a.write('same-size.txt', 'aaaa');
    await h.b.write('same-size.txt', 'bbbb');
    const first = await h.sync();
    expect(first).toMatchObject({ deleted: 0, failed: 0, conflicts: 2 });
    // Two new files, and per conflict the copy moved aside and the other version.
    expect(first.copied).toBe(2 + 2 * 2);
    const files = await h.a.files();
    for (const [path, content] of Object.entries(tree)) expect(files[path]).toBe(content);
    expect(files['only-on-a.txt']).toBe('from a');
    expect(files['notes/only-on-b.txt']).toBe('from b');
    const versions = (name: string): string[] =>
      Object.entries(files)
        .filter(([path]) => path.startsWith(name))
        .map(([, content]) => content)
        .sort();
    expect(versions('plan')).toEqual(['plan as written on a', 'plan as written on b']);
    expect(versions('same-size')).toEqual(['aaaa', 'bbbb']);
    await h.expectConverged();
  });

  it('a file on one side where the other has a folder of that name is kept aside, not merged', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('shared.txt', 'same');
    await h.b.write('shared.txt', 'same');
    await h.a.write('docs', 'a file called docs');
    await h.b.write('docs/inside.txt', 'inside');
    await h.sync();
    const files = await h.b.files();
    expect(files['shared.txt']).toBe('same');
    expect(files['docs/inside.txt']).toBe('inside');
    expect(Object.values(files)).toContain('a file called docs');
    await h.expectConverged();
  });

  it('files both sides ignore are left alone, even where they differ', async () => {
    const h = await syncPair('local', 'local');
    for (const side of [h.a, h.b]) {
      await side.write('.ferryignore', '*.log\n');
      await side.write('kept.txt', 'kept');
    }
    await h.a.write('debug.log', 'log of a');
    await h.b.write('debug.log', 'log of b, longer');
    const first = await h.sync();
    expect(first).toMatchObject({ copied: 0, conflicts: 0 });
    expect(await h.a.read('debug.log')).toBe('log of a');
    expect(await h.b.read('debug.log')).toBe('log of b, longer');
    await h.a.write('kept.txt', 'kept, edited');
    expect(await h.sync()).toMatchObject({ copied: 1, conflicts: 0 });
    expect(await h.b.read('kept.txt')).toBe('kept, edited');
  });

  it('a dry run of a first sync records nothing: the real run after it still compares every file', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('x.txt', 'x on a');
    await h.b.write('x.txt', 'x on b');
    await h.a.write('y.txt', 'same');
    await h.b.write('y.txt', 'same');
    const dry = await h.sync({ dryRun: true });
    expect(dry.conflicts).toBe(1);
    const real = await h.sync();
    expect(real.conflicts).toBe(1);
    await h.expectConverged();
  });

  it('a first sync that stops halfway keeps what it found alike, and the next run finishes it with nothing lost', async () => {
    const h = await syncPair('local', 'local');
    for (let index = 0; index < 20; index++) {
      await h.a.write(`notes/n${index}.txt`, `note ${index}`);
      await h.b.write(`notes/n${index}.txt`, `note ${index}`);
    }
    await h.a.write('differs.txt', 'version a');
    await h.b.write('differs.txt', 'version b, longer');
    /** Side a's disk goes away after ten files were read. */
    class FailingDriver extends LocalDriver {
      private reads = 0;
      override async hash(entry: DriverEntry): Promise<string> {
        if (++this.reads > 10) throw new FerryError('unavailable', 'The disk went away.');
        return super.hash(entry);
      }
    }
    const failing = new FailingDriver({ root: join(h.dir, 'a', 'root'), fsync: false });
    await expect(runSync({ a: failing, b: h.b.driver, state: h.stateFile })).rejects.toThrow('The disk went away.');
    const next = await h.sync();
    expect(next).toMatchObject({ conflicts: 1, deleted: 0, failed: 0 });
    const files = await h.a.files();
    for (let index = 0; index < 20; index++) expect(files[`notes/n${index}.txt`]).toBe(`note ${index}`);
    expect(Object.values(files).filter((content) => content.startsWith('version')).sort()).toEqual(['version a', 'version b, longer']);
    await h.expectConverged();
  });
});
