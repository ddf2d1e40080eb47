/** @module sync.watch.test — with --watch, a change on either side reaches the other without another command. */
import { afterEach, describe, expect, it } from 'vitest';
import type { SyncSummary } from './engine.js';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { watchSync } from './watch.js';

afterEach(closeAllPairs);

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('watch mode', () => {
  it('syncs on its own after a change on either side, and stops when asked', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('first.txt', 'before watching');
    const stop = new AbortController();
    const runs: SyncSummary[] = [];
    const watching = watchSync({
      a: h.a.driver,
      b: h.b.driver,
      state: h.stateFile,
      signal: stop.signal,
      debounceMs: 50,
      onRun: (result) => {
        if (result.ok) runs.push(result.summary);
      },
    });
    await eventually(async () => (await h.b.files())['first.txt'] === 'before watching', 'the first run copied first.txt');
    await h.b.write('docs/from-b.txt', 'written while watching');
    await eventually(async () => (await h.a.files())['docs/from-b.txt'] === 'written while watching', 'the change on b reached a');
    await h.a.delete('first.txt');
    await eventually(async () => !('first.txt' in (await h.b.files())), 'the delete on a reached b');
    stop.abort();
    await watching;
    expect(runs.length).toBeGreaterThanOrEqual(3);
    await h.expectTrees({ 'docs/from-b.txt': 'written while watching' });
  });
});
