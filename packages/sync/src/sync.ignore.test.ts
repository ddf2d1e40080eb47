/** @module sync.ignore.test — `.ferryignore` (gitignore syntax) and the engine's own temp files. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair } from './testing/harness.js';

afterEach(closeAllPairs);

describe('.ferryignore', () => {
  it('ignored files and folders are neither copied nor deleted', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('.ferryignore', 'node_modules/\n*.log\n!keep.log\n');
    await h.a.write('node_modules/pkg/index.js', 'x');
    await h.a.write('debug.log', 'noise');
    await h.a.write('keep.log', 'wanted');
    await h.a.write('src/app.ts', 'code');
    await h.sync();
    await h.expectTree('b', { '.ferryignore': 'node_modules/\n*.log\n!keep.log\n', 'keep.log': 'wanted', 'src/app.ts': 'code' });
    await h.b.write('b-side.log', 'b noise');
    await h.sync();
    expect(Object.keys(await h.a.files())).not.toContain('b-side.log');
    expect(Object.keys(await h.b.files())).toContain('b-side.log');
  });

  it('a path that becomes ignored after it was synced is left alone on both sides', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('cache/data.bin', 'cached');
    await h.a.write('keep.txt', 'k');
    await h.sync();
    await h.a.write('.ferryignore', 'cache/\n');
    await h.a.delete('cache');
    await h.sync();
    expect((await h.b.files())['cache/data.bin']).toBe('cached');
  });

  it('never lists or syncs the engine temp files', async () => {
    const h = await syncPair('local', 'local');
    await writeFile(join(h.dir, 'a', 'root', '.ferry-tmp-leftover'), 'half written');
    await h.a.write('real.txt', 'r');
    const summary = await h.sync();
    expect(summary.copied).toBe(1);
    const listed = await h.a.driver.list();
    expect(listed.map((entry) => entry.path)).toEqual(['real.txt']);
  });
});
