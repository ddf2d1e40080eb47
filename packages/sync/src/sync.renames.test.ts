/** @module sync.renames.test — the rename stories between two local folders (testing/stories/renames), and a case-insensitive local side. */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { renameStories } from './testing/stories/index.js';

renameStories({ a: 'local', b: 'local' });

describe('renames onto a case-insensitive local folder (simulated capabilities)', () => {
  afterEach(closeAllPairs);

  it('a case-only rename works', async () => {
    const h = await syncPair('local', 'local', { b: { capabilities: { caseInsensitive: true } } });
    await h.a.write('readme.md', 'x');
    await h.sync();
    await h.a.move('readme.md', 'README.md');
    const summary = await h.sync();
    expect(summary.moved).toBe(1);
    await h.expectTrees({ 'README.md': 'x' });
  });
});
