/** @module sync.ignore.test — the `.ferryignore` stories between two local folders (testing/stories/ignore), and the engine's own temp files. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { ignoreStories } from './testing/stories/index.js';

ignoreStories({ a: 'local', b: 'local' });

describe('engine temp files in a local folder', () => {
  afterEach(closeAllPairs);

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
